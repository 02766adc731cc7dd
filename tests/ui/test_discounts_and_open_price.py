"""Manual discounts (Ctrl+D on the selected line, Ctrl+Shift+D on the order) and open-price items;
above the cashier's limit the supervisor dialog follows and both ids are journaled."""

from __future__ import annotations

import json
import sqlite3

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from edge.till.session import Till
from tests.ui.conftest import ScriptedPrompts
from tests.ui.test_till_flow import gtins, login, make_window
from ui.till.discount_dialog import DiscountDialog, parse_discount
from ui.till.open_price_dialog import OpenPriceDialog

SUPERVISOR = {"staff": "2001", "pin": "5678"}


def test_a_line_discount_above_the_limit_asks_a_supervisor(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, prompts: ScriptedPrompts) -> None:
    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)
    a, b = gtins(conn, 2)
    for code in (a, b):
        qtbot.keyClicks(window.sale_screen.entry, code)
        qtbot.keyClick(window.sale_screen.entry, Qt.Key.Key_Return)
    qtbot.keyClick(window.sale_screen.entry, Qt.Key.Key_Up)          # line 1
    prompts.discounts.append(("percent", 20, "dented"))
    prompts.overrides.append(SUPERVISOR)
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert till.sale is not None
    assert till.sale.lines[0].manual_discount is not None
    assert till.sale.lines[0].manual_discount.approved_by == "2001"
    assert "supervisor" in prompts.asked[-1]
    assert window.sale_screen.message.text() == "Discount given"
    assert window.sale_screen.discount_label.text() != window.money.amount("0.00")
    body = json.loads(conn.execute("SELECT body FROM journal WHERE kind = 'override'")
                      .fetchone()[0])
    assert (body["staff_id"], body["approved_by"]) == ("1001", "2001")

    prompts.discounts.append(("amount", 1, ""))                      # 1 fen: within the limit
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert till.sale.order_discount is not None and till.sale.order_discount.approved_by == "1001"
    assert len(prompts.overrides) == 0


def test_no_supervisor_means_no_discount(qtbot: QtBot, till: Till, conn: sqlite3.Connection,
                                         prompts: ScriptedPrompts) -> None:
    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)
    qtbot.keyClicks(window.sale_screen.entry, gtins(conn, 1)[0])
    qtbot.keyClick(window.sale_screen.entry, Qt.Key.Key_Return)
    prompts.discounts.append(("percent", 30, ""))
    prompts.overrides.append(None)                                   # Escape in the dialog
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert till.sale is not None and till.sale.lines[0].manual_discount is None
    assert window.sale_screen.message.text() == "Cancelled: no supervisor approval"


def test_the_discount_dialog_reads_percent_or_amount_and_refuses_nonsense(qtbot: QtBot) -> None:
    assert parse_discount("10%", 2) == ("percent", 10)
    assert parse_discount(" 5.5 ", 2) == ("amount", 550)
    dialog = DiscountDialog("Discount", 2)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.value, "abc")
    qtbot.keyClick(dialog.value, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.discount is None and dialog.message.text()
    dialog.value.clear()
    qtbot.keyClicks(dialog.value, "15%")
    qtbot.keyClick(dialog.value, Qt.Key.Key_Return)
    assert dialog.discount == ("percent", 15, "")


def test_an_open_price_item_asks_its_price_with_its_category_then_a_supervisor(
        qtbot: QtBot, till: Till, prompts: ScriptedPrompts) -> None:
    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)
    prompts.prices.append(1250)
    qtbot.keyClicks(window.sale_screen.entry, "90")             # the demo's 无码商品, PLU 90
    qtbot.keyClick(window.sale_screen.entry, Qt.Key.Key_Return)
    assert prompts.asked[-1] == "price of Unlisted item (杂货 Sundries)"
    assert till.sale is not None and till.sale.lines[0].unit_price == 1250
    prompts.prices.append(150_00)                              # above the default ¥100
    prompts.overrides.append(SUPERVISOR)
    qtbot.keyClicks(window.sale_screen.entry, "90")
    qtbot.keyClick(window.sale_screen.entry, Qt.Key.Key_Return)
    assert "supervisor" in prompts.asked[-1]
    assert [ln.unit_price for ln in till.sale.lines] == [1250, 150_00]
    assert window.sale_screen.model.rowCount() == 2
    prompts.prices.append(None)                                # Escape: nothing added
    qtbot.keyClicks(window.sale_screen.entry, "90")
    qtbot.keyClick(window.sale_screen.entry, Qt.Key.Key_Return)
    assert len(till.sale.lines) == 2


def test_the_open_price_dialog_shows_the_category_and_takes_enter(qtbot: QtBot) -> None:
    dialog = OpenPriceDialog("无码商品", "杂货 Sundries", 2)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "杂货 Sundries" in dialog.category.text()
    qtbot.keyClicks(dialog.value, "0")
    qtbot.keyClick(dialog.value, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.price is None and dialog.message.text()
    dialog.value.clear()
    qtbot.keyClicks(dialog.value, "12.5")
    qtbot.keyClick(dialog.value, Qt.Key.Key_Return)
    assert dialog.price == 1250 and not dialog.isVisible()
