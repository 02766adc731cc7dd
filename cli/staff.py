"""`pos staff add|list|unlock`: employees, roles and PINs."""

from __future__ import annotations

import argparse
import getpass

from cli._options import add_store_options, open_configured_store
from cli.main import CommandError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("staff", help="employees and PINs")
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add an employee")
    add_store_options(add)
    add.add_argument("id", help="the staff number they log in with")
    add.add_argument("--name", required=True, help="the name shown on screens and receipts")
    add.add_argument("--role", required=True, choices=["cashier", "supervisor", "manager"],
                     help="what they may do")
    add.add_argument("--pin", help="4-12 digits (asked for when omitted)")
    add.set_defaults(run=run_add)
    listing = actions.add_parser("list", help="list employees")
    add_store_options(listing)
    listing.set_defaults(run=run_list)
    unlock = actions.add_parser("unlock", help="unlock an employee locked by wrong PINs")
    add_store_options(unlock)
    unlock.add_argument("id", help="the locked staff number")
    unlock.set_defaults(run=run_unlock)


def run_add(args: argparse.Namespace) -> int:
    from edge.staff import StaffError, add_staff

    conn, _ = open_configured_store(args)
    pin = args.pin or getpass.getpass("PIN: ")
    try:
        add_staff(conn, args.id, args.name, args.role, pin)
    except StaffError as exc:
        raise CommandError(str(exc)) from None
    print(f"added {args.role} {args.id} {args.name}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from edge.staff import list_staff

    conn, _ = open_configured_store(args)
    for member, locked in list_staff(conn):
        state = "\tlocked" if locked else ""
        print(f"{member.id}\t{member.role}\t{member.name}{state}")
    return 0


def run_unlock(args: argparse.Namespace) -> int:
    from edge.staff import StaffError, unlock_staff

    conn, _ = open_configured_store(args)
    try:
        unlock_staff(conn, args.id)
    except StaffError as exc:
        raise CommandError(str(exc)) from None
    print(f"unlocked {args.id}")
    return 0
