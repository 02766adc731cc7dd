"""The seam between the basket and the promotions engine: what a line looks like to an engine, what
an engine gives back, and the engine that gives nothing (the till core runs without promotions).

Rule: an engine's discounts on one line never sum to more than that line's gross amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class PricedLine:
    line_no: int
    sku: str
    category: str
    unit: str            # "each" | "kg"
    qty_milli: int       # 1 each = 1000
    unit_price: int      # fen per unit (per kg for weighed items)
    gross: int           # fen, the line before any discount


@dataclass(frozen=True)
class PricingContext:
    now: datetime                      # store-local time, for validity windows
    store_id: str
    member_tier: str | None = None     # e.g. "silver", "gold", "diamond"; None = not a member
    coupons: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class LineDiscount:
    line_no: int
    promotion_id: str
    amount: int          # fen, > 0
    reason: str          # the promotion's name, or the reason typed with a manual discount
    # What the discount is, for the screen or receipt to word in its language (the core writes
    # no label): "promotion" (the reason is its name), "line" or "order" (a manual discount;
    # `percent` its whole percentage, None for an amount).
    kind: str = "promotion"
    percent: int | None = None


class PromotionEngine(Protocol):
    def apply(self, lines: Sequence[PricedLine], context: PricingContext) -> list[LineDiscount]: ...


class NoPromotions:
    def apply(self, lines: Sequence[PricedLine], context: PricingContext) -> list[LineDiscount]:
        return []
