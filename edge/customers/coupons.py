"""HQ's member coupons (会员券) at the till: a code that says its value and last day, checked with
HQ while online (a look-up that holds it for this terminal) and taken within the till's own rules
while offline; taken as the `coupon` tender, and reported to HQ as `coupon.redeemed` with the sale.

Rule COUPON_CODE: `HQ-<value in fen>-<last day YYYYMMDD>-<8 letters of base32>`; HQ makes the
codes (hq/loyalty/), so the till can read value and expiry even when it cannot ask. The last day
is the till's date; HQ counts it to midnight UTC at its end (the fact's own time).
Rule COUPON_OFFLINE: offline (or HQ unreachable), the till takes an HQ coupon only if its code
reads right, its last day has not passed by the till's clock, its value is within
`[members] offline_coupon_limit`, and this till has not taken it before. HQ accepts the first
redemption of a code across all stores and the online channel and flags every other one.
Rule COUPON_TENDER: a coupon pays at most the amount still due and at most its value; whatever
of its value is left is forfeit (a coupon is redeemed once).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from edge.ledger.outbox import append_event
from edge.sale.basket import Sale

HQ_APPROVED = "HQ"  # a points or coupon tender's approval code when HQ held it for this till
_CODE = re.compile(r"^HQ-([1-9][0-9]{0,5})-([0-9]{8})-([A-Z2-7]{8})$")


@dataclass(frozen=True)
class CouponCode:
    code: str
    value: int       # fen
    last_day: date


def parse_code(code: object) -> CouponCode | None:
    """The coupon an HQ code names, or None when `code` is not one (COUPON_CODE)."""
    if not isinstance(code, str):
        return None
    m = _CODE.match(code.strip())
    if m is None:
        return None
    try:
        last = datetime.strptime(m.group(2), "%Y%m%d").date()
    except ValueError:
        return None
    return CouponCode(code.strip(), int(m.group(1)), last)


def make_code(value: int, last_day: date, tail: str) -> str:
    code = f"HQ-{value}-{last_day:%Y%m%d}-{tail}"
    if parse_code(code) is None:
        raise ValueError(f"not a coupon code: {code!r}")
    return code


@dataclass(frozen=True)
class CouponAnswer:
    """HQ's word on a coupon for this terminal: `state` is ok (now held for this terminal),
    redeemed, expired, held (by another terminal) or unknown."""
    state: str
    value: int = 0
    member_id: str | None = None


@dataclass(frozen=True)
class PointsAnswer:
    """HQ's word on a member's points for this terminal: the balance counting this terminal's
    movements up to `through_seq` (the till adds its later ones), and how many points HQ now
    holds for this terminal (0: it could not hold what was asked)."""
    balance: int
    through_seq: int
    held: int


class HqLookups(Protocol):
    """What the till may ask HQ (cloud_sync/lookup.py answers it); None: HQ could not be asked."""

    def points(self, member_id: str, hold: int) -> PointsAnswer | None: ...

    def coupon(self, code: str) -> CouponAnswer | None: ...


def taken_here(conn: sqlite3.Connection, code: str) -> bool:
    return conn.execute("SELECT 1 FROM sale_tender t JOIN sale s ON s.id = t.sale_id"
                        " WHERE t.type = 'coupon' AND t.reference = ? AND s.status = 'completed'",
                        (code,)).fetchone() is not None


def record_sale_coupons(conn: sqlite3.Connection, sale: Sale) -> None:
    """Inside the sale's transaction: one `coupon.redeemed` per coupon tender."""
    if sale.status != "completed":
        return
    for t in sale.tenders:
        coupon = parse_code(t.reference) if t.type == "coupon" else None
        if coupon is None:
            continue
        append_event(conn, "coupon.redeemed", {
            "code": coupon.code, "sale_id": sale.id, "value": coupon.value, "amount": t.amount,
            "terminal_id": sale.terminal_id, "offline": t.approval_code != HQ_APPROVED})
