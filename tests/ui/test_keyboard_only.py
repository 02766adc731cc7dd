"""The till without a mouse, in English and in Chinese: a whole sale typed at the keyboard through
the real dialogs (login with PIN, scans from the serial scanner, a quantity, a member, cash +
card, the printed receipt), and every dialog of the till taking Enter and closing on Escape."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from drivers.printer.simulator import PrinterSimulator
from drivers.scanner.simulator import ScannerSimulator
from edge.config import StoreConfig
from edge.customers.members import register_member
from edge.till.session import Till
from tests.ui.conftest import activate
from tests.ui.test_till_flow import gtins
from ui.hardware.devices import Devices
from ui.till.till_app import SALE, TENDER, TillWindow, make_app

SUPERVISOR = ("2001", "5678")


@pytest.fixture(params=["en", "zh_CN"])
def locale(request: pytest.FixtureRequest) -> Iterator[str]:
    make_app(request.param)
    yield request.param
    make_app("en")


def keyboard_window(qtbot: QtBot, till: Till, devices: Devices | None) -> TillWindow:
    window = TillWindow(till, devices)                     # the real Prompter: real dialogs
    qtbot.addWidget(window)
    window.resize(1024, 768)
    activate(qtbot, window)
    return window


def type_into_focus(text: str, *keys: Qt.Key) -> None:
    """Type where the keyboard focus is (the focus may move with each key, as Enter moves it)."""
    widget = QApplication.focusWidget()
    assert widget is not None, "no widget has the keyboard focus"
    if text:
        QTest.keyClicks(widget, text)
    for key in keys:
        widget = QApplication.focusWidget()
        assert widget is not None
        QTest.keyClick(widget, key)


def answer_dialog(answer: Callable[[QDialog], None]) -> list[str]:
    """Answer the next modal dialog from the keyboard once it is up; returns its title (later)."""
    seen: list[str] = []
    deadline = time.monotonic() + 5.0    # a dialog that never comes: stop polling, the test fails

    def poll() -> None:
        if time.monotonic() > deadline:
            return
        dialog = QApplication.activeModalWidget()
        focus = QApplication.focusWidget()
        if not isinstance(dialog, QDialog) or QApplication.activeWindow() is not dialog \
                or focus is None or not dialog.isAncestorOf(focus):  # keys go to the dialog
            QTimer.singleShot(10, poll)
            return
        seen.append(dialog.windowTitle())
        answer(dialog)

    QTimer.singleShot(0, poll)
    return seen


def enter(text: str) -> Callable[[QDialog], None]:
    return lambda _dialog: type_into_focus(text, Qt.Key.Key_Return)


def key(dialog: QDialog, name: Qt.Key) -> None:
    """A key in a dialog, where its focus is."""
    QTest.keyClick(dialog.focusWidget() or dialog, name)


def escape(dialog: QDialog) -> None:
    key(dialog, Qt.Key.Key_Escape)


def press(qtbot: QtBot, window: TillWindow, name: Qt.Key,
          modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key on the till window once it is active again (its keys are window shortcuts); the
    offscreen platform has no window manager to give the focus back when a dialog closes."""
    activate(qtbot, window)
    QTest.keyClick(window.focusWidget() or window, name, modifier)


def test_a_whole_sale_without_the_mouse(
        qtbot: QtBot, locale: str, conn: sqlite3.Connection, devices: Devices,
        scanner_sim: ScannerSimulator, printer_sim: PrinterSimulator) -> None:
    register_member(conn, "3001", "gold", "陈静", card_no="M8888")
    till = Till(conn, StoreConfig(locale=locale))
    window = keyboard_window(qtbot, till, devices)
    window.login_view.pad.staff.setFocus()
    type_into_focus("1001", Qt.Key.Key_Return)            # Enter moves on to the PIN
    type_into_focus("1234", Qt.Key.Key_Return)
    assert window.stack.currentIndex() == SALE
    activate(qtbot, window)

    a, b = gtins(conn, 2)
    scanner_sim.scan(a, "]E0")
    scanner_sim.scan(b)
    qtbot.waitUntil(lambda: window.sale_screen.model.rowCount() == 2, timeout=5000)
    press(qtbot, window, Qt.Key.Key_Up)                                  # line 1, from the entry box
    press(qtbot, window, Qt.Key.Key_F2)                                  # its Qty cell, in place
    type_into_focus("4", Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: till.sale is not None and till.sale.lines[0].qty_milli == 4000)
    assert till.sale is not None
    answer_dialog(enter("M8888"))
    press(qtbot, window, Qt.Key.Key_F5)                                  # member dialog
    assert till.sale.member_id is not None
    assert "陈静" in window.sale_screen.member_label.text()

    press(qtbot, window, Qt.Key.Key_F12)
    assert window.stack.currentIndex() == TENDER
    total = till.sale.total
    type_into_focus("5")                                  # the due amount is selected: replaced
    press(qtbot, window, Qt.Key.Key_F2)                                  # card for 5.00
    assert [t.type for t in till.sale.tenders] == ["card"]
    press(qtbot, window, Qt.Key.Key_Return)                              # cash for the rest (it is filled in)
    sale = till.last_sale
    assert sale is not None and sale.status == "completed"
    assert [t.type for t in sale.tenders] == ["card", "cash"] and sale.paid - sale.change == total
    assert printer_sim.wait_until(
        lambda sim: any(line.startswith(("合计", "TOTAL")) for line in sim.roll.lines()), 10)
    press(qtbot, window, Qt.Key.Key_F12)                                 # next customer
    assert window.stack.currentIndex() == SALE


