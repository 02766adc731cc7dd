"""`pos orders list|pick|done|handover`: online orders at this store (edge/orders/), thin over the
same functions the manager app, the till and the headless protocol call."""

from __future__ import annotations

import argparse
import json
import sqlite3

from cli._options import add_store_options, open_configured_store
from cli.main import CommandError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("orders", help="online orders to pick and hand over here")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="orders still to pick or hand over, by pickup slot")
    add_store_options(listing)
    listing.add_argument("--json", action="store_true", help="print as JSON")
    listing.set_defaults(run=run_list)
    pick = actions.add_parser("pick", help="pick one line of an order by the scanned product")
    add_store_options(pick)
    pick.add_argument("order", help="the order id, pickup code or PU:<order id>")
    pick.add_argument("line", type=int, help="the order's line number")
    pick.add_argument("scanned", help="the product's SKU or barcode as scanned")
    pick.add_argument("--qty", default="1",
                      help="pieces, or the actual weight in kg (e.g. 1.120); 0 records a shortage")
    pick.set_defaults(run=run_pick)
    done = actions.add_parser("done", help="finish picking an order: what is not picked is short")
    add_store_options(done)
    done.add_argument("order", help="the order id, pickup code or PU:<order id>")
    done.add_argument("--staff", default="cli", help="staff id recorded with the pick")
    done.set_defaults(run=run_done)
    handover = actions.add_parser("handover", help="hand a picked order over (核销), once")
    add_store_options(handover)
    handover.add_argument("code", help="the pickup code, PU:<order id> or the order id")
    handover.add_argument("--sale", default=None,
                          help="the till sale that took a pay-at-pickup order's money")
    handover.add_argument("--staff", default="cli", help="staff id recorded with the handover")
    handover.set_defaults(run=run_handover)


def _order_id(conn: sqlite3.Connection, text: str) -> str:
    from edge.orders.orders import find_order

    return find_order(conn, text).order.order_id


def run_list(args: argparse.Namespace) -> int:
    from edge.ledger.money import format_amount, format_quantity
    from edge.orders.orders import describe, open_orders

    conn, config = open_configured_store(args)
    found = [describe(o) for o in open_orders(conn)]
    if args.json:
        print(json.dumps(found, ensure_ascii=False))
        return 0
    for o in found:
        pay = "paid" if o["paid_online"] else f"due {format_amount(o['amount_due'], config.minor_digits)}"
        print(f"{o['slot_end']}  {o['order_id']}  code {o['pickup_code']}  {o['state']:<8}  {pay}")
        for ln in o["lines"]:
            print(f"    {ln['line']:>3}  {ln['sku']:<14} {ln['name']:<20} ordered"
                  f" {format_quantity(ln['ordered'])}  picked {format_quantity(ln['picked'])}")
    return 0


def run_pick(args: argparse.Namespace) -> int:
    from edge.ledger.money import MoneyError, format_amount, format_quantity, parse_quantity
    from edge.ops_error import OpsError
    from edge.orders.picking import pick_line

    conn, config = open_configured_store(args)
    try:
        qty = 0 if args.qty.strip() in ("0", "0.0", "0.000") else parse_quantity(args.qty)
        sku, qty, amount = pick_line(conn, _order_id(conn, args.order), args.line, args.scanned,
                                     qty)
    except (OpsError, MoneyError) as exc:
        raise CommandError(str(exc)) from None
    print(f"line {args.line}: {sku} {format_quantity(qty)} = "
          f"{format_amount(amount, config.minor_digits)}")
    return 0


def run_done(args: argparse.Namespace) -> int:
    from edge.ops_error import OpsError
    from edge.orders.picking import finish_picking

    conn, _ = open_configured_store(args)
    try:
        seq = finish_picking(conn, args.staff, _order_id(conn, args.order))
    except OpsError as exc:
        raise CommandError(str(exc)) from None
    print(f"picked (event {seq})")
    return 0


def run_handover(args: argparse.Namespace) -> int:
    from edge.ops_error import OpsError
    from edge.orders.orders import hand_over

    conn, _ = open_configured_store(args)
    try:
        seq = hand_over(conn, args.staff, args.code, args.sale)
    except OpsError as exc:
        raise CommandError(str(exc)) from None
    print(f"handed over (event {seq})")
    return 0
