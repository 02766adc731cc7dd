"""`pos report x|z`: the X report (mid-day, no reset) and the Z report (closes the day)."""

from __future__ import annotations

import argparse
import getpass
import json
from typing import Any

from cli._options import add_store_options, open_configured_store
from cli.main import CommandError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("report", help="X and Z reports")
    actions = parser.add_subparsers(dest="action", required=True)
    x = actions.add_parser("x", help="figures since the last Z, without closing the day")
    add_store_options(x)
    x.add_argument("--json", action="store_true", help="print the report as JSON")
    x.set_defaults(run=run_x)
    z = actions.add_parser("z", help="close the day: the next Z number, recorded and synced")
    add_store_options(z)
    z.add_argument("--staff", required=True, help="a supervisor's or manager's staff id")
    z.add_argument("--pin", help="their PIN (asked for when omitted)")
    z.add_argument("--json", action="store_true", help="print the report as JSON")
    z.set_defaults(run=run_z)


def render(body: dict[str, Any]) -> str:
    from edge.ledger.money import format_amount as yuan

    title = f"Z {body['z_number']}" if "z_number" in body else "X report"
    out = [f"{title}  terminal {body['terminal_id']}  seq {body['from_seq'] + 1}..{body['to_seq']}"]
    s = body["sales"]
    out.append(f"sales      {s['count']:>6}  gross {yuan(s['gross'])}  discount {yuan(s['discount'])}"
               f"  total {yuan(s['total'])}  tax {yuan(s['tax'])}  rounding {yuan(s['rounding'])}")
    r = body["returns"]
    out.append(f"returns    {r['count']:>6}  total {yuan(r['total'])}")
    out.append(f"net sales          {yuan(body['net_sales'])}")
    v = body["voids"]
    out.append(f"voids      {v['lines']:>6} lines {yuan(v['gross'])}; cancelled sales "
               f"{v['cancelled_sales']} ({yuan(v['cancelled_total'])})")
    out.append("tenders:")
    out += [f"  {k:<14} sales {yuan(t['sales'])}  refunds {yuan(t['refunds'])}  net {yuan(t['net'])}"
            for k, t in sorted(body["tenders"].items())]
    out.append("tax rates:")
    out += [f"  {int(k) / 100:g}%{'':<10} net {yuan(t['net'])}  tax {yuan(t['net_tax'])}"
            for k, t in sorted(body["tax_rates"].items(), key=lambda i: -int(i[0]))]
    out.append("categories:")
    out += [f"  {k:<14} net {yuan(c['net'])}" for k, c in sorted(body["categories"].items())]
    out.append("cashiers:")
    out += [f"  {k:<14} {c['sales_count']} sales {yuan(c['sales'])}  returns {yuan(c['returns'])}"
            for k, c in sorted(body["cashiers"].items())]
    c = body["cash"]
    out.append(f"cash: floats {yuan(c['floats'])}  in {yuan(c['cash_in'])}  out {yuan(c['cash_out'])}"
               f"  pickups {yuan(c['pickups'])}  no-sale openings {c['no_sales']}")
    o = body["over_short"]
    out.append(f"over/short {yuan(o['over_short'])} over {o['shifts_closed']} closed shifts")
    pending = body.get("pending_refunds", [])  # Z reports written before it have none
    if pending:
        out.append("refunds to payment codes not yet confirmed (retried by `pos sync`):")
        out += [f"  {f['out_refund_no']}  {yuan(f['amount'])}  of {f['out_trade_no']}"
                f"  since {f['since']}" for f in pending]
    return "\n".join(out)


def run_x(args: argparse.Namespace) -> int:
    from edge.store_ops.reports import x_report

    conn, config = open_configured_store(args)
    body = x_report(conn, config)
    print(json.dumps(body, ensure_ascii=False, indent=2) if args.json else render(body))
    return 0


def run_z(args: argparse.Namespace) -> int:
    from edge.ops_error import OpsError
    from edge.staff import StaffError, authenticate
    from edge.store_ops.reports import z_report

    conn, config = open_configured_store(args)
    try:
        staff = authenticate(conn, args.staff, args.pin or getpass.getpass("PIN: "))
    except StaffError as exc:
        raise CommandError(str(exc)) from None
    if not staff.may("post_void"):
        raise CommandError(f"{staff.id} may not run a Z report: it needs a supervisor")
    try:
        body = z_report(conn, config, staff.id)
    except OpsError as exc:
        raise CommandError(f"{exc.code}: {exc}") from None
    print(json.dumps(body, ensure_ascii=False, indent=2) if args.json else render(body))
    return 0
