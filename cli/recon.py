"""`pos recon fetch|import|report`: HQ's daily reconciliation (对账) of the providers' and the card
acquirer's settlement files against HQ's tenders and refunds (hq/recon/, docs/payments.md)."""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import IO, Any

from cli.main import CommandError

SOURCES = ("wechat", "alipay", "acquirer")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("recon", help="HQ reconciliation of settlement files (对账)")
    actions = parser.add_subparsers(dest="action", required=True)
    fetch = actions.add_parser("fetch", help="download a provider's daily trade bill and import it")
    fetch.add_argument("--provider", required=True, choices=("wechat", "alipay"),
                       help="whose bill: WeChat Pay (tradebill) or Alipay (bill.downloadurl.query)")
    _day(fetch)
    fetch.add_argument("--config", required=True,
                       help="TOML with the merchant accounts: [payments.wechat] and/or "
                            "[payments.alipay], the keys of store.toml")
    fetch.add_argument("--out", default=".", help="directory the downloaded file is kept in")
    _db(fetch)
    fetch.set_defaults(run=run_fetch)
    load = actions.add_parser("import", help="import a settlement file whole (or nothing of it)")
    load.add_argument("file", help="WeChat Pay trade bill (CSV), Alipay trade bill (csv.zip, GBK) "
                                   "or the card acquirer's CSV")
    load.add_argument("--source", choices=SOURCES,
                      help="the file's source (default: told by its content)")
    _day(load)
    _db(load)
    load.set_defaults(run=run_import)
    report = actions.add_parser("report", help="match a day's files against HQ's tenders and "
                                               "refunds; exit 1 when anything is not matched")
    _day(report)
    _db(report)
    report.add_argument("--timezone", default="Asia/Shanghai",
                        help="the zone of the business day (the providers cut files in Beijing "
                             "time)")
    report.set_defaults(run=run_report)


def _day(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", required=True, help="the bill's day, YYYY-MM-DD")


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True,
                        help="HQ's database: postgresql://... or a SQLite path for a demo")


