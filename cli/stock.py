"""`pos stock onhand|alerts|receive|level|count-start|counts|variance|approve|transfers|ship|
receive-transfer`: the stock ledger, and transfers between stores sent by HQ."""

from __future__ import annotations

import argparse
import getpass

from cli._options import add_store_options, open_configured_store
from cli.main import CommandError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("stock", help="stock on hand, receipts, counts, replenishment")
    actions = parser.add_subparsers(dest="action", required=True)
    onhand = actions.add_parser("onhand", help="on-hand quantity of SKUs")
    add_store_options(onhand)
    onhand.add_argument("sku", nargs="+", help="one or more SKUs")
    onhand.set_defaults(run=run_onhand)
    alerts = actions.add_parser("alerts", help="negative stock and low-stock order suggestions")
    add_store_options(alerts)
    alerts.set_defaults(run=run_alerts)
    receive = actions.add_parser("receive", help="a supplier receipt: SKU=QTY ...")
    add_store_options(receive)
    receive.add_argument("items", nargs="+", metavar="SKU=QTY",
                         help="what arrived: SKU=QTY, QTY in pieces or kg (e.g. P00001=24)")
    receive.add_argument("--reference", default="", help="delivery note / PO number")
    receive.add_argument("--staff", default="cli", help="staff id recorded with the receipt")
    receive.set_defaults(run=run_receive)
    level = actions.add_parser("level", help="set a SKU's min/max for replenishment")
    add_store_options(level)
    level.add_argument("sku", help="the SKU")
    level.add_argument("--min", required=True, help="order when on-hand falls to this quantity")
    level.add_argument("--max", required=True, help="never order above this quantity on hand")
    level.add_argument("--lead-days", type=int, default=2,
                       help="days from order to delivery (default 2)")
    level.set_defaults(run=run_level)
    start = actions.add_parser("count-start", help="open a stock count (full, or one category)")
    add_store_options(start)
    start.add_argument("--category", help="count only this category (default: everything)")
    start.add_argument("--staff", default="cli", help="staff id who counts")
    start.set_defaults(run=run_count_start)
    counts = actions.add_parser("counts", help="every stock count, newest first, open or approved")
    add_store_options(counts)
    counts.set_defaults(run=run_counts)
    var = actions.add_parser("variance", help="a count's variance report")
    add_store_options(var)
    var.add_argument("count", help="the count id (pos stock counts lists them)")
    var.set_defaults(run=run_variance)
    approve = actions.add_parser("approve", help="post a count's variances (supervisor)")
    add_store_options(approve)
    approve.add_argument("count", help="the count id (pos stock counts lists them)")
    approve.add_argument("--staff", required=True, help="the approving supervisor's staff id")
    approve.add_argument("--pin", help="the supervisor's PIN (asked for when left out)")
    approve.add_argument("--uncounted", choices=("leave", "zero"), default="leave",
                         help="items in scope never counted: leave their stock as it is"
                              " (default), or set it to zero")
    approve.set_defaults(run=run_approve)
    transfers = actions.add_parser("transfers", help="transfers HQ sent this store: to ship or to"
                                                     " receive (--all: done ones too)")
    add_store_options(transfers)
    transfers.add_argument("--all", action="store_true", help="also those already recorded")
    transfers.set_defaults(run=run_transfers)
    ship = actions.add_parser("ship", help="ship a transfer HQ sent: every line out of this store")
    add_store_options(ship)
    ship.add_argument("transfer", help="the transfer id (pos stock transfers lists them)")
    ship.add_argument("--staff", default="cli", help="staff id recorded with the shipment")
    ship.set_defaults(run=run_ship)
    take = actions.add_parser("receive-transfer", help="receive a transfer from another store,"
                                                       " as counted on arrival")
    add_store_options(take)
    take.add_argument("transfer", help="the transfer id (pos stock transfers lists them)")
    take.add_argument("counted", nargs="*", metavar="SKU=QTY",
                      help="what arrived, when it differs from what was sent (default: as sent)")
    take.add_argument("--staff", default="cli", help="staff id recorded with the receipt")
    take.set_defaults(run=run_receive_transfer)


def _qty(text: str) -> int:
    from edge.ledger.money import MoneyError, parse_quantity

    try:
        return parse_quantity(text)
    except MoneyError as exc:
        raise CommandError(str(exc)) from None


def _signed(qty: int) -> str:
    from edge.ledger.money import format_quantity

    return ("-" if qty < 0 else "") + format_quantity(abs(qty)) if qty else "0"


def run_onhand(args: argparse.Namespace) -> int:
    from edge.store_ops.stock import on_hand

    conn, _ = open_configured_store(args)
    for sku in args.sku:
        print(f"{sku}\t{_signed(on_hand(conn, sku))}")
    return 0


def run_alerts(args: argparse.Namespace) -> int:
    from edge.ops_config import store_ops_config
    from edge.store_ops.stock import negative_stock, suggestions

    conn, config = open_configured_store(args)
    for sku, qty in negative_stock(conn):
        print(f"NEGATIVE\t{sku}\t{_signed(qty)}")
    for s in suggestions(conn, store_ops_config(config)):
        print(f"LOW\t{s.sku}\ton hand {_signed(s.on_hand)}\tmin {_signed(s.min_qty)}"
              f"\tmax {_signed(s.max_qty)}\torder {_signed(s.order_qty)}")
    return 0


