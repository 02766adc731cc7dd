"""The inline quantity editor, from the keyboard only, in English and in Chinese: F2 opens the
selected line's Qty cell in place, Enter sets the quantity through the till, Escape cancels, a
bad quantity is refused with the catalog's message, + and - step a piece, and a paid sale's
quantity needs a supervisor (the real approval dialog)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from edge.config import StoreConfig
from edge.till.session import Till, TillError
from tests.ui.test_keyboard_only import (
    answer_dialog,
    approve,
    escape,
    logged_in,
    press,
    scan_typed,
    type_into_focus,
)
from tests.ui.test_till_flow import gtins
from ui.till.sale_lines_model import QTY
from ui.till.till_app import TillWindow, make_app
from ui.widgets.error_messages import error_text


@pytest.fixture(params=["en", "zh_CN"])
def locale(request: pytest.FixtureRequest) -> Iterator[str]:
    make_app(request.param)
    yield request.param
    make_app("en")


def open_editor(qtbot: QtBot, window: TillWindow) -> QLineEdit:
    press(qtbot, window, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.objectName() == "qtyEditor", editor
    assert window.sale_screen.table.isAncestorOf(editor)           # in the table, not a dialog
    assert QApplication.activeModalWidget() is None
    return editor


def editor_closed(window: TillWindow) -> bool:
    return (not window.sale_screen.table.findChildren(QLineEdit, "qtyEditor")
            or not any(e.isVisible() for e in window.sale_screen.table.findChildren(
                QLineEdit, "qtyEditor")))


def qty_of(till: Till, index: int) -> int:
    assert till.sale is not None
    return till.sale.lines[index].qty_milli


def test_f2_edits_the_selected_quantity_in_place_enter_sets_escape_cancels(
        qtbot: QtBot, locale: str, conn: sqlite3.Connection) -> None:
    till = Till(conn, StoreConfig(locale=locale))
    window = logged_in(qtbot, till)
    a, b = gtins(conn, 2)
    scan_typed(qtbot, window, a)
    scan_typed(qtbot, window, b)
    press(qtbot, window, Qt.Key.Key_Up)                       # line 1, from the entry box

    editor = open_editor(qtbot, window)
    assert editor.text() == "1" and editor.selectedText() == "1"   # typing replaces it
    type_into_focus("4", Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: qty_of(till, 0) == 4000)
    assert qty_of(till, 1) == 1000
    qtbot.waitUntil(lambda: editor_closed(window))
    assert window.sale_screen.model.index(0, QTY).data() == "4"
    # the editor's Python delegate is gone again: no Python call in each scan's paint
    qtbot.waitUntil(lambda: window.sale_screen.table.itemDelegateForColumn(QTY) is None)
    assert QApplication.focusWidget() is window.sale_screen.entry  # the next scan goes in

    press(qtbot, window, Qt.Key.Key_Up)
    open_editor(qtbot, window)
    type_into_focus("9", Qt.Key.Key_Escape)                   # Escape: nothing changes
    qtbot.waitUntil(lambda: editor_closed(window))
    QApplication.processEvents()
    assert qty_of(till, 0) == 4000
    assert QApplication.focusWidget() is window.sale_screen.entry

    press(qtbot, window, Qt.Key.Key_Up)
    open_editor(qtbot, window)
    type_into_focus("abc", Qt.Key.Key_Return)                 # a bad quantity: refused, clearly
    try:
        till.set_qty(1, "abc")
    except TillError as exc:
        expected = error_text(exc)
    qtbot.waitUntil(lambda: window.sale_screen.message.text() == expected)
    assert window.sale_screen.message_is_error and qty_of(till, 0) == 4000
    if locale == "zh_CN":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in expected), expected

    press(qtbot, window, Qt.Key.Key_Up)
    window.sale_screen.entry.setFocus()
    type_into_focus("", Qt.Key.Key_Plus)                      # + : one piece more
    qtbot.waitUntil(lambda: qty_of(till, 0) == 5000)
    type_into_focus("", Qt.Key.Key_Minus, Qt.Key.Key_Minus)   # - : one less, twice
    qtbot.waitUntil(lambda: qty_of(till, 0) == 3000)
    assert window.sale_screen.entry.text() == ""


def test_a_paid_sales_quantity_needs_a_supervisor(
        qtbot: QtBot, locale: str, conn: sqlite3.Connection) -> None:
    till = Till(conn, StoreConfig(locale=locale))
    window = logged_in(qtbot, till)
    a, = gtins(conn, 1)
    scan_typed(qtbot, window, a)
    scan_typed(qtbot, window, "3*" + a)                       # one line of 4
    till.tender("cash", 100)                                  # payment has started
    window.refresh()

    answer_dialog(escape)                                     # no approval: nothing changes
    open_editor(qtbot, window)
    type_into_focus("2", Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor_closed(window) and QApplication.activeModalWidget() is None
                    and window.sale_screen.message_is_error)
    assert [ln.qty_milli for ln in till.sale.lines] == [4000]  # type: ignore[union-attr]

    approvals = answer_dialog(approve)                        # the supervisor approves
    open_editor(qtbot, window)
    type_into_focus("2", Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: qty_of(till, 0) == 2000)
    assert approvals == [QCoreApplication.translate("OverrideDialog", "Supervisor approval")]
    assert QApplication.activeModalWidget() is None
