"""Picking online orders in the manager app with the store's devices: the pick list by slot,
items scanned on the serial scanner (pty), a wrong item refused, weighed goods read from the
scale simulator, a shortage, a substitute only where the customer allowed it, and the pick label
printed on the TCP printer simulator — the books (order_pick, order.picked) assert the result."""

from __future__ import annotations

import json
import sqlite3

from pytestqt.qtbot import QtBot

from drivers.printer.simulator import PrinterSimulator
from drivers.scale.simulator import ScaleSimulator
from drivers.scanner.simulator import ScannerSimulator
from edge.config import StoreConfig
from edge.ledger.store import write_transaction
from edge.orders.orders import Order, OrderLine, apply_orders, find_order
from edge.orders.reservations import reserved
from edge.store_ops import stock
from tests.ui.conftest import ScriptedPrompts
from tests.ui.test_manager_flow import manager, products
from ui.hardware.devices import Devices


def arrive(conn: sqlite3.Connection, order_id: str, code: str, slot: str,
           lines: list[tuple[str, int, int]], paid: bool, substitutions: bool) -> None:
    with write_transaction(conn):
        apply_orders(conn, [Order(order_id, "mini", code,
                                  [OrderLine(i, sku, sku, qty, price)
                                   for i, (sku, qty, price) in enumerate(lines, 1)],
                                  slot, paid, substitutions)], snapshot=False, version=1)


def test_an_order_is_picked_by_scanner_and_scale_and_its_label_printed(
        qtbot: QtBot, conn: sqlite3.Connection, config: StoreConfig, devices: Devices,
        scanner_sim: ScannerSimulator, scale_sim: ScaleSimulator, printer_sim: PrinterSimulator,
        prompts: ScriptedPrompts) -> None:
    (sku1, gtin1), (sku2, _) = products(conn, 2)
    stock.move(conn, "3001", "receipt", [(sku1, 5000), (sku2, 5000), ("F0001", 3000),
                                         ("F0002", 3000)])
    arrive(conn, "O2", "222222", "2026-12-06T12:00:00+08:00", [("F0002", 500, 698)],
           paid=False, substitutions=True)
    arrive(conn, "O1", "111111", "2026-12-06T11:00:00+08:00",
           [(sku1, 2000, 350), ("F0001", 1000, 1280), (sku2, 1000, 500)],
           paid=True, substitutions=False)
    window = manager(qtbot, conn, config, devices, prompts)
    window.tabs.setCurrentIndex(window.tabs.indexOf(window.picking))
    panel = window.picking
    assert panel.orders_table.rowCount() == 2
    assert panel.orders_table.item(0, 1).text() == "111111"      # the earlier slot first
    panel.orders_table.selectRow(0)
    assert panel.order_id == "O1"

    def picked(order_id: str) -> dict[int, tuple[str, int, int]]:
        return find_order(conn, order_id).picked

    scanner_sim.scan(gtin1.lstrip("0"))
    qtbot.waitUntil(lambda: picked("O1").get(1, ("", 0, 0))[1] == 1000, timeout=5000)
    scanner_sim.scan(gtin1.lstrip("0"))
    qtbot.waitUntil(lambda: picked("O1")[1][1] == 2000, timeout=5000)
    scanner_sim.scan(gtin1.lstrip("0"))           # a third: more than ordered, refused
    qtbot.waitUntil(lambda: "Too many" in panel.message.text(), timeout=5000)
    assert picked("O1")[1][1] == 2000

    panel.lines_table.selectRow(2)                 # the sku2 line; scanning F0002 is no substitute
    scanner_sim.scan("2")
    qtbot.waitUntil(lambda: "Wrong item" in panel.message.text(), timeout=5000)
    assert 3 not in picked("O1")

    scale_sim.weight_grams = 1045                  # the pears weigh 1.045 kg on the scale
    scanner_sim.scan("1")
    qtbot.waitUntil(lambda: picked("O1").get(2, ("", 0, 0))[1] == 1045, timeout=8000)
    assert picked("O1")[2] == ("F0001", 1045, 1338)    # 1.045 kg × 12.80

    panel.lines_table.selectRow(2)
    panel.buttons["short"].click()                 # no sku2 on the shelf
    assert picked("O1")[3] == (sku2, 0, 0)
    panel.buttons["finish"].click()
    assert find_order(conn, "O1").state == "picked"
    fact = json.loads(conn.execute("SELECT payload FROM outbox WHERE type = 'order.picked'"
                                   ).fetchone()[0])
    assert [ln["qty_milli"] for ln in fact["lines"]] == [2000, 1045, 0]
    assert reserved(conn, sku2) == 0 and reserved(conn, "F0001") == 1045
    assert printer_sim.wait_until(lambda sim: any("PAID ONLINE" in line
                                                  for line in sim.roll.lines()), 5)
    printed = "\n".join(printer_sim.roll.lines())
    assert printed.startswith("PICKUP 111111\nO1\n") and " 3 P00002 0/1 SHORT" in printed
    assert panel.orders_table.rowCount() == 1      # O1 waits for the till now

    panel.orders_table.selectRow(0)                # O2 allows substitutes: F0001 for F0002
    scale_sim.weight_grams = 480
    scanner_sim.scan("1")
    qtbot.waitUntil(lambda: picked("O2").get(1, ("", 0, 0))[1] == 480, timeout=8000)
    assert picked("O2")[1] == ("F0001", 480, 335)       # at the ordered 6.98/kg
