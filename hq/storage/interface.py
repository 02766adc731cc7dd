"""The one narrow interface HQ keeps its data through, the values that cross it, and the logic
both engines share (contiguity, row shapes, business dates).

Rule: `ingest` writes a batch's effects and its dedup records in one transaction, or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

import msgspec

from cloud_sync.protocol import SCHEMA_VERSION, Ack, Rejection
from hq.recon.tables import ImportedFile, Sides
from hq.schemas import PaymentRefunded, Sale

DEFAULT_TIMEZONE = "Asia/Shanghai"
MAX_REPORTED_GAPS = 20


T = TypeVar("T")  # what a `loyalty` call's work returns


class StorageUnavailable(Exception):
    """The database cannot be reached now; the caller retries after a pause."""


class Accepted(msgspec.Struct, frozen=True, gc=False):
    """One validated event. A struct, not a dataclass: the ingest makes one per sale, and a
    frozen dataclass's __init__ cost 0.9 µs of the ~15 µs a sale takes to validate. Never in
    a reference cycle (it holds bytes, text and decoded facts), so the GC need not track it."""

    seq: int
    event_id: str
    type: str
    created_at: str
    payload: bytes
    sale: Sale | None
    fact: Any = None  # the decoded payload of a type with its own schema (hq/schemas.py)


@dataclass(frozen=True)
class Refused:
    seq: int | None  # None: no seq the terminal could own; dead-lettered, never marked
    event_id: str
    type: str
    reason: str
    payload: bytes


@dataclass(frozen=True)
class Alert:
    """A security alert on one event (hq_security_alert): a fact naming another store's object."""

    seq: int
    event_id: str
    type: str
    detail: str


@dataclass(frozen=True)
class BatchIn:
    """One validated batch of one terminal, ready to be written."""

    store: str
    terminal: str
    accepted: list[Accepted]
    refused: list[Refused]
    since: int  # the terminal's ack watermark when it sent the batch
    journal: tuple[int, str] | None = None  # the terminal's journal head (seq, hash)
    sent_at: float | None = None  # the terminal's clock when it sent the batch (echoed in the ack)
    alerts: list[Alert] = field(default_factory=list)  # written with the batch, once per event


@dataclass(frozen=True)
class Grant:
    """An object an HQ look-up handed a terminal of another store."""

    id: int
    store: str
    terminal: str
    kind: str
    object_id: str
    amount: int
    used: int  # what facts already at HQ charged against it
    created_at: datetime
    expires_at: datetime


@dataclass
class OwnershipView:
    """What HQ's storage knows of the objects a group names: their owner stores (several when a
    fact id was taken by another sender), and the grants their asking terminals hold."""

    owners: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    grants: list[Grant] = field(default_factory=list)


@dataclass(frozen=True)
class TerminalStats:
    store: str
    terminal: str
    last_seen: str | None
    online: bool
    acked_to: int
    max_seq: int
    gaps: list[tuple[int, int]]
    sales_today: int
    amount_today: int
    dead_letters: int


@dataclass(frozen=True)
class HealthIn:
    """A terminal's validated health report (hq/terminal_health.py), ready to be kept."""

    store: str
    terminal: str
    received_at: datetime  # HQ's clock, UTC
    reported_at: datetime  # the terminal's clock, UTC
    status: str
    version: str
    pending: int | None
    oldest_unsynced_age_s: float | None
    disk_free_bytes: int | None
    clock_offset_s: float | None
    last_backup_age_s: float | None
    report: bytes  # the whole validated report, JSON


@dataclass(frozen=True)
class StoredHealth:
    store: str
    terminal: str
    received_at: datetime
    online: bool | None  # the agent's presence; None: no agent ever reported
    report: bytes


# A report older by the terminal's own clock than the one kept is a redelivery and is ignored,
# unless HQ got it this much later than the kept one: then the terminal's clock was set back.
HEALTH_CLOCK_BACK_S = 60
HEALTH_COLUMNS = ("store, terminal, received_at, reported_at, status, version, pending,"
                  " oldest_unsynced_age_s, disk_free_bytes, clock_offset_s, last_backup_age_s,"
                  " report")


@dataclass
class IngestResult:
    ack: Ack
    new_events: int = 0
    duplicates: int = 0
    gaps: list[tuple[int, int]] = field(default_factory=list)


