"""The engine as the basket sees it: the PromotionEngine seam, reasons in the chosen language,
coupon codes reported as used, and refusals of inputs that cannot be priced."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from edge.promotions import PromotionsEngine
from edge.promotions.promotion_file import load_promotions
from edge.sale.pricing import PricingContext, PromotionEngine
from tests.edge.promotions.baskets import FRIDAY_1030, engine, line, price, promo

pytestmark = pytest.mark.dated

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "promotions.json"
CONTEXT = PricingContext(FRIDAY_1030, "S1")
TEN_PERCENT = promo("P1", "percent_off", {"percent_bp": 1000}, target={"skus": ["apple"]})


def test_engine_fits_the_basket_seam_and_apply_equals_evaluate() -> None:
    promotions: PromotionEngine = engine([TEN_PERCENT])
    lines = [line(1, "apple", "10.00")]
    assert promotions.apply(lines, CONTEXT) == list(engine([TEN_PERCENT]).evaluate(
        lines, CONTEXT).discounts)


def test_reason_is_zh_cn_by_default_and_english_when_asked() -> None:
    lines = [line(1, "apple", "10.00")]
    assert engine([TEN_PERCENT]).apply(lines, CONTEXT)[0].reason == "促销P1"
    assert engine([TEN_PERCENT], language="en").apply(lines, CONTEXT)[0].reason == "Promotion P1"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        engine([], language="fr")


def test_duplicate_promotion_ids_are_refused() -> None:
    [one] = load_promotions(f"[{json.dumps(TEN_PERCENT)}]")
    with pytest.raises(ValueError, match="P1"):
        PromotionsEngine([one, one])


def test_duplicate_line_numbers_are_refused() -> None:
    with pytest.raises(ValueError, match="line_no 1"):
        engine([]).apply([line(1, "a", "1.00"), line(1, "b", "1.00")], CONTEXT)


def test_empty_basket_has_no_discounts() -> None:
    assert engine([TEN_PERCENT]).apply([], CONTEXT) == []


def test_only_coupons_that_took_something_off_are_reported_used() -> None:
    promotions = [
        promo("K1", "basket_threshold", {"threshold": "50.00", "off": "5.00"}, coupon="A",
              stackable=True),
        promo("K2", "basket_threshold", {"threshold": "500.00", "off": "50.00"}, coupon="B",
              stackable=True),
    ]
    result = price(promotions, [line(1, "x", "60.00")], coupons=["A", "B", "C"])
    assert result.coupons_used == frozenset({"A"})


def test_a_stackable_coupon_adds_to_an_ordinary_threshold() -> None:
    # the documented example: 每满100减10 (cap 50) and the stackable new-customer coupon 满80减20
    engine_ = PromotionsEngine(load_promotions(EXAMPLE.read_text(encoding="utf-8")))
    context = PricingContext(datetime(2026, 11, 20, 12, 0), "SH-001", None,
                             frozenset({"NEW20-7KQ2"}))
    result = engine_.evaluate([line(1, "rice", "120.00", category="grain")], context)
    assert [(d.promotion_id, d.amount) for d in result.discounts] == [
        ("MJ-100-10", 1000), ("CPN-NEW-20", 2000)]
    assert result.coupons_used == frozenset({"NEW20-7KQ2"})


def test_gold_member_day_in_the_example_is_exclusive_when_it_saves_more() -> None:
    engine_ = PromotionsEngine(load_promotions(EXAMPLE.read_text(encoding="utf-8")))
    wednesday = datetime(2026, 11, 18, 12, 0)
    lines = [line(1, "rice", "120.00", category="grain")]
    # 10 % of 120.00 = 12.00 alone beats 每满100减10 (10.00)
    gold = engine_.evaluate(lines, PricingContext(wednesday, "SH-001", "gold"))
    assert [(d.promotion_id, d.amount) for d in gold.discounts] == [("EX-GOLD-DAY", 1200)]
    silver = engine_.evaluate(lines, PricingContext(wednesday, "SH-001", "silver"))
    assert [(d.promotion_id, d.amount) for d in silver.discounts] == [("MJ-100-10", 1000)]


def test_discounts_come_out_by_line_then_order_of_application() -> None:
    promotions = [
        promo("P1", "percent_off", {"percent_bp": 1000}, target={"skus": ["a", "b"]}),
        promo("S1", "amount_off", {"amount": "0.10"}, target={"skus": ["a"]}, stackable=True),
        promo("T1", "basket_threshold", {"threshold": "10.00", "off": "1.00"}),
    ]
    result = price(promotions, [line(2, "b", "10.00"), line(1, "a", "10.00")])
    assert [(d.line_no, d.promotion_id) for d in result.discounts] == [
        (1, "P1"), (1, "S1"), (1, "T1"), (2, "P1"), (2, "T1")]
