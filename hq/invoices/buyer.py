"""Who an invoice is made out to, checked before anything is stored.

Rule BUYER_TAX_ID: a company's taxpayer id (纳税人识别号) is its 18-character unified social
credit code (统一社会信用代码, GB 32100-2015), check character included; a person gives none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from edge.safe_text import first_control

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"   # no I, O, Z, S, V
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
MAX_TITLE = 100
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,24}$")
_PHONE = re.compile(r"^1[3-9][0-9]{9}$")


class InvoiceRequestError(ValueError):
    """A request HQ refuses, with a code (for the page and the CLI) and a reason a person reads."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Buyer:
    title: str          # 抬头: the company's or the person's name
    tax_id: str         # '' for a person
    email: str
    phone: str


def uscc_error(code: str) -> str | None:
    """Why `code` is not a unified social credit code, or None when it is one."""
    if len(code) != 18:
        return f"a taxpayer id has 18 characters, this one {len(code)}"
    bad = next((c for c in code if c not in USCC_CHARS), None)
    if bad is not None:
        return f"a taxpayer id holds digits and capitals other than I, O, Z, S, V, not {bad!r}"
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    expected = USCC_CHARS[(31 - total % 31) % 31]
    if code[17] != expected:
        return "the taxpayer id's check character is wrong (a typo?)"
    return None


def parse_buyer(title: str, tax_id: str = "", email: str = "", phone: str = "") -> Buyer:
    title, tax_id = title.strip(), tax_id.strip().upper()
    email, phone = email.strip(), phone.strip().replace(" ", "").replace("-", "")
    for name, value in (("title", title), ("tax_id", tax_id), ("email", email),
                        ("phone", phone)):
        if first_control(value) is not None or len(value) > 200:
            raise InvoiceRequestError("bad_request", f"{name}: control characters or too long")
    if not title:
        raise InvoiceRequestError("title_required", "the invoice title (抬头) is empty")
    if len(title) > MAX_TITLE:
        raise InvoiceRequestError("title_too_long",
                                  f"the invoice title has {len(title)} characters, at most"
                                  f" {MAX_TITLE}")
    if tax_id:
        reason = uscc_error(tax_id)
        if reason:
            raise InvoiceRequestError("bad_tax_id", f"taxpayer id {tax_id!r}: {reason}")
    if not email and not phone:
        raise InvoiceRequestError("contact_required",
                                  "give an email or a mobile number to receive the invoice")
    if email and not _EMAIL.match(email):
        raise InvoiceRequestError("bad_email", f"{email!r} is not an email address")
    if phone and not _PHONE.match(phone):
        raise InvoiceRequestError("bad_phone", f"{phone!r} is not a mainland mobile number")
    return Buyer(title, tax_id, email, phone)
