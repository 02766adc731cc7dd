"""The cashier's till end to end: login, items from the simulated serial scanner, a member, a
split tender (card then cash), the receipt on the simulated TCP printer, the sale in the outbox."""

from __future__ import annotations

import json
import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from drivers.printer.simulator import PrintedQr, PrinterSimulator
from drivers.scanner.simulator import ScannerSimulator
from edge.customers.members import register_member
from edge.till.session import Till
from tests.ui.conftest import ScriptedPrompts, activate
from ui.hardware.devices import Devices
from ui.till.till_app import LOGIN, SALE, TENDER, TillWindow
from ui.widgets.error_messages import message_for


def gtins(conn: sqlite3.Connection, n: int) -> list[str]:
    return [r[0].lstrip("0") for r in conn.execute(
        "SELECT g.gtin FROM product_gtin g JOIN product p USING (sku)"
        " WHERE p.age_restricted = 0 ORDER BY p.sku LIMIT ?", (n,))]


def make_window(qtbot: QtBot, till: Till, devices: Devices | None,
                prompts: ScriptedPrompts) -> TillWindow:
    window = TillWindow(till, devices)
    window.prompt = prompts  # type: ignore[assignment]
    qtbot.addWidget(window)
    window.resize(1024, 768)
    activate(qtbot, window)
    return window


def login(qtbot: QtBot, window: TillWindow, staff: str = "1001", pin: str = "1234") -> None:
    pad = window.login_view.pad
    qtbot.keyClicks(pad.staff, staff)
    qtbot.keyClicks(pad.pin, pin)
    qtbot.keyClick(pad.pin, Qt.Key.Key_Return)
    assert window.stack.currentIndex() == SALE
    activate(qtbot, window)


def test_sale_from_scanner_with_member_and_split_tender_prints_and_reaches_outbox(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, devices: Devices,
        scanner_sim: ScannerSimulator, printer_sim: PrinterSimulator,
        prompts: ScriptedPrompts) -> None:
    register_member(conn, "3001", "gold", "Chen", card_no="M8888")
    window = make_window(qtbot, till, devices, prompts)
    assert window.stack.currentIndex() == LOGIN
    login(qtbot, window)

    codes = gtins(conn, 3)
    scanner_sim.scan(codes[0], "]E0")
    scanner_sim.scan(codes[1])
    scanner_sim.scan(codes[1])
    scanner_sim.scan(codes[2])
    model = window.sale_screen.model
    qtbot.waitUntil(lambda: model.rowCount() == 3 and model.lines[1]["qty"] == "2", timeout=5000)

    prompts.texts.append("M8888")
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert till.sale is not None and till.sale.member_id is not None
    assert "Member" in window.sale_screen.member_label.text()

    qtbot.keyClick(window, Qt.Key.Key_F12)
    assert window.stack.currentIndex() == TENDER
    total = till.sale.total
    amount = window.tender_view.amount
    amount.setText("5.00")
    qtbot.keyClick(window, Qt.Key.Key_F2)  # card for part
    assert till.sale is not None and [t.type for t in till.sale.tenders] == ["card"]
    assert till.sale.tenders[0].masked_pan.startswith("622202******")
    qtbot.keyClick(window, Qt.Key.Key_F9)  # the largest quick cash amount: 100 yuan
    assert window.tender_view.done
    sale = till.last_sale
    assert sale is not None and sale.status == "completed" and sale.paid >= total
    assert "Change" in window.tender_view.change_label.text()
    assert window.tender_view.qr.payload.endswith(sale.id)

    assert printer_sim.wait_until(
        lambda p: any(isinstance(i, PrintedQr) for i in p.roll.items), timeout=5.0)
    printed = "\n".join(printer_sim.roll.lines())
    assert "TOTAL" in printed and f"No. {sale.receipt_no}  Seq {sale.event_seq}" in printed
    assert sale.id[:8] not in printed   # the id is in the QR, never split over lines
    row = conn.execute("SELECT type, payload, state FROM outbox WHERE seq = ?",
                       (sale.event_seq,)).fetchone()
    assert row["type"].startswith("sale") and row["state"] == "pending"
    payload = json.loads(row["payload"])
    assert sale.id in json.dumps(payload)


def test_wedge_keystrokes_without_focus_reach_the_sale(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, prompts: ScriptedPrompts) -> None:
    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)
    window.sale_screen.table.setFocus()
    code = gtins(conn, 1)[0]
    qtbot.keyClicks(window.sale_screen.table, code)
    qtbot.keyClick(window.sale_screen.table, Qt.Key.Key_Return)
    assert window.sale_screen.model.rowCount() == 1
    assert window.sale_screen.entry.text() == ""


