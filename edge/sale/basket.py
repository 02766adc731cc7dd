"""The basket being sold: lines, tenders and totals, in memory, with no I/O. The till persists a
sale only when it becomes a fact (completed or cancelled) or when it is suspended.

Invariants after every `reprice` (manual discounts after promotions: edge/sale/manual_discounts.py):
- line.total = line.gross - line.discount, never negative;
- sale.total = sum(line.total) (+ sale.tax when prices exclude VAT);
- sale.tax = sum(line.tax) (rule TAX_PER_LINE in edge/ledger/tax.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from edge.ledger.money import line_amount
from edge.ledger.tax import line_tax
from edge.sale.manual_discounts import (
    LINE_DISCOUNT_ID,
    ORDER_DISCOUNT_ID,
    ManualDiscount,
    spread_order_discount,
)
from edge.sale.pricing import LineDiscount, PricedLine, PricingContext, PromotionEngine


@dataclass
class PriceOverride:
    original_price: int
    by_staff: str
    approved_by: str
    reason: str


@dataclass
class Line:
    line_no: int
    sku: str
    name_zh: str
    name_en: str
    unit: str
    category: str
    qty_milli: int
    unit_price: int
    tax_class: str
    tax_rate_bp: int
    age_restricted: bool = False
    fixed_gross: int | None = None      # the price printed on a scale label is the price
    override: PriceOverride | None = None
    gross: int = 0
    discount: int = 0
    total: int = 0
    tax: int = 0
    discounts: list[LineDiscount] = field(default_factory=list)
    manual_discount: ManualDiscount | None = None
    open_price: bool = False            # the cashier typed the price (an open-price item)

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


@dataclass
class Tender:
    tender_no: int
    type: str
    amount: int                      # what the customer handed over (cash) or was charged
    reference: str | None = None
    approval_code: str | None = None
    masked_pan: str | None = None


@dataclass
class Sale:
    id: str
    store_id: str
    terminal_id: str
    staff_id: str
    opened_at: str
    status: str = "open"             # open | completed | cancelled | suspended
    lines: list[Line] = field(default_factory=list)
    voided_lines: list[Line] = field(default_factory=list)
    tenders: list[Tender] = field(default_factory=list)
    next_line_no: int = 1
    age_confirmed_by: str | None = None
    member_id: str | None = None
    member_tier: str | None = None
    coupons: list[str] = field(default_factory=list)
    order_discount: ManualDiscount | None = None
    subtotal: int = 0
    discount: int = 0
    tax: int = 0
    total: int = 0
    rounding: int = 0
    change: int = 0
    closed_at: str | None = None
    receipt_no: int | None = None
    event_seq: int | None = None
    # A pay-at-pickup online order this sale collects: the stock its reservation holds is this
    # sale's own (edge/orders/reservations.py), neither warned about nor reported as a conflict.
    order_id: str | None = None

    @property
    def paid(self) -> int:
        return sum(t.amount for t in self.tenders)

    @property
    def remaining(self) -> int:
        """What is still owed before any cash rounding (0 once completed)."""
        return self.total + self.rounding - (self.paid - self.change)

    @property
    def totalled(self) -> bool:
        """Payment has started: changing the basket now is a 'void after total'."""
        return bool(self.tenders)

    def line(self, line_no: int) -> Line | None:
        return next((ln for ln in self.lines if ln.line_no == line_no), None)

    def needs_age_check(self) -> bool:
        return self.age_confirmed_by is None and any(ln.age_restricted for ln in self.lines)

    def copy(self) -> Sale:
        """A copy an action can change freely: lines and tenders are new objects; discounts and
        overrides are immutable or replaced whole, so they are shared."""
        return dataclasses.replace(
            self,
            lines=[dataclasses.replace(ln, discounts=list(ln.discounts)) for ln in self.lines],
            voided_lines=[dataclasses.replace(ln) for ln in self.voided_lines],
            tenders=[dataclasses.replace(t) for t in self.tenders],
            coupons=list(self.coupons))

    @property
    def value_at_stake(self) -> int:
        """What the lines in the basket and those voided from it were worth."""
        return sum(ln.total for ln in self.lines) + sum(ln.total for ln in self.voided_lines)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Sale:
        def line(d: dict[str, Any]) -> Line:
            d = dict(d)
            d["override"] = PriceOverride(**d["override"]) if d.get("override") else None
            d["discounts"] = [LineDiscount(**x) for x in d.get("discounts", [])]
            d["manual_discount"] = _manual(d.get("manual_discount"))
            return Line(**d)

        d = dict(data)
        d["lines"] = [line(x) for x in d["lines"]]
        d["voided_lines"] = [line(x) for x in d["voided_lines"]]
        d["tenders"] = [Tender(**x) for x in d["tenders"]]
        d["order_discount"] = _manual(d.get("order_discount"))
        return Sale(**d)

    def manual_discounts(self) -> list[dict[str, Any]]:
        """Every manual discount with who gave and who approved it, for the sale's fact."""
        given: list[tuple[int | None, ManualDiscount, str]] = [
            (ln.line_no, ln.manual_discount, LINE_DISCOUNT_ID) for ln in self.lines
            if ln.manual_discount is not None]
        if self.order_discount is not None:
            given.append((None, self.order_discount, ORDER_DISCOUNT_ID))
        out = []
        for line_no, discount, kind_id in given:
            amount = sum(d.amount for ln in self.lines for d in ln.discounts
                         if d.promotion_id == kind_id and (line_no is None or ln.line_no == line_no))
            out.append({"line_no": line_no, "kind": discount.kind, "value": discount.value,
                        "amount": amount, "by": discount.by_staff,
                        "approved_by": discount.approved_by, "reason": discount.reason})
        return out


