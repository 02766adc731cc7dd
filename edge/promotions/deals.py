"""Group deals on counted units (buy N get M, N for X, N at % off) and which units get them.

Rule BEST_UNITS_FIRST: units are ranked by unit price, dearest first (ties by line_no), and cut into
consecutive groups. For buy-N-get-M the cheapest M of each group are free, which maximises the free
value; for N-for-X and N-at-%-off the dearest units are grouped first and groups are taken while
they still save, which maximises the saving. Weighed lines (unit "kg") never join a group deal.
A group's saving is spread over its units' lines by PRORATE_LARGEST_REMAINDER.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from edge.ledger.money import QTY_SCALE, div_half_up
from edge.ledger.prorate import prorate
from edge.promotions.rules import BASIS_POINTS, Deal
from edge.sale.pricing import PricedLine


@dataclass(frozen=True)
class DealOutcome:
    discounts: dict[int, int]     # line_no → fen
    used_lines: frozenset[int]    # lines that gave at least one unit to a group

    @property
    def total(self) -> int:
        return sum(self.discounts.values())


NO_DEAL = DealOutcome({}, frozenset())


def price_deal(deal: Deal, lines: Iterable[PricedLine]) -> DealOutcome:
    runs = sorted(
        ((-line.unit_price, line.line_no, line.qty_milli // QTY_SCALE) for line in lines
         if line.unit != "kg" and line.qty_milli >= QTY_SCALE and line.unit_price > 0),
    )
    size = deal.group_size
    units = sum(count for _, _, count in runs)
    if size <= 0 or units < size:
        return NO_DEAL
    discounts: dict[int, int] = {}
    used: set[int] = set()
    cursor = _Cursor(runs)
    for _ in range(units // size):
        group = cursor.take(size)       # [(line_no, unit_price, count)], dearest first
        saving = _group_saving(deal, group)
        if saving <= 0:
            break                       # later groups are cheaper still: none of them saves
        used.update(line_no for line_no, _, _ in group)
        if deal.mode == "buy_get":
            shares = _free_units(group, deal.get)
        else:
            weights: dict[int, int] = {}
            for line_no, price, count in group:
                weights[line_no] = weights.get(line_no, 0) + price * count
            shares = prorate(saving, sorted(weights.items()))
        for line_no, share in shares.items():
            discounts[line_no] = discounts.get(line_no, 0) + share
    if not discounts:
        return NO_DEAL
    return DealOutcome(discounts, frozenset(used))


def _group_saving(deal: Deal, group: list[tuple[int, int, int]]) -> int:
    if deal.mode == "buy_get":
        return sum(price * count for _, price, count in _tail(group, deal.get))
    value = sum(price * count for _, price, count in group)
    if deal.mode == "bundle_price":
        return value - deal.price
    return div_half_up(value * deal.percent_bp, BASIS_POINTS)   # HALF_UP on the group


def _free_units(group: list[tuple[int, int, int]], free: int) -> dict[int, int]:
    shares: dict[int, int] = {}
    for line_no, price, count in _tail(group, free):
        shares[line_no] = shares.get(line_no, 0) + price * count
    return shares


def _tail(group: list[tuple[int, int, int]], units: int) -> list[tuple[int, int, int]]:
    """The last `units` units of a group (its cheapest), as (line_no, price, count) runs."""
    tail: list[tuple[int, int, int]] = []
    for line_no, price, count in reversed(group):
        if units <= 0:
            break
        taken = min(count, units)
        tail.append((line_no, price, taken))
        units -= taken
    return tail


class _Cursor:
    """Walks the ranked runs of units and hands out groups without expanding units one by one."""

    def __init__(self, runs: list[tuple[int, int, int]]) -> None:
        self._runs = runs
        self._index = 0
        self._left = runs[0][2] if runs else 0

    def take(self, size: int) -> list[tuple[int, int, int]]:
        group: list[tuple[int, int, int]] = []
        while size > 0:
            while self._left == 0:
                self._index += 1
                self._left = self._runs[self._index][2]
            neg_price, line_no, _ = self._runs[self._index]
            taken = min(size, self._left)
            group.append((line_no, -neg_price, taken))
            self._left -= taken
            size -= taken
        return group
