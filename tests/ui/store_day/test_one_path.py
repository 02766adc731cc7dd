"""One path per action, checked in the source of every app (till, kiosk, manager, widgets): a
lambda connected to a Qt signal that binds a loop value in a default parameter must first take
the signal's own argument in a `_` parameter, or `clicked(checked)` / `triggered(checked)`
arrives as that value (F7 tendered quick amount 0 that way). Function keys never pass it at all
(ui/till/function_keys.py), which the store-day key table proves on every key."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[3] / "ui"


def offending_lines(source: str) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "connect" and node.args \
                and isinstance(node.args[0], ast.Lambda):
            params = node.args[0].args
            if params.defaults and not params.args[0].arg.startswith("_"):
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