def _manual(data: dict[str, Any] | None) -> ManualDiscount | None:
    return ManualDiscount(**data) if data else None


def reprice(sale: Sale, engine: PromotionEngine, now: datetime, prices_include_tax: bool) -> None:
    """Recompute every line and the sale's totals from unit prices, quantities and promotions."""
    for ln in sale.lines:
        ln.gross = ln.fixed_gross if ln.fixed_gross is not None else line_amount(ln.unit_price,
                                                                                  ln.qty_milli)
    priced = [PricedLine(ln.line_no, ln.sku, ln.category, ln.unit, ln.qty_milli, ln.unit_price,
                         ln.gross) for ln in sale.lines]
    context = PricingContext(now, sale.store_id, sale.member_tier, frozenset(sale.coupons))
    by_line: dict[int, list[LineDiscount]] = {}
    for discount in engine.apply(priced, context):
        by_line.setdefault(discount.line_no, []).append(discount)
    for ln in sale.lines:
        ln.discounts = by_line.get(ln.line_no, [])
        if ln.manual_discount is not None:
            _add(ln, LINE_DISCOUNT_ID, ln.manual_discount.amount_of(_left(ln)),
                 ln.manual_discount, "line")
    if sale.order_discount is not None:
        shares = spread_order_discount(sale.order_discount,
                                       [(ln.line_no, _left(ln)) for ln in sale.lines])
        for ln in sale.lines:
            _add(ln, ORDER_DISCOUNT_ID, shares.get(ln.line_no, 0), sale.order_discount, "order")
    for ln in sale.lines:
        ln.discount = min(sum(d.amount for d in ln.discounts), ln.gross)
        ln.total = ln.gross - ln.discount
        ln.tax = line_tax(ln.total, ln.tax_rate_bp, prices_include_tax)
    sale.subtotal = sum(ln.gross for ln in sale.lines)
    sale.discount = sum(ln.discount for ln in sale.lines)
    sale.tax = sum(ln.tax for ln in sale.lines)
    lines_total = sum(ln.total for ln in sale.lines)
    sale.total = lines_total if prices_include_tax else lines_total + sale.tax


def _left(ln: Line) -> int:
    """What the line costs after the discounts it has so far."""
    return max(ln.gross - sum(d.amount for d in ln.discounts), 0)


def _add(ln: Line, kind_id: str, amount: int, given: ManualDiscount, kind: str) -> None:
    if amount > 0:
        ln.discounts = [*ln.discounts, LineDiscount(ln.line_no, kind_id, amount, given.reason,
                                                    kind, given.percent)]
