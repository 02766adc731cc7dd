"""The reconciliation tables (migrations/hq/0006_recon.*) read and written through a DB-API
cursor; both HQ engines run this same SQL (placeholders written %s, turned into the engine's).

Rule: a file is imported in the caller's one transaction: its row and every item, replacing a
file of the same source and day, or nothing at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

SOURCES = ("wechat", "alipay", "acquirer")
MOBILE_SOURCES = ("wechat", "alipay")


@dataclass(frozen=True)
class FileItem:
    line: int
    kind: str                    # payment | refund
    key: str | None              # what HQ's side is matched on
    out_trade_no: str            # the payment (or the card sale's reference) it belongs to
    amount: int                  # fen, positive
    fee: Decimal                 # yuan charged to the merchant (+) or given back (-)


@dataclass(frozen=True)
class ImportedFile:
    source: str
    bill_date: date
    file_name: str
    sha256: str
    summary: str
    items: list[FileItem]


@dataclass(frozen=True)
class HqItem:
    """One fact HQ holds: a tender of a completed sale, or a refund."""

    kind: str                    # payment | refund
    key: str
    amount: int
    store: str
    terminal: str


@dataclass
class Sides:
    """Everything of one day to match: HQ's facts and the files' items, per class (mobile, card)."""

    day: date
    files: list[tuple[str, str, int, str]] = field(default_factory=list)  # source, name, rows, at
    provider: dict[str, list[tuple[str, FileItem]]] = field(default_factory=dict)  # class →
    hq: dict[str, list[HqItem]] = field(default_factory=dict)
    card_without_reference: int = 0


class Sql:
    def __init__(self, cur: Any, postgres: bool) -> None:
        self.cur = cur
        self.postgres = postgres
        self.mark = "%s" if postgres else "?"

    def q(self, sql: str, args: Iterable[Any] = ()) -> Any:
        return self.cur.execute(sql.replace("%s", self.mark), tuple(args))

    def day(self, day: date) -> Any:
        return day if self.postgres else day.isoformat()


def replace_file(cur: Any, postgres: bool, f: ImportedFile) -> int:
    """Write the file and its items, replacing the same source's file of that day; its id."""
    sql = Sql(cur, postgres)
    old = sql.q("SELECT id FROM hq_recon_file WHERE source = %s AND bill_date = %s",
                (f.source, sql.day(f.bill_date))).fetchone()
    if old is not None:
        sql.q("DELETE FROM hq_recon_item WHERE file_id = %s", (old[0],))
        sql.q("DELETE FROM hq_recon_file WHERE id = %s", (old[0],))
    file_id = sql.q("INSERT INTO hq_recon_file (source, bill_date, file_name, sha256, rows,"
                    " summary) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
                    (f.source, sql.day(f.bill_date), f.file_name[:200], f.sha256, len(f.items),
                     f.summary[:2000])).fetchone()[0]
    rows = [(file_id, i.line, i.kind, i.key, i.out_trade_no, i.amount,
             i.fee if postgres else str(i.fee)) for i in f.items]
    if rows:
        cur.executemany("INSERT INTO hq_recon_item (file_id, line, kind, key, out_trade_no,"
                        " amount, fee) VALUES (%s, %s, %s, %s, %s, %s, %s)".replace(
                            "%s", sql.mark), rows)
    return int(file_id)


