"""`pos invoice`: 数电 e-invoices on request at HQ: take a request, run the worker that issues
them, serve the request endpoint, show where a sale's invoice is, ask again after a failure."""

from __future__ import annotations

import argparse
import stat
import threading
import tomllib
from pathlib import Path
from typing import Any

from cli.main import CommandError


def register(commands: Any) -> None:
    parser = commands.add_parser("invoice", help="e-invoices on request (HQ)")
    sub = parser.add_subparsers(dest="invoice_command", required=True, metavar="INVOICE_COMMAND")

    request = sub.add_parser("request", help="take a customer's invoice request for a sale",
                             allow_abbrev=False)
    request.add_argument("sale", help="the sale id, or the receipt QR's payload")
    request.add_argument("--title", required=True, help="the invoice title (抬头)")
    request.add_argument("--tax-id", default="",
                         help="the buyer's 18-character taxpayer id (统一社会信用代码); none for"
                              " a person")
    request.add_argument("--email", default="", help="where the invoice is sent")
    request.add_argument("--phone", default="", help="mobile number the invoice is sent to")
    _db(request)
    request.set_defaults(run=run_request)

    status = sub.add_parser("status", help="where a sale's invoice is: requested, submitted,"
                                           " issued NUMBER, failed REASON, red-letter ...")
    status.add_argument("sale", help="the sale id, or the receipt QR's payload")
    _db(status)
    status.set_defaults(run=run_status)

    retry = sub.add_parser("retry", help="ask again for a sale's failed invoice (new order no.)")
    retry.add_argument("sale", help="the sale id, or the receipt QR's payload")
    _db(retry)
    retry.set_defaults(run=run_retry)

    worker = sub.add_parser("run", help="issue requested invoices and red-letter invoices for"
                                        " returns, and poll the provider", allow_abbrev=False)
    _db(worker)
    worker.add_argument("--provider", required=True,
                        help="the provider's TOML file ([nuonuo] section, docs/invoices.md)")
    worker.add_argument("--once", action="store_true", help="one round, then exit")
    worker.add_argument("--interval", type=float, default=2.0,
                        help="seconds between rounds (default 2)")
    worker.set_defaults(run=run_worker)

    serve = sub.add_parser("serve", help="serve the invoice request endpoint the receipt's QR"
                                         " page posts to (HQ's web app, as `pos hq console`)")
    _db(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8780, help="port to listen on (default 8780)")
    serve.set_defaults(run=run_serve)


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True,
                        help="HQ's database: postgresql://... or a SQLite path (sqlite:///path)")


def _book(args: argparse.Namespace) -> Any:
    from hq.invoices.book import InvoiceBook
    from hq.storage.interface import StorageUnavailable

    try:
        return InvoiceBook(args.db)
    except StorageUnavailable as exc:
        raise CommandError(f"HQ database unavailable: {exc}") from None


def run_request(args: argparse.Namespace) -> int:
    from hq.invoices.buyer import InvoiceRequestError, parse_buyer
    from hq.invoices.service import request_invoice

    book = _book(args)
    try:
        row = request_invoice(book, args.sale, parse_buyer(args.title, args.tax_id, args.email,
                                                           args.phone))
    except InvoiceRequestError as exc:
        raise CommandError(f"{exc.code}: {exc}") from None
    finally:
        book.close()
    print(f"requested: invoice {row.order_no} for sale {row.sale_id}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    from hq.invoices.buyer import InvoiceRequestError
    from hq.invoices.service import status_lines

    book = _book(args)
    try:
        for line in status_lines(book, args.sale):
            print(line)
    except InvoiceRequestError as exc:
        raise CommandError(f"{exc.code}: {exc}") from None
    finally:
        book.close()
    return 0


def run_retry(args: argparse.Namespace) -> int:
    from hq.invoices.buyer import InvoiceRequestError
    from hq.invoices.service import retry

    book = _book(args)
    try:
        row = retry(book, args.sale)
    except InvoiceRequestError as exc:
        raise CommandError(f"{exc.code}: {exc}") from None
    finally:
        book.close()
    print(f"requested again: invoice {row.order_no} for sale {row.sale_id}")
    return 0


def provider_settings(path: str) -> Any:
    """[nuonuo] url, app_key, seller_tax_id, app_secret_file, access_token_file (both 0600),
    optional seller_phone, seller_address, clerk, invoice_line, timeout_s."""
    from providers.invoice_nuonuo import NuonuoSettings

    try:
        section = tomllib.loads(Path(path).read_text("utf-8"))["nuonuo"]
        secrets: dict[str, Any] = {}
        for name in ("app_secret", "access_token"):
            file = Path(section.pop(f"{name}_file"))
            if file.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise CommandError(f"{file}: readable by others; chmod 600 it")
            secrets[name] = file.read_text("utf-8").strip()
        return NuonuoSettings(**section, **secrets)
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise CommandError(f"{path}: {type(exc).__name__}: {exc}") from None


def run_worker(args: argparse.Namespace) -> int:
    from hq.invoices.service import run_once
    from providers.invoice_nuonuo import NuonuoProvider

    provider = NuonuoProvider(provider_settings(args.provider))
    book = _book(args)
    stop = threading.Event()
    try:
        while True:
            report = run_once(book, provider)
            if args.once:
                print(f"submitted {report.submitted}, issued {report.issued}, failed"
                      f" {report.failed}, waiting {report.waiting}, red-letter requested"
                      f" {report.red_requested}")
                return 0
            stop.wait(args.interval)
    except KeyboardInterrupt:
        return 130
    finally:
        book.close()


def run_serve(args: argparse.Namespace) -> int:
    from cli._console import serve

    # The endpoint lives in HQ's one web app (hq/console/); on SQLite only it is served.
    return serve(args.db, f"{args.host}:{args.port}", what="invoice requests")
