"""Taking invoice requests and issuing them: request → submit → poll → issued, and a red-letter
(红字) invoice for each return of an invoiced sale.

Rules:
- ONE_LIVE_INVOICE: a sale has at most one blue invoice that is not failed; a failed one may be
  asked again (`retry`, or a new request) under a new order_no, which cannot issue twice because
  the failed order is final at the provider.
- A transient failure (provider down, no answer) leaves the invoice in its state and tries again
  later with the same order_no; only the provider's own word moves it to issued or failed.
- Red follows blue: a return of a sale whose blue invoice is issued gets one red-letter invoice
  for the returned share, against the blue's 20-digit number; a return while the blue invoice is
  still on its way waits for it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from edge.ledger.money import format_amount
from hq.invoices.book import InvoiceBook, InvoiceRow, StoredReturn, StoredSale
from hq.invoices.buyer import Buyer, InvoiceRequestError
from hq.invoices.lines import InvoiceBuildError, InvoiceLine, blue_lines, red_lines
from hq.invoices.provider import (
    InvoiceOrder,
    InvoiceProvider,
    InvoiceRejected,
    ProviderNoAnswer,
    ProviderUnreachable,
)
from hq.storage.interface import storage_reason

FIRST_POLL_S = 2.0          # issuing takes seconds to minutes at the platforms
MAX_POLL_S = 300.0
FIRST_RETRY_S = 5.0         # after the provider was down or gave no answer
MAX_RETRY_S = 600.0


def utc_now() -> datetime:
    return datetime.now(UTC)


def _backoff(first: float, attempts: int, cap: float) -> timedelta:
    return timedelta(seconds=min(first * 2 ** min(attempts, 20), cap))


def order_base(fact_id: str) -> str:
    """The stable part of an order_no: the fact id's letters and digits (a UUID's 32 hex)."""
    return re.sub(r"[^0-9A-Za-z]", "", fact_id)[:48]


def _order_no(prefix: str, fact_id: str, earlier: int) -> str:
    base = f"{prefix}{order_base(fact_id)}"
    return base if earlier == 0 else f"{base}-{earlier + 1}"


def find_sale(book: InvoiceBook, sale_ref: str) -> tuple[StoredSale, str]:
    """The sale a receipt's QR payload (`…/{store}/{terminal}/{sale_id}`) or a bare sale id
    names; (the sale, its id)."""
    parts = sale_ref.strip().rstrip("/").split("/")
    sale_id = parts[-1]
    sale = book.sale(sale_id) if sale_id else None
    if sale is not None and len(parts) >= 3 and (parts[-3], parts[-2]) != (sale.store,
                                                                           sale.terminal):
        sale = None
    if sale is None:
        raise InvoiceRequestError(
            "unknown_sale", f"HQ has no sale {sale_id[:64]!r}: a training receipt is not a sale,"
            " and a sale made while its till was offline reaches HQ when the till is back:"
            " try again later")
    return sale, sale_id


def request_invoice(book: InvoiceBook, sale_ref: str, buyer: Buyer,
                    now: datetime | None = None) -> InvoiceRow:
    """Take a customer's request; nothing is sent yet (the worker does that)."""
    now = now or utc_now()
    sale, sale_id = find_sale(book, sale_ref)
    if sale.status != "completed":
        raise InvoiceRequestError("sale_cancelled",
                                  f"sale {sale_id} was cancelled: there is nothing to invoice")
    with book.transaction():
        blues = [r for r in book.invoices_of(sale_id) if r.kind == "blue"]
        live = [r for r in blues if r.state not in ("failed", "superseded")]
        if live:
            raise InvoiceRequestError(
                "already_requested", f"an invoice for sale {sale_id} was already requested"
                f" ({describe(live[0])})")
        for old in blues:
            book.supersede(old.order_no)
        order_no = _order_no("B", sale_id, len(blues))
        try:
            book.add(order_no, "blue", sale, None, buyer.title, buyer.tax_id, buyer.email,
                     buyer.phone, sale.total, "", "", now)
        except Exception as exc:
            # Two requests for one sale at the same moment: the unique index lets one through.
            if storage_reason(exc).startswith("duplicate_fact"):
                raise InvoiceRequestError("already_requested", f"an invoice for sale {sale_id}"
                                                               " was already requested") from None
            raise
    row = book.invoice(order_no)
    assert row is not None
    return row


