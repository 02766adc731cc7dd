"""A cashier at the keyboard: the quantity prefix, arrows from the entry box, pieces counted as
the customer counts them, the approval dialog that Enter approves and Escape cancels, reprint,
and every error in the screen's language."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from drivers.printer.simulator import PrinterSimulator
from edge.till.session import Till, TillError
from tests.ui.conftest import ScriptedPrompts
from tests.ui.test_till_flow import gtins, login, make_window
from ui.hardware.devices import Devices
from ui.i18n.zh_CN_strings import ZH
from ui.till.till_app import make_app
from ui.widgets.error_messages import MESSAGES, message_for, shopper_message_for
from ui.widgets.pin_pad import OverrideDialog

ROOT = Path(__file__).resolve().parents[2]


def type_code(qtbot: QtBot, window: object, text: str) -> None:
    entry = window.sale_screen.entry  # type: ignore[attr-defined]
    qtbot.keyClicks(entry, text)
    qtbot.keyClick(entry, Qt.Key.Key_Return)


def test_quantity_prefix_arrows_and_pieces(qtbot: QtBot, till: Till, conn: sqlite3.Connection,
                                           prompts: ScriptedPrompts) -> None:
    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)
    a, b = gtins(conn, 2)
    type_code(qtbot, window, f"3*{a}")           # prefix and code in one line
    type_code(qtbot, window, "2*")               # prefix first ...
    assert "2" in window.sale_screen.message.text()
    type_code(qtbot, window, b)                  # ... then the item
    assert till.sale is not None
    assert [ln.qty_milli for ln in till.sale.lines] == [3000, 2000]
    assert window.sale_screen.items_label.text() == "5"   # pieces, not lines
    prompts.texts.append(None)
    type_code(qtbot, window, "6")                # a bare number is still a PLU (weighed in the
    assert prompts.asked[-1].startswith("Weight")  # demo: no scale, so it asks), not a quantity
    assert len(till.sale.lines) == 2
    entry = window.sale_screen.entry
    qtbot.keyClick(entry, Qt.Key.Key_Up)
    assert window.sale_screen.selected_line() == 1
    qtbot.keyClick(entry, Qt.Key.Key_Down)
    assert window.sale_screen.selected_line() == 2


def test_the_approval_dialog_enter_approves_escape_cancels(qtbot: QtBot) -> None:
    dialog = OverrideDialog("A price override needs a supervisor")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.pad.staff, "2001")
    qtbot.keyClick(dialog.pad.staff, Qt.Key.Key_Return)     # Enter after the staff number
    assert dialog.isVisible() and dialog.override is None  # not cancelled: waits for the PIN
    qtbot.keyClicks(dialog.pad.pin, "5678")
    qtbot.keyClick(dialog.pad.pin, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.override == {"staff": "2001", "pin": "5678"}
    other = OverrideDialog("x")
    qtbot.addWidget(other)
    other.show()
    qtbot.keyClick(other.pad.staff, Qt.Key.Key_Escape)
    assert other.result() == QDialog.DialogCode.Rejected and other.override is None


def test_reprint_prints_the_last_receipt_marked_and_journaled(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, devices: Devices,
        printer_sim: PrinterSimulator, prompts: ScriptedPrompts) -> None:
    window = make_window(qtbot, till, devices, prompts)
    login(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert window.sale_screen.message.text()      # nothing to reprint yet: said, not crashed
    type_code(qtbot, window, gtins(conn, 1)[0])
    till.tender("cash", 100_00)
    window.next_customer()
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert printer_sim.wait_until(
        lambda sim: any(re.search("重印|REPRINT", line) for line in sim.roll.lines()), 10)
    kinds = [r[0] for r in conn.execute("SELECT kind FROM journal ORDER BY seq")]
    assert "receipt.reprinted" in kinds


def test_every_error_code_the_sources_raise_has_a_translated_message() -> None:
    raised = set()
    pattern = re.compile(r"(?:TillError|OpsError|TenderError|BarcodeError|StaffError|MoneyError|"
                         r"ProtocolError|DeviceError|StorageFailure|PaymentRefused)"
                         r"\(\s*\"([a-z_]+)\"")
    for package in ("edge", "drivers", "ui"):
        for path in (ROOT / package).rglob("*.py"):
            raised.update(pattern.findall(path.read_text("utf-8")))
    raised |= {"storage_full", "storage_error"}  # made by edge.ledger.store.storage_failure
    raised |= {"payment_offline", "payment_unsettled", "payment_reversed",  # returned as outcomes
               "payment_declined"}                                      # by edge.till.mobile_payment
    assert len(raised) > 50
    assert sorted(raised - set(MESSAGES)) == []
    assert sorted(text for text in MESSAGES.values() if text not in ZH) == []


def test_errors_speak_chinese_and_shoppers_never_see_a_code(qtbot: QtBot) -> None:
    make_app("zh_CN")
    try:
        assert message_for("unknown_product") == ZH[MESSAGES["unknown_product"]]
        assert "no_such_code" in message_for("no_such_code")  # staff: the code, for support
        assert "staff" not in shopper_message_for("staff_locked")
        assert shopper_message_for("card_locked") == shopper_message_for("storage_full")
        assert "_" not in shopper_message_for("storage_full")
        box = QMessageBox(QMessageBox.Icon.Information, "t", "x")
        box.setStandardButtons(QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
        texts = {box.button(b).text() for b in (QMessageBox.StandardButton.Ok,
                                                QMessageBox.StandardButton.Cancel)}
        assert texts == {"确定", "取消"}  # Qt's own buttons in the screen's language
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        assert buttons.button(QDialogButtonBox.StandardButton.Close).text() == "关闭"
    finally:
        make_app("en")


def test_a_till_error_on_the_sale_screen_is_translated(qtbot: QtBot, till: Till,
                                                       prompts: ScriptedPrompts) -> None:
    make_app("zh_CN")
    try:
        window = make_window(qtbot, till, None, prompts)
        login(qtbot, window)
        window.error(TillError("unknown_product", "no product for barcode 6900000000007"))
        assert window.sale_screen.message.text() == ZH[MESSAGES["unknown_product"]]
    finally:
        make_app("en")


def test_search_by_pinyin_initials_with_the_keyboard_only(qtbot: QtBot, till: Till,
                                                          conn: sqlite3.Connection) -> None:
    from ui.till.product_search import ProductSearchDialog
    from ui.widgets.money_text import MoneyText

    sku = conn.execute("SELECT sku FROM product WHERE name_zh LIKE '农夫山泉%' ORDER BY sku"
                       " LIMIT 1").fetchone()[0]
    dialog = ProductSearchDialog(conn, MoneyText(QLocale("zh_CN"), "¥", 2), "zh_CN")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.query, "nfsq")
    assert dialog.results and all(p.name_zh.startswith("农夫山泉") for p in dialog.results)
    row = [p.sku for p in dialog.results].index(sku)
    for _ in range(row):
        qtbot.keyClick(dialog.query, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.chosen is not None
    assert dialog.chosen.sku == sku


def test_a_found_product_joins_the_sale_with_the_pending_quantity(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, prompts: ScriptedPrompts) -> None:
    from edge.catalog.search import search

    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)
    prompts.products.append(search(conn, "nfsq")[0])
    type_code(qtbot, window, "4*")
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert till.sale is not None and till.sale.lines[0].qty_milli == 4000


def test_resume_list_says_when_who_how_many_and_how_much(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, prompts: ScriptedPrompts) -> None:
    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)
    type_code(qtbot, window, f"3*{gtins(conn, 1)[0]}")
    total = till.sale.total if till.sale else 0
    qtbot.keyClick(window, Qt.Key.Key_F6)
    prompts.choices.append(None)
    qtbot.keyClick(window, Qt.Key.Key_F7)
    [(label)] = [a for a in prompts.asked if a == "Suspended sales"]
    assert label
    row = till.suspended()[0]
    assert (row["staff_id"], row["pieces"], row["total"]) == ("1001", 3, total)


def test_after_a_cancel_the_totals_are_empty(qtbot: QtBot, till: Till, conn: sqlite3.Connection,
                                             prompts: ScriptedPrompts) -> None:
    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)
    type_code(qtbot, window, gtins(conn, 1)[0])
    assert window.sale_screen.items_label.text() == "1"
    prompts.confirms.append(True)
    prompts.overrides.append({"staff": "2001", "pin": "5678"})
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert till.sale is None
    assert (window.sale_screen.items_label.text(), window.sale_screen.tax_label.text()) == ("", "")


def test_after_a_completed_sale_the_next_customer_sees_empty_totals(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, prompts: ScriptedPrompts) -> None:
    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)
    type_code(qtbot, window, gtins(conn, 1)[0])
    till.tender("cash", 100_00)
    window.next_customer()
    assert till.sale is None and till.last_sale is not None
    screen = window.sale_screen
    assert [label.text() for label in (screen.items_label, screen.discount_label,
                                        screen.tax_label, screen.total_label)] == ["", "", "", ""]


def test_member_tier_and_produce_tabs_read_right_in_chinese(qtbot: QtBot,
                                                            conn: sqlite3.Connection) -> None:
    from ui.kiosk.produce_picker import ProducePicker

    make_app("zh_CN")
    try:
        conn.execute("UPDATE product SET category = 'Fruit & veg' WHERE plu IS NOT NULL")
        picker = ProducePicker(conn, "en")
        qtbot.addWidget(picker)
        assert picker.tabs.tabText(0) == "Fruit && veg"  # shown as "Fruit & veg"
        window_tier = {"gold": "金卡", "silver": "银卡", "diamond": "钻石卡"}
        from edge.config import StoreConfig
        from ui.till.till_app import TillWindow
        win = TillWindow(Till(conn, StoreConfig(locale="zh_CN")))
        qtbot.addWidget(win)
        assert {t: win.tier_name(t) for t in window_tier} == window_tier
    finally:
        make_app("en")


def test_training_is_chosen_at_login_and_shown_on_the_sale_screen(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, devices: Devices,
        printer_sim: PrinterSimulator, prompts: ScriptedPrompts) -> None:
    window = make_window(qtbot, till, devices, prompts)
    window.login_view.training.setChecked(True)
    login(qtbot, window)
    assert till.training and "TRAINING" in window.sale_screen.staff_label.text()
    type_code(qtbot, window, gtins(conn, 1)[0])
    qtbot.keyClick(window, Qt.Key.Key_F12)
    window.pay("cash", 100_00)
    assert printer_sim.wait_until(
        lambda sim: any(re.search("培训|TRAINING", line) for line in sim.roll.lines()), 10)
    assert conn.execute("SELECT count(*) FROM sale").fetchone()[0] == 0


def test_the_demo_login_screen_says_who_can_log_in(qtbot: QtBot, till: Till,
                                                   prompts: ScriptedPrompts) -> None:
    from edge.catalog.demo_store import DEMO_STAFF

    window = make_window(qtbot, till, None, prompts)
    assert window.login_view.demo_staff.isHidden()  # a real store shows no PINs
    window.login_view.show_demo_staff(DEMO_STAFF)
    text = window.login_view.demo_staff.text()
    assert "cashier 1001 / 1234" in text and "supervisor 2001 / 5678" in text
    assert "manager 3001 / 9999" in text
