"""`pos payments alerts|settle|refund|retry-refunds|recon`: payment-code attempts and refunds for
the manager (docs/payments.md)."""

from __future__ import annotations

import argparse
import getpass

from cli._options import add_store_options, open_configured_store
from cli.main import CommandError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("payments", help="payment-code attempts and refunds")
    actions = parser.add_subparsers(dest="action", required=True)
    alerts = actions.add_parser("alerts", help="attempts charged then reversed or not yet final, "
                                               "and refunds still pending")
    add_store_options(alerts)
    alerts.set_defaults(run=run_alerts)
    settle = actions.add_parser("settle", help="settle one attempt now (a manager): reverse it "
                                               "unless it is final, showing the provider's answers")
    add_store_options(settle)
    settle.add_argument("attempt", help="the payment's out_trade_no (P...)")
    settle.add_argument("--staff", required=True, help="the manager's staff id")
    settle.add_argument("--pin", help="their PIN (asked for when omitted)")
    settle.set_defaults(run=run_settle)
    refund = actions.add_parser("refund", help="refund part or all of a payment to the customer's "
                                               "original payment")
    add_store_options(refund)
    refund.add_argument("--out-trade-no", required=True, help="the payment (P...)")
    refund.add_argument("--amount", required=True, help="in yuan, e.g. 12.50")
    refund.add_argument("--return-id", required=True,
                        help="the return it is for: the same id asked again is the same refund")
    refund.add_argument("--staff", required=True, help="who asks for it")
    refund.set_defaults(run=run_refund)
    retry = actions.add_parser("retry-refunds", help="ask the providers again about pending "
                                                     "refunds (same out_refund_no)")
    add_store_options(retry)
    retry.set_defaults(run=run_retry)
    recon = actions.add_parser("recon", help="match a provider's daily settlement file against "
                                             "this store's payments and refunds")
    add_store_options(recon)
    recon.add_argument("file", help="WeChat Pay trade bill (text) or Alipay trade bill (csv.zip "
                                    "or its GBK detail CSV)")
    recon.add_argument("--provider", required=True, choices=("wechat", "alipay"),
                       help="whose settlement file it is")
    recon.add_argument("--date", required=True, help="the bill's day, YYYY-MM-DD (Beijing time)")
    recon.set_defaults(run=run_recon)


