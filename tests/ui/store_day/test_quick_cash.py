"""Quick cash (F6..F9) on the tender screen: each key, pressed or touched, tenders exactly the
amount its label shows, the change due is that amount less what was due, and the books agree:
the sale's tender in SQLite, the drawer kicked over TCP, the X report's expected cash."""

from __future__ import annotations

import pytest

from tests.ui.store_day.conftest import FLOAT, Counter
from ui.till.tender_view import QUICK_KEYS
from ui.till.till_app import SALE, TENDER


def to_tender(counter: Counter) -> int:
    for code in counter.gtins(2):
        counter.type_code(code)
    counter.press("F12")
    assert counter.window.stack.currentIndex() == TENDER
    return counter.window.tender_view.due


@pytest.mark.parametrize("how", ["key", "button"])
@pytest.mark.parametrize("key", QUICK_KEYS)
def test_each_quick_cash_key_tenders_what_its_label_shows(counter: Counter, key: str,
                                                          how: str) -> None:
    due = to_tender(counter)
    view = counter.window.tender_view
    assert len(view.quick_amounts) == 4, view.quick_amounts   # exact, next 10, 50, 100
    amount = view.quick_amounts[QUICK_KEYS.index(key)]
    button = view.quick_keys.buttons[key]
    assert button.isVisible() and button.text() == f"{key}\n{view.money.minor(amount)}"
    assert view.quick_keys.actions_by_key[key].text() == view.money.minor(amount)
    if how == "key":
        counter.press(key)
    else:
        counter.click(view.quick_keys, key)
    assert view.done, view.message.text()
    sale = counter.till.last_sale
    assert sale is not None
    assert counter.tenders(sale.id) == [("cash", amount)]
    row = counter.sales()[-1]
    assert (row["status"], row["total"], row["change"]) == ("completed", due, amount - due)
    assert view.money.minor(amount - due) in view.change_label.text()
    counter.qtbot.waitUntil(lambda: counter.printer.kicks != [], timeout=5000)   # cash: drawer

    counter.press("F12")                                  # next customer
    assert counter.window.stack.currentIndex() == SALE
    counter.prompts.choices.append(1)                     # F10 → X report
    counter.press("F10")
    report = counter.prompts.reports[-1]
    rows = dict(report.rows)  # type: ignore[attr-defined]
    expected = report.tr("Expected %1").replace(  # type: ignore[attr-defined]
        "%1", counter.window.tender_view.tender_name("cash"))
    float_fen = int(FLOAT.replace(".", ""))
    assert rows[expected] == view.money.minor(float_fen + due)    # the change went back out


def test_quick_amounts_are_computed_once_per_due(counter: Counter) -> None:
    to_tender(counter)
    view = counter.window.tender_view
    shown = list(view.quick_amounts)
    view.amount.setText("1.00")
    counter.press("F1")                                   # a partial cash payment
    assert not view.done and view.quick_amounts != shown  # the amounts follow the new due
    assert view.quick_amounts[0] == view.due
    counter.press("F7")
    sale = counter.till.last_sale
    assert sale is not None and counter.tenders(sale.id) == [("cash", 100),
                                                            ("cash", view.quick_amounts[1])]
