"""The panel that plays the simulated devices (scan a product, put produce on the scale or make
it move, paper out and back) and shows the simulated customer display, for `pos demo` and
`--demo-devices`: its own window beside the app's, never over the sale, at the app's scale."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from ui.demo.demo_devices import SimulatedDevices, start_simulated_devices
from ui.widgets.scaling import factor_for, rescale, scalable
from ui.widgets.screen_mode import StandIns, place_beside


class DevicePanel(QWidget):
    def __init__(self, sims: SimulatedDevices, gtins: list[str]) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("Simulated devices"))
        self.setObjectName("devicePanel")
        self.sims = sims
        self.gtins = gtins
        layout = QVBoxLayout(self)
        self.buttons: list[QPushButton] = []
        for text, slot in ((self.tr("Scan a product"), self.scan),
                           (self.tr("Put 0.856 kg on the scale"), lambda: self._weight(856)),
                           (self.tr("Scale: moving / steady"), self.toggle_motion),
                           (self.tr("Empty the scale"), lambda: self._weight(0)),
                           (self.tr("Printer: paper out"), sims.printer.run_out_of_paper),
                           (self.tr("Printer: load paper"), sims.printer.load_paper)):
            button = scalable(QPushButton(text), "font-size: {px}px;", 14, 36)
            button.clicked.connect(slot)
            layout.addWidget(button)
            self.buttons.append(button)
        layout.addWidget(scalable(QLabel(self.tr("Customer display")), "font-size: {px}px;", 14))
        self.display = scalable(QLabel(), "font-family: monospace; font-size: {px}px;"
                                          " background: #002b1a; color: #7CFC00; padding: 6px;", 16)
        layout.addWidget(self.display)
        layout.addStretch(1)
        self.display_timer = QTimer(self)
        self.display_timer.timeout.connect(self.show_display)
        self.display_timer.start(200)

    def show_display(self) -> None:
        """The simulated pole display's two lines, as its screen buffer holds them."""
        if self.sims.display is not None:
            self.display.setText("\n".join(self.sims.display.text("gb18030")))

    def scan(self) -> None:
        self.sims.scanner.scan(random.choice(self.gtins), "]E0")

    def _weight(self, grams: int) -> None:
        self.sims.scale.weight_grams = grams

    def toggle_motion(self) -> None:
        self.sims.scale.motion = not self.sims.scale.motion


def open_device_panel(sims: SimulatedDevices, conn: sqlite3.Connection,
                      window: QWidget) -> DevicePanel:
    """The panel that plays the simulated devices, beside the app's window at its scale."""
    gtins = [r[0].lstrip("0") for r in conn.execute(
        "SELECT g.gtin FROM product_gtin g JOIN product p USING (sku) WHERE p.age_restricted = 0"
        " ORDER BY p.sku LIMIT 40")]
    panel = DevicePanel(sims, gtins)
    screen = window.screen().availableGeometry()
    rescale(panel, factor_for(screen.width(), screen.height()))
    place_beside(panel, window)
    return panel


def demo_stand_ins(conn: sqlite3.Connection, state_dir: Path) -> StandIns:
    """`--demo-devices`: the simulators instead of the configured devices, their panel beside
    the app (given to ui/till/till_app.py's run_window by the command line)."""
    sims = start_simulated_devices(conn, state_dir)
    panels: list[DevicePanel] = []

    def close() -> None:
        for panel in panels:
            panel.close()
        sims.close()

    return StandIns(sims.devices, lambda window: panels.append(open_device_panel(sims, conn, window)),
                    close)