class HqStorage(Protocol):
    def ingest(self, store: str, terminal: str, accepted: list[Accepted],
               refused: list[Refused], since: int) -> IngestResult: ...

    def ingest_many(self, batches: list[BatchIn]) -> list[IngestResult]:
        """Several batches (of any terminals) in one transaction; results in the same order."""
        ...

    def dead_letter(self, store: str, terminal: str, reason: str, raw: bytes) -> None: ...

    def presence(self, store: str, terminal: str, online: bool) -> None: ...

    def keep_health(self, health: HealthIn) -> bool:
        """Keep a terminal's latest health report; False when it was older than the one kept."""
        ...

    def health(self) -> list[StoredHealth]:
        """Every terminal's latest health report, by store and terminal."""
        ...

    def stats(self, today: date) -> list[TerminalStats]: ...

    def stores(self) -> list[str]: ...

    def add_version(self, store: str, stream: str, items: dict[str, bytes],
                    sign: Any) -> tuple[int, bytes]: ...

    def head(self, store: str, stream: str) -> int: ...

    def versions_after(self, store: str, stream: str, have: int, limit: int) -> list[bytes]: ...

    def snapshot_items(self, store: str, stream: str) -> tuple[int, list[bytes]]: ...

    def find_sale(self, sale_id: str, prefer_store: str | None = None) -> bytes | None:
        """The sale with its lines; of `prefer_store` when another store holds the id too."""
        ...

    def ownership_view(self, wanted: dict[str, set[str]],
                       askers: set[tuple[str, str]]) -> OwnershipView:
        """Owner stores of the objects named (kind → ids) and the askers' grants on them
        (hq/ownership.py), in one call for a whole group."""
        ...

    def grant(self, store: str, terminal: str, kind: str, object_id: str, amount: int,
              now: datetime, expires_at: datetime) -> bool:
        """Record that a look-up handed this terminal another store's object (False: the
        object is the terminal's own store's or unknown, nothing to grant)."""
        ...

    def loyalty(self, work: Callable[[Any, bool], T]) -> T:
        """`work(cursor, postgres)` in one transaction: the points and coupon ledgers
        (hq/loyalty/ledger.py), for look-ups and the online channel."""
        ...

    def card_balance(self, card_no: str, store: str, terminal: str) -> bytes | None:
        """HQ's word on a stored-value card for the asking terminal (see `card_reply`)."""
        ...

    def security_alerts(self, store: str | None = None, limit: int = 100
                        ) -> list[tuple[str, str, str, int | None, str, str]]:
        """(at, store, terminal, seq, type, detail) of the latest security alerts."""
        ...

    def journal_heads(self, store: str | None = None) -> list[tuple[str, str, int, str]]:
        """(store, terminal, seq, hash): the latest journal head each terminal sent."""
        ...

    def topup_differences(self, store: str | None = None
                          ) -> list[tuple[str, str, int | None, str, int, int]]:
        """Stored-value topups against the Z reports (see hq.storage.ledger.reconcile_topups)."""
        ...

    def clear_lock(self, card_no: str) -> bool:
        """HQ lifts a card's offline lock by hand; False when the card is unknown."""
        ...

    def recon_import(self, f: ImportedFile) -> int:
        """Write a settlement file whole (replacing that source's file of that day); its id."""
        ...

    def recon_sides(self, day: date) -> Sides:
        """HQ's tenders and refunds of `day` and the items of the files imported for it."""
        ...

    def recon_lookup(self, keys: list[str]
                     ) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], str]]:
        """For keys seen on one side only: HQ's facts of any day, and files of any day."""
        ...

    def stock_sums(self, store: str, terminal: str | None = None, through: int | None = None
                   ) -> list[tuple[str, int]]:
        """(sku, qty_milli) summed over the store's facts at HQ, or one terminal's through a seq
        (hq/stock/movements.py)."""
        ...

    def stock_on_hand(self, store: str) -> list[tuple[str, int]]:
        """(sku, qty_milli) as kept in the ingest transaction."""
        ...

    def add_transfer(self, transfer_id: str, from_store: str, to_store: str, lines: str,
                     note: str, created_by: str) -> None:
        """Store a transfer HQ made (hq/stock/transfers.py); `lines` as JSON."""
        ...

    def transfers(self, store: str = "") -> list[dict[str, Any]]:
        """Every transfer (of one store, either side) with its legs (TRANSFERS_SQL's columns)."""
        ...

    def watermarks(self, store: str) -> dict[str, int]:
        """Each terminal of the store: the seq through which HQ holds all its facts."""
        ...

    def close(self) -> None: ...


def hq_migrations(dialect: str) -> list[tuple[int, str]]:
    """The numbered HQ migrations for 'postgres' or 'sqlite', in order."""
    found = []
    for entry in resources.files("migrations").joinpath("hq").iterdir():
        name = entry.name
        if name.endswith(f".{dialect}.sql"):
            found.append((int(name[:4]), entry.read_text("utf-8")))
    found.sort()
    if [n for n, _ in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"HQ {dialect} migrations are not numbered 1..n")
    return found


def advance(acked_to: int, seqs_above: list[int]) -> tuple[int, list[tuple[int, int]]]:
    """Given the seqs held above `acked_to` (sorted), the new highest contiguous seq and the gaps
    (inclusive ranges) still open below the highest seq held."""
    gaps: list[tuple[int, int]] = []
    contiguous = acked_to
    expected = acked_to + 1
    for seq in seqs_above:
        if seq == expected and not gaps:
            contiguous = seq
        elif seq > expected and len(gaps) < MAX_REPORTED_GAPS:
            gaps.append((expected, seq - 1))
        expected = seq + 1
    return contiguous, gaps