def parse_items(texts: list[str]) -> list[tuple[str, int]]:
    """SKU=QTY words as (sku, qty_milli)."""
    items = []
    for item in texts:
        sku, sep, qty = item.partition("=")
        if not sep:
            raise CommandError(f"{item}: write SKU=QTY")
        items.append((sku, _qty(qty)))
    return items


def run_receive(args: argparse.Namespace) -> int:
    from edge.ops_error import OpsError
    from edge.store_ops.stock import move

    items = parse_items(args.items)
    conn, _ = open_configured_store(args)
    try:
        seq = move(conn, args.staff, "receipt", items, args.reference)
    except OpsError as exc:
        raise CommandError(f"{exc.code}: {exc}") from None
    print(f"received {len(items)} items (event {seq})")
    return 0


def run_level(args: argparse.Namespace) -> int:
    from edge.ops_error import OpsError
    from edge.store_ops.stock import set_level

    conn, _ = open_configured_store(args)
    try:
        set_level(conn, args.sku, _qty(args.min), _qty(args.max), args.lead_days)
    except OpsError as exc:
        raise CommandError(f"{exc.code}: {exc}") from None
    print(f"{args.sku}: min {args.min}, max {args.max}, lead time {args.lead_days} days")
    return 0


def run_count_start(args: argparse.Namespace) -> int:
    from edge.store_ops.stock import start_count

    conn, _ = open_configured_store(args)
    print(start_count(conn, args.staff, args.category))
    return 0


def _print_variance(lines: list[object]) -> None:
    from edge.ledger.money import format_amount
    from edge.store_ops.stock import VarianceLine

    for ln in lines:
        assert isinstance(ln, VarianceLine)
        counted = "not counted" if ln.counted is None else _signed(ln.counted)
        print(f"{ln.sku}\t{ln.name}\texpected {_signed(ln.expected)}\tcounted {counted}"
              f"\tvariance {_signed(ln.variance)}\t{format_amount(ln.value)}")


def run_variance(args: argparse.Namespace) -> int:
    from edge.ops_error import OpsError
    from edge.store_ops.stock import variance

    conn, _ = open_configured_store(args)
    try:
        _print_variance(list(variance(conn, args.count)))
    except OpsError as exc:
        raise CommandError(f"{exc.code}: {exc}") from None
    return 0


def run_approve(args: argparse.Namespace) -> int:
    from edge.ledger.money import format_amount
    from edge.ops_error import OpsError
    from edge.staff import StaffError, authenticate
    from edge.store_ops.stock import approval_summary, approve_count

    conn, _ = open_configured_store(args)
    try:
        staff = authenticate(conn, args.staff, args.pin or getpass.getpass("PIN: "))
        summary = approval_summary(conn, args.count)
        _print_variance(list(approve_count(conn, args.count, staff.id, staff.role,
                                           args.uncounted)))
        fate = "set to zero" if args.uncounted == "zero" else "left as they were"
        print(f"{summary.items_counted} items counted, variance value"
              f" {format_amount(summary.variance_value)}; {len(summary.uncounted)} uncounted"
              f" items (stock value {format_amount(summary.uncounted_value)}) {fate}")
    except StaffError as exc:
        raise CommandError(str(exc)) from None
    except OpsError as exc:
        raise CommandError(f"{exc.code}: {exc}") from None
    return 0


def run_counts(args: argparse.Namespace) -> int:
    from edge.store_ops.stock import counts

    conn, _ = open_configured_store(args)
    found = counts(conn)
    for c in found:
        scope = c.category if c.scope == "category" else "full"
        state = f"approved by {c.approved_by}" if c.approved_by else "open"
        print(f"{c.id}\t{c.started_at[:16].replace('T', ' ')}\t{scope}\t"
              f"{c.items_counted} items\tby {c.staff_id}\t{state}")
    if not found:
        print("no stock counts yet")
    return 0


def run_transfers(args: argparse.Namespace) -> int:
    from edge.store_ops.transfers import transfers_at

    conn, config = open_configured_store(args)
    for t in transfers_at(conn, config.store_id, open_only=not args.all):
        side = (f"to ship to {t.transfer.to_store}" if t.direction == "out"
                else f"to receive from {t.transfer.from_store}")
        state = f"done (event {t.done_seq})" if t.done_seq is not None else (
            "cancelled" if t.transfer.cancelled else side)
        lines = ", ".join(f"{sku}={_signed(qty)}" for sku, qty in t.transfer.lines)
        print(f"{t.transfer.transfer_id}\t{state}\t{lines}")
    return 0


def run_ship(args: argparse.Namespace) -> int:
    from edge.ops_error import OpsError
    from edge.store_ops.transfers import ship

    conn, config = open_configured_store(args)
    try:
        seq = ship(conn, config.store_id, args.staff, args.transfer)
    except OpsError as exc:
        raise CommandError(f"{exc.code}: {exc}") from None
    print(f"shipped {args.transfer} (event {seq})")
    return 0


def run_receive_transfer(args: argparse.Namespace) -> int:
    from edge.ops_error import OpsError
    from edge.store_ops.transfers import receive

    counted = dict(parse_items(args.counted)) if args.counted else None
    conn, config = open_configured_store(args)
    try:
        seq = receive(conn, config.store_id, args.staff, args.transfer, counted)
    except OpsError as exc:
        raise CommandError(f"{exc.code}: {exc}") from None
    print(f"received {args.transfer} (event {seq})")
    return 0