def _providers(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from edge.config import ConfigError
    from providers.accounts import providers_from_config

    conn, config = open_configured_store(args)
    try:
        providers = providers_from_config(config)
    except (ConfigError, OSError, ValueError) as exc:
        raise CommandError(f"[payments]: {exc}") from None
    if not providers:
        raise CommandError("no payment provider is configured ([payments.wechat] or "
                           "[payments.alipay] in store.toml)")
    return conn, config, providers


def run_alerts(args: argparse.Namespace) -> int:
    from edge.ledger.money import format_amount
    from edge.payments.attempts import alerts, failed_refunds, pending_refunds
    from edge.payments.return_refunds import unrequested_shares

    conn, _ = open_configured_store(args)
    found = alerts(conn)
    refunds = pending_refunds(conn)
    failed = failed_refunds(conn)
    unasked = unrequested_shares(conn)
    for a in found:
        what = ("charged, then reversed: the money went back; tell the customer if they ask"
                if a.charged_then_reversed else f"not final ({a.state}): the sync agent's payment "
                                                "job reverses it; `pos payments settle "
                                                f"{a.out_trade_no}` tries now")
        print(f"{a.out_trade_no}  {a.provider}  {format_amount(a.amount, 2)}  sale {a.sale_id}  "
              f"{a.created_at}  {what}")
    for r in refunds:
        print(f"{r.out_refund_no}  refund of {r.out_trade_no}  {format_amount(r.amount, 2)}  "
              f"since {r.created_at}  pending: `pos payments retry-refunds`")
    for r in failed:
        print(f"{r.out_refund_no}  refund of {r.out_trade_no}  {format_amount(r.amount, 2)}  "
              f"REFUSED by the provider ({r.provider_state}: {r.note}): pay the customer in cash "
              "with a supervisor (cash out naming the refund) or refund in the merchant portal")
    for return_id, out_trade_no, amount in unasked:
        print(f"return {return_id}  share of {out_trade_no}  {format_amount(amount, 2)}  no "
              "refund asked yet: `pos payments retry-refunds` (if it stays, more than the "
              "payment has left was refunded by hand: check the merchant portal)")
    print(f"{len(found)} payment alerts, {len(refunds)} pending refunds, {len(failed)} refused "
          f"refunds, {len(unasked)} shares not asked")
    return 1 if found or refunds or failed or unasked else 0


def run_settle(args: argparse.Namespace) -> int:
    from edge.config import ConfigError
    from edge.ledger.journal import append_entry
    from edge.ledger.money import format_amount
    from edge.ledger.store import write_transaction
    from edge.payments.attempts import get_attempt
    from edge.payments.settings import payment_settings
    from edge.payments.settle import settle_attempt
    from edge.staff import StaffError, authenticate

    conn, config, providers = _providers(args)
    try:
        staff = authenticate(conn, args.staff, args.pin or getpass.getpass("PIN: "))
    except StaffError as exc:
        raise CommandError(str(exc)) from None
    if staff.role != "manager":
        raise CommandError(f"{staff.id} may not settle payments: it needs a manager")
    if get_attempt(conn, args.attempt) is None:
        raise CommandError(f"no payment attempt {args.attempt} on this till")
    try:
        settings = payment_settings(config)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    with write_transaction(conn):     # who asked, before any request leaves
        append_entry(conn, "payment.settle_asked", staff.id, {"out_trade_no": args.attempt})
    try:
        settled = settle_attempt(conn, providers, args.attempt, settings)
    except LookupError as exc:        # its provider is not configured here
        raise CommandError(str(exc)) from None
    a = settled.attempt
    print(f"{a.out_trade_no}  {a.provider}  {format_amount(a.amount, 2)}  sale {a.sale_id}  "
          f"since {a.created_at}")
    for answer in settled.answers:
        print(f"  {a.provider} said: {answer}")
    money = ("the customer paid for the sale" if a.state == "paid" else
             "charged, then reversed: the money goes back to the customer"
             if a.charged_then_reversed else
             "the customer was not charged" if a.state in ("closed", "reversed") else
             "not settled yet: the customer may have been charged; the payment job keeps "
             "reversing it (look it up in the merchant portal if it stays)")
    print(f"{a.state} ({a.provider_state or '-'}): {money}")
    return 0 if a.final else 1


def run_refund(args: argparse.Namespace) -> int:
    from edge.ledger.money import MoneyError, format_amount, parse_amount
    from edge.payments.refunds import RefundError, refund_payment

    conn, config, providers = _providers(args)
    try:
        amount = parse_amount(args.amount, config.minor_digits)
        refund = refund_payment(conn, providers, args.out_trade_no, amount,
                                return_id=args.return_id, staff_id=args.staff,
                                store_id=config.store_id, terminal_id=config.terminal_id)
    except (MoneyError, RefundError) as exc:
        raise CommandError(str(exc)) from None
    print(f"{refund.out_refund_no}  {format_amount(refund.amount, config.minor_digits)}  "
          f"{refund.state}")
    return 0 if refund.state == "success" else 1


def run_retry(args: argparse.Namespace) -> int:
    from edge.payments.return_refunds import settle_return_refunds

    conn, config, providers = _providers(args)
    left = settle_return_refunds(conn, providers, store_id=config.store_id,
                                 terminal_id=config.terminal_id)
    for r in left:
        print(f"{r.out_refund_no}  still pending (since {r.created_at})")
    print(f"{len(left)} refunds still pending")
    return 1 if left else 0


def run_recon(args: argparse.Namespace) -> int:
    from datetime import date
    from pathlib import Path

    from cli.recon import read_settlement
    from edge.ledger.money import format_amount
    from edge.payments.reconcile import reconcile
    from providers.settlement import parse_alipay_trade_bill, parse_wechat_trade_bill

    try:
        day = date.fromisoformat(args.date)
        with Path(args.file).open("rb") as stream:
            data = read_settlement(args.file, stream, "nothing of {name} was compared")
    except (ValueError, OSError) as exc:
        raise CommandError(str(exc)) from None
    if args.provider == "wechat":
        try:
            settlement = parse_wechat_trade_bill(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise CommandError(f"{args.file}: not UTF-8 text: {exc}") from None
    else:
        settlement = parse_alipay_trade_bill(data)
    conn, _ = open_configured_store(args)
    report = reconcile(conn, args.provider, day, settlement.items)
    for line, reason in settlement.problems:
        print(f"line {line}: {reason}")
    for item in report.missing_here:
        what = (f"refund {item.out_refund_no or '(no out_refund_no)'}" if item.kind == "refund"
                else "payment")
        print(f"ALERT one-sided {what} of {item.out_trade_no} {format_amount(item.amount)} "
              f"(line {item.line}): settled by {args.provider}, not recorded here. Look it up in "
              "the merchant portal; a payment with no sale is refunded to the customer there")
    for kind, key, amount in report.missing_at_provider:
        print(f"missing at {args.provider}: {kind} {key} {format_amount(amount)}: check it is "
              "in the next day's file; if not, query it")
    for key, ours, theirs in report.mismatched:
        print(f"amount mismatch: {key} here {format_amount(ours)}, {args.provider} "
              f"{format_amount(theirs)}")
    for key in report.reversed_after_charge:
        print(f"reversed after charge: {key} (known alert, money returned)")
    print(f"{len(report.matched)} matched, {len(report.missing_here)} one-sided, "
          f"{len(report.missing_at_provider)} missing at {args.provider}, "
          f"{len(report.mismatched)} mismatched, fees {report.fees} yuan, "
          f"{len(settlement.problems)} bad rows")
    return 0 if report.clean and not settlement.problems else 1
