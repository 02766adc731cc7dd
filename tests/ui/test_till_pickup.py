"""Handover at the Qt till through the real shortcut (Ctrl+K, "Pickup"): a paid-online order by
its 6-digit code at once, once only; a pay-at-pickup order by its QR (`PU:<order id>`) scanned
into the sale screen, rung up
as a sale, paid in cash by the function key, and handed over when that sale completes, naming
it — the books (online_order, the order.handed_over fact, the sale) assert the result."""

from __future__ import annotations

import json
import sqlite3

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from edge.config import StoreConfig
from edge.orders.orders import find_order
from edge.orders.picking import finish_picking, pick_line
from edge.orders.reservations import reserved
from edge.store_ops import stock
from edge.till.session import Till
from tests.ui.conftest import ScriptedPrompts
from tests.ui.test_manager_flow import products
from tests.ui.test_manager_picking import arrive
from tests.ui.test_till_flow import login, make_window
from ui.till.till_app import SALE, TENDER


def handed_over(conn: sqlite3.Connection) -> list[dict]:
    return [json.loads(r[0]) for r in conn.execute(
        "SELECT payload FROM outbox WHERE type = 'order.handed_over' ORDER BY seq")]


def test_pickup_hands_over_paid_orders_at_once_and_pay_at_pickup_orders_with_their_sale(
        qtbot: QtBot, conn: sqlite3.Connection, prompts: ScriptedPrompts) -> None:
    till = Till(conn, StoreConfig(locale="en", extra={"orders": {"reserved_stock": "refuse"}}))
    (sku1, _), (sku2, _) = products(conn, 2)
    stock.move(conn, "3001", "receipt", [(sku1, 5000), (sku2, 3000)])   # all of sku2 held
    price2 = conn.execute("SELECT price FROM product WHERE sku = ?", (sku2,)).fetchone()[0]
    arrive(conn, "O1", "111111", "2026-12-06T11:00:00+08:00", [(sku1, 2000, 350)],
           paid=True, substitutions=False)
    arrive(conn, "O2", "222222", "2026-12-06T12:00:00+08:00", [(sku2, 3000, price2)],
           paid=False, substitutions=False)
    for order_id, sku, qty in (("O1", sku1, 2000), ("O2", sku2, 3000)):
        pick_line(conn, order_id, 1, sku, qty)
        finish_picking(conn, "3001", order_id)
    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)

    prompts.texts.append("111111")
    prompts.confirms.append(True)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert "Paid online" in prompts.asked[-1] and "111111" in prompts.asked[-1]
    assert find_order(conn, "O1").state == "handed_over"
    assert "handed over" in window.sale_screen.message.text()
    assert reserved(conn, sku1) == 0 and till.sale is None
    prompts.texts.append("111111")                  # the code is spent
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert "No open order" in window.sale_screen.message.text()
    assert len(handed_over(conn)) == 1

    prompts.confirms.append(True)                   # the customer's QR, scanned at the sale screen
    qtbot.keyClicks(window.sale_screen.entry, "PU:O2")
    qtbot.keyClick(window.sale_screen.entry, Qt.Key.Key_Return)
    assert "To pay now" in prompts.asked[-1]
    assert till.sale is not None and [(ln.sku, ln.qty_milli) for ln in till.sale.lines] == [
        (sku2, 3000)]
    assert find_order(conn, "O2").state == "picked"      # not before the money is taken
    qtbot.keyClick(window, Qt.Key.Key_F12)
    assert window.stack.currentIndex() == TENDER
    qtbot.keyClick(window, Qt.Key.Key_F9)                # cash, the largest quick amount
    sale = till.last_sale
    assert sale is not None and sale.status == "completed" and sale.total == 3 * price2
    assert find_order(conn, "O2").state == "handed_over"
    assert [(h["order_id"], h["sale_id"]) for h in handed_over(conn)] == [
        ("O1", None), ("O2", sale.id)]
    assert reserved(conn, sku2) == 0
    # The sale took the stock its own order held: no warning, no conflict reported.
    assert conn.execute("SELECT count(*) FROM outbox WHERE type = 'order.conflict'"
                        ).fetchone()[0] == 0
    assert window.stack.currentIndex() in (SALE, TENDER)