def read_sides(cur: Any, postgres: bool, day: date, zone: ZoneInfo) -> Sides:
    sql = Sql(cur, postgres)
    sides = Sides(day)
    for source, name, rows, at in sql.q(
            "SELECT source, file_name, rows, imported_at FROM hq_recon_file"
            " WHERE bill_date = %s ORDER BY source", (sql.day(day),)).fetchall():
        sides.files.append((source, name, int(rows), str(at)))
    for source, line, kind, key, otn, amount, fee in sql.q(
            "SELECT f.source, i.line, i.kind, i.key, i.out_trade_no, i.amount, i.fee"
            " FROM hq_recon_item i JOIN hq_recon_file f ON f.id = i.file_id"
            " WHERE f.bill_date = %s ORDER BY f.source, i.line", (sql.day(day),)).fetchall():
        cls = "mobile" if source in MOBILE_SOURCES else "card"
        sides.provider.setdefault(cls, []).append(
            (source, FileItem(int(line), kind, key, otn, int(amount), Decimal(str(fee)))))
    for kind, reference, amount, store, terminal in sql.q(
            "SELECT t.type, t.reference, t.amount, s.store, s.terminal FROM hq_sale_tender t"
            " JOIN hq_sale s ON s.store = t.store AND s.terminal = t.terminal AND s.seq = t.seq"
            " WHERE s.business_date = %s AND s.status = 'completed'"
            " AND t.type IN ('mobile', 'card')", (sql.day(day),)).fetchall():
        if not reference:
            if kind == "card":
                sides.card_without_reference += 1
            continue
        sides.hq.setdefault(kind, []).append(HqItem("payment", reference, int(amount), store,
                                                    terminal))
    for key, amount, store, terminal in sql.q(
            "SELECT out_refund_no, amount, store, terminal FROM hq_payment_refund"
            " WHERE business_date = %s", (sql.day(day),)).fetchall():
        sides.hq.setdefault("mobile", []).append(HqItem("refund", key, int(amount), store,
                                                        terminal))
    sides.hq.setdefault("card", []).extend(_card_refunds(sql, day, zone))
    return sides


def _card_refunds(sql: Sql, day: date, zone: ZoneInfo) -> list[HqItem]:
    """Card shares of the returns of `day` (HQ's zone), keyed by the sale's card reference (what
    a return tender carries and the acquirer's refund row names as original_reference)."""
    start = datetime(day.year, day.month, day.day, tzinfo=zone) - timedelta(days=1)
    found = []
    for store, terminal, created, payload in sql.q(
            "SELECT store, terminal, created_at, payload FROM hq_event"
            " WHERE type = 'return.completed' AND created_at >= %s AND created_at < %s",
            (start if sql.postgres else start.isoformat(),
             (start + timedelta(days=3)) if sql.postgres
             else (start + timedelta(days=3)).isoformat())).fetchall():
        at = created if isinstance(created, datetime) else datetime.fromisoformat(str(created))
        if at.astimezone(zone).date() != day:
            continue
        body = payload if isinstance(payload, dict) else json.loads(payload)
        for t in body.get("tenders", []):
            if t.get("type") == "card" and t.get("reference"):
                found.append(HqItem("refund", t["reference"], int(t["amount"]), store, terminal))
    return found


def hq_keys_anywhere(cur: Any, postgres: bool, keys: list[str]) -> dict[tuple[str, str], int]:
    """(kind, key) → fen of HQ's facts on any day, for keys a day's file has and HQ's day lacks."""
    if not keys:
        return {}
    sql = Sql(cur, postgres)
    marks = ", ".join(["%s"] * len(keys))
    out: dict[tuple[str, str], int] = {}
    for reference, amount in sql.q(
            "SELECT t.reference, SUM(t.amount) FROM hq_sale_tender t JOIN hq_sale s"
            " ON s.store = t.store AND s.terminal = t.terminal AND s.seq = t.seq"
            f" WHERE s.status = 'completed' AND t.reference IN ({marks})"
            " GROUP BY t.reference", keys).fetchall():
        out[("payment", reference)] = int(amount)
    for key, amount in sql.q(f"SELECT out_refund_no, amount FROM hq_payment_refund"
                             f" WHERE out_refund_no IN ({marks})", keys).fetchall():
        out[("refund", key)] = int(amount)
    return out


def file_keys_anywhere(cur: Any, postgres: bool, keys: list[str]) -> dict[tuple[str, str], str]:
    """(kind, key) → the bill date of a file (any day) that holds it."""
    if not keys:
        return {}
    sql = Sql(cur, postgres)
    marks = ", ".join(["%s"] * len(keys))
    return {(kind, key): str(day) for kind, key, day in sql.q(
        "SELECT i.kind, i.key, f.bill_date FROM hq_recon_item i JOIN hq_recon_file f"
        f" ON f.id = i.file_id WHERE i.key IN ({marks})", keys).fetchall()}
