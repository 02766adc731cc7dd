"""The store-day acceptance suite's counter: the real till window (`lane="till"`, as `pos till`
starts it) on the demo store, in zh_CN and in English, with the serial scanner, the scale and the
receipt printer as simulators behind real ptys and TCP, and a cashier logged in with an open
shift. Keys go through the window's real shortcuts (QTest.keyClick on the window); a HID scanner
is key events at scanner speed; dialogs are answered by the scripted prompts (tests/ui/conftest.py).
The tests assert the books: SQLite rows, the journal, the X report, the printed roll.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from drivers.printer.simulator import PrinterSimulator
from drivers.scale.simulator import ScaleSimulator
from drivers.scanner.simulator import ScannerSimulator
from edge.config import StoreConfig, config_from_dict
from edge.promotions.local_table import engine_for
from edge.store_ops.demo_opening import seed_demo_opening
from edge.till.session import Till
from tests.ui.conftest import ScriptedPrompts, activate
from ui.hardware.devices import Devices
from ui.till.till_app import SALE, TillWindow, make_app

SUPERVISOR = {"staff": "2001", "pin": "5678"}
FLOAT = "100.00"


@pytest.fixture(params=["zh_CN", "en"])
def locale(request: pytest.FixtureRequest) -> Iterator[str]:
    make_app(request.param)
    yield request.param
    make_app("en")


@dataclass
class Counter:
    qtbot: QtBot
    window: TillWindow
    till: Till
    conn: sqlite3.Connection
    prompts: ScriptedPrompts
    scanner: ScannerSimulator
    printer: PrinterSimulator
    scale: ScaleSimulator
    locale: str

    def press(self, key: str) -> None:
        """A key as the cashier presses it: through the window's shortcut map."""
        activate(self.qtbot, self.window)
        sequence = key.split("+")
        modifiers = Qt.KeyboardModifier.NoModifier
        for name in sequence[:-1]:
            modifiers |= {"Ctrl": Qt.KeyboardModifier.ControlModifier,
                          "Shift": Qt.KeyboardModifier.ShiftModifier}[name]
        name = sequence[-1]
        code = Qt.Key.Key_Escape if name == "Esc" else getattr(Qt.Key, f"Key_{name}")
        QTest.keyClick(self.window, code, modifiers)

    def click(self, bar: Any, key: str) -> None:
        """The same key's touch button on screen."""
        activate(self.qtbot, self.window)
        bar.buttons[key].click()

    def type_code(self, code: str) -> None:
        """A HID scanner into the sale screen's entry box: key events at scanner speed, Enter."""
        entry = self.window.sale_screen.entry
        entry.setFocus()
        QTest.keyClicks(entry, code)
        QTest.keyClick(entry, Qt.Key.Key_Return)

    def wedge_code(self, code: str) -> None:
        """A HID scanner while no text field has the focus: the keys reach the window and the
        wedge filter (ui/hardware/wedge_filter.py) hands the code over on Enter."""
        activate(self.qtbot, self.window)
        target: QWidget = self.window.sale_screen.table
        target.setFocus()
        QApplication.processEvents()
        QTest.keyClicks(target, code)
        QTest.keyClick(target, Qt.Key.Key_Return)

    def serial_scan(self, code: str) -> None:
        """The serial scanner: the code framed as the scanner sends it, over its pty."""
        self.scanner.scan(code)

    def sales(self) -> list[sqlite3.Row]:
        """The recorded sales, with the member whose points the sale moved."""
        return self.conn.execute(
            "SELECT s.id, s.status, s.total, s.change, (SELECT MAX(p.member_id) FROM"
            " points_movement p WHERE p.sale_id = s.id) AS member_id FROM sale s"
            " ORDER BY s.event_seq").fetchall()

    def tenders(self, sale_id: str) -> list[tuple[str, int]]:
        return [(r[0], r[1]) for r in self.conn.execute(
            "SELECT type, amount FROM sale_tender WHERE sale_id = ? ORDER BY rowid", (sale_id,))]

    def journal(self, kind: str) -> list[dict[str, Any]]:
        return [json.loads(r[0]) for r in self.conn.execute(
            "SELECT body FROM journal WHERE kind = ? ORDER BY seq", (kind,))]

    def message(self) -> str:
        return self.window.sale_screen.message.text()

    def gtins(self, n: int, age_restricted: bool = False) -> list[str]:
        return [r[0].lstrip("0") for r in self.conn.execute(
            "SELECT g.gtin FROM product_gtin g JOIN product p USING (sku)"
            " WHERE p.age_restricted = ? AND p.unit = 'each' AND p.open_price = 0"
            " ORDER BY p.sku LIMIT ?", (int(age_restricted), n))]


def open_counter(qtbot: QtBot, conn: sqlite3.Connection, devices: Devices | None,
                 scanner: ScannerSimulator, printer: PrinterSimulator, scale: ScaleSimulator,
                 locale: str, shift: bool = True, **till: object) -> Counter:
    seed_demo_opening(conn)          # members, the stored-value card, stock: as `pos init --demo`
    config = config_from_dict({"store": {"locale": locale}, "till": till}) if till \
        else StoreConfig(locale=locale)
    session = Till(conn, config, engine_for(conn, config), lane="till")   # as `pos till`
    window = TillWindow(session, devices)
    prompts = ScriptedPrompts()
    window.prompt = prompts  # type: ignore[assignment]
    qtbot.addWidget(window)
    window.resize(1024, 768)
    activate(qtbot, window)
    counter = Counter(qtbot, window, session, conn, prompts, scanner, printer, scale, locale)
    pad = window.login_view.pad
    QTest.keyClicks(pad.staff, "1001")
    QTest.keyClick(pad.staff, Qt.Key.Key_Return)
    QTest.keyClicks(pad.pin, "1234")
    QTest.keyClick(pad.pin, Qt.Key.Key_Return)
    assert window.stack.currentIndex() == SALE
    if shift:                                   # F10, "Open shift", the float
        prompts.choices.append(0)
        prompts.texts.append(FLOAT)
        counter.press("F10")
        assert conn.execute("SELECT COUNT(*) FROM shift_open").fetchone()[0] == 1
    window.sale_screen.entry.setFocus()
    return counter


@pytest.fixture
def counter(qtbot: QtBot, conn: sqlite3.Connection, devices: Devices,
            scanner_sim: ScannerSimulator, printer_sim: PrinterSimulator,
            scale_sim: ScaleSimulator, locale: str) -> Counter:
    return open_counter(qtbot, conn, devices, scanner_sim, printer_sim, scale_sim, locale)
