"""`pos demo` with a display: the till on the demo store with simulated devices, and a small
window that plays the devices (scan a product, put produce on the scale, paper out and back)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from edge.catalog.demo_store import DEMO_STAFF
from edge.config import load_config
from edge.ledger.store import open_store
from edge.promotions.local_table import engine_for
from edge.till.session import Till
from ui.demo.demo_devices import start_simulated_devices
from ui.demo.device_panel import open_device_panel
from ui.demo.e_receipt_server import EReceiptServer


def run_demo_app(db_path: Path) -> int:
    from ui.till.till_app import TillWindow, make_app

    config = load_config(db_path.with_name("store.toml"))
    e_receipts = None
    if not config.e_receipt_url:   # the QR opens a page this machine serves
        e_receipts = EReceiptServer(db_path, config).start()
        config = dataclasses.replace(config, e_receipt_url=e_receipts.url)
    app = make_app(config.locale)
    conn = open_store(db_path)
    sims = start_simulated_devices(conn, db_path.parent)
    window = TillWindow(Till(conn, config, engine_for(conn, config)), sims.devices)
    window.login_view.show_demo_staff(DEMO_STAFF)
    window.resize(1024, 768)
    window.show()
    panel = open_device_panel(sims, conn, window)  # kept: the panel lives while the app runs
    try:
        return app.exec()
    finally:
        panel.close()
        sims.close()
        if e_receipts is not None:
            e_receipts.close()
