"""VAT per line. Rates are integer basis points (13 % = 1300).

Rule (TAX_PER_LINE): tax is computed on each line's final total, rounded HALF_UP, and the sale's
tax is the sum of its lines, so the receipt's per-rate summary always adds up to the sale's tax.
- prices include VAT (China's default): tax = total × rate / (1 + rate)
- prices exclude VAT: tax = total × rate, added on top of the line totals
"""

from __future__ import annotations

from edge.ledger.money import div_half_up

BASIS = 10_000


def tax_included(total: int, rate_bp: int) -> int:
    """The VAT contained in a VAT-inclusive amount."""
    return div_half_up(total * rate_bp, BASIS + rate_bp)


def tax_on_net(net: int, rate_bp: int) -> int:
    """The VAT to add to a net amount."""
    return div_half_up(net * rate_bp, BASIS)


def line_tax(total: int, rate_bp: int, prices_include_tax: bool) -> int:
    return tax_included(total, rate_bp) if prices_include_tax else tax_on_net(total, rate_bp)