def test_typed_plu_of_weighed_produce_reads_the_scale(
        qtbot: QtBot, till: Till, devices: Devices, prompts: ScriptedPrompts, scale_sim) -> None:
    scale_sim.weight_grams = 856
    window = make_window(qtbot, till, devices, prompts)
    login(qtbot, window)
    qtbot.keyClicks(window.sale_screen.entry, "2")
    qtbot.keyClick(window.sale_screen.entry, Qt.Key.Key_Return)
    model = window.sale_screen.model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5000)
    assert model.lines[0]["qty"] == "0.856" and model.lines[0]["unit"] == "kg"


def test_void_price_override_and_no_sale_ask_a_supervisor(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, prompts: ScriptedPrompts) -> None:
    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)
    for code in gtins(conn, 2):
        window.enter_code(code)
    prompts.texts += ["1.00"]
    prompts.choices.append(0)                                 # a reason from the list
    prompts.overrides.append({"staff": "2001", "pin": "5678"})
    qtbot.keyClick(window, Qt.Key.Key_F4)
    assert till.sale is not None and till.sale.lines[-1].unit_price == 100, (
        window.sale_screen.message.text(), prompts.asked)
    qtbot.keyClick(window, Qt.Key.Key_F2)                     # the Qty cell opens in place
    qtbot.keyClicks(QApplication.focusWidget(), "3")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: till.sale is not None and till.sale.lines[-1].qty_milli == 3000)
    prompts.confirms.append(True)
    prompts.choices.append(0)
    qtbot.keyClick(window, Qt.Key.Key_F3)
    assert len(till.sale.lines) == 1
    prompts.choices.append(0)
    prompts.overrides.append({"staff": "1001", "pin": "1234"})  # a cashier may not approve
    qtbot.keyClick(window, Qt.Key.Key_F9)
    assert window.sale_screen.message.text() == message_for("approver_not_allowed")


def test_suspend_and_resume(qtbot: QtBot, till: Till, conn: sqlite3.Connection,
                            prompts: ScriptedPrompts) -> None:
    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)
    window.enter_code(gtins(conn, 1)[0])
    qtbot.keyClick(window, Qt.Key.Key_F6)
    assert window.sale_screen.model.rowCount() == 0 and till.sale is None
    prompts.choices.append(0)
    qtbot.keyClick(window, Qt.Key.Key_F7)
    assert window.sale_screen.model.rowCount() == 1


def test_a_refused_scan_shows_the_till_message_and_changes_nothing(
        qtbot: QtBot, till: Till, prompts: ScriptedPrompts) -> None:
    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)
    window.enter_code("6900000000000")
    assert window.sale_screen.model.rowCount() == 0
    assert window.sale_screen.message.text()


def test_return_and_shift_with_x_and_z_reports(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, prompts: ScriptedPrompts) -> None:
    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)
    prompts.choices.append(0)
    prompts.texts.append("100.00")
    qtbot.keyClick(window, Qt.Key.Key_F10)  # open shift with a 100 yuan float
    assert "Shift opened" in window.sale_screen.message.text()
    window.enter_code(gtins(conn, 1)[0])
    qtbot.keyClick(window, Qt.Key.Key_F12)
    qtbot.keyClick(window, Qt.Key.Key_F6)
    sale = till.last_sale
    assert sale is not None and sale.status == "completed"
    qtbot.keyClick(window, Qt.Key.Key_F12)  # next customer

    prompts.texts += [sale.id, "1"]
    prompts.choices += [0, 0]                                # the line, then the reason
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert "Returned" in window.sale_screen.message.text(), window.sale_screen.message.text()

    prompts.choices.append(1)
    qtbot.keyClick(window, Qt.Key.Key_F10)
    rows = dict(prompts.reports[-1].rows)  # type: ignore[attr-defined]
    assert rows["Completed sales"] == "1" and rows["Returns"] == "1"
    prompts.choices.append(2)
    prompts.texts.append("100x1")
    qtbot.keyClick(window, Qt.Key.Key_F10)
    assert "over/short" in prompts.informed[-1]
    prompts.choices.append(3)
    prompts.overrides.append({"staff": "2001", "pin": "5678"})
    qtbot.keyClick(window, Qt.Key.Key_F10)
    assert dict(prompts.reports[-1].rows)["Z number"] == "1"  # type: ignore[attr-defined]
