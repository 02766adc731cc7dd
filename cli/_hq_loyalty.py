"""`pos hq points` and `pos hq coupon`: a member's points and coupons at HQ, the online channel's
side (hq/loyalty/online.py). Kept apart from cli/hq.py, which only hooks it in."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from cli.main import CommandError


def add_loyalty_commands(sub: Any, db_option: Callable[[argparse.ArgumentParser], None]) -> None:
    points = sub.add_parser("points", help="a member's points at HQ: earned or spent online,"
                                           " and the balance")
    verbs = points.add_subparsers(dest="points_command", required=True, metavar="POINTS_COMMAND")
    for verb, text in (("earn", "points the member earned online"),
                       ("spend", "points the member spends online (within what tills do not"
                                 " hold)")):
        p = verbs.add_parser(verb, help=text)
        db_option(p)
        p.add_argument("--member", required=True, help="the member id")
        p.add_argument("--points", type=int, required=True, help="whole points, > 0")
        p.add_argument("--reference", required=True,
                       help="the channel's id for it (an order number): asking again is a no-op")
        p.set_defaults(run=run_points)
    balance = verbs.add_parser("balance", help="the member's balance, held and available")
    db_option(balance)
    balance.add_argument("--member", required=True, help="the member id")
    balance.set_defaults(run=run_points)

    coupon = sub.add_parser("coupon", help="member coupons HQ issues, redeemed once anywhere")
    cverbs = coupon.add_subparsers(dest="coupon_command", required=True,
                                   metavar="COUPON_COMMAND")
    issue = cverbs.add_parser("issue", help="issue a coupon to a member; prints its code")
    db_option(issue)
    issue.add_argument("--member", required=True, help="the member id")
    issue.add_argument("--value", required=True, help="its value in yuan, e.g. 20.00")
    issue.add_argument("--expires", required=True, help="its last day, YYYY-MM-DD")
    issue.set_defaults(run=run_coupon)
    redeem = cverbs.add_parser("redeem", help="redeem a coupon for an online order")
    db_option(redeem)
    redeem.add_argument("code", help="the coupon's code")
    redeem.add_argument("--reference", required=True, help="the channel's order id")
    redeem.set_defaults(run=run_coupon)
    alerts = cverbs.add_parser("alerts", help="points below zero and coupons redeemed twice")
    db_option(alerts)
    alerts.add_argument("--limit", type=int, default=100, help="the latest N (default 100)")
    alerts.set_defaults(run=run_coupon)


def _fen(text: str) -> int:
    from edge.ledger.money import MoneyError, parse_amount

    try:
        return parse_amount(text, 2)
    except MoneyError as exc:
        raise CommandError(f"--value: {exc}") from None


def run_points(args: argparse.Namespace) -> int:
    from hq.loyalty import online
    from hq.storage import open_storage

    storage = open_storage(args.db)
    try:
        if args.points_command == "balance":
            b = online.points_balance(storage, args.member)
            print(json.dumps({"member_id": b.member_id, "balance": b.balance, "held": b.held,
                              "available": b.available}))
            return 0
        move = online.earn_points if args.points_command == "earn" else online.spend_points
        balance = move(storage, args.member, args.points, args.reference)
    except online.LoyaltyRefused as exc:
        raise CommandError(str(exc)) from None
    finally:
        storage.close()
    print(json.dumps({"member_id": args.member, "balance": balance}))
    return 0


def run_coupon(args: argparse.Namespace) -> int:
    from hq.loyalty import online
    from hq.storage import open_storage

    storage = open_storage(args.db)
    try:
        if args.coupon_command == "issue":
            try:
                last_day = date.fromisoformat(args.expires)
            except ValueError:
                raise CommandError("--expires: give the last day as YYYY-MM-DD") from None
            print(online.issue_coupon(storage, args.member, _fen(args.value), last_day))
        elif args.coupon_command == "redeem":
            value = online.redeem_coupon(storage, args.code, args.reference)
            print(json.dumps({"code": args.code, "value": value}))
        else:
            for at, where, about, detail in online.loyalty_alerts(storage, args.limit):
                print(f"{at}  {where or 'online'}  {about or ''}  {detail}")
    except online.LoyaltyRefused as exc:
        raise CommandError(str(exc)) from None
    finally:
        storage.close()
    return 0
