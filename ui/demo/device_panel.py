"""The panel that plays the simulated devices (scan a product, put produce on the scale or make
it move, paper out and back) and shows the simulated customer display, for `pos demo` and
`--demo-devices`; it opens on top, in a corner of the app's screen."""

from __future__ import annotations

import random
import sqlite3

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from ui.demo.demo_devices import SimulatedDevices
from ui.widgets.screen_mode import place_on_screen


class DevicePanel(QWidget):
    def __init__(self, sims: SimulatedDevices, gtins: list[str]) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("Simulated devices"))
        self.sims = sims
        self.gtins = gtins
        layout = QVBoxLayout(self)
        for text, slot in ((self.tr("Scan a product"), self.scan),
                           (self.tr("Put 0.856 kg on the scale"), lambda: self._weight(856)),
                           (self.tr("Scale: moving / steady"), self.toggle_motion),
                           (self.tr("Empty the scale"), lambda: self._weight(0)),
                           (self.tr("Printer: paper out"), sims.printer.run_out_of_paper),
                           (self.tr("Printer: load paper"), sims.printer.load_paper)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            layout.addWidget(button)
        layout.addWidget(QLabel(self.tr("Customer display")))
        self.display = QLabel()
        self.display.setStyleSheet("font-family: monospace; font-size: 18px; background: #002b1a;"
                                   " color: #7CFC00; padding: 6px;")
        layout.addWidget(self.display)
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
    """The panel that plays the simulated devices, on top in a corner of the app's screen."""
    gtins = [r[0].lstrip("0") for r in conn.execute(
        "SELECT g.gtin FROM product_gtin g JOIN product p USING (sku) WHERE p.age_restricted = 0"
        " ORDER BY p.sku LIMIT 40")]
    panel = DevicePanel(sims, gtins)
    place_on_screen(panel, window)
    panel.show()
    return panel
