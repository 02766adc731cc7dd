"""Every function key and shortcut on every till screen (sale, tender, done), table-driven: each
row sets the scene, presses the key through the window's shortcut map (and, as a second run, its
touch button: one path per action), and asserts what the label promised in the books — SQLite,
the journal, the printer simulator's roll and drawer — or, for keys that only move the screen,
where the screen went. A key added to a bar without a row here fails the coverage test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication

from edge.catalog.products import by_sku
from edge.ledger.store import write_transaction
from edge.orders.orders import Order, OrderLine, apply_orders, find_order
from edge.orders.picking import finish_picking, pick_line
from edge.promotions.local_table import engine_for, import_promotions
from edge.store_ops import stock
from edge.till.reasons import reasons
from tests.ui.store_day.conftest import SUPERVISOR, Counter
from ui.till.till_app import LOGIN, SALE, TENDER

Press = Callable[[], None]


def basket(c: Counter, n: int = 2) -> None:
    for code in c.gtins(n):
        c.type_code(code)
    assert c.till.sale is not None and len(c.till.sale.lines) == n


def finished_sale(c: Counter) -> str:
    basket(c, 1)
    c.press("F12")
    c.press("F6")
    assert c.window.tender_view.done
    sale = c.till.last_sale
    assert sale is not None
    return sale.id


def first_reason(c: Counter, kind: str) -> str:
    return reasons(c.till.config, kind, c.locale)[0]


# --- the sale screen ----------------------------------------------------------------------------

def age_ok(c: Counter, press: Press) -> None:
    c.type_code(c.gtins(1, age_restricted=True)[0])
    c.prompts.confirms.append(True)
    press()
    assert c.till.sale is not None and c.till.sale.age_confirmed_by == "1001"


def quantity(c: Counter, press: Press) -> None:
    basket(c, 1)
    press()
    assert c.window.sale_screen.table.state() == QAbstractItemView.State.EditingState
    editor = QApplication.focusWidget()
    assert editor is not None
    QTest.keyClicks(editor, "3")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    c.qtbot.waitUntil(lambda: c.till.sale is not None and c.till.sale.lines[0].qty_milli == 3000)


def void_line(c: Counter, press: Press) -> None:
    basket(c, 2)
    c.prompts.confirms.append(True)
    c.prompts.choices.append(0)
    press()
    assert c.till.sale is not None and [ln.line_no for ln in c.till.sale.lines] == [1]
    assert c.journal("line.voided")[-1]["reason"] == first_reason(c, "void")


def price_override(c: Counter, press: Press) -> None:
    basket(c, 1)
    c.prompts.texts.append("1.00")
    c.prompts.choices.append(0)
    c.prompts.overrides.append(SUPERVISOR)
    press()
    assert c.till.sale is not None and c.till.sale.lines[0].unit_price == 100
    body = c.journal("override")[-1]
    assert (body["action"], body["approved_by"], body["reason"]) == (
        "price_override", "2001", first_reason(c, "price_override"))


def member(c: Counter, press: Press) -> None:
    c.prompts.texts.append("88000001")
    press()
    assert c.till.sale is not None and c.till.sale.member_tier == "diamond"


def suspend(c: Counter, press: Press) -> None:
    basket(c, 2)
    press()
    assert c.till.sale is None
    assert c.conn.execute("SELECT COUNT(*) FROM suspended_sale").fetchone()[0] == 1


def resume(c: Counter, press: Press) -> None:
    basket(c, 2)
    c.till.suspend()
    c.prompts.choices.append(0)
    press()
    assert c.till.sale is not None and len(c.till.sale.lines) == 2
    assert c.conn.execute("SELECT COUNT(*) FROM suspended_sale").fetchone()[0] == 0


def return_item(c: Counter, press: Press) -> None:
    sale_id = finished_sale(c)
    c.press("F12")
    c.prompts.texts += [sale_id, "1"]
    c.prompts.choices += [0, 1]                       # the line, the second reason
    press()
    row = c.conn.execute("SELECT reason, total FROM sale_return").fetchone()
    assert row is not None and row[0] == reasons(c.till.config, "return", c.locale)[1]


def no_sale(c: Counter, press: Press) -> None:
    c.prompts.choices.append(0)
    c.prompts.overrides.append(SUPERVISOR)
    press()
    assert c.journal("drawer.no_sale") == [{"approved_by": "2001",
                                            "reason": first_reason(c, "no_sale")}]
    c.qtbot.waitUntil(lambda: c.printer.kicks != [], timeout=5000)


def shift_x_report(c: Counter, press: Press) -> None:
    finished_sale(c)
    c.press("F12")
    c.prompts.choices.append(1)
    press()
    rows = dict(c.prompts.reports[-1].rows)  # type: ignore[attr-defined]
    assert rows[c.prompts.reports[-1].tr("Completed sales")] == "1"  # type: ignore[attr-defined]


def cancel_sale(c: Counter, press: Press) -> None:
    basket(c, 2)
    c.prompts.confirms.append(True)
    c.prompts.overrides.append(SUPERVISOR)
    press()
    assert [r["status"] for r in c.sales()] == ["cancelled"]


def pay(c: Counter, press: Press) -> None:
    basket(c, 1)
    press()
    assert c.window.stack.currentIndex() == TENDER


def line_discount(c: Counter, press: Press) -> None:
    basket(c, 1)
    c.prompts.discounts.append(("percent", 5, first_reason(c, "discount")))
    press()
    assert c.till.sale is not None
    given = c.till.sale.lines[0].manual_discount
    assert given is not None and (given.value, given.reason) == (5, first_reason(c, "discount"))


def order_discount(c: Counter, press: Press) -> None:
    basket(c, 2)
    c.prompts.discounts.append(("percent", 5, ""))
    press()
    assert c.till.sale is not None and c.till.sale.order_discount is not None


def reprint(c: Counter, press: Press) -> None:
    sale_id = finished_sale(c)
    c.press("F12")
    c.qtbot.waitUntil(lambda: bool(c.printer.roll.lines()), timeout=5000)
    c.qtbot.wait(200)                                   # the first receipt, to its cut
    printed = len(c.printer.roll.lines())
    press()
    assert [b["sale_id"] for b in c.journal("receipt.reprinted")] == [sale_id]
    c.qtbot.waitUntil(lambda: len(c.printer.roll.lines()) > printed, timeout=5000)


def find_product(c: Counter, press: Press) -> None:
    row = c.conn.execute("SELECT sku FROM product WHERE unit = 'each' AND open_price = 0"
                         " AND age_restricted = 0 ORDER BY sku LIMIT 1").fetchone()
    c.prompts.products.append(by_sku(c.conn, row[0]))
    press()
    assert c.till.sale is not None and c.till.sale.lines[0].sku == row[0]


def logout(c: Counter, press: Press) -> None:
    press()
    assert c.window.stack.currentIndex() == LOGIN and c.till.staff is None


def code_entry(c: Counter, press: Press) -> None:
    c.window.sale_screen.table.setFocus()
    press()
    assert QApplication.focusWidget() is c.window.sale_screen.entry


def price_check(c: Counter, press: Press) -> None:
    promotions_arrive(c, {"id": "ALL5", "type": "percent_off", "name": {"zh": "九五折",
                                                                         "en": "5% off"},
                          "params": {"percent_bp": 500}})
    code = c.gtins(1)[0]
    press()
    c.type_code(code)
    assert c.till.sale is None and c.sales() == []
    price = c.conn.execute("SELECT p.price FROM product p JOIN product_gtin g USING (sku)"
                           " WHERE g.gtin = ?", (code.zfill(14),)).fetchone()[0]
    assert c.window.money.minor(price) in c.message()
    assert c.window.tr("Promotion: %1").split("%1")[0] in c.message()


def promotions_arrive(c: Counter, *promotions: dict[str, Any]) -> None:
    """The store's promotions as HQ sends them, and the till's engine over them (as at start)."""
    assert not import_promotions(c.conn, json.dumps(list(promotions))).problems
    c.till.engine = engine_for(c.conn, c.till.config)


def coupon(c: Counter, press: Press) -> None:
    promotions_arrive(c, {"id": "CPN10", "type": "percent_off", "coupon": "CPN-2026",
                          "name": {"zh": "券八折", "en": "Coupon 20% off"},
                          "params": {"percent_bp": 2000}})  # beats the demo's 饮料九折
    basket(c, 1)
    assert c.till.sale is not None
    before = c.till.sale.total
    c.prompts.texts.append("CPN-2026")
    press()
    assert c.till.sale.coupons == ["CPN-2026"] and c.till.sale.total < before
    c.press("F12")
    c.press("F6")
    sale = c.till.last_sale
    assert sale is not None and c.tenders(sale.id) == [("cash", sale.total)]
    assert [r[0] for r in c.conn.execute("SELECT code FROM sale_coupon WHERE sale_id = ?",
                                         (sale.id,))] == ["CPN-2026"]


def tare(c: Counter, press: Press) -> None:
    c.prompts.choices.append(1)                                 # the second preset: 15 g
    press()
    c.scale.weight_grams = 520
    c.type_code("1")                                            # a weighed PLU
    c.qtbot.waitUntil(lambda: c.till.sale is not None and bool(c.till.sale.lines), timeout=5000)
    assert c.till.sale is not None and c.till.sale.lines[0].qty_milli == 505


def pickup(c: Counter, press: Press) -> None:
    """An online order, picked, handed over by its pickup code (docs/orders.md)."""
    sku = c.conn.execute("SELECT sku FROM product_gtin ORDER BY sku LIMIT 1").fetchone()[0]
    stock.move(c.conn, "3001", "receipt", [(sku, 2000)])
    with write_transaction(c.conn):
        apply_orders(c.conn, [Order("K1", "mini", "135790", [OrderLine(1, sku, sku, 1000, 350)],
                                    "2026-12-06T12:00:00+08:00", True)], False, 1)
    pick_line(c.conn, "K1", 1, sku, 1000)
    finish_picking(c.conn, "3001", "K1")
    c.prompts.texts.append("135790")
    c.prompts.confirms.append(True)
    press()
    assert find_order(c.conn, "K1").state == "handed_over" and c.till.sale is None
    assert "135790" in c.message()


# --- the tender screen --------------------------------------------------------------------------

def to_tender(c: Counter, n: int = 2) -> int:
    basket(c, n)
    c.press("F12")
    assert c.window.stack.currentIndex() == TENDER
    return c.window.tender_view.due


def completed_with(c: Counter, expected: list[tuple[str, int]]) -> None:
    assert c.window.tender_view.done, c.window.tender_view.message.text()
    sale = c.till.last_sale
    assert sale is not None and c.tenders(sale.id) == expected


def tender_cash(c: Counter, press: Press) -> None:
    due = to_tender(c)
    press()                                  # the amount field holds what is due
    completed_with(c, [("cash", due)])


def tender_card(c: Counter, press: Press) -> None:
    due = to_tender(c)
    press()
    completed_with(c, [("card", due)])


def tender_mobile(c: Counter, press: Press) -> None:
    due = to_tender(c)
    press()
    c.serial_scan("134567890123456789")                   # the customer's WeChat code
    c.qtbot.waitUntil(lambda: c.window.tender_view.done, timeout=5000)
    completed_with(c, [("mobile", due)])


def tender_stored_value(c: Counter, press: Press) -> None:
    due = to_tender(c)
    c.prompts.texts.append("SV88000001")
    press()
    completed_with(c, [("stored_value", due)])


def tender_points(c: Counter, press: Press) -> None:
    c.type_code("MQR-DEMO-0001")                        # the member's QR, in the scan box
    to_tender(c)
    c.window.tender_view.amount.setText("1.00")
    c.prompts.texts.append("88000001")
    press()
    assert c.till.sale is not None and [(t.type, t.amount) for t in c.till.sale.tenders] == [
        ("points", 100)]


def quick(n: int) -> Callable[[Counter, Press], None]:
    def run(c: Counter, press: Press) -> None:
        due = to_tender(c)
        amount = c.window.tender_view.quick_amounts[n]
        press()
        completed_with(c, [("cash", amount)])
        assert c.sales()[-1]["change"] == amount - due
    return run


def void_while_paying(c: Counter, press: Press) -> None:
    to_tender(c)
    c.window.tender_view.amount.setText("1.00")
    c.press("F1")
    c.prompts.choices += [1, 0]                           # line 2, the first reason
    c.prompts.confirms.append(True)
    c.prompts.overrides.append(SUPERVISOR)
    press()
    sale = c.till.sale
    assert sale is not None and [ln.line_no for ln in sale.lines] == [1]
    assert [(t.type, t.amount) for t in sale.tenders] == [("cash", 100)]
    assert c.window.tender_view.due == sale.remaining


def back_to_sale(c: Counter, press: Press) -> None:
    to_tender(c)
    press()
    assert c.window.stack.currentIndex() == SALE


def next_customer(c: Counter, press: Press) -> None:
    finished_sale(c)
    press()
    assert c.window.stack.currentIndex() == SALE and c.window.sale_screen.model.rowCount() == 0


SALE_KEYS: dict[str, Callable[[Counter, Press], None]] = {
    "F1": age_ok, "F2": quantity, "F3": void_line, "F4": price_override, "F5": member,
    "F6": suspend, "F7": resume, "F8": return_item, "F9": no_sale, "F10": shift_x_report,
    "F11": cancel_sale, "F12": pay, "Ctrl+D": line_discount, "Ctrl+Shift+D": order_discount,
    "Ctrl+P": reprint, "Ctrl+F": find_product, "Ctrl+L": logout, "Ctrl+E": code_entry,
    "Ctrl+I": price_check, "Ctrl+U": coupon, "Ctrl+T": tare, "Ctrl+K": pickup,
}
TENDER_KEYS: dict[str, Callable[[Counter, Press], None]] = {
    "F1": tender_cash, "F2": tender_card, "F3": tender_mobile, "F4": tender_stored_value,
    "F5": tender_points, "F11": void_while_paying, "Esc": back_to_sale,
}
QUICK_KEYS: dict[str, Callable[[Counter, Press], None]] = {
    "F6": quick(0), "F7": quick(1), "F8": quick(2), "F9": quick(3)}
DONE_KEYS: dict[str, Callable[[Counter, Press], None]] = {"F12": next_customer}

ROWS = ([("sale", k) for k in SALE_KEYS] + [("tender", k) for k in TENDER_KEYS]
        + [("quick", k) for k in QUICK_KEYS] + [("done", k) for k in DONE_KEYS])
TABLES = {"sale": SALE_KEYS, "tender": TENDER_KEYS, "quick": QUICK_KEYS, "done": DONE_KEYS}


def bar(c: Counter, screen: str) -> Any:
    view = c.window.tender_view
    return {"sale": c.window.sale_screen.keys, "tender": view.keys, "quick": view.quick_keys,
            "done": view.done_keys}[screen]


def test_every_key_on_every_screen_has_a_row(counter: Counter) -> None:
    for screen, table in TABLES.items():
        assert set(bar(counter, screen).actions_by_key) == set(table), screen


@pytest.mark.parametrize("how", ["key", "button"])
@pytest.mark.parametrize(("screen", "key"), ROWS)
def test_the_key_does_what_its_label_says(counter: Counter, screen: str, key: str,
                                          how: str) -> None:
    keys = bar(counter, screen)

    def press() -> None:
        if how == "key":
            counter.press(key)
        else:
            counter.click(keys, key)

    TABLES[screen][key](counter, press)
