"""`pos member add|show|list|issue-card|card`: members, points and stored-value cards."""

from __future__ import annotations

import argparse

from cli._options import add_store_options, open_configured_store
from cli.main import CommandError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("member", help="members, points and stored-value cards")
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="register a member")
    add_store_options(add)
    add.add_argument("--tier", required=True, choices=["silver", "gold", "diamond"],
                     help="the member's tier")
    add.add_argument("--card", help="member card number")
    add.add_argument("--phone", help="11-digit mobile number")
    add.add_argument("--qr", help="member QR token")
    add.add_argument("--name", default="", help="the member's name (optional)")
    add.add_argument("--staff", default="cli", help="who registers (journaled)")
    add.set_defaults(run=run_add)
    show = actions.add_parser("show", help="a member by card number, phone or QR (phone masked)")
    add_store_options(show)
    show.add_argument("token", help="card number, phone or member QR code")
    show.set_defaults(run=run_show)
    listing = actions.add_parser("list", help="every member (phones masked)")
    add_store_options(listing)
    listing.set_defaults(run=run_list)
    issue = actions.add_parser("issue-card", help="register a stored-value card (balance 0)")
    add_store_options(issue)
    issue.add_argument("card", help="the new stored-value card's number")
    issue.add_argument("--member", help="the owner's card number, phone or QR")
    issue.add_argument("--staff", default="cli", help="staff id recorded with the issue")
    issue.set_defaults(run=run_issue)
    card = actions.add_parser("card", help="a stored-value card's balance (local view)")
    add_store_options(card)
    card.add_argument("card", help="the stored-value card number")
    card.set_defaults(run=run_card)


def _line(member: object) -> str:
    from edge.customers.members import Member

    assert isinstance(member, Member)
    view = member.view()
    return "\t".join("-" if view[k] in (None, "") else str(view[k])
                     for k in ("card_no", "phone", "tier", "points", "name"))


def run_add(args: argparse.Namespace) -> int:
    from edge.customers.members import register_member
    from edge.ops_error import OpsError

    conn, _ = open_configured_store(args)
    try:
        member = register_member(conn, args.staff, args.tier, args.name, args.card, args.phone,
                                 args.qr)
    except OpsError as exc:
        raise CommandError(f"{exc.code}: {exc}") from None
    print(f"registered {_line(member)}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from edge.customers.members import identify
    from edge.ops_error import OpsError

    conn, _ = open_configured_store(args)
    try:
        print(_line(identify(conn, args.token)))
    except OpsError as exc:
        raise CommandError(f"{exc.code}: {exc}") from None
    return 0


def run_list(args: argparse.Namespace) -> int:
    from edge.customers.members import list_members

    conn, _ = open_configured_store(args)
    for member in list_members(conn):
        print(_line(member))
    return 0


def run_issue(args: argparse.Namespace) -> int:
    from edge.customers.members import identify
    from edge.customers.stored_value import issue_card
    from edge.ops_error import OpsError

    conn, _ = open_configured_store(args)
    try:
        owner = identify(conn, args.member).id if args.member else None
        issue_card(conn, args.staff, args.card, owner)
    except OpsError as exc:
        raise CommandError(f"{exc.code}: {exc}") from None
    print(f"card {args.card} issued")
    return 0


def run_card(args: argparse.Namespace) -> int:
    from edge.customers.stored_value import balance
    from edge.ledger.money import format_amount
    from edge.ops_error import OpsError

    conn, _ = open_configured_store(args)
    try:
        card = balance(conn, args.card)
    except OpsError as exc:
        raise CommandError(f"{exc.code}: {exc}") from None
    print(f"{card.card_no}\tbalance {format_amount(card.balance)}\tunconfirmed offline "
          f"{format_amount(card.unconfirmed_offline)}\tlocked by {card.locked_by or '-'}")
    return 0
