"""The promotions engine: which promotions apply to a basket and how much each takes off each line.

Resolution rule (deterministic; every tie goes to higher priority, then lower promotion id, then
lower line_no):
1. Open promotions only: store listed (or none listed), member / tier allowed, coupon code
   presented, validity window open at `context.now` (checked once per promotion per call).
2. Line level, non-stackable (member price, % / amount off, fixed price, multi-buy, mix & match):
   GREEDY_BEST_SAVING. Every candidate is a proposal — one line for line-local kinds, one pool of
   lines for multi-buy (per SKU) and mix & match (per promotion). The proposal saving the most is
   taken first and claims its lines (for pools: every line that gave a unit to a group). A pool that
   lost lines to an earlier winner is repriced on the lines left and competes again. So each line
   gets at most one non-stackable line promotion, and for line-local kinds it is that line's best.
3. Line level, stackable: each adds its own saving, priced on the gross (priority order), capped
   at what is left of the line.
4. Basket level (满减 and basket coupons), on top of line level. A threshold is measured on the
   eligible lines' amounts AFTER the non-stackable line discounts (a basket whose gross reaches
   100 but whose discounted amount does not, gets no 满100减10). Stackable line discounts do not
   lower that base: they ride on top and never cost the customer a threshold, which is what keeps
   "adding a stackable promotion never costs more" true. Non-stackable basket promotions: biggest
   saving first; another applies only if its eligible lines do not overlap the taken ones.
   Stackable basket promotions all add. Each is spread over its eligible lines in proportion to what
   is left of them (PRORATE_LARGEST_REMAINDER) and capped at that, so no line goes below zero.
5. Exclusivity: each exclusive promotion is also priced alone, on the gross; the plan saving the
   most wins (the ordinary plan wins ties). Exhaustive over the exclusive promotions (one plan
   each, linear; a plan whose upper bound cannot beat the best so far is not priced), greedy
   inside the ordinary plan as above.
Roundings: percentages HALF_UP on the line (for weighed lines that equals the per-kg price off,
rounded once); amount off and member / fixed prices per unit (per kg) via line_amount (HALF_UP).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from edge.ledger.money import div_half_up, line_amount
from edge.ledger.prorate import prorate
from edge.promotions.deals import DealOutcome, price_deal
from edge.promotions.rules import (
    BASIS_POINTS,
    AmountOff,
    BasketThreshold,
    FixedPrice,
    Language,
    MemberPrice,
    MixMatch,
    MultiBuy,
    PercentOff,
    Promotion,
)
from edge.promotions.validity import Moment, is_open
from edge.sale.pricing import LineDiscount, PricedLine, PricingContext

LANGUAGES: tuple[Language, ...] = ("zh_CN", "en")


@dataclass(frozen=True)
class PromotionResult:
    discounts: tuple[LineDiscount, ...]   # by line_no, then order of application
    coupons_used: frozenset[str]          # codes that took something off: record them as redeemed

    @property
    def total(self) -> int:
        return sum(discount.amount for discount in self.discounts)


_Entry = tuple[Promotion, list[PricedLine]]
_Eligible = tuple[Promotion, list[int]]  # a basket promotion and the line_nos it counts
_Record = tuple[int, Promotion, int]     # line_no, promotion, fen
_Recorder = Callable[[Promotion, Iterable[tuple[int, int]]], None]


class PromotionsEngine:
    """Implements edge.sale.pricing.PromotionEngine over a fixed set of promotions, indexed once."""

    def __init__(self, promotions: Iterable[Promotion], language: Language = "zh_CN") -> None:
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
        ordered = sorted(promotions, key=lambda promotion: promotion.id)
        for before, after in pairwise(ordered):
            if before.id == after.id:
                raise ValueError(f"promotion id {after.id!r} appears twice")
        self.language: Language = language
        self.promotions: tuple[Promotion, ...] = tuple(ordered)
        by_sku: dict[str, list[Promotion]] = {}
        by_category: dict[str, list[Promotion]] = {}
        every_line: list[Promotion] = []
        basket: list[Promotion] = []
        for promotion in ordered:
            if promotion.is_basket:
                basket.append(promotion)
            elif promotion.target.everything:
                every_line.append(promotion)
            else:
                for sku in sorted(promotion.target.skus):
                    by_sku.setdefault(sku, []).append(promotion)
                for category in sorted(promotion.target.categories):
                    by_category.setdefault(category, []).append(promotion)
        self._by_sku = {key: tuple(value) for key, value in by_sku.items()}
        self._by_category = {key: tuple(value) for key, value in by_category.items()}
        self._every_line = tuple(every_line)
        self._basket = tuple(basket)

    def apply(self, lines: Sequence[PricedLine], context: PricingContext) -> list[LineDiscount]:
        return list(self.evaluate(lines, context).discounts)

    def evaluate(self, lines: Sequence[PricedLine], context: PricingContext) -> PromotionResult:
        ordered = sorted(lines, key=lambda line: line.line_no)
        for before, after in pairwise(ordered):
            if before.line_no == after.line_no:
                raise ValueError(f"line_no {after.line_no} appears twice")
        gate = _Gate(context)
        entries: dict[str, _Entry] = {}
        for line in ordered:
            for found in (self._by_sku.get(line.sku), self._by_category.get(line.category),
                          self._every_line):
                if not found:
                    continue
                for promotion in found:
                    if not gate.open(promotion) or not promotion.target.matches(
                            line.sku, line.category):
                        continue
                    entry = entries.get(promotion.id)
                    if entry is None:
                        entries[promotion.id] = (promotion, [line])
                    elif entry[1][-1] is not line:      # matched by both SKU and category
                        entry[1].append(line)
        every = [line.line_no for line in ordered]
        baskets: list[_Eligible] = []
        for promotion in self._basket:
            if gate.open(promotion):
                target = promotion.target
                # whole-basket thresholds share one list, so its base is summed once per plan
                baskets.append((promotion, every) if target.everything and not
                               target.exclude_skus else (promotion, [
                                   line.line_no for line in ordered
                                   if target.matches(line.sku, line.category)]))
        tier = context.member_tier
        ordinary = [entry for _, entry in sorted(entries.items()) if not entry[0].exclusive]
        best = _resolve(ordinary, [entry for entry in baskets if not entry[0].exclusive],
                        ordered, tier)
        best_total = sum(amount for _, _, amount in best)
        # an exclusive plan can never save more than its bound (its lines' gross, or its
        # threshold on the gross), so most are dismissed without being priced
        gross = {line.line_no: line.gross for line in ordered}
        alone: list[tuple[int, str, int, list[_Entry], list[_Eligible]]] = []
        for entry in entries.values():
            if entry[0].exclusive:
                alone.append((-entry[0].priority, entry[0].id,
                              sum(line.gross for line in entry[1]), [entry], []))
        for promotion, eligible in baskets:
            if promotion.exclusive:
                assert isinstance(promotion.rule, BasketThreshold)
                bound = promotion.rule.discount(sum(gross[line_no] for line_no in eligible))
                alone.append((-promotion.priority, promotion.id, bound, [],
                              [(promotion, eligible)]))
        alone.sort(key=lambda plan: plan[:2])
        for _, _, bound, line_entries, basket_entries in alone:
            if bound <= best_total:
                continue
            plan = _resolve(line_entries, basket_entries, ordered, tier)
            total = sum(amount for _, _, amount in plan)
            if total > best_total:
                best, best_total = plan, total
        return self._result(best)

    def _result(self, records: list[_Record]) -> PromotionResult:
        order = sorted(range(len(records)), key=lambda index: (records[index][0], index))
        discounts = tuple(
            LineDiscount(records[index][0], records[index][1].id, records[index][2],
                         records[index][1].name(self.language))
            for index in order)
        coupons = frozenset(promotion.coupon for _, promotion, _ in records
                            if promotion.coupon is not None)
        return PromotionResult(discounts, coupons)


class _Gate:
    """Who and when, for one call: each promotion's openness is worked out once and remembered."""

    def __init__(self, context: PricingContext) -> None:
        self._context = context
        self._moment = Moment.of(context.now)
        self._seen: dict[str, bool] = {}

    def open(self, promotion: Promotion) -> bool:
        known = self._seen.get(promotion.id)
        if known is None:
            known = self._seen[promotion.id] = self._decide(promotion)
        return known

    def _decide(self, promotion: Promotion) -> bool:
        context = self._context
        if promotion.stores and context.store_id not in promotion.stores:
            return False
        if (promotion.member_only or promotion.tiers) and context.member_tier is None:
            return False
        if promotion.tiers and context.member_tier not in promotion.tiers:
            return False
        if promotion.coupon is not None and promotion.coupon not in context.coupons:
            return False
        return is_open(promotion.validity, self._moment)


