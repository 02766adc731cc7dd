"""The sale as the screens and the headless protocol show it: every amount as a decimal string in
the store's currency digits, every name in the till's language. Pure: a sale in, a dict out."""

from __future__ import annotations

from typing import Any

from edge.ledger.money import format_amount, format_quantity
from edge.sale.basket import Sale
from edge.till.session import Till


def sale_view(sale: Sale | None, till: Till) -> dict[str, Any] | None:
    if sale is None:
        return None
    digits = till.config.minor_digits
    locale = till.config.locale

    def amount(value: int) -> str:
        return format_amount(value, digits)

    return {
        "id": sale.id,
        "status": sale.status,
        "receipt_no": sale.receipt_no,
        "lines": [{"line": ln.line_no, "sku": ln.sku, "name": ln.name(locale), "qty":
                   format_quantity(ln.qty_milli), "unit": ln.unit,
                   "unit_price": amount(ln.unit_price), "discount": amount(ln.discount),
                   "total": amount(ln.total), "tax": amount(ln.tax),
                   "tax_rate_bp": ln.tax_rate_bp, "age_restricted": ln.age_restricted,
                   "promotions": [{"id": d.promotion_id, "amount": amount(d.amount),
                                   "reason": d.reason, "kind": d.kind, "percent": d.percent}
                                  for d in ln.discounts]}
                  for ln in sale.lines],
        "subtotal": amount(sale.subtotal),
        "discount": amount(sale.discount),
        "tax": amount(sale.tax),
        "total": amount(sale.total),
        "rounding": amount(sale.rounding),
        "paid": amount(sale.paid),
        "change": amount(sale.change),
        "due": amount(max(sale.remaining, 0)),
        "tenders": [{"type": t.type, "amount": amount(t.amount)} for t in sale.tenders],
        "member": sale.member_id,
        "training": till.training,
    }
