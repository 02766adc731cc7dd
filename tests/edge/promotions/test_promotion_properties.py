"""Properties of any basket under any promotions: no line goes below zero, totals add up, the
result does not depend on the order lines arrive in, and a stackable promotion never costs more."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.ledger.money import line_amount
from edge.promotions.engine import PromotionResult, PromotionsEngine
from edge.promotions.rules import (
    AmountOff,
    BasketThreshold,
    Deal,
    FixedPrice,
    MemberPrice,
    MixMatch,
    MultiBuy,
    PercentOff,
    Promotion,
    Rule,
    Target,
    Validity,
)
from edge.sale.pricing import PricedLine, PricingContext

pytestmark = pytest.mark.dated

SKUS = ["A", "B", "C", "D", "E"]
CATEGORIES = ["fruit", "dairy"]
TIERS = ["gold", "silver"]
NOW = datetime(2026, 11, 20, 10, 30)

fen = st.integers(min_value=1, max_value=5_000)
bp = st.integers(min_value=1, max_value=10_000)

deals = st.one_of(
    st.builds(lambda b, g: Deal("buy_get", buy=b, get=g), st.integers(1, 3), st.integers(1, 2)),
    st.builds(lambda q, p: Deal("bundle_price", qty=q, price=p), st.integers(2, 4), fen),
    st.builds(lambda q, p: Deal("percent", qty=q, percent_bp=p), st.integers(1, 4), bp),
)

rules: st.SearchStrategy[tuple[str, Rule]] = st.one_of(
    st.builds(lambda p: ("percent_off", PercentOff(p)), bp),
    st.builds(lambda a: ("amount_off", AmountOff(a)), fen),
    st.builds(lambda p: ("fixed_price", FixedPrice(p)), st.integers(0, 5_000)),
    st.builds(lambda prices: ("member_price", MemberPrice(prices)),
              st.dictionaries(st.sampled_from(TIERS), st.integers(0, 5_000), min_size=1)),
    st.builds(lambda d: ("multi_buy", MultiBuy(d)), deals),
    st.builds(lambda d: ("mix_match", MixMatch(d)), deals),
    st.builds(lambda t, o, r, c: ("basket_threshold", BasketThreshold(t, off=o, repeatable=r,
                                                                      cap=c)),
              st.integers(100, 20_000), fen, st.booleans(), st.none() | fen),
    st.builds(lambda t, p: ("basket_threshold", BasketThreshold(t, percent_bp=p)),
              st.integers(0, 20_000), bp),
)

targets = st.builds(
    Target,
    skus=st.frozensets(st.sampled_from(SKUS), max_size=3),
    categories=st.frozensets(st.sampled_from(CATEGORIES), max_size=1),
    exclude_skus=st.frozensets(st.sampled_from(SKUS), max_size=1),
)


@st.composite
def promotions(draw: st.DrawFn, promotion_id: str) -> Promotion:
    kind, rule = draw(rules)
    target = draw(targets)
    stackable = draw(st.booleans())
    return Promotion(
        id=promotion_id, kind=kind, name_zh=f"促销{promotion_id}", name_en=promotion_id,
        rule=rule, target=target,
        validity=draw(st.sampled_from([Validity(), Validity(weekdays=frozenset({5})),
                                       Validity(weekdays=frozenset({6}))])),
        tiers=draw(st.sampled_from([frozenset(), frozenset({"gold"})])),
        coupon=draw(st.sampled_from([None, None, "C1"])),
        priority=draw(st.integers(0, 2)),
        stackable=stackable,
        exclusive=not stackable and draw(st.integers(0, 4)) == 0,
    )


@st.composite
def promotion_sets(draw: st.DrawFn) -> list[Promotion]:
    count = draw(st.integers(0, 8))
    return [draw(promotions(f"P{index}")) for index in range(count)]


@st.composite
def baskets(draw: st.DrawFn) -> list[PricedLine]:
    count = draw(st.integers(1, 8))
    numbers = draw(st.permutations(range(1, count + 1)))
    lines = []
    for line_no in numbers:
        weighed = draw(st.integers(0, 4)) == 0
        qty = draw(st.integers(1, 3_000)) if weighed else 1000 * draw(st.integers(1, 5))
        price = draw(fen)
        lines.append(PricedLine(line_no, draw(st.sampled_from(SKUS)),
                                draw(st.sampled_from(CATEGORIES)), "kg" if weighed else "each",
                                qty, price, line_amount(price, qty)))
    return lines


contexts = st.builds(
    lambda tier, coupons: PricingContext(NOW, "S1", tier, coupons),
    st.sampled_from([None, "gold", "silver"]),
    st.sampled_from([frozenset(), frozenset({"C1"})]),
)


def evaluate(promos: list[Promotion], lines: list[PricedLine],
             context: PricingContext) -> PromotionResult:
    return PromotionsEngine(promos).evaluate(lines, context)


@settings(max_examples=300, deadline=None)
@given(promotion_sets(), baskets(), contexts)
def test_no_discount_makes_a_line_negative_or_exceeds_its_gross(
        promos: list[Promotion], lines: list[PricedLine], context: PricingContext) -> None:
    result = evaluate(promos, lines, context)
    gross = {line.line_no: line.gross for line in lines}
    per_line = dict.fromkeys(gross, 0)
    for discount in result.discounts:
        assert discount.amount > 0
        per_line[discount.line_no] += discount.amount
    for line_no, discount in per_line.items():
        assert 0 <= discount <= gross[line_no]


@settings(max_examples=300, deadline=None)
@given(promotion_sets(), baskets(), contexts)
def test_line_totals_add_up_to_gross_minus_discount(
        promos: list[Promotion], lines: list[PricedLine], context: PricingContext) -> None:
    result = evaluate(promos, lines, context)
    totals = {line.line_no: line.gross for line in lines}
    for discount in result.discounts:
        totals[discount.line_no] -= discount.amount
    assert sum(totals.values()) == sum(line.gross for line in lines) - result.total


@settings(max_examples=300, deadline=None)
@given(promotion_sets(), baskets(), contexts, st.randoms(use_true_random=False))
def test_result_is_the_same_whatever_the_order_of_lines(
        promos: list[Promotion], lines: list[PricedLine], context: PricingContext,
        random: object) -> None:
    first = evaluate(promos, lines, context)
    shuffled = list(lines)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert evaluate(list(reversed(promos)), shuffled, context) == first
    assert evaluate(promos, lines, context) == first


@settings(max_examples=300, deadline=None)
@given(promotion_sets(), baskets(), contexts, promotions("NEW"))
def test_adding_a_stackable_promotion_never_costs_the_customer_more(
        promos: list[Promotion], lines: list[PricedLine], context: PricingContext,
        extra: Promotion) -> None:
    stackable = Promotion(**{**extra.__dict__, "stackable": True, "exclusive": False})
    before = evaluate(promos, lines, context).total
    after = evaluate([*promos, stackable], lines, context).total
    assert after >= before