def _resolve(entries: list[_Entry], baskets: list[_Eligible], lines: list[PricedLine],
             tier: str | None) -> list[_Record]:
    gross = {line.line_no: line.gross for line in lines}
    taken = dict.fromkeys(gross, 0)
    records: list[_Record] = []

    def record(promotion: Promotion, shares: Iterable[tuple[int, int]]) -> None:
        for line_no, amount in shares:
            amount = min(amount, gross[line_no] - taken[line_no])
            if amount > 0:
                taken[line_no] += amount
                records.append((line_no, promotion, amount))

    _line_non_stackable(entries, tier, record)
    base = {line_no: gross[line_no] - taken[line_no] for line_no in gross}
    for promotion, plines in sorted((entry for entry in entries if entry[0].stackable),
                                    key=lambda entry: (-entry[0].priority, entry[0].id)):
        if promotion.is_pooled:
            for pool in _pools(promotion, plines):
                record(promotion, sorted(_price_pool(promotion, pool).discounts.items()))
        else:
            record(promotion, [(line.line_no, _line_saving(promotion, line, tier))
                               for line in plines])
    if baskets:
        _basket_level(baskets, gross, base, taken, record)
    return records


def _line_non_stackable(entries: list[_Entry], tier: str | None, record: _Recorder) -> None:
    heap: list[tuple[int, int, str, int, Promotion, list[PricedLine], dict[int, int],
                     frozenset[int]]] = []
    for promotion, plines in entries:
        if promotion.stackable:
            continue
        key = (-promotion.priority, promotion.id)
        if promotion.is_pooled:
            for pool in _pools(promotion, plines):
                outcome = _price_pool(promotion, pool)
                if outcome.total > 0:
                    heap.append((-outcome.total, *key, pool[0].line_no, promotion, pool,
                                 outcome.discounts, outcome.used_lines))
        else:
            for line in plines:
                saving = _line_saving(promotion, line, tier)
                if saving > 0:
                    heap.append((-saving, *key, line.line_no, promotion, [line],
                                 {line.line_no: saving}, frozenset((line.line_no,))))
    heapq.heapify(heap)
    claimed: set[int] = set()
    while heap:
        _, _, _, _, promotion, pool, discounts, used = heapq.heappop(heap)
        if not claimed.isdisjoint(used):
            if promotion.is_pooled:
                # lazy greedy: a pool's saving only shrinks when it loses lines, so reprice it
                # on what is left and let it compete again
                left = [line for line in pool if line.line_no not in claimed]
                outcome = _price_pool(promotion, left)
                if outcome.total > 0:
                    heapq.heappush(heap, (-outcome.total, -promotion.priority, promotion.id,
                                          left[0].line_no, promotion, left, outcome.discounts,
                                          outcome.used_lines))
            continue
        claimed |= used
        record(promotion, sorted(discounts.items()))


