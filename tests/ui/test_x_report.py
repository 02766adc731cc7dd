"""The X report as a readable screen in the screen's language, printed on the receipt printer
(read back by decoding the printer simulator's bytes); Enter and Escape close it."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from drivers.printer.simulator import PrinterSimulator
from edge.config import StoreConfig
from edge.store_ops.reports import x_report
from edge.till.session import Till
from tests.ui.conftest import ScriptedPrompts, activate
from tests.ui.test_till_flow import gtins, login, make_window
from ui.hardware.devices import Devices
from ui.till.report_dialog import ReportDialog
from ui.till.till_app import make_app
from ui.widgets.money_text import MoneyText


def sell_one(qtbot: QtBot, window: object, till: Till, conn: sqlite3.Connection) -> int:
    qtbot.keyClicks(window.sale_screen.entry, gtins(conn, 1)[0])  # type: ignore[attr-defined]
    qtbot.keyClick(window.sale_screen.entry, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert till.sale is not None
    total = till.sale.total
    till.tender("cash", total)
    return total


def test_the_x_report_prints_on_the_receipt_printer_in_chinese(
        qtbot: QtBot, conn: sqlite3.Connection, devices: Devices,
        printer_sim: PrinterSimulator, prompts: ScriptedPrompts) -> None:
    till = Till(conn, StoreConfig(locale="zh_CN"))
    make_app("zh_CN")
    try:
        window = make_window(qtbot, till, devices, prompts)
        login(qtbot, window)
        total = sell_one(qtbot, window, till, conn)
        window.next_customer()
        prompts.choices.append(1)                              # Shift / X / Z → X report
        prompts.print_reports = True
        qtbot.keyClick(window, Qt.Key.Key_F10)
        dialog = prompts.reports[-1]
        assert isinstance(dialog, ReportDialog)
        rows = dict(dialog.rows)
        assert rows["已完成销售"] == "1" and rows["净销售额"] == window.money.minor(total)
        assert dialog.message.text() == "正在打印"
        amount = window.money.minor(total)
        assert printer_sim.wait_until(
            lambda sim: any(line.startswith("净销售额") and line.rstrip().endswith(amount)
                            for line in sim.roll.lines()), 10)
        assert any("X 报表" in line for line in printer_sim.roll.lines())
    finally:
        make_app("en")


def test_the_report_screen_closes_on_enter_and_on_escape(qtbot: QtBot, conn: sqlite3.Connection,
                                                        config: StoreConfig) -> None:
    body = x_report(conn, config)
    printed: list[int] = []

    def print_document(compose: object) -> str:
        printed.append(len(compose(32)))  # type: ignore[operator]
        return "Printing"

    for key, result in ((Qt.Key.Key_Return, QDialog.DialogCode.Accepted),
                        (Qt.Key.Key_Escape, QDialog.DialogCode.Rejected)):
        dialog = ReportDialog("X report", body, MoneyText(QLocale("en"), "¥", 2), str,
                              print_document)
        qtbot.addWidget(dialog)
        activate(qtbot, dialog)                               # shortcuts need an active window
        qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(dialog.table, key)
        assert dialog.result() == result and not dialog.isVisible()
    assert len(printed) == 2 and printed[0] > 10