def retry(book: InvoiceBook, sale_ref: str, now: datetime | None = None) -> InvoiceRow:
    """Ask again for a sale's failed invoice (the latest one), same buyer, new order_no."""
    now = now or utc_now()
    _, sale_id = find_sale(book, sale_ref)
    blues = [r for r in book.invoices_of(sale_id) if r.kind == "blue"]
    if not blues:
        raise InvoiceRequestError("not_requested", f"no invoice was requested for sale {sale_id}")
    last = blues[-1]
    if last.state != "failed":
        raise InvoiceRequestError("not_failed", f"the invoice of sale {sale_id} has not failed"
                                                f" ({describe(last)})")
    buyer = Buyer(last.buyer_title, last.buyer_tax_id, last.email, last.phone)
    return request_invoice(book, sale_id, buyer, now)


@dataclass
class RunReport:
    submitted: int = 0
    issued: int = 0
    failed: int = 0
    waiting: int = 0      # transient failures and invoices still pending
    red_requested: int = 0


def run_once(book: InvoiceBook, provider: InvoiceProvider,
             now: datetime | None = None) -> RunReport:
    """One round of the worker: red-letter requests for new returns, then every invoice due."""
    now = now or utc_now()
    report = RunReport()
    report.red_requested = request_red_letters(book, now)
    for row in book.due(now):
        if row.state == "requested":
            _submit(book, provider, row, now, report)
        else:
            _poll(book, provider, row, now, report)
    return report


def request_red_letters(book: InvoiceBook, now: datetime) -> int:
    blues = {r.sale_id: r for r in book.issued_blues()}
    made = 0
    for ret in book.returns_of(sorted(blues)):
        if book.red_for(ret.return_id) is not None:
            continue
        blue = blues[ret.sale_id]
        if ret.sale_store != blue.store:  # a sale id two stores hold: not this invoice's sale
            continue
        amount = -sum(ln.amount for ln in ret.lines)
        if amount == 0:
            continue
        sale = book.sale(ret.sale_id, blue.store)
        assert sale is not None
        book.add(_order_no("R", ret.return_id, 0), "red", sale, ret.return_id, blue.buyer_title,
                 blue.buyer_tax_id, blue.email, blue.phone, amount, "", blue.invoice_no, now)
        made += 1
    return made


def _lines_of(book: InvoiceBook, row: InvoiceRow) -> list[InvoiceLine]:
    if row.lines:
        return [InvoiceLine.from_json(x) for x in json.loads(row.lines)]
    sale = book.sale(row.sale_id, row.store)
    if sale is None:
        raise InvoiceBuildError(f"HQ no longer has sale {row.sale_id}")
    if row.kind == "blue":
        codes = book.tax_codes(sale.store, [ln.sku for ln in sale.lines])
        lines = blue_lines(sale.lines, sale.total, sale.tax, codes)
    else:
        ret = next((r for r in book.returns_of([row.sale_id]) if r.return_id == row.return_id),
                   None)
        lines = _red(book, row, sale, ret)
    book.set_lines(row.order_no, json.dumps([x.as_json() for x in lines], ensure_ascii=False),
                   sum(x.amount for x in lines))
    return lines


def _red(book: InvoiceBook, row: InvoiceRow, sale: StoredSale,
         ret: StoredReturn | None) -> list[InvoiceLine]:
    if ret is None:
        raise InvoiceBuildError(f"HQ has no return {row.return_id}")
    blue = next((r for r in book.invoices_of(row.sale_id)
                 if r.kind == "blue" and r.invoice_no == row.original_invoice_no), None)
    if blue is None or not blue.lines:
        raise InvoiceBuildError(f"the blue invoice {row.original_invoice_no} is not in HQ's book")
    by_line = {x["sale_line_no"]: x["tax_code"] for x in json.loads(blue.lines)}
    codes = {ln.sku: str(by_line.get(ln.line_no, "")) for ln in sale.lines}
    return red_lines(ret.lines, sale.lines, codes)


