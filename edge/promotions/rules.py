"""Promotions as data: what a promotion targets, when and where it is open, who may have it, and
the rule that prices it. Immutable values; the JSON codec and the engine build on these.

Rule: money is integer fen, percentages are integer basis points (8.5折 = 15 % off = 1500 bp).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from edge.ledger.money import div_half_up

BASIS_POINTS = 10_000

Language = Literal["zh_CN", "en"]
DealMode = Literal["buy_get", "bundle_price", "percent"]

# Line-local kinds price one line alone; pooled kinds price units pooled over several lines;
# the basket kind prices the totals that line-level promotions leave.
LINE_LOCAL_KINDS = ("member_price", "percent_off", "amount_off", "fixed_price")
POOLED_KINDS = ("multi_buy", "mix_match")
BASKET_KINDS = ("basket_threshold",)
KINDS = LINE_LOCAL_KINDS + POOLED_KINDS + BASKET_KINDS


@dataclass(frozen=True)
class Target:
    """Which lines a promotion looks at. No SKUs and no categories means every line."""

    skus: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    exclude_skus: frozenset[str] = frozenset()

    @property
    def everything(self) -> bool:
        return not self.skus and not self.categories

    def matches(self, sku: str, category: str) -> bool:
        if sku in self.exclude_skus:
            return False
        return self.everything or sku in self.skus or category in self.categories


@dataclass(frozen=True)
class Validity:
    """When a promotion is open, in store-local time. Empty parts do not restrict."""

    start: date | None = None                 # first day, inclusive
    end: date | None = None                   # last day, inclusive
    weekdays: frozenset[int] = frozenset()    # ISO: 1 = Monday … 7 = Sunday
    hours: tuple[tuple[int, int], ...] = ()   # [from, to) minutes after midnight; from > to wraps


@dataclass(frozen=True)
class MemberPrice:
    tier_prices: Mapping[str, int]    # tier → fen per unit (per kg for weighed lines)


@dataclass(frozen=True)
class PercentOff:
    percent_bp: int


@dataclass(frozen=True)
class AmountOff:
    amount: int                       # fen off per unit (per kg for weighed lines)


@dataclass(frozen=True)
class FixedPrice:
    price: int                        # fen per unit (per kg for weighed lines)


@dataclass(frozen=True)
class Deal:
    """A group deal on counted units: buy `buy` get `get` free, `qty` for `price`, or `qty` at
    `percent_bp` off. Fields a mode does not use stay 0."""

    mode: DealMode
    buy: int = 0
    get: int = 0
    qty: int = 0
    price: int = 0
    percent_bp: int = 0

    @property
    def group_size(self) -> int:
        return self.buy + self.get if self.mode == "buy_get" else self.qty


@dataclass(frozen=True)
class MultiBuy:
    deal: Deal                        # units pooled per SKU


@dataclass(frozen=True)
class MixMatch:
    deal: Deal                        # units pooled over every targeted SKU


@dataclass(frozen=True)
class BasketThreshold:
    """满减: spend `threshold`, save `off` (or `percent_bp`); repeatable = per whole threshold."""

    threshold: int
    off: int = 0
    percent_bp: int = 0
    repeatable: bool = False
    cap: int | None = None            # most fen this promotion takes off one basket

    def discount(self, amount: int) -> int:
        if amount <= 0 or amount < self.threshold:
            return 0
        if self.percent_bp:
            value = div_half_up(amount * self.percent_bp, BASIS_POINTS)   # HALF_UP
        elif self.repeatable and self.threshold > 0:
            value = self.off * (amount // self.threshold)
        else:
            value = self.off
        if self.cap is not None:
            value = min(value, self.cap)
        return min(value, amount)


Rule = MemberPrice | PercentOff | AmountOff | FixedPrice | MultiBuy | MixMatch | BasketThreshold


@dataclass(frozen=True)
class Promotion:
    id: str
    kind: str                         # one of KINDS; says which Rule `rule` is
    name_zh: str
    name_en: str
    rule: Rule
    target: Target = field(default_factory=Target)
    validity: Validity = field(default_factory=Validity)
    stores: frozenset[str] = frozenset()      # empty = every store
    member_only: bool = False
    tiers: frozenset[str] = frozenset()       # non-empty = only these tiers (implies member_only)
    coupon: str | None = None                 # applies only when this code is presented
    priority: int = 0                         # higher wins a tie in saving
    stackable: bool = False
    exclusive: bool = False                   # alone in the basket, when that saves more

    @property
    def is_basket(self) -> bool:
        return self.kind in BASKET_KINDS

    @property
    def is_pooled(self) -> bool:
        return self.kind in POOLED_KINDS

    def name(self, language: Language) -> str:
        return self.name_zh if language == "zh_CN" else self.name_en
