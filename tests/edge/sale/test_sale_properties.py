"""Properties of any basket: line totals sum to the sale total, tax sums per line, and cash
rounding never changes what a card pays."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.config import CASH_ROUNDINGS, StoreConfig
from edge.sale.basket import Line, Sale, reprice
from edge.sale.pricing import NoPromotions
from edge.sale.tenders import apply_tender

pytestmark = pytest.mark.dated

line_strategy = st.tuples(st.sampled_from(["each", "kg"]), st.integers(1, 50_000),
                          st.integers(0, 500_000), st.sampled_from([0, 900, 1300]))


def basket(specs: list[tuple[str, int, int, int]]) -> Sale:
    sale = Sale("s", "S001", "T01", "1001", "2026-01-01T00:00:00")
    for i, (unit, qty, price, rate) in enumerate(specs, start=1):
        qty_milli = qty if unit == "kg" else (qty % 20 + 1) * 1000
        sale.lines.append(Line(i, f"K{i}", "x", "x", unit, "", qty_milli, price, "t", rate))
    return sale


@given(st.lists(line_strategy, min_size=1, max_size=40), st.booleans())
def test_line_totals_sum_to_the_sale_total(specs: list[tuple[str, int, int, int]],
                                           inclusive: bool) -> None:
    sale = basket(specs)
    reprice(sale, NoPromotions(), datetime(2026, 1, 1), inclusive)
    lines_total = sum(ln.total for ln in sale.lines)
    assert sale.tax == sum(ln.tax for ln in sale.lines)
    assert sale.total == (lines_total if inclusive else lines_total + sale.tax)
    assert all(ln.total >= 0 and ln.tax >= 0 for ln in sale.lines)


@given(st.lists(line_strategy, min_size=1, max_size=10), st.sampled_from(sorted(CASH_ROUNDINGS)),
       st.integers(0, 100))
@settings(max_examples=200)
def test_cash_rounding_never_changes_a_card_payment(specs: list[tuple[str, int, int, int]],
                                                    rule: str, card_share: int) -> None:
    sale = basket(specs)
    reprice(sale, NoPromotions(), datetime(2026, 1, 1), True)
    if sale.total == 0:
        return
    card = max(1, sale.total * card_share // 100)
    rounding = CASH_ROUNDINGS[rule]
    done = apply_tender(sale, "card", card, rounding, approval_code="A1", masked_pan="****1234")
    assert sale.tenders[0].amount == card and sale.rounding == 0
    if not done:
        apply_tender(sale, "cash", 10**10, rounding)
        assert sale.tenders[0].amount == card
        assert sale.paid - sale.change == sale.total + sale.rounding
        assert abs(sale.rounding) < rounding.step


def test_properties_hold_through_the_till(conn: sqlite3.Connection) -> None:
    from tests.edge.sale.sale_helpers import demo_gtins, logged_in_till
    config = dataclasses.replace(StoreConfig(), cash_rounding=CASH_ROUNDINGS["nearest_0.05"])
    till = logged_in_till(conn, config)
    for gtin in demo_gtins(conn, 20):
        till.scan(gtin)
    till.add(plu="3", qty="1.333")
    sale = till.tender("cash", 10**7)
    row = conn.execute("SELECT total, rounding, paid, change FROM sale").fetchone()
    line_sum = conn.execute("SELECT sum(total) FROM sale_line").fetchone()[0]
    assert line_sum == row["total"] == sale.total
    assert row["paid"] - row["change"] == row["total"] + row["rounding"]
