"""The till's dialogs from the keyboard alone, with the real dialogs (no scripted prompts): a void
confirmed and its reason picked from the list, no-sale's reason and the supervisor's PIN, a
discount's reason from its list, the tare's presets, the X report printed with Ctrl+P and closed
with Escape. Nothing is typed but digits: a till has no input method for Chinese."""

from __future__ import annotations

import json
import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from drivers.printer.simulator import PrinterSimulator
from edge.config import StoreConfig
from edge.till.reasons import reasons
from edge.till.session import Till
from tests.ui.store_day.conftest import FLOAT
from tests.ui.test_keyboard_only import (  # the real dialogs, answered by keys
    answer_dialog,
    approve,
    escape,
    key,
    keyboard_window,
    press,
    scan_typed,
    type_into_focus,
)
from ui.hardware.devices import Devices
from ui.till.till_app import SALE, TillWindow


def journal(conn: sqlite3.Connection, kind: str) -> list[dict[str, object]]:
    return [json.loads(r[0]) for r in conn.execute(
        "SELECT body FROM journal WHERE kind = ? ORDER BY seq", (kind,))]


def counter(qtbot: QtBot, conn: sqlite3.Connection, locale: str,
            devices: Devices | None) -> TillWindow:
    till = Till(conn, StoreConfig(locale=locale), lane="till")
    window = keyboard_window(qtbot, till, devices)
    window.login_view.pad.staff.setFocus()
    type_into_focus("1001", Qt.Key.Key_Return)
    type_into_focus("1234", Qt.Key.Key_Return)
    # F10: the first choice (open shift) with Enter, then the float
    answer_dialog(lambda d: (key(d, Qt.Key.Key_Return),
                             answer_dialog(lambda f: type_into_focus(FLOAT, Qt.Key.Key_Return))))
    press(qtbot, window, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: conn.execute("SELECT COUNT(*) FROM shift_open").fetchone()[0] == 1,
                    timeout=5000)
    return window


def gtins(conn: sqlite3.Connection, n: int) -> list[str]:
    return [r[0].lstrip("0") for r in conn.execute(
        "SELECT g.gtin FROM product_gtin g JOIN product p USING (sku) WHERE p.age_restricted = 0"
        " AND p.unit = 'each' AND p.open_price = 0 ORDER BY p.sku LIMIT ?", (n,))]


def test_void_and_no_sale_with_reasons_from_the_keyboard(
        qtbot: QtBot, locale: str, conn: sqlite3.Connection) -> None:
    window = counter(qtbot, conn, locale, None)
    for code in gtins(conn, 2):
        scan_typed(qtbot, window, code)
    # F3: "Void line 2?" — Enter is yes; the reason list — Down, Enter: the second reason
    answer_dialog(lambda d: (key(d, Qt.Key.Key_Return), answer_dialog(
        lambda r: (key(r, Qt.Key.Key_Down), key(r, Qt.Key.Key_Return)))))
    press(qtbot, window, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: journal(conn, "line.voided") != [], timeout=5000)
    assert journal(conn, "line.voided")[0]["reason"] == reasons(window.config, "void", locale)[1]
    # F3 again, answered No with Escape: nothing changes
    answer_dialog(escape)
    press(qtbot, window, Qt.Key.Key_F3)
    assert len(journal(conn, "line.voided")) == 1 and window.till.sale is not None
    assert len(window.till.sale.lines) == 1
    # F9: the first reason with Enter, then the supervisor's number and PIN
    answer_dialog(lambda d: (key(d, Qt.Key.Key_Return), answer_dialog(approve)))
    press(qtbot, window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: journal(conn, "drawer.no_sale") != [], timeout=5000)
    assert journal(conn, "drawer.no_sale") == [
        {"approved_by": "2001", "reason": reasons(window.config, "no_sale", locale)[0]}]
    assert QApplication.activeModalWidget() is None


def test_a_discounts_reason_is_picked_not_typed(
        qtbot: QtBot, locale: str, conn: sqlite3.Connection) -> None:
    window = counter(qtbot, conn, locale, None)
    scan_typed(qtbot, window, gtins(conn, 1)[0])

    def discount(dialog: QDialog) -> None:
        type_into_focus("5%", Qt.Key.Key_Tab)           # to the reason list
        type_into_focus("", Qt.Key.Key_Down, Qt.Key.Key_Return)

    answer_dialog(discount)
    press(qtbot, window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.till.sale is not None
                    and window.till.sale.lines[0].manual_discount is not None, timeout=5000)
    given = window.till.sale.lines[0].manual_discount  # type: ignore[union-attr]
    assert given is not None
    assert (given.value, given.reason) == (5, reasons(window.config, "discount", locale)[0])


def test_the_x_report_prints_with_ctrl_p_and_closes_on_escape(
        qtbot: QtBot, locale: str, conn: sqlite3.Connection, devices: Devices,
        printer_sim: PrinterSimulator) -> None:
    window = counter(qtbot, conn, locale, devices)

    def print_then_close(report: QDialog) -> None:
        key_ctrl_p(report)
        qtbot.waitUntil(lambda: len(printer_sim.roll.lines()) > 5, timeout=5000)
        escape(report)

    answer_dialog(lambda d: (key(d, Qt.Key.Key_Down), key(d, Qt.Key.Key_Return),
                             answer_dialog(print_then_close)))
    press(qtbot, window, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=5000)
    expected = QApplication.translate("ReportDialog", "Expected %1").replace(
        "%1", window.tender_view.tender_name("cash"))
    qtbot.waitUntil(lambda: any(line.startswith(expected) and line.rstrip().endswith("100.00")
                                for line in printer_sim.roll.lines()), timeout=5000)
    assert window.stack.currentIndex() == SALE


def key_ctrl_p(dialog: QDialog) -> None:
    from PySide6.QtTest import QTest

    QTest.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_P,
                   Qt.KeyboardModifier.ControlModifier)


def test_tare_presets_from_the_keyboard(qtbot: QtBot, locale: str,
                                        conn: sqlite3.Connection) -> None:
    window = counter(qtbot, conn, locale, None)
    answer_dialog(lambda d: (key(d, Qt.Key.Key_Down), key(d, Qt.Key.Key_Return)))   # 15 g
    press(qtbot, window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.pending_tare == 15
    answer_dialog(lambda d: type_into_focus("0.515", Qt.Key.Key_Return))   # no scale: typed
    scan_typed(qtbot, window, "1")
    qtbot.waitUntil(lambda: window.till.sale is not None and bool(window.till.sale.lines),
                    timeout=5000)
    assert window.till.sale is not None and window.till.sale.lines[0].qty_milli == 500
    assert window.pending_tare is None