def storage_reason(exc: BaseException) -> str:
    """The dead-letter reason for an event the database refused; a fact id seen before is
    `duplicate_fact` (a replay under a new seq, or a forgery), anything else names the error."""
    name = type(exc).__name__
    text = str(exc).splitlines()[0] if str(exc) else ""
    if name == "UniqueViolation" or "UNIQUE constraint failed" in text:
        return f"duplicate_fact: {clean_text(text, 200)}"
    return f"storage refused it: {name}: {clean_text(text, 200)}"


def clean_text(text: str, limit: int) -> str:
    """Text safe for any column and log: control characters shown, length bounded."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:limit])


def make_ack(store: str, terminal: str, acked_to: int, rejected: list[Rejection],
             gaps: list[tuple[int, int]]) -> Ack:
    return Ack(v=SCHEMA_VERSION, store=store, terminal=terminal, acked_to=acked_to,
               rejected=rejected, gaps=gaps)


# Column names and PostgreSQL types, in the order of the rows `sale_rows` makes (binary COPY).
SALE_COLUMNS = ("store", "terminal", "seq", "sale_id", "event_id", "status", "receipt_no",
                "staff_id", "opened_at", "closed_at", "business_date", "currency", "subtotal",
                "discount", "tax", "total", "rounding", "paid", "change", "line_count")
LINE_COLUMNS = ("store", "terminal", "seq", "line_no", "sku", "name", "unit", "qty_milli",
                "unit_price", "gross", "discount", "total", "tax_class", "tax_rate_bp", "tax")
TENDER_COLUMNS = ("store", "terminal", "seq", "tender_no", "type", "amount", "reference",
                  "approval_code", "masked_pan")
SALE_TYPES = ("text", "text", "int8", "text", "text", "text", "int8", "text", "timestamptz",
              "timestamptz", "date", "text", "int8", "int8", "int8", "int8", "int8", "int8",
              "int8", "int4")
LINE_TYPES = ("text", "text", "int8", "int4", "text", "text", "text", "int8", "int8", "int8",
              "int8", "int8", "text", "int4", "int8")
TENDER_TYPES = ("text", "text", "int8", "int4", "text", "int8", "text", "text", "text")


def sale_rows(store: str, terminal: str, events: list[Accepted], zone: ZoneInfo
              ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    sales: list[tuple[Any, ...]] = []
    lines: list[tuple[Any, ...]] = []
    tenders: list[tuple[Any, ...]] = []
    for event in events:
        sale = event.sale
        if sale is None:
            continue
        seq = event.seq
        status = "completed" if event.type == "sale.completed" else "cancelled"
        closed_at = sale.closed_at
        sales.append((store, terminal, seq, sale.sale_id, event.event_id, status,
                      sale.receipt_no, sale.staff_id, sale.opened_at,
                      closed_at, closed_at.astimezone(zone).date(), sale.currency, sale.subtotal,
                      sale.discount, sale.tax, sale.total, sale.rounding, sale.paid, sale.change,
                      len(sale.lines)))
        lines += [(store, terminal, seq, ln.line_no, ln.sku, ln.name, ln.unit, ln.qty_milli,
                   ln.unit_price, ln.gross, ln.discount, ln.total, ln.tax_class, ln.tax_rate_bp,
                   ln.tax) for ln in sale.lines]
        tenders += [(store, terminal, seq, t.tender_no, t.type, t.amount, t.reference,
                     t.approval_code, t.masked_pan) for t in sale.tenders]
    return sales, lines, tenders


REFUND_COLUMNS = ("out_refund_no", "out_trade_no", "provider", "store", "terminal", "seq",
                  "return_id", "sale_id", "amount", "refund_id", "refunded_at", "business_date")


def refund_rows(store: str, terminal: str, events: list[Accepted], zone: ZoneInfo
                ) -> list[tuple[Any, ...]]:
    """hq_payment_refund rows of the `payment.refunded` events; the business date is the
    refund's day in HQ's zone (Beijing by default, the day the providers' files are cut by)."""
    rows = []
    for e in events:
        f = e.fact
        if isinstance(f, PaymentRefunded):
            rows.append((f.out_refund_no, f.out_trade_no, f.provider, store, terminal, e.seq,
                         f.return_id, f.sale_id, f.amount, f.refund_id, f.refunded_at,
                         f.refunded_at.astimezone(zone).date()))
    return rows


def card_reply(card_no: str, balance: int, through_seq: int, locked_by: str | None) -> bytes:
    """The body of a balance look-up answer, in the terms of edge.customers.stored_value.apply_hq_balance:
    the balance counts the asking terminal's movements only up to `through_seq` (its ack
    watermark; the till adds its own later ones) and every other terminal's movements HQ holds.
    `locked_by` names a terminal that spent the card offline and has not caught up with HQ yet
    (online again with no open gap): the terminal id within the store, store/terminal across."""
    return json.dumps({"card_no": card_no, "balance": balance, "through_seq": through_seq,
                       "locked_by": locked_by}).encode("utf-8")


def lock_holder(asking_store: str, store: str, terminal: str) -> str:
    return terminal if store == asking_store else f"{store}/{terminal}"
