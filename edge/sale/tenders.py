"""Tender rules: which tenders give change, which are cash-rounded, how a card result is recorded.

Rule CASH_ROUNDING_ON_CASH_ONLY: rounding applies only when a cash tender settles the rest of the
sale; the amount due in cash is the remaining amount rounded by the store's rule, the difference
is recorded as the sale's `rounding`. Card and other tenders must match the remaining amount or
less, to the fen, and never give change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from edge.config import CashRounding
from edge.sale.basket import Sale, Tender


@dataclass(frozen=True)
class TenderType:
    name: str
    gives_change: bool
    cash_rounding: bool
    needs_card_result: bool = False
    needs_account: bool = False      # paid from points or a stored-value card: checked by the till


TENDER_TYPES = {
    "cash": TenderType("cash", gives_change=True, cash_rounding=True),
    "card": TenderType("card", gives_change=False, cash_rounding=False, needs_card_result=True),
    "mobile": TenderType("mobile", gives_change=False, cash_rounding=False),
    "other": TenderType("other", gives_change=False, cash_rounding=False),
    "stored_value": TenderType("stored_value", gives_change=False, cash_rounding=False,
                               needs_account=True),
    "points": TenderType("points", gives_change=False, cash_rounding=False, needs_account=True),
    # An HQ member coupon (edge/customers/coupons.py): its code is the reference.
    "coupon": TenderType("coupon", gives_change=False, cash_rounding=False, needs_account=True),
}

_MASKED_PAN = re.compile(r"^\d{0,6}[*Xx]{2,13}\d{4}$")
_APPROVAL_CODE = re.compile(r"^[0-9A-Za-z]{1,12}$")


class TenderError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def cash_due(sale: Sale, rounding: CashRounding) -> int:
    """What the customer owes if they pay the rest in cash."""
    return rounding.apply(sale.remaining)


def apply_tender(sale: Sale, type_name: str, amount: int, rounding: CashRounding,
                 reference: str | None = None, approval_code: str | None = None,
                 masked_pan: str | None = None) -> bool:
    """Add a tender to an open sale; True when the sale is now fully paid.

    Validates everything before changing the sale, so a refused tender changes nothing.
    """
    kind = TENDER_TYPES.get(type_name)
    if kind is None:
        raise TenderError("bad_request", f"unknown tender type {type_name!r} "
                                         f"(known: {', '.join(TENDER_TYPES)})")
    if amount <= 0:
        raise TenderError("invalid_amount", "tender amount must be greater than zero")
    remaining = sale.remaining
    if remaining <= 0:
        raise TenderError("nothing_due", "nothing is due on this sale")
    if kind.needs_card_result:
        _check_card_result(approval_code, masked_pan)
    tender = Tender(len(sale.tenders) + 1, type_name, amount, reference, approval_code, masked_pan)
    if kind.cash_rounding:
        due = rounding.apply(remaining)
        if amount >= due:
            sale.tenders.append(tender)
            sale.rounding += due - remaining
            sale.change = amount - due
            return True
        if amount >= remaining:
            raise TenderError("invalid_amount", f"cash due is {due} fen after cash rounding")
        sale.tenders.append(tender)
        rest = remaining - amount
        if rounding.apply(rest) == 0:
            sale.rounding -= rest
            return True
        return False
    if amount > remaining:
        raise TenderError("overpayment", f"{type_name} cannot pay more than the {remaining} fen "
                                         "due and gives no change")
    sale.tenders.append(tender)
    return amount == remaining


def _check_card_result(approval_code: str | None, masked_pan: str | None) -> None:
    if not approval_code or not _APPROVAL_CODE.match(approval_code):
        raise TenderError("bad_request", "a card tender needs the terminal's approval_code")
    if not masked_pan or not _MASKED_PAN.match(masked_pan):
        raise TenderError("full_pan_refused" if masked_pan and masked_pan.isdigit() else "bad_request",
                          "card number must be masked (at most the first 6 and last 4 digits, "
                          "e.g. 622202******1234); a full card number is never stored")
