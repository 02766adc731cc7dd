"""Money, quantities, tax and cash rounding: integers all the way, named roundings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edge.config import CASH_ROUNDINGS
from edge.ledger.money import (
    MoneyError,
    div_half_up,
    format_amount,
    format_quantity,
    line_amount,
    parse_amount,
    parse_quantity,
)
from edge.ledger.tax import line_tax, tax_included, tax_on_net

pytestmark = pytest.mark.dated


@pytest.mark.parametrize("text, fen", [("0", 0), ("12", 1200), ("12.5", 1250), ("12.50", 1250),
                                       ("0.01", 1), ("99999999.99", 9_999_999_999)])
def test_parse_amount_reads_major_units_into_fen(text: str, fen: int) -> None:
    assert parse_amount(text) == fen


@pytest.mark.parametrize("bad", ["", "abc", "1.234", "-1", "1e3", "NaN", "1,00", " 1 . 0", "0x10",
                                 "1" * 20, 12.5, 12, None, True])
def test_parse_amount_refuses_anything_but_a_plain_decimal_string(bad: object) -> None:
    with pytest.raises(MoneyError) as err:
        parse_amount(bad)
    assert err.value.code == "invalid_amount"


@pytest.mark.parametrize("value, milli", [("1", 1000), (3, 3000), ("0.532", 532), ("1.5", 1500)])
def test_parse_quantity_gives_thousandths(value: object, milli: int) -> None:
    assert parse_quantity(value) == milli


@pytest.mark.parametrize("bad", ["0", "-1", "1.2345", 1.5, "1e2", "", None, True, "100000", [1]])
def test_parse_quantity_refuses_zero_negative_float_and_huge(bad: object) -> None:
    with pytest.raises(MoneyError) as err:
        parse_quantity(bad)
    assert err.value.code == "invalid_quantity"


def test_formatting_round_trips() -> None:
    assert format_amount(-305) == "-3.05"
    assert format_quantity(532) == "0.532"
    assert format_quantity(1500) == "1.5"
    assert format_quantity(2000) == "2"


@given(st.integers(min_value=0, max_value=10**12))
def test_amount_format_then_parse_is_identity(fen: int) -> None:
    assert parse_amount(format_amount(fen)) == fen


def test_half_up_rounds_ties_away_from_zero() -> None:
    assert div_half_up(5, 10) == 1
    assert div_half_up(4, 10) == 0
    assert div_half_up(-5, 10) == -1
    assert line_amount(1280, 1234) == 1580  # 12.80/kg × 1.234 kg = 15.7952 → 15.80


def test_vat_inclusive_and_exclusive() -> None:
    assert tax_included(11300, 1300) == 1300
    assert tax_included(100, 900) == 8      # 100 × 9/109 = 8.26 → 8
    assert tax_on_net(10000, 1300) == 1300
    assert line_tax(0, 1300, True) == 0


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from([0, 600, 900, 1300]))
def test_included_tax_is_never_more_than_the_amount_and_net_plus_tax_is_total(total: int,
                                                                                rate: int) -> None:
    tax = tax_included(total, rate)
    assert 0 <= tax <= total
    # the net part, taxed again, gives back the same tax within one fen of rounding
    assert abs(tax_on_net(total - tax, rate) - tax) <= 1


@pytest.mark.parametrize("rule, due, cash", [
    ("none", 1234, 1234),
    ("down_0.10", 1234, 1230), ("down_0.10", 1239, 1230), ("down_0.10", 1230, 1230),
    ("nearest_0.05", 1231, 1230), ("nearest_0.05", 1232, 1230), ("nearest_0.05", 1233, 1235),
    ("nearest_0.05", 1237, 1235), ("nearest_0.05", 1238, 1240), ("nearest_0.05", 3, 5),
])
def test_cash_rounding_rules(rule: str, due: int, cash: int) -> None:
    assert CASH_ROUNDINGS[rule].apply(due) == cash


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(sorted(CASH_ROUNDINGS)))
def test_cash_rounding_moves_less_than_one_step(due: int, rule: str) -> None:
    rounding = CASH_ROUNDINGS[rule]
    assert abs(rounding.apply(due) - due) < rounding.step
    assert rounding.apply(due) % rounding.step == 0
