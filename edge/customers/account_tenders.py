"""Tenders paid from an account the till must check before taking them: `points` (the sale's
member's points, rule POINTS_REDEEM in edge/customers/members.py) and `stored_value` (a card, rules in
edge/customers/stored_value.py). Checks only; the movements are written with the sale.
"""

from __future__ import annotations

import sqlite3

from edge.config import StoreConfig
from edge.customers.members import points_balance, points_for_amount
from edge.customers.stored_value import check_spend
from edge.ops_config import store_ops_config
from edge.sale.basket import Sale
from edge.sale.tenders import TenderError


def check_account_tender(conn: sqlite3.Connection, config: StoreConfig, sale: Sale, type_name: str,
                         amount: int, reference: str | None) -> str | None:
    """The reference to record with the tender (member id or card number), or TenderError."""
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
        if points + in_sale > points_balance(conn, sale.member_id):
            raise TenderError("insufficient_points", "the member does not have enough points")
        return sale.member_id
    if type_name == "stored_value":
        return check_spend(conn, ops, config.terminal_id, sale, reference, amount)
    return reference
