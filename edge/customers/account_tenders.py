"""Tenders paid from an account the till must check before taking them: `points` (the sale's
member's points, rule POINTS_REDEEM in edge/customers/members.py), `stored_value` (a card, rules in
edge/customers/stored_value.py) and `coupon` (an HQ coupon, edge/customers/coupons.py). Checks
only; the movements are written with the sale.

Rule POINTS_ONLINE: with the link up, the till asks HQ for the member's points and a hold on what
the sale takes; the member may spend HQ's balance for this till + this till's movements HQ has
not counted yet (points earned online included). A tender HQ holds is marked approved by `HQ`.
Rule POINTS_OFFLINE: with the link down (or HQ not answering, or not knowing the member yet), the
sale's points may reach the local balance + `[members] offline_points_allowance`; the sale's
member.points then says `offline` and HQ alerts when it takes the member's balance below zero.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from edge.config import StoreConfig
from edge.customers.coupons import HQ_APPROVED, HqLookups, parse_code, taken_here
from edge.customers.members import points_balance, points_for_amount
from edge.customers.stored_value import check_spend
from edge.ledger.hq_link import link_online
from edge.ops_config import StoreOpsConfig, store_ops_config
from edge.sale.basket import Sale
from edge.sale.tenders import TenderError


def check_account_tender(conn: sqlite3.Connection, config: StoreConfig, sale: Sale, type_name: str,
                         amount: int, reference: str | None, hq: HqLookups | None = None,
                         today: date | None = None) -> tuple[str | None, str | None]:
    """(the reference to record with the tender: member id, card number or coupon code; its
    approval code, `HQ` when HQ held it), or TenderError."""
    ops = store_ops_config(config)
    if amount <= 0:
        raise TenderError("invalid_amount", "tender amount must be greater than zero")
    if type_name == "points":
        if sale.member_id is None:
            raise TenderError("no_member", "identify the member before paying with points")
        points = points_for_amount(amount, ops)
        if points is None:
            raise TenderError("invalid_amount", f"{ops.points_per_yuan_redeemed} points pay 1 yuan: "
                                                "the amount must come to whole points")
        in_sale = sum(points_for_amount(t.amount, ops) or 0 for t in sale.tenders
                      if t.type == "points")
        return sale.member_id, _check_points(conn, ops, sale.member_id, points + in_sale, hq)
    if type_name == "stored_value":
        return check_spend(conn, ops, config.terminal_id, sale, reference, amount), None
    if type_name == "coupon":
        return _check_coupon(conn, ops, sale, reference, amount, hq, today or date.today())
    return reference, None


def _check_points(conn: sqlite3.Connection, ops: StoreOpsConfig, member_id: str, points: int,
                  hq: HqLookups | None) -> str | None:
    """POINTS_ONLINE, else POINTS_OFFLINE: the approval code (`HQ` when HQ holds them)."""
    answer = hq.points(member_id, points) if hq is not None and link_online(conn) else None
    if answer is not None:
        later = int(conn.execute("SELECT COALESCE(SUM(points), 0) FROM points_movement"
                                 " WHERE member_id = ? AND event_seq > ?",
                                 (member_id, answer.through_seq)).fetchone()[0])
        if answer.held < points or points > answer.balance + later:
            raise TenderError("insufficient_points", "the member does not have enough points")
        return HQ_APPROVED
    if points > points_balance(conn, member_id) + ops.offline_points_allowance:
        raise TenderError("insufficient_points", "the member does not have enough points"
                          " (HQ cannot be asked: local points and the offline allowance only)")
    return None


def _check_coupon(conn: sqlite3.Connection, ops: StoreOpsConfig, sale: Sale, code: object,
                  amount: int, hq: HqLookups | None, today: date) -> tuple[str, str | None]:
    """COUPON_OFFLINE and HQ's word (edge/customers/coupons.py)."""
    coupon = parse_code(code)
    if coupon is None:
        raise TenderError("unknown_coupon", "not an HQ coupon code")
    if coupon.code in (t.reference for t in sale.tenders if t.type == "coupon") \
            or taken_here(conn, coupon.code):
        raise TenderError("coupon_redeemed", "this coupon was redeemed already")
    if today > coupon.last_day:
        raise TenderError("coupon_expired", "the coupon has expired")
    if amount > coupon.value:
        raise TenderError("invalid_amount", "a coupon pays at most its value")
    answer = hq.coupon(coupon.code) if hq is not None and link_online(conn) else None
    if answer is not None:
        if answer.state != "ok":
            raise TenderError(f"coupon_{answer.state}", {
                "redeemed": "HQ says this coupon was redeemed already",
                "expired": "HQ says the coupon has expired",
                "held": "another till is redeeming this coupon now",
            }.get(answer.state, "HQ issued no such coupon"))
        if answer.value != coupon.value:
            raise TenderError("unknown_coupon", "HQ knows this coupon with another value")
        return coupon.code, HQ_APPROVED
    if coupon.value > ops.offline_coupon_limit:
        raise TenderError("offline_coupon_limit", "HQ cannot be asked: a coupon above the offline"
                                                  " limit must wait for the link")
    return coupon.code, None
