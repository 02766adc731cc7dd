"""Loss prevention at the counter, through the keys: voids confirmed and approved as
`[till] void_approval` says (none, after_subtotal, always), the supervisor's void after a partial
tender (the payment stays, the balance changes), and a staffed till that sells only in a shift.
Books: the journal's voids with who approved them and why, the sale's tenders and voided lines."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from drivers.printer.simulator import PrinterSimulator
from drivers.scale.simulator import ScaleSimulator
from drivers.scanner.simulator import ScannerSimulator
from edge.till.reasons import reasons
from tests.ui.store_day.conftest import SUPERVISOR, Counter, open_counter
from ui.hardware.devices import Devices
from ui.widgets.error_messages import message_for


@pytest.fixture
def make_counter(qtbot: QtBot, conn: object, devices: Devices, scanner_sim: ScannerSimulator,
                 printer_sim: PrinterSimulator, scale_sim: ScaleSimulator,
                 locale: str) -> object:
    def make(**till: object) -> Counter:
        return open_counter(qtbot, conn, devices, scanner_sim, printer_sim,  # type: ignore[arg-type]
                            scale_sim, locale, **till)
    return make


def void_selected(c: Counter, supervisor: bool) -> None:
    """F3 on the last line: confirm, the first reason, a supervisor when asked."""
    asked = len(c.prompts.asked)
    c.prompts.confirms.append(True)
    c.prompts.choices.append(0)
    if supervisor:
        c.prompts.overrides.append(SUPERVISOR)
    c.press("F3")
    approval = c.window.tr("Voiding this line needs a supervisor")
    assert (approval in c.prompts.asked[asked:]) == supervisor, c.prompts.asked[asked:]


@pytest.mark.parametrize(("mode", "before", "after"), [
    ("none", False, False), ("after_subtotal", False, True), ("always", True, True)])
def test_void_approval_by_mode(make_counter: object, mode: str, before: bool,
                               after: bool) -> None:
    c: Counter = make_counter(void_approval=mode)  # type: ignore[operator]
    for code in c.gtins(3):
        c.type_code(code)
    void_selected(c, before)                              # before the subtotal
    c.press("F12")                                        # subtotal ...
    c.press("Esc")                                        # ... and back to the basket
    void_selected(c, after)
    assert c.till.sale is not None and len(c.till.sale.lines) == 1
    voids = c.journal("line.voided")
    assert [v["approved_by"] for v in voids] == ["2001" if before else "1001",
                                                 "2001" if after else "1001"]
    assert {v["reason"] for v in voids} == {reasons(c.till.config, "void", c.locale)[0]}
    c.press("F12")
    c.press("F6")
    sale = c.till.last_sale
    assert sale is not None
    assert c.conn.execute("SELECT COUNT(*) FROM sale_voided_line WHERE sale_id = ?",
                          (sale.id,)).fetchone()[0] == 2


def test_a_void_not_confirmed_changes_nothing(counter: Counter) -> None:
    for code in counter.gtins(2):
        counter.type_code(code)
    counter.prompts.confirms.append(False)
    assert counter.till.sale is not None
    last = counter.till.sale.lines[-1]
    counter.press("F3")
    name = last.name_zh if counter.locale.startswith("zh") else last.name_en
    assert name in counter.prompts.asked[-1]                 # the question names the item
    assert counter.till.sale is not None and len(counter.till.sale.lines) == 2
    assert counter.journal("line.voided") == []


def test_a_void_without_the_supervisor_changes_nothing(make_counter: object) -> None:
    c: Counter = make_counter(void_approval="always")  # type: ignore[operator]
    for code in c.gtins(2):
        c.type_code(code)
    c.prompts.confirms.append(True)
    c.prompts.choices.append(0)
    c.prompts.overrides.append(None)                       # the supervisor does not come
    c.press("F3")
    assert c.till.sale is not None and len(c.till.sale.lines) == 2
    assert c.journal("line.voided") == []


def test_void_after_a_partial_tender_keeps_the_payment_and_changes_the_balance(
        counter: Counter) -> None:
    for code in counter.gtins(2):
        counter.type_code(code)
    counter.press("F12")
    view = counter.window.tender_view
    view.amount.setText("1.00")
    counter.press("F1")                                    # one yuan in cash, then a change of mind
    assert counter.till.sale is not None
    kept = counter.till.sale.lines[0].total
    counter.prompts.choices += [1, 0]                      # line 2, the first reason
    counter.prompts.confirms.append(True)
    counter.prompts.overrides.append(SUPERVISOR)
    counter.press("F11")
    assert view.due == kept - 100 and view.quick_amounts[0] == kept - 100
    assert [v["approved_by"] for v in counter.journal("line.voided")] == ["2001"]
    counter.press("F6")                                    # the rest, exact
    sale = counter.till.last_sale
    assert sale is not None and sale.total == kept
    assert counter.tenders(sale.id) == [("cash", 100), ("cash", kept - 100)]


def test_no_shift_no_sale_then_open_it_with_f10(qtbot: QtBot, conn: object, devices: Devices,
                                                scanner_sim: ScannerSimulator,
                                                printer_sim: PrinterSimulator,
                                                scale_sim: ScaleSimulator, locale: str) -> None:
    c = open_counter(qtbot, conn, devices, scanner_sim, printer_sim, scale_sim,  # type: ignore[arg-type]
                     locale, shift=False)
    code = c.gtins(1)[0]
    c.type_code(code)
    assert c.till.sale is None and c.message() == message_for("no_shift")
    c.prompts.choices.append(0)
    c.prompts.texts.append("200.00")
    c.press("F10")
    c.type_code(code)
    assert c.till.sale is not None and len(c.till.sale.lines) == 1

