"""Table of baskets with hand-computed discounts: every promotion type, overlaps, exclusivity,
thresholds, coupons, validity windows, member tiers, weighed lines and proportional rounding.

Each case: promotions (as file objects), lines, context, and the expected {line_no: {promotion_id:
fen}}. Amounts in the comments are yuan; expectations are fen.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, NamedTuple

import pytest

from edge.sale.pricing import PricedLine
from tests.edge.promotions.baskets import by_line, line, price, promo

pytestmark = pytest.mark.dated


class Case(NamedTuple):
    name: str
    promotions: list[dict[str, Any]]
    lines: list[PricedLine]
    expected: dict[int, dict[str, int]]
    context: Mapping[str, Any] = MappingProxyType({})
    coupons_used: frozenset[str] = frozenset()


APPLES = {"skus": ["apple"]}
FRUIT = {"categories": ["fruit"]}
ABCD = {"skus": ["A", "B", "C", "D"]}


def pct(pid: str, bp: int, target: dict[str, Any] = APPLES, **extra: Any) -> dict[str, Any]:
    return promo(pid, "percent_off", {"percent_bp": bp}, target=target, **extra)


def off(pid: str, amount: str, target: dict[str, Any] = APPLES, **extra: Any) -> dict[str, Any]:
    return promo(pid, "amount_off", {"amount": amount}, target=target, **extra)


def threshold(pid: str, at: str, save: str, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"threshold": at, "off": save}
    for key in ("repeatable", "cap"):
        if key in extra:
            params[key] = extra.pop(key)
    return promo(pid, "basket_threshold", params, **extra)


CASES = [
    Case("no promotions, no discounts", [], [line(1, "apple", "10.00")], {}),
    # 10.00 × 2 = 20.00; 15 % = 3.00
    Case("percent off an item", [pct("P1", 1500)], [line(1, "apple", "10.00", "2")],
         {1: {"P1": 300}}),
    # 9.99 × 15 % = 1.4985 → 1.50 (HALF_UP on the line)
    Case("percent off rounds half up", [pct("P1", 1500)], [line(1, "apple", "9.99")],
         {1: {"P1": 150}}),
    # 9.90 × 5 % = 0.495 → 0.50 (a tie goes up)
    Case("percent off a tie rounds up", [pct("P1", 500)], [line(1, "apple", "9.90")],
         {1: {"P1": 50}}),
    # 2.00 off each, 3 units → 6.00
    Case("amount off per unit", [off("A1", "2.00")], [line(1, "apple", "5.00", "3")],
         {1: {"A1": 600}}),
    Case("amount off never exceeds the line", [off("A1", "5.00")], [line(1, "apple", "3.00")],
         {1: {"A1": 300}}),
    # fruit lines 1 and 3: 10 % of 8.00 = 0.80, of 3.50 = 0.35; dairy untouched
    Case("percent off a category", [pct("C1", 1000, FRUIT)],
         [line(1, "apple", "8.00", category="fruit"), line(2, "milk", "6.00", category="dairy"),
          line(3, "pear", "3.50", category="fruit")],
         {1: {"C1": 80}, 3: {"C1": 35}}),
    Case("category promotion skips excluded SKUs",
         [pct("C1", 1000, {"categories": ["fruit"], "exclude_skus": ["pear"]})],
         [line(1, "apple", "8.00", category="fruit"), line(2, "pear", "3.50", category="fruit")],
         {1: {"C1": 80}}),
    # (12.50 − 9.90) × 2 = 5.20
    Case("fixed price", [promo("F1", "fixed_price", {"price": "9.90"}, target=APPLES)],
         [line(1, "apple", "12.50", "2")], {1: {"F1": 520}}),
    Case("fixed price above the shelf price gives nothing",
         [promo("F1", "fixed_price", {"price": "15.00"}, target=APPLES)],
         [line(1, "apple", "12.50")], {}),
    # gold pays 8.00 for a 10.00 item, 2 units → 4.00
    Case("member price for the member's tier",
         [promo("M1", "member_price", {"tier_prices": {"gold": "8.00", "silver": "9.00"}},
                target=APPLES)],
         [line(1, "apple", "10.00", "2")], {1: {"M1": 400}}, {"tier": "gold"}),
    Case("member price: silver gets the silver price",
         [promo("M1", "member_price", {"tier_prices": {"gold": "8.00", "silver": "9.00"}},
                target=APPLES)],
         [line(1, "apple", "10.00")], {1: {"M1": 100}}, {"tier": "silver"}),
    Case("member price: a tier without a price gets nothing",
         [promo("M1", "member_price", {"tier_prices": {"gold": "8.00"}}, target=APPLES)],
         [line(1, "apple", "10.00")], {}, {"tier": "diamond"}),
    Case("member price: a non-member gets nothing",
         [promo("M1", "member_price", {"tier_prices": {"gold": "8.00"}}, target=APPLES)],
         [line(1, "apple", "10.00")], {}),
    Case("tier-only promotion refuses another tier", [pct("G1", 1000, tiers=["gold"])],
         [line(1, "apple", "10.00")], {}, {"tier": "silver"}),
    Case("tier-only promotion serves its tier", [pct("G1", 1000, tiers=["gold"])],
         [line(1, "apple", "10.00")], {1: {"G1": 100}}, {"tier": "gold"}),
    Case("member-only promotion refuses a non-member", [pct("G1", 1000, member_only=True)],
         [line(1, "apple", "10.00")], {}),
    # SKU 10 % = 1.00 against category 20 % = 2.00: the customer gets the better one only
    Case("overlapping non-stackable: the best one wins",
         [pct("S1", 1000), pct("C1", 2000, FRUIT)],
         [line(1, "apple", "10.00", category="fruit")], {1: {"C1": 200}}),
    # 10 % (1.00) and 1.00 off tie: priority 5 beats 0
    Case("tie in saving goes to priority", [pct("P1", 1000), off("P2", "1.00", priority=5)],
         [line(1, "apple", "10.00")], {1: {"P2": 100}}),
    Case("tie in saving and priority goes to the lower id", [off("Z9", "1.00"), pct("B2", 1000)],
         [line(1, "apple", "10.00")], {1: {"B2": 100}}),
    # best non-stackable 10 % = 1.00, plus stackable 0.50 off
    Case("stackable adds to the winner", [pct("P1", 1000), off("S1", "0.50", stackable=True)],
         [line(1, "apple", "10.00")], {1: {"P1": 100, "S1": 50}}),
    # fixed 0.50 on 3.00 takes 2.50; the stackable 1.00 finds only 0.50 left
    Case("stackable is capped at what is left of the line",
         [promo("F1", "fixed_price", {"price": "0.50"}, target=APPLES),
          off("S1", "1.00", stackable=True)],
         [line(1, "apple", "3.00")], {1: {"F1": 250, "S1": 50}}),
    # 3 × 4.00, buy 2 get 1: one 4.00 free
    Case("buy 2 get 1 on one line", [promo("B1", "multi_buy", {"mode": "buy_get", "buy": 2,
                                                               "get": 1}, target=APPLES)],
         [line(1, "apple", "4.00", "3")], {1: {"B1": 400}}),
    # the same SKU scanned three times: the free unit is the last line (equal prices, ties by
    # line_no put line 3 last in the group)
    Case("buy 2 get 1 over separate scans",
         [promo("B1", "multi_buy", {"mode": "buy_get", "buy": 2, "get": 1}, target=APPLES)],
         [line(1, "apple", "4.00"), line(2, "apple", "4.00"), line(3, "apple", "4.00")],
         {3: {"B1": 400}}),
    # buy 2 get 1 (4.00) beats 10 % per line (0.40): the group claims the two units paid for as
    # well as the free one, so 10 % cannot ride on lines 1 and 2
    Case("multi-buy claims the units paid for, not only the free one",
         [promo("B1", "multi_buy", {"mode": "buy_get", "buy": 2, "get": 1}, target=APPLES),
          pct("P1", 1000)],
         [line(1, "apple", "4.00"), line(2, "apple", "4.00"), line(3, "apple", "4.00")],
         {3: {"B1": 400}}),
    # 5 units: one group of 3, two left over
    Case("buy 2 get 1 with leftovers", [promo("B1", "multi_buy", {"mode": "buy_get", "buy": 2,
                                                                  "get": 1}, target=APPLES)],
         [line(1, "apple", "4.00", "5")], {1: {"B1": 400}}),
    # 4 × 4.00, 3 for 10.00: one group 12.00 → 10.00, saves 2.00; the 4th unit pays full price
    Case("N for X", [promo("B1", "multi_buy", {"mode": "bundle_price", "qty": 3,
                                               "price": "10.00"}, target=APPLES)],
         [line(1, "apple", "4.00", "4")], {1: {"B1": 200}}),
    Case("N for X dearer than the units gives nothing",
         [promo("B1", "multi_buy", {"mode": "bundle_price", "qty": 3, "price": "15.00"},
                target=APPLES)],
         [line(1, "apple", "4.00", "3")], {}),
    Case("multi-buy ignores weighed lines",
         [promo("B1", "multi_buy", {"mode": "buy_get", "buy": 1, "get": 1}, target=APPLES)],
         [line(1, "apple", "12.80", "2", unit="kg")], {}),
    # multi-buy pools per SKU: 2 apples and 2 pears, buy 1 get 1 → one free of each
    Case("multi-buy pools per SKU",
         [promo("B1", "multi_buy", {"mode": "buy_get", "buy": 1, "get": 1},
                target={"skus": ["apple", "pear"]})],
         [line(1, "apple", "5.00"), line(2, "pear", "3.00"), line(3, "apple", "5.00"),
          line(4, "pear", "3.00")],
         {3: {"B1": 500}, 4: {"B1": 300}}),
    # any 3 of A/B/C/D for 10.00: the dearest three, A 5.00 + B 4.00 + C 3.00 = 12.00, save
    # 2.00 = 200 fen spread by price (PRORATE_LARGEST_REMAINDER):
    #   A 200×500/1200 = 83.33 → 83, B 200×400/1200 = 66.67 → 66, C 200×300/1200 = 50 → 50
    #   floors 199, 1 fen left → largest remainder B (.67) → A 83, B 67, C 50; D pays full
    Case("mix and match N for X takes the dearest units",
         [promo("X1", "mix_match", {"mode": "bundle_price", "qty": 3, "price": "10.00"},
                target=ABCD)],
         [line(1, "A", "5.00"), line(2, "B", "4.00"), line(3, "C", "3.00"), line(4, "D", "2.00")],
         {1: {"X1": 83}, 2: {"X1": 67}, 3: {"X1": 50}}),
    # any 2 at 20 % off: A 10.00 + B 6.00 = 16.00 → 3.20 = A 2.00, B 1.20; C has no partner
    Case("mix and match percent",
         [promo("X1", "mix_match", {"mode": "percent", "qty": 2, "percent_bp": 2000},
                target=ABCD)],
         [line(1, "C", "5.00"), line(2, "A", "10.00"), line(3, "B", "6.00")],
         {2: {"X1": 200}, 3: {"X1": 120}}),
    # A alone at fixed 1.00 saves 4.00, more than 2 for 8.00 on A+B (2.00): A takes the fixed
    # price and the pool is repriced on B+C: 10.00 → 8.00, 2.00 = 1.00 each
    Case("a pool that loses a line to a better deal is repriced",
         [promo("X1", "mix_match", {"mode": "bundle_price", "qty": 2, "price": "8.00"},
                target=ABCD),
          promo("F1", "fixed_price", {"price": "1.00"}, target={"skus": ["A"]})],
         [line(1, "A", "5.00"), line(2, "B", "5.00"), line(3, "C", "5.00")],
         {1: {"F1": 400}, 2: {"X1": 100}, 3: {"X1": 100}}),
    # mix & match group (B+C 6.00 → 5.00 saves 1.00) beats 10 % on B (0.40); A keeps its 10 %
    Case("a pool beats a smaller line deal and claims its lines",
         [promo("X1", "mix_match", {"mode": "bundle_price", "qty": 2, "price": "5.00"},
                target={"skus": ["B", "C"]}),
          pct("P1", 1000, {"skus": ["A", "B"]})],
         [line(1, "A", "4.00"), line(2, "B", "4.00"), line(3, "C", "2.00")],
         {1: {"P1": 40}, 2: {"X1": 67}, 3: {"X1": 33}}),
    # 0.532 kg × 12.80 = 6.8096 → 6.81; 10 % = 0.681 → 0.68
    Case("weighed: percent off", [pct("P1", 1000)],
         [line(1, "apple", "12.80", "0.532", unit="kg")], {1: {"P1": 68}}),
    # 2.00 off per kg × 0.532 kg = 1.064 → 1.06
    Case("weighed: amount off per kg", [off("A1", "2.00")],
         [line(1, "apple", "12.80", "0.532", unit="kg")], {1: {"A1": 106}}),
    # member 10.00/kg: 6.81 − 0.532 × 10.00 (5.32) = 1.49
    Case("weighed: member price per kg",
         [promo("M1", "member_price", {"tier_prices": {"gold": "10.00"}}, target=APPLES)],
         [line(1, "apple", "12.80", "0.532", unit="kg")], {1: {"M1": 149}}, {"tier": "gold"}),
    # 满100减10 on 60.00 + 60.00: 10.00 spread 5.00 / 5.00
    Case("满减 reached", [threshold("T1", "100.00", "10.00")],
         [line(1, "apple", "60.00"), line(2, "milk", "60.00")],
         {1: {"T1": 500}, 2: {"T1": 500}}),
    Case("满减 not reached", [threshold("T1", "100.00", "10.00")],
         [line(1, "apple", "99.99")], {}),
    # gross 105.00 reaches 100, but after 10 % off apples (10.50) only 94.50 is paid: no 满减
    Case("threshold counts the amount after line discounts",
         [pct("P1", 1000), threshold("T1", "100.00", "10.00")],
         [line(1, "apple", "105.00")], {1: {"P1": 1050}}),
    # 每满100减10 on 350.00: 3 × 10.00
    Case("满减 repeatable", [threshold("T1", "100.00", "10.00", repeatable=True)],
         [line(1, "apple", "350.00")], {1: {"T1": 3000}}),
    # 每满100减10 capped at 20.00 on 350.00
    Case("满减 repeatable with a cap",
         [threshold("T1", "100.00", "10.00", repeatable=True, cap="20.00")],
         [line(1, "apple", "350.00")], {1: {"T1": 2000}}),
    Case("满减 not repeatable takes off once", [threshold("T1", "100.00", "10.00")],
         [line(1, "apple", "350.00")], {1: {"T1": 1000}}),
    # 满100减10 over 10.00 + 20.00 + 70.01 = 100.01 (10001 fen), 1000 fen to spread:
    #   line 1: 1000×1000/10001 =  99.990 → 99, remainder .990
    #   line 2: 1000×2000/10001 = 199.980 → 199, remainder .980
    #   line 3: 1000×7001/10001 = 700.030 → 700, remainder .030
    #   floors 998; 2 fen left → lines 1 and 2 (largest remainders) → 100, 200, 700
    Case("basket discount spread by largest remainder", [threshold("T1", "100.00", "10.00")],
         [line(1, "a", "10.00"), line(2, "b", "20.00"), line(3, "c", "70.01")],
         {1: {"T1": 100}, 2: {"T1": 200}, 3: {"T1": 700}}),
    # 满3减1 over three 1.00 lines: 33.33 each → 33 × 3 = 99, 1 fen left, equal remainders:
    # the lowest line_no takes it → 34, 33, 33
    Case("equal remainders go to the lowest line_no", [threshold("T1", "3.00", "1.00")],
         [line(3, "c", "1.00"), line(1, "a", "1.00"), line(2, "b", "1.00")],
         {1: {"T1": 34}, 2: {"T1": 33}, 3: {"T1": 33}}),
    # fresh-only 满50减5: 30.00 + 25.00 fresh = 55.00, the 100.00 TV does not count or share
    Case("满减 on a category counts and shares only its lines",
         [threshold("T1", "50.00", "5.00", target={"categories": ["fresh"]})],
         [line(1, "fish", "30.00", category="fresh"), line(2, "tv", "100.00", category="tv"),
          line(3, "pork", "25.00", category="fresh")],
         {1: {"T1": 273}, 3: {"T1": 227}}),
    Case("two non-stackable 满减: the better one",
         [threshold("T1", "100.00", "10.00"), threshold("T2", "100.00", "15.00")],
         [line(1, "a", "120.00")], {1: {"T2": 1500}}),
    Case("stackable 满减 adds to the non-stackable one",
         [threshold("T1", "100.00", "10.00"), threshold("T2", "50.00", "3.00", stackable=True)],
         [line(1, "a", "120.00")], {1: {"T1": 1000, "T2": 300}}),
    # 满200打9折 capped at 15.00: 10 % of 250.00 = 25.00 → 15.00
    Case("满减 as percent with a cap",
         [promo("T1", "basket_threshold", {"threshold": "200.00", "percent_bp": 1000,
                                           "cap": "15.00"})],
         [line(1, "a", "250.00")], {1: {"T1": 1500}}),
    Case("basket coupon with its code", [threshold("K1", "50.00", "5.00", coupon="SAVE5")],
         [line(1, "a", "60.00")], {1: {"K1": 500}}, {"coupons": ["SAVE5"]},
         frozenset({"SAVE5"})),
    Case("basket coupon without its code", [threshold("K1", "50.00", "5.00", coupon="SAVE5")],
         [line(1, "a", "60.00")], {}, {"coupons": ["OTHER"]}),
    Case("coupon presented but threshold not reached is not used",
         [threshold("K1", "50.00", "5.00", coupon="SAVE5")],
         [line(1, "a", "40.00")], {}, {"coupons": ["SAVE5"]}),
    Case("item coupon", [pct("K2", 2000, coupon="APPLE20")], [line(1, "apple", "10.00")],
         {1: {"K2": 200}}, {"coupons": ["APPLE20"]}, frozenset({"APPLE20"})),
    Case("validity: before the first day", [pct("P1", 1000, validity={"from": "2026-11-21"})],
         [line(1, "apple", "10.00")], {}),
    Case("validity: the last day is included",
         [pct("P1", 1000, validity={"from": "2026-11-01", "to": "2026-11-20"})],
         [line(1, "apple", "10.00")], {1: {"P1": 100}}),
    Case("validity: after the last day", [pct("P1", 1000, validity={"to": "2026-11-19"})],
         [line(1, "apple", "10.00")], {}),
    Case("validity: weekend-only on a Friday", [pct("P1", 1000, validity={"weekdays": [6, 7]})],
         [line(1, "apple", "10.00")], {}),
    Case("validity: Friday-only on a Friday", [pct("P1", 1000, validity={"weekdays": [5]})],
         [line(1, "apple", "10.00")], {1: {"P1": 100}}),
    Case("validity: morning hours end at 10:00, now 10:30",
         [pct("P1", 1000, validity={"hours": [["08:00", "10:00"]]})],
         [line(1, "apple", "10.00")], {}),
    Case("validity: 10:00-11:00 at 10:30", [pct("P1", 1000, validity={"hours": [["10:00",
                                                                                  "11:00"]]})],
         [line(1, "apple", "10.00")], {1: {"P1": 100}}),
    Case("validity: a night window runs past midnight",
         [pct("P1", 1000, validity={"hours": [["22:00", "02:00"]]})],
         [line(1, "apple", "10.00")], {1: {"P1": 100}}, {"now": datetime(2026, 11, 21, 1, 15)}),
    Case("store list excludes other stores", [pct("P1", 1000, stores=["S2", "S3"])],
         [line(1, "apple", "10.00")], {}),
    Case("store list includes this store", [pct("P1", 1000, stores=["S1"])],
         [line(1, "apple", "10.00")], {1: {"P1": 100}}),
    # ordinary: 10 % (10.00) + 满50减5 on 90.00 (5.00) = 15.00; exclusive 30 % alone = 30.00
    # saves more, so it stands alone
    Case("exclusive promotion wins alone when it saves more",
         [pct("P1", 1000), threshold("T1", "50.00", "5.00"), pct("E1", 3000, exclusive=True)],
         [line(1, "apple", "100.00")], {1: {"E1": 3000}}),
    # ordinary: 10 % (10.00) + 满50减5 on 90.00 (5.00) = 15.00 beats exclusive 12 % (12.00)
    Case("exclusive promotion loses to a better ordinary plan",
         [pct("P1", 1000), threshold("T1", "50.00", "5.00"), pct("E1", 1200, exclusive=True)],
         [line(1, "apple", "100.00")], {1: {"P1": 1000, "T1": 500}}),
    # exclusive basket coupon 满100减40 on gross 150.00 beats 10 % + nothing else (15.00)
    Case("exclusive basket coupon",
         [pct("P1", 1000), threshold("E1", "100.00", "40.00", exclusive=True, coupon="BIG")],
         [line(1, "apple", "150.00")], {1: {"E1": 4000}}, {"coupons": ["BIG"]},
         frozenset({"BIG"})),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_promotion_table(case: Case) -> None:
    result = price(case.promotions, case.lines, **case.context)
    assert by_line(result) == case.expected
    assert result.total == sum(sum(amounts.values()) for amounts in case.expected.values())
    assert result.coupons_used == case.coupons_used


def test_table_has_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
