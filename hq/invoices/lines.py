"""The lines of an invoice, built from HQ's stored sale or return, with no I/O.

Rules:
- INVOICE_SUMS: a blue invoice's lines and discount lines add up to the sale's total to the fen,
  and their taxes to the sale's tax; a red-letter invoice's lines add up to minus the return's
  line amounts. Every amount is VAT-inclusive fen (Nuonuo `withTaxFlag` 1).
- DISCOUNT_NEXT_TO_LINE: a discounted sale line becomes two invoice lines, the line at its gross
  price (`discounted`, Nuonuo invoiceLineProperty 2) and right after it the discount
  (`discount`, 1) with the same name and code, negative; the discount's tax is what the
  discount took off the line's tax, so the pair carries exactly the sale line's total and tax.
- A red-letter invoice has only normal lines (the platforms take no discount lines on red),
  each at minus the returned share, quantity negative.
- Cash rounding (抹零) is not a price: the invoice states the sale's total, not what was paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from edge.ledger.tax import tax_included

MAX_LINES = 2000   # Nuonuo: at most 2000 detail lines, discount lines included

LineKind = Literal["normal", "discounted", "discount"]


class InvoiceBuildError(ValueError):
    """The stored fact cannot be invoiced as it is (a product without a tax code...)."""


@dataclass(frozen=True)
class SaleLineFact:
    """One line of a sale as HQ stores it (hq_sale_line)."""

    line_no: int
    sku: str
    name: str
    unit: str
    qty_milli: int
    gross: int
    discount: int
    total: int
    tax_rate_bp: int
    tax: int


@dataclass(frozen=True)
class ReturnLineFact:
    """One line of a `return.completed` event that names its sale line."""

    sale_line_no: int
    qty_milli: int
    amount: int       # VAT-inclusive fen refunded for the line
    tax: int


@dataclass(frozen=True)
class InvoiceLine:
    kind: LineKind
    sale_line_no: int
    name: str
    tax_code: str
    unit: str
    qty_milli: int | None     # None on a discount line (no quantity, no price)
    amount: int               # VAT-inclusive fen; negative on discount and red lines
    tax: int
    tax_rate_bp: int

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "sale_line_no": self.sale_line_no, "name": self.name,
                "tax_code": self.tax_code, "unit": self.unit, "qty_milli": self.qty_milli,
                "amount": self.amount, "tax": self.tax, "tax_rate_bp": self.tax_rate_bp}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> InvoiceLine:
        qty = data["qty_milli"]
        return cls(str(data["kind"]), int(str(data["sale_line_no"])),  # type: ignore[arg-type]
                   str(data["name"]), str(data["tax_code"]), str(data["unit"]),
                   None if qty is None else int(str(qty)), int(str(data["amount"])),
                   int(str(data["tax"])), int(str(data["tax_rate_bp"])))


def _code(tax_codes: dict[str, str], line: SaleLineFact) -> str:
    code = tax_codes.get(line.sku, "")
    if not code:
        raise InvoiceBuildError(
            f"SKU {line.sku} ({line.name}) has no tax classification code (税收分类编码) in HQ's"
            " catalog: add tax_code to the catalog, publish it, then `pos invoice retry`")
    return code


def blue_lines(lines: list[SaleLineFact], sale_total: int, sale_tax: int,
               tax_codes: dict[str, str]) -> list[InvoiceLine]:
    """The invoice lines of a whole sale (rules INVOICE_SUMS, DISCOUNT_NEXT_TO_LINE)."""
    if sum(ln.total for ln in lines) != sale_total:
        raise InvoiceBuildError("the sale's prices exclude VAT (total = lines + tax): only"
                                " VAT-inclusive sales are invoiced here")
    out: list[InvoiceLine] = []
    for ln in sorted(lines, key=lambda x: x.line_no):
        code = _code(tax_codes, ln)
        if ln.discount == 0:
            out.append(InvoiceLine("normal", ln.line_no, ln.name, code, ln.unit, ln.qty_milli,
                                   ln.total, ln.tax, ln.tax_rate_bp))
            continue
        gross_tax = tax_included(ln.gross, ln.tax_rate_bp)
        out.append(InvoiceLine("discounted", ln.line_no, ln.name, code, ln.unit, ln.qty_milli,
                               ln.gross, gross_tax, ln.tax_rate_bp))
        out.append(InvoiceLine("discount", ln.line_no, ln.name, code, ln.unit, None,
                               -ln.discount, ln.tax - gross_tax, ln.tax_rate_bp))
    if len(out) > MAX_LINES:
        raise InvoiceBuildError(f"{len(out)} invoice lines (discount lines included), the"
                                f" provider takes at most {MAX_LINES}")
    if sum(x.amount for x in out) != sale_total or sum(x.tax for x in out) != sale_tax:
        raise InvoiceBuildError("the sale's lines do not add up to its total and tax")
    return out


def red_lines(returned: list[ReturnLineFact], sale_lines: list[SaleLineFact],
              tax_codes: dict[str, str]) -> list[InvoiceLine]:
    """The red-letter lines for the share of a sale a return gave back."""
    by_no = {ln.line_no: ln for ln in sale_lines}
    out = []
    for r in returned:
        ln = by_no.get(r.sale_line_no)
        if ln is None:
            raise InvoiceBuildError(f"the return names sale line {r.sale_line_no}, which the"
                                    " sale does not have")
        if r.amount == 0:
            continue
        out.append(InvoiceLine("normal", ln.line_no, ln.name, _code(tax_codes, ln), ln.unit,
                               -r.qty_milli, -r.amount, -r.tax, ln.tax_rate_bp))
    return out
