"""Discounts a cashier gives by hand: on one line or on the whole order, as a percentage or an
amount. Pure arithmetic on fen; who may give how much is the till's business (edge/till/session.py).

Rule MANUAL_AFTER_PROMOTIONS: manual discounts apply after the promotions engine, in this order:
line discounts on what each line costs after its promotions, then the order discount on what the
lines cost after those, spread over the lines by PRORATE_LARGEST_REMAINDER. A percentage rounds
HALF_UP to the fen; an amount never exceeds what it applies to. Tax is then taken per line from the
line's final total, so totals and tax stay exact in fen.
"""

from __future__ import annotations

from dataclasses import dataclass

from edge.ledger.money import div_half_up
from edge.ledger.prorate import prorate

KINDS = ("percent", "amount")
LINE_DISCOUNT_ID = "manual"          # the promotion_id of a manual discount's LineDiscount
ORDER_DISCOUNT_ID = "manual-order"


@dataclass(frozen=True)
class ManualDiscount:
    kind: str            # "percent" | "amount"
    value: int           # whole percent (1..100) or fen
    by_staff: str
    approved_by: str
    reason: str = ""

    def amount_of(self, base: int) -> int:
        """What this discount takes off `base` fen."""
        if self.kind == "percent":
            return div_half_up(base * self.value, 100)
        return min(self.value, base)

    @property
    def percent(self) -> int | None:
        """The figure a label shows: the percentage, or None for an amount."""
        return self.value if self.kind == "percent" else None


def percent_of(amount: int, base: int) -> int:
    """`amount` as a whole percentage of `base`, rounded up (so a limit is never exceeded by
    rounding): what a role limit is checked against."""
    if base <= 0:
        return 100 if amount > 0 else 0
    return -(-amount * 100 // base)


def spread_order_discount(discount: ManualDiscount, bases: list[tuple[int, int]]
                          ) -> dict[int, int]:
    """The order discount over (line_no, what the line costs so far) → line_no → fen."""
    amount = discount.amount_of(sum(base for _, base in bases))
    return prorate(amount, bases)