def _date(text: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date {text!r} is not YYYY-MM-DD") from None


def detect_source(data: bytes) -> str:
    from providers.settlement import ACQUIRER_HEADER

    if data[:2] == b"PK":
        return "alipay"
    if data.lstrip(b"\xef\xbb\xbf").startswith(ACQUIRER_HEADER.encode()):
        return "acquirer"
    if data.lstrip(b"\xef\xbb\xbf").startswith("交易时间".encode()):
        return "wechat"
    try:
        data[:4000].decode("gbk")
    except UnicodeDecodeError:
        pass
    else:
        if "支付宝".encode("gbk") in data[:4000]:
            return "alipay"
    raise CommandError("cannot tell the file's source from its content: give --source")


def read_settlement(name: str, stream: IO[bytes], then: str = "nothing of {name} was imported"
                    ) -> bytes:
    """The file's bytes, read in chunks within the bounds of providers/settlement.py (lines
    checked unless it is a zip); CommandError with `FILE:LINE: reason` at the first bound passed,
    before the rest is read."""
    from providers.settlement import FileRefused, read_settlement_file

    try:
        return read_settlement_file(stream)
    except FileRefused as exc:
        where = f"{name}:{exc.line}" if exc.line else name
        raise CommandError(f"{where}: {exc.reason}\n{then.format(name=name)}") from None


def import_bytes(storage: Any, source: str, day: Any, name: str, data: bytes) -> int:
    """Parse and import one file; the number of rows. Raises CommandError with every problem."""
    from hq.recon.files import ImportRefused, Parsed, imported_file
    from providers.settlement import (
        parse_acquirer_settlement,
        parse_alipay_trade_bill,
        parse_wechat_trade_bill_bytes,
    )

    parse = {"wechat": parse_wechat_trade_bill_bytes, "alipay": parse_alipay_trade_bill,
             "acquirer": parse_acquirer_settlement}[source]
    settlement = parse(data)
    try:
        f = imported_file(source, day, name, data,
                          Parsed(settlement.items, settlement.problems, settlement.summary))
    except ImportRefused as exc:
        raise CommandError(f"{exc}\nnothing of {name} was imported") from None
    storage.recon_import(f)
    return len(f.items)


def run_import(args: argparse.Namespace) -> int:
    from hq.storage import open_storage

    day = _date(args.date)
    try:
        with Path(args.file).open("rb") as stream:
            data = read_settlement(args.file, stream)
    except OSError as exc:
        raise CommandError(f"{args.file}: {exc.strerror or exc}") from None
    source = args.source or detect_source(data)
    storage = open_storage(args.db)
    try:
        rows = import_bytes(storage, source, day, args.file, data)
    finally:
        storage.close()
    print(f"{args.file}: {source} bill of {day}, {rows} rows imported")
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    from edge.config import ConfigError, load_config
    from edge.payments.provider import ProviderNoAnswer, ProviderUnreachable
    from hq.storage import open_storage
    from providers.accounts import providers_from_config
    from providers.http import BillUnavailable

    day = _date(args.date)
    try:
        providers = providers_from_config(load_config(Path(args.config)))
    except (ConfigError, OSError, ValueError) as exc:
        raise CommandError(f"{args.config}: [payments]: {exc}") from None
    client = providers.get(args.provider)
    if client is None:
        raise CommandError(f"{args.config} has no [payments.{args.provider}] account")
    try:
        data: bytes = client.trade_bill(day)  # type: ignore[attr-defined]
    except (BillUnavailable, ProviderUnreachable, ProviderNoAnswer) as exc:
        raise CommandError(f"{args.provider} bill of {day}: {exc}") from None
    suffix = "csv.zip" if args.provider == "alipay" else "csv"
    path = Path(args.out) / f"{args.provider}-{day}.{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    data = read_settlement(str(path), io.BytesIO(data))
    storage = open_storage(args.db)
    try:
        rows = import_bytes(storage, args.provider, day, str(path), data)
    finally:
        storage.close()
    print(f"{path}: {args.provider} bill of {day}, {rows} rows imported")
    return 0


def run_report(args: argparse.Namespace) -> int:
    from hq.recon.report import reconcile_day
    from hq.storage import open_storage

    day = _date(args.date)
    storage = open_storage(args.db, args.timezone)
    try:
        report = reconcile_day(storage, day)
    finally:
        storage.close()
    print(render(report))
    return 0 if report.clean else 1


def render(report: Any) -> str:
    from edge.ledger.money import format_amount as yuan

    def amount(value: int | None) -> str:
        return "-" if value is None else yuan(value)

    def where(e: Any) -> str:
        return f"{e.source} line {e.line}" if e.source else e.where

    out = [f"reconciliation of {report.day}"]
    for source, name, rows, _ in report.files:
        out.append(f"  file {source}: {name} ({rows} rows)")
    for source in report.no_file:
        out.append(f"ALERT no {source} file imported for {report.day}: HQ has such tenders or "
                   f"refunds; `pos recon fetch` or `pos recon import` it first")
    for e in report.one_sided:
        if e.cls == "card":
            todo = ("the acquirer settled card money no till recorded as a sale or return. "
                    "Find it in the card terminal's journal by its reference; a sale the till "
                    "missed is entered with the store manager, a charge with no goods is "
                    "refunded on the card terminal")
        elif e.kind == "payment":
            todo = ("the customer was charged and no sale at HQ took it. Look the trade up at "
                    "the store (`pos payments alerts`) and in the merchant portal; if no sale "
                    "took it, refund the customer there, and note it")
        else:
            todo = ("money went back that HQ has no refund for. Check the store's pending "
                    "refunds and its sync (`pos sync status`); if no return asked for it, "
                    "escalate to the provider")
        out.append(f"ALERT one-sided {e.cls} {e.kind} {e.key} {amount(e.file_amount)} "
                   f"({where(e)}): {todo}")
    for e in report.missing_at_provider:
        todo = ("check the next day's file (one just before midnight lands there); still "
                "missing, query it at the provider (`pos payments alerts` at the store for a "
                "refund); a card item missing for two days goes to the acquirer")
        out.append(f"missing at the provider: {e.cls} {e.kind} {e.key} {amount(e.hq_amount)} "
                   f"({e.where}): {todo}")
    for e in report.mismatched:
        out.append(f"ALERT amount mismatch: {e.cls} {e.kind} {e.key} HQ {amount(e.hq_amount)}, "
                   f"file {amount(e.file_amount)} ({where(e)}): compare the till's receipt and "
                   "journal with the provider's record; the file is the money that moved")
    for e in report.reversed_after_charge:
        out.append(f"charged then reversed: {e.kind} {e.key} {amount(e.file_amount)} "
                   f"({where(e)}): the money went back, nothing to do")
    for e in report.other_day:
        out.append(f"matched on another day: {e.cls} {e.kind} {e.key} ({e.note})")
    if report.card_without_reference:
        out.append(f"{report.card_without_reference} card tenders without the terminal's "
                   "reference: they cannot be matched")
    for source, t in sorted(report.totals.items()):
        out.append(f"  {source}: {t.rows} rows, payments {yuan(t.payments)}, refunds "
                   f"{yuan(t.refunds)}, fees {t.fees:f}, net {t.net:f} yuan")
    out.append(f"{len(report.matched)} matched, {len(report.one_sided)} one-sided, "
               f"{len(report.missing_at_provider)} missing at the provider, "
               f"{len(report.mismatched)} mismatched, {len(report.reversed_after_charge)} "
               f"reversed after charge, {len(report.other_day)} on another day")
    return "\n".join(out)
