"""The promotions file: the documented example loads, dump and load round-trip, and every bad
input is refused with the promotion id and field named, changing nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from edge.promotions.promotion_file import (
    PromotionFileError,
    dump_promotions,
    load_promotions,
    parse_promotions,
)
from tests.edge.promotions.baskets import promo

pytestmark = pytest.mark.dated

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "promotions.json"


def test_documented_example_loads_every_type() -> None:
    promotions = load_promotions(EXAMPLE.read_text(encoding="utf-8"))
    kinds = {promotion.kind for promotion in promotions}
    assert kinds == {"member_price", "percent_off", "amount_off", "fixed_price", "multi_buy",
                     "mix_match", "basket_threshold"}


def test_dump_then_load_gives_the_same_promotions() -> None:
    promotions = load_promotions(EXAMPLE.read_text(encoding="utf-8"))
    again = load_promotions(dump_promotions(promotions))
    assert again == promotions
    assert dump_promotions(again) == dump_promotions(promotions)


def _problem(item: dict[str, Any]) -> str:
    with pytest.raises(PromotionFileError) as caught:
        load_promotions(json.dumps([item]))
    [problem] = caught.value.problems
    return f"{problem.promotion_id} {problem.field}: {problem.message}"


GOOD = promo("P1", "percent_off", {"percent_bp": 1500}, target={"skus": ["A"]})


@pytest.mark.parametrize(("change", "expected"), [
    ({"type": "bogof"}, "P1 type: must be one of"),
    ({"params": {"percent_bp": 0}}, "P1 params.percent_bp: must be an integer of basis points"),
    ({"params": {"percent_bp": 10001}}, "P1 params.percent_bp"),
    ({"params": {"percent_bp": 15.5}}, "P1 params.percent_bp"),
    ({"params": {"percent_bp": 1500, "extra": 1}}, "P1 params.extra: unknown key"),
    ({"colour": "red"}, "P1 colour: unknown key"),
    ({"name": {"zh": "苹果"}}, "P1 name.en: missing"),
    ({"name": {"zh": " ", "en": "x"}}, "P1 name.zh: must be a non-empty string"),
    ({"target": {"skus": "A"}}, "P1 target.skus: must be a list"),
    ({"validity": {"from": "2026-13-01"}}, "P1 validity.from: must be a date"),
    ({"validity": {"from": "2026-11-10", "to": "2026-11-01"}}, "P1 validity.to: is before"),
    ({"validity": {"weekdays": [0]}}, "P1 validity.weekdays"),
    ({"validity": {"hours": [["8:00", "10:00"]]}}, "P1 validity.hours[0]: must be a time"),
    ({"validity": {"hours": [["10:00", "10:00"]]}}, "P1 validity.hours[0]: an empty window"),
    ({"stackable": "yes"}, "P1 stackable: must be true or false"),
    ({"stackable": True, "exclusive": True}, "P1 exclusive: a promotion cannot be both"),
    ({"priority": 1.5}, "P1 priority"),
    ({"coupon": ""}, "P1 coupon"),
    ({"stores": "S1"}, "P1 stores: must be a list"),
    ({"id": "bad id!"}, "? id: must be 1-64 characters"),
])
def test_bad_percent_off_names_the_promotion_and_field(change: dict[str, Any],
                                                       expected: str) -> None:
    assert _problem({**GOOD, **change}).startswith(expected)


@pytest.mark.parametrize(("kind", "params", "expected"), [
    ("amount_off", {"amount": 2}, "params.amount: amount must be a decimal string"),
    ("amount_off", {"amount": "0.00"}, "params.amount: must be above 0.00"),
    ("fixed_price", {"price": "9.999"}, "params.price: more than 2 decimals"),
    ("member_price", {"tier_prices": {}}, "params.tier_prices: must be a non-empty object"),
    ("multi_buy", {"mode": "buy_get", "buy": 2}, "params.get: missing"),
    ("multi_buy", {"mode": "two_for_one"}, "params.mode: must be buy_get"),
    ("mix_match", {"mode": "bundle_price", "qty": 1, "price": "5.00"}, "params.qty"),
    ("basket_threshold", {"threshold": "100.00"}, "params: give exactly one of off or"),
    ("basket_threshold", {"threshold": "0.00", "off": "5.00", "repeatable": True},
     "params.repeatable: a repeatable threshold must be above 0.00"),
    ("basket_threshold", {"threshold": "100", "percent_bp": 500, "repeatable": True},
     "params.repeatable"),
])
def test_bad_params_name_the_field(kind: str, params: dict[str, Any], expected: str) -> None:
    item = promo("P7", kind, params, target={"skus": ["A"]})
    assert _problem(item).startswith(f"P7 {expected}")


def test_item_promotions_other_than_percent_and_member_price_need_a_target() -> None:
    item = promo("P8", "fixed_price", {"price": "1.00"})
    assert _problem(item).startswith("P8 target: fixed_price needs skus or categories")


def test_a_bad_promotion_refuses_the_whole_file_but_reports_every_problem() -> None:
    text = json.dumps([GOOD, {**GOOD, "id": "P2", "type": "nope"}, GOOD,
                       {**GOOD, "id": "P3", "params": {}}])
    with pytest.raises(PromotionFileError) as caught:
        load_promotions(text)
    assert [(p.index, p.promotion_id, p.field) for p in caught.value.problems] == [
        (1, "P2", "type"), (2, "P1", "id"), (3, "P3", "params.percent_bp")]
    assert "promotion P2 (#1), type:" in str(caught.value)
    good, problems = parse_promotions(text)
    assert [p.id for p in good] == ["P1"] and len(problems) == 3


@pytest.mark.parametrize("text", ["{", "{}", "[1]", '[{"id": "P1"}]'])
def test_malformed_files_are_refused(text: str) -> None:
    with pytest.raises(PromotionFileError):
        load_promotions(text)


def test_every_promotion_type_and_field_is_documented() -> None:
    from edge.promotions.promotion_file import FIELDS
    from edge.promotions.rules import KINDS

    doc = (EXAMPLE.parents[1] / "promotions.md").read_text(encoding="utf-8")
    for word in (*KINDS, *FIELDS):
        assert f"`{word}`" in doc, word