def logged_in(qtbot: QtBot, till: Till) -> TillWindow:
    window = keyboard_window(qtbot, till, None)
    window.login_view.pad.staff.setFocus()
    type_into_focus("1001", Qt.Key.Key_Return)
    type_into_focus("1234", Qt.Key.Key_Return)
    activate(qtbot, window)
    return window


def scan_typed(qtbot: QtBot, window: TillWindow, code: str) -> None:
    activate(qtbot, window)
    window.sale_screen.entry.setFocus()
    type_into_focus(code, Qt.Key.Key_Return)


def approve(dialog: QDialog) -> None:
    type_into_focus(SUPERVISOR[0], Qt.Key.Key_Return)
    type_into_focus(SUPERVISOR[1], Qt.Key.Key_Return)


def test_every_till_dialog_takes_enter_and_closes_on_escape(
        qtbot: QtBot, locale: str, conn: sqlite3.Connection) -> None:
    till = Till(conn, StoreConfig(locale=locale))
    window = logged_in(qtbot, till)
    a, b = gtins(conn, 2)
    scan_typed(qtbot, window, a)

    # discount, then the override dialog (above the cashier's 10 %): Enter all the way
    approvals: list[list[str]] = []
    answer_dialog(lambda d: (type_into_focus("20%", Qt.Key.Key_Return),
                             approvals.append(answer_dialog(approve))))
    press(qtbot, window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert till.sale is not None and till.sale.lines[0].manual_discount is not None
    assert till.sale.lines[0].manual_discount.approved_by == SUPERVISOR[0]
    assert approvals == [[QCoreApplication.translate("OverrideDialog", "Supervisor approval")]]
    # ... and Escape in each of the two
    answer_dialog(escape)
    press(qtbot, window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier
          | Qt.KeyboardModifier.ShiftModifier)
    assert till.sale.order_discount is None
    answer_dialog(lambda d: (type_into_focus("30%", Qt.Key.Key_Return), answer_dialog(escape)))
    press(qtbot, window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier
          | Qt.KeyboardModifier.ShiftModifier)
    assert till.sale.order_discount is None

    # open price: Enter gives the price, Escape adds nothing
    answer_dialog(enter("12.50"))
    scan_typed(qtbot, window, "90")
    assert till.sale.lines[-1].open_price and till.sale.lines[-1].unit_price == 1250
    answer_dialog(escape)
    scan_typed(qtbot, window, "90")
    assert len(till.sale.lines) == 2

    # search: Enter adds the first hit, Escape adds nothing
    sku = conn.execute("SELECT sku FROM product_gtin WHERE gtin = ?", (b.zfill(14),)).fetchone()[0]
    answer_dialog(enter(sku))
    press(qtbot, window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert till.sale.lines[-1].sku == sku
    answer_dialog(escape)
    press(qtbot, window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert len(till.sale.lines) == 3

    # resume: suspend, then Escape leaves it, Enter takes the selected one
    press(qtbot, window, Qt.Key.Key_F6)
    assert till.sale is None
    answer_dialog(escape)
    press(qtbot, window, Qt.Key.Key_F7)
    assert till.sale is None
    answer_dialog(lambda d: key(d, Qt.Key.Key_Return))
    press(qtbot, window, Qt.Key.Key_F7)
    assert till.sale is not None and len(till.sale.lines) == 3

    # X report: F10 asks what (a list: Down, Enter on "X report"); the report closes on Enter ...
    opened: list[list[str]] = []
    answer_dialog(lambda d: (key(d, Qt.Key.Key_Down), key(d, Qt.Key.Key_Return),
                             opened.append(answer_dialog(lambda r: key(r, Qt.Key.Key_Return)))))
    press(qtbot, window, Qt.Key.Key_F10)
    assert opened == [[window.tr("X report")]] and QApplication.activeModalWidget() is None
    # ... and on Escape
    opened.clear()
    answer_dialog(lambda d: (key(d, Qt.Key.Key_Down), key(d, Qt.Key.Key_Return),
                             opened.append(answer_dialog(escape))))
    press(qtbot, window, Qt.Key.Key_F10)
    assert opened == [[window.tr("X report")]] and QApplication.activeModalWidget() is None
    assert window.stack.currentIndex() == SALE