def _basket_level(baskets: list[_Eligible], gross: dict[int, int], base: dict[int, int],
                  taken: dict[int, int], record: _Recorder) -> None:
    priced: list[tuple[int, int, str, Promotion, list[int]]] = []
    sums: dict[int, int] = {}           # id(eligible list) → its base, for shared lists
    for promotion, eligible in baskets:
        assert isinstance(promotion.rule, BasketThreshold)
        amount = sums.get(id(eligible))
        if amount is None:
            amount = sums[id(eligible)] = sum(base[line_no] for line_no in eligible)
        saving = promotion.rule.discount(amount)
        if saving > 0:
            priced.append((-saving, -promotion.priority, promotion.id, promotion, eligible))
    non_stackable = sorted((item for item in priced if not item[3].stackable),
                           key=lambda item: item[:3])
    stackable = sorted((item for item in priced if item[3].stackable),
                       key=lambda item: (item[1], item[2]))
    covered: set[int] = set()
    chosen = []
    for item in non_stackable:
        if covered.isdisjoint(item[4]):
            covered.update(item[4])
            chosen.append(item)
    for neg_saving, _, _, promotion, eligible in chosen + stackable:
        room = [(n, gross[n] - taken[n]) for n in eligible if gross[n] > taken[n]]
        amount = min(-neg_saving, sum(left for _, left in room))
        record(promotion, sorted(prorate(amount, room).items()))


def _line_saving(promotion: Promotion, line: PricedLine, tier: str | None) -> int:
    rule = promotion.rule
    if isinstance(rule, PercentOff):
        saving = div_half_up(line.gross * rule.percent_bp, BASIS_POINTS)
    elif isinstance(rule, AmountOff):
        saving = line_amount(rule.amount, line.qty_milli)
    elif isinstance(rule, FixedPrice):
        saving = line.gross - line_amount(rule.price, line.qty_milli)
    elif isinstance(rule, MemberPrice):
        price = rule.tier_prices.get(tier) if tier is not None else None
        saving = 0 if price is None else line.gross - line_amount(price, line.qty_milli)
    else:
        raise TypeError(f"promotion {promotion.id}: {promotion.kind} is not line-local")
    return max(0, min(saving, line.gross))


def _pools(promotion: Promotion, lines: list[PricedLine]) -> list[list[PricedLine]]:
    if isinstance(promotion.rule, MixMatch):
        return [lines]
    by_sku: dict[str, list[PricedLine]] = {}
    for line in lines:
        by_sku.setdefault(line.sku, []).append(line)
    return list(by_sku.values())


def _price_pool(promotion: Promotion, pool: list[PricedLine]) -> DealOutcome:
    rule = promotion.rule
    assert isinstance(rule, MultiBuy | MixMatch)
    return price_deal(rule.deal, pool)