def _order(row: InvoiceRow, lines: list[InvoiceLine]) -> InvoiceOrder:
    buyer = Buyer(row.buyer_title, row.buyer_tax_id, row.email, row.phone)
    note = (f"对应正数发票号码:{row.original_invoice_no}" if row.kind == "red"
            else f"销售单 {row.sale_id}")
    return InvoiceOrder(row.order_no, "red" if row.kind == "red" else "blue", buyer,
                        tuple(lines), row.original_invoice_no, note)


def _submit(book: InvoiceBook, provider: InvoiceProvider, row: InvoiceRow, now: datetime,
            report: RunReport) -> None:
    try:
        lines = _lines_of(book, row)
    except InvoiceBuildError as exc:
        book.failed(row.order_no, str(exc))
        report.failed += 1
        return
    try:
        serial = provider.submit(_order(row, lines))
    except (ProviderUnreachable, ProviderNoAnswer) as exc:
        book.later(row.order_no, f"provider: {exc}",
                   now + _backoff(FIRST_RETRY_S, row.attempts, MAX_RETRY_S))
        report.waiting += 1
        return
    except InvoiceRejected as exc:
        book.failed(row.order_no, f"refused by the provider: {exc}")
        report.failed += 1
        return
    book.submitted(row.order_no, serial, now, now + timedelta(seconds=FIRST_POLL_S))
    report.submitted += 1


def _poll(book: InvoiceBook, provider: InvoiceProvider, row: InvoiceRow, now: datetime,
          report: RunReport) -> None:
    try:
        result = provider.query(row.order_no)
        if result.state == "unknown":
            # Accepted once, now unknown there: send the same order again (it cannot issue twice).
            provider.submit(_order(row, _lines_of(book, row)))
    except (ProviderUnreachable, ProviderNoAnswer) as exc:
        book.later(row.order_no, f"provider: {exc}",
                   now + _backoff(FIRST_RETRY_S, row.attempts, MAX_RETRY_S))
        report.waiting += 1
        return
    except InvoiceRejected as exc:
        book.failed(row.order_no, f"refused by the provider: {exc}")
        report.failed += 1
        return
    if result.state == "issued":
        book.issued(row.order_no, result.invoice_no, result.provider_serial, now)
        report.issued += 1
    elif result.state == "failed":
        book.failed(row.order_no, result.reason or "the provider gave no reason")
        report.failed += 1
    else:
        book.later(row.order_no, "", now + _backoff(FIRST_POLL_S, row.attempts, MAX_POLL_S))
        report.waiting += 1


# ---- what people see ---------------------------------------------------------------------------

def describe(row: InvoiceRow) -> str:
    """requested / submitted / issued NUMBER / failed REASON, with what it is waiting for."""
    if row.state == "issued":
        return f"issued {row.invoice_no}"
    if row.state == "failed":
        return f"failed {row.reason}"
    if row.state == "superseded":
        return f"failed {row.reason} (asked again)"
    waiting = f"; last error: {row.reason}" if row.reason else ""
    if row.state == "submitted":
        return f"submitted (provider serial {row.provider_serial or '?'}, pending{waiting})"
    return f"requested{waiting}"


def status_lines(book: InvoiceBook, sale_ref: str) -> list[str]:
    _, sale_id = find_sale(book, sale_ref)
    rows = book.invoices_of(sale_id)
    if not rows:
        return [f"sale {sale_id}: no invoice requested"]
    out = []
    for row in rows:
        amount = format_amount(abs(row.amount))
        if row.kind == "blue":
            title = f"{row.buyer_title}" + (f" {row.buyer_tax_id}" if row.buyer_tax_id else "")
            out.append(f"sale {sale_id}: invoice {row.order_no} {describe(row)}"
                       f" · ¥{amount} · {title}")
        else:
            out.append(f"sale {sale_id}: red-letter {row.order_no} for return {row.return_id}"
                       f" against {row.original_invoice_no}: {describe(row)} · -¥{amount}")
    return out
