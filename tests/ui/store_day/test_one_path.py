"""One path per action, checked in the source of every app (till, kiosk, manager, widgets): a
lambda connected to a Qt signal that binds a loop value in a default parameter must first take
the signal's own argument in a `_` parameter, or `clicked(checked)` / `triggered(checked)`
arrives as that value (F7 tendered quick amount 0 that way). Function keys never pass it at all
(ui/till/function_keys.py), which the store-day key table proves on every key."""

from __future__ import annotations

import ast
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine

UI = Path(__file__).resolve().parents[3] / "ui"


def offending_lines(source: str) -> list[int]:
    """Connections whose slot's first parameter has a default and is not named `_...`: a lambda
    binding loop values, or a method such as `refresh_reports(days=1)` (the manager's Refresh
    button asked for the last False days)."""
    tree = ast.parse(source)
    methods = {f.name: f.args for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)
               and f.args.args and f.args.args[0].arg == "self"}
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "connect" and node.args):
            continue
        slot = node.args[0]
        if isinstance(slot, ast.Lambda):
            params = slot.args.args
            defaults = len(slot.args.defaults)
        elif isinstance(slot, ast.Attribute) and isinstance(slot.value, ast.Name) \
                and slot.value.id == "self" and slot.attr in methods:
            params = methods[slot.attr].args[1:]
            defaults = len(methods[slot.attr].defaults)
        else:
            continue
        if params and defaults == len(params) and not params[0].arg.startswith("_"):
            lines.append(node.lineno)
    return lines


def test_no_lambda_takes_a_signal_argument_as_its_data() -> None:
    found = [f"{path.relative_to(UI.parent)}:{line}" for path in sorted(UI.rglob("*.py"))
             for line in offending_lines(path.read_text("utf-8"))]
    assert found == []


def test_the_check_finds_the_bug_it_guards_against() -> None:
    assert offending_lines("button.clicked.connect(lambda n=3: quick(n))\n") == [1]
    assert offending_lines("button.clicked.connect(lambda _=False, n=3: quick(n))\n") == []
    assert offending_lines("action.triggered.connect(lambda: pay('cash'))\n") == []
    method = ("class W:\n    def refresh(self, days=1):\n        pass\n"
              "    def build(self):\n        b.clicked.connect(self.refresh)\n")
    assert offending_lines(method) == [5]
    assert offending_lines(method.replace("days=1", "days")) == []


def test_the_managers_refresh_button_reports_the_last_day(
        qtbot: object, conn: sqlite3.Connection) -> None:
    from PySide6.QtWidgets import QPushButton

    from edge.config import StoreConfig
    from edge.till.session import Till
    from tests.edge.sale.sale_helpers import demo_gtins
    from ui.manager.manager_app import ManagerWindow

    sold_at = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    with time_machine.travel(sold_at, tick=False):
        till = Till(conn, StoreConfig(locale="en"))
        till.login("1001", "1234")
        sale = till.scan(demo_gtins(conn, 1)[0])
        till.tender("cash", sale.total)
    with time_machine.travel(sold_at + timedelta(hours=1), tick=False):  # within the last day
        window = ManagerWindow(conn, StoreConfig(locale="en"))
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        window.pad.submitted.emit("3001", "9999")
        refresh = next(b for b in window.findChildren(QPushButton)
                       if b.text() == window.tr("Refresh"))
        window.report_summary.clear()
        refresh.click()
        assert window.money.minor(sale.total) in window.report_summary.text()
