"""`pos demo` with a display: the till on the demo store with simulated devices, and a small
window that plays the devices (scan a product, put produce on the scale, paper out and back)."""

from __future__ import annotations

import random
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from edge.catalog.demo_store import DEMO_STAFF
from edge.config import load_config
from edge.ledger.store import open_store
from edge.promotions.local_table import engine_for
from edge.till.session import Till
from ui.demo_devices import SimulatedDevices, start_simulated_devices


class DevicePanel(QWidget):
    def __init__(self, sims: SimulatedDevices, gtins: list[str]) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("Simulated devices"))
        self.sims = sims
        self.gtins = gtins
        layout = QVBoxLayout(self)
        for text, slot in ((self.tr("Scan a product"), self.scan),
                           (self.tr("Put 0.856 kg on the scale"), lambda: self._weight(856)),
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


def run_demo_app(db_path: Path) -> int:
    from ui.till_app import TillWindow, make_app

    config = load_config(db_path.with_name("store.toml"))
    app = make_app(config.locale)
    conn = open_store(db_path)
    sims = start_simulated_devices(conn, db_path.parent)
    gtins = [r[0].lstrip("0") for r in conn.execute(
        "SELECT g.gtin FROM product_gtin g JOIN product p USING (sku) WHERE p.age_restricted = 0"
        " ORDER BY p.sku LIMIT 40")]
    window = TillWindow(Till(conn, config, engine_for(conn, config)), sims.devices)
    window.login_view.show_demo_staff(DEMO_STAFF)
    window.resize(1024, 768)
    window.show()
    panel = DevicePanel(sims, gtins)
    panel.move(window.x() + window.width() + 10, window.y())
    panel.show()
    try:
        return app.exec()
    finally:
        sims.close()
