"""HQ storage on SQLite: the embedded default for a one-machine demo, same interface as PostgreSQL.

Rule: one BEGIN IMMEDIATE transaction per batch, which also serialises workers sharing the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from cloud_sync.protocol import Rejection
from hq.loyalty.ledger import apply_loyalty_facts
from hq.recon import tables as recon_tables
from hq.recon.tables import ImportedFile, Sides
from hq.schemas import SV_TYPES
from hq.stock.movements import MOVEMENT_COLUMNS, TRANSFER_LEG_SQL, StockChanges, ledger_sums_sql
from hq.stock.transfers import TRANSFERS_SQL
from hq.storage.interface import (
    HEALTH_CLOCK_BACK_S,
    HEALTH_COLUMNS,
    LINE_COLUMNS,
    REFUND_COLUMNS,
    SALE_COLUMNS,
    TENDER_COLUMNS,
    Accepted,
    BatchIn,
    HealthIn,
    IngestResult,
    OwnershipView,
    Refused,
    StoredHealth,
    T,
    TerminalStats,
    advance,
    card_reply,
    clean_text,
    hq_migrations,
    lock_holder,
    make_ack,
    refund_rows,
    sale_rows,
    storage_reason,
)
from hq.storage.ledger import (
    LOCK_HOURS,
    Ledger,
    apply_batch,
    balance_reply,
    clear_lock,
    reconcile_topups,
)
from hq.storage.owners import (
    grant_if_foreign,
    ownership_view,
    security_alerts,
    write_alerts,
)

# What a write that passed validation can still raise for the data it carries.
POISON = (sqlite3.IntegrityError, sqlite3.DataError, sqlite3.InterfaceError, sqlite3.ProgrammingError,
          ValueError, OverflowError, TypeError, UnicodeError)
_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
_HEALTH_UPDATE = ", ".join(f"{c} = excluded.{c}" for c in HEALTH_COLUMNS.split(", ")[2:])


class SqliteStorage:
    def __init__(self, path: str, zone: ZoneInfo, lock_hours: float = LOCK_HOURS) -> None:
        self.zone = zone
        self.lock_hours = lock_hours
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=30,
                                    check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        with self._tx():
            current = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
            for number, sql in hq_migrations("sqlite"):
                if number > current:
                    _script(self.conn, sql)
                    self.conn.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def ingest_many(self, batches: list[BatchIn]) -> list[IngestResult]:
        with self._tx():
            results = []
            for b in batches:
                results.append(self._ingest(b.store, b.terminal, b.accepted, b.refused, b.since))
                write_alerts(self.conn.cursor(), False, b.store, b.terminal, b.alerts)
                if b.journal is not None:
                    self.conn.execute(
                        "UPDATE hq_terminal SET journal_seq = ?, journal_hash = ? WHERE store = ?"
                        " AND terminal = ? AND journal_seq <= ?",
                        (b.journal[0], b.journal[1], b.store, b.terminal, b.journal[0]))
            return results

    def ingest(self, store: str, terminal: str, accepted: list[Accepted],
               refused: list[Refused], since: int) -> IngestResult:
        with self._tx():
            return self._ingest(store, terminal, accepted, refused, since)

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        self.conn.execute("SAVEPOINT event")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK TO event")
            self.conn.execute("RELEASE event")
            raise
        self.conn.execute("RELEASE event")

    def _ingest(self, store: str, terminal: str, accepted: list[Accepted],
                refused: list[Refused], since: int) -> IngestResult:
        c = self.conn
        c.execute(f"INSERT INTO hq_terminal (store, terminal, last_seen, online)"
                  f" VALUES (?, ?, {_NOW}, 1) ON CONFLICT (store, terminal)"
                  f" DO UPDATE SET last_seen = {_NOW}", (store, terminal))
        acked_to, max_seq = c.execute(
            "SELECT acked_to, max_seq FROM hq_terminal WHERE store = ? AND terminal = ?",
            (store, terminal)).fetchone()
        try:
            with self._savepoint():
                accepted, refused, new = self._write(store, terminal, accepted, refused, acked_to)
        except POISON:
            # Each event in its own savepoint: only the one the database refuses is
            # dead-lettered, with the database's reason.
            new = set()
            kept: list[Accepted] = []
            refused = list(refused)
            for e in accepted:
                try:
                    with self._savepoint():
                        one, moved, more = self._write(store, terminal, [e], [], acked_to)
                    new |= more
                    kept += one
                    refused += moved
                except POISON as exc:
                    refused.append(Refused(e.seq, e.event_id, e.type, storage_reason(exc),
                                           e.payload))
            accepted = kept
            last = [r for r in refused if r.seq is None or r.seq not in new]
            new |= self._write(store, terminal, [], last, acked_to)[2]
        events = [(e.seq, e.event_id, e.type, 0) for e in accepted]
        events += [(r.seq, r.event_id, r.type, 1) for r in refused if r.seq is not None]
        top = max((e[0] for e in events), default=0)
        gaps: list[tuple[int, int]] = []
        if (new and top > acked_to) or max_seq > acked_to:
            seqs = [r[0] for r in c.execute(
                "SELECT seq FROM hq_received WHERE store = ? AND terminal = ? AND seq > ?"
                " ORDER BY seq", (store, terminal, acked_to))]
            acked_to, gaps = advance(acked_to, seqs)
            c.execute("UPDATE hq_terminal SET acked_to = ?, max_seq = max(max_seq, ?)"
                      " WHERE store = ? AND terminal = ?", (acked_to, top, store, terminal))
        old = [e[0] for e in events if e[0] not in new]
        # Every rejection above the terminal's watermark, again: an earlier ack may be lost.
        rejected = [Rejection(row[0], row[1]) for row in c.execute(
            "SELECT DISTINCT seq, reason FROM hq_dead_letter WHERE store = ? AND terminal = ?"
            " AND seq > ? AND seq <= ? AND resend_requested_at IS NULL ORDER BY seq",
            (store, terminal, since, max(acked_to, top)))]
        return IngestResult(make_ack(store, terminal, acked_to, rejected, gaps),
                            new_events=len(new), duplicates=len(old), gaps=gaps)

    def _write(self, store: str, terminal: str, accepted: list[Accepted],
               refused: list[Refused], acked_to: int
               ) -> tuple[list[Accepted], list[Refused], set[int]]:
        """Write what is new of these events: (accepted and refused as written, since the ledger
        may refuse movements; the seqs that were new)."""
        c = self.conn
        events = [(e.seq, e.event_id, e.type, 0) for e in accepted]
        events += [(r.seq, r.event_id, r.type, 1) for r in refused if r.seq is not None]
        new: set[int] = set()
        for seq, event_id, etype, is_rejected in events:
            cur = c.execute("INSERT OR IGNORE INTO hq_received (store, terminal, seq, event_id,"
                            " type, rejected) VALUES (?, ?, ?, ?, ?, ?)",
                            (store, terminal, seq, event_id, etype, is_rejected))
            if cur.rowcount:
                new.add(seq)
        fresh = [e for e in accepted if e.seq in new]
        sales, lines, tenders = sale_rows(store, terminal, fresh, self.zone)
        for table, columns, rows in (("hq_sale", SALE_COLUMNS, sales),
                                     ("hq_sale_line", LINE_COLUMNS, lines),
                                     ("hq_sale_tender", TENDER_COLUMNS, tenders)):
            marks = ", ".join("?" * len(columns))
            c.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                          [tuple(v.isoformat() if isinstance(v, date) else v for v in row)
                           for row in rows])
        self._stock(store, terminal, fresh)
        plain = [e for e in fresh if e.sale is None and e.type not in SV_TYPES]
        self._events(store, terminal, plain)  # first: a refund's return may be in this batch
        refunds = refund_rows(store, terminal, plain, self.zone)
        c.executemany(f"INSERT INTO hq_payment_refund ({', '.join(REFUND_COLUMNS)})"
                      f" VALUES ({', '.join('?' * len(REFUND_COLUMNS))})",
                      [tuple(v.isoformat() if isinstance(v, date) else v for v in row)
                       for row in refunds])
        ledger = Ledger(c, postgres=False, lock_hours=self.lock_hours)
        applied, moved = apply_batch(ledger, store, terminal, fresh,
                                     [e[0] for e in events], acked_to)
        self._events(store, terminal, applied)
        apply_loyalty_facts(c, False, store, terminal, fresh)
        if moved:
            gone = {r.seq for r in moved}
            c.executemany("UPDATE hq_received SET rejected = 1 WHERE store = ? AND terminal = ?"
                          " AND seq = ?", [(store, terminal, seq) for seq in gone])
            accepted = [e for e in accepted if e.seq not in gone]
            refused = refused + moved
        c.executemany("INSERT INTO hq_dead_letter (store, terminal, seq, event_id, type,"
                      " reason, raw) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      [(store, terminal, r.seq, r.event_id, r.type, clean_text(r.reason, 500),
                        r.payload) for r in refused if r.seq is None or r.seq in new])
        return accepted, refused, new

    def _stock(self, store: str, terminal: str, events: list[Accepted]) -> None:
        changes = StockChanges()
        changes.add(store, terminal, events)
        self.conn.executemany(
            f"INSERT INTO hq_stock_movement ({', '.join(MOVEMENT_COLUMNS)})"
            f" VALUES ({', '.join('?' * len(MOVEMENT_COLUMNS))})", changes.movements)
        self.conn.executemany(
            f"INSERT INTO hq_stock_on_hand (store, sku, qty_milli, updated_at)"
            f" VALUES (?, ?, ?, {_NOW}) ON CONFLICT (store, sku) DO UPDATE"
            f" SET qty_milli = qty_milli + excluded.qty_milli, updated_at = excluded.updated_at",
            changes.on_hand_rows())
        self.conn.executemany(TRANSFER_LEG_SQL.replace("%s", "?"), changes.legs)

    def _events(self, store: str, terminal: str, events: list[Accepted]) -> None:
        self.conn.executemany(
            "INSERT INTO hq_event (store, terminal, seq, event_id, type, created_at, payload)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(store, terminal, e.seq, e.event_id, e.type, e.created_at,
              e.payload.decode("utf-8")) for e in events])

    def dead_letter(self, store: str, terminal: str, reason: str, raw: bytes) -> None:
        with self._tx():
            self.conn.execute("INSERT INTO hq_dead_letter (store, terminal, reason, raw)"
                              " VALUES (?, ?, ?, ?)", (store, terminal, reason, raw))

    def presence(self, store: str, terminal: str, online: bool) -> None:
        with self._tx():
            self.conn.execute(
                f"INSERT INTO hq_terminal (store, terminal, last_seen, online)"
                f" VALUES (?, ?, {_NOW}, ?) ON CONFLICT (store, terminal)"
                f" DO UPDATE SET last_seen = {_NOW}, online = excluded.online",
                (store, terminal, int(online)))

    def keep_health(self, health: HealthIn) -> bool:
        h = health
        with self._tx():
            row = self.conn.execute(
                f"INSERT INTO hq_terminal_health ({HEALTH_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                f" ON CONFLICT (store, terminal) DO UPDATE SET {_HEALTH_UPDATE}"
                " WHERE julianday(excluded.reported_at) >= julianday(hq_terminal_health.reported_at)"
                " OR julianday(excluded.received_at) >= julianday(hq_terminal_health.received_at)"
                f" + {HEALTH_CLOCK_BACK_S} / 86400.0 RETURNING 1",
                (h.store, h.terminal, _utc_text(h.received_at), _utc_text(h.reported_at), h.status,
                 h.version, h.pending, h.oldest_unsynced_age_s, h.disk_free_bytes,
                 h.clock_offset_s, h.last_backup_age_s, h.report.decode("utf-8"))).fetchone()
        return row is not None

    def health(self) -> list[StoredHealth]:
        rows = self.conn.execute(
            "SELECT h.store, h.terminal, h.received_at, t.online, h.report"
            " FROM hq_terminal_health h LEFT JOIN hq_terminal t"
            " ON t.store = h.store AND t.terminal = h.terminal"
            " ORDER BY h.store, h.terminal").fetchall()
        return [StoredHealth(r[0], r[1], datetime.fromisoformat(r[2]),
                             None if r[3] is None else bool(r[3]), r[4].encode("utf-8"))
                for r in rows]

    def stats(self, today: date) -> list[TerminalStats]:
        c = self.conn
        out = []
        rows = c.execute(
            "SELECT t.store, t.terminal, t.last_seen, t.online, t.acked_to, t.max_seq,"
            " (SELECT count(*) FROM hq_sale s WHERE s.business_date = ? AND s.store = t.store"
            "   AND s.terminal = t.terminal AND s.status = 'completed'),"
            " (SELECT coalesce(sum(total), 0) FROM hq_sale s WHERE s.business_date = ?"
            "   AND s.store = t.store AND s.terminal = t.terminal AND s.status = 'completed'),"
            " (SELECT count(*) FROM hq_dead_letter d WHERE d.store = t.store"
            "   AND d.terminal = t.terminal)"
            " FROM hq_terminal t ORDER BY t.store, t.terminal",
            (today.isoformat(), today.isoformat())).fetchall()
        for store, terminal, seen, online, acked_to, max_seq, n, amount, dead in rows:
            seqs = [r[0] for r in c.execute(
                "SELECT seq FROM hq_received WHERE store = ? AND terminal = ? AND seq > ?"
                " ORDER BY seq", (store, terminal, acked_to))]
            _, gaps = advance(acked_to, seqs)
            out.append(TerminalStats(store, terminal, seen, bool(online), acked_to, max_seq, gaps,
                                     n, int(amount), dead))
        return out

    def stores(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT store FROM hq_terminal ORDER BY store")]

    def find_sale(self, sale_id: str, prefer_store: str | None = None) -> bytes | None:
        row = self.conn.execute(
            "SELECT json_object('store', s.store, 'terminal', s.terminal, 'seq', s.seq,"
            " 'sale_id', s.sale_id, 'status', s.status, 'receipt_no', s.receipt_no,"
            " 'total', s.total, 'closed_at', s.closed_at, 'lines', (SELECT json_group_array("
            " json_object('line_no', l.line_no, 'sku', l.sku, 'qty_milli', l.qty_milli,"
            " 'total', l.total)) FROM hq_sale_line l WHERE l.store = s.store"
            " AND l.terminal = s.terminal AND l.seq = s.seq))"
            " FROM hq_sale s WHERE s.sale_id = ? ORDER BY s.store = ? DESC, s.store, s.terminal"
            " LIMIT 1", (sale_id, prefer_store)).fetchone()
        return row[0].encode("utf-8") if row else None

    def card_balance(self, card_no: str, store: str, terminal: str) -> bytes | None:
        found = balance_reply(self.conn.cursor(), "?", card_no, store, terminal)
        if found is None:
            return None
        balance, through, holder = found
        return card_reply(card_no, balance, through,
                          lock_holder(store, *holder) if holder else None)

    def loyalty(self, work: Callable[[Any, bool], T]) -> T:
        with self._tx():
            return work(self.conn, False)

    def ownership_view(self, wanted: dict[str, set[str]],
                       askers: set[tuple[str, str]]) -> OwnershipView:
        return ownership_view(self.conn.cursor(), False, wanted, askers)

    def grant(self, store: str, terminal: str, kind: str, object_id: str, amount: int,
              now: datetime, expires_at: datetime) -> bool:
        with self._tx():
            return grant_if_foreign(self.conn.cursor(), False, store, terminal, kind, object_id,
                                    amount, now, expires_at)

    def security_alerts(self, store: str | None = None, limit: int = 100
                        ) -> list[tuple[str, str, str, int | None, str, str]]:
        return security_alerts(self.conn.cursor(), False, store, limit)

    def journal_heads(self, store: str | None = None) -> list[tuple[str, str, int, str]]:
        return [(r[0], r[1], int(r[2]), r[3]) for r in self.conn.execute(
            "SELECT store, terminal, journal_seq, journal_hash FROM hq_terminal"
            " WHERE journal_seq > 0 AND (? IS NULL OR store = ?) ORDER BY store, terminal",
            (store, store))]

    def topup_differences(self, store: str | None = None
                          ) -> list[tuple[str, str, int | None, str, int, int]]:
        return reconcile_topups(self.conn.cursor(), False, store)

    def clear_lock(self, card_no: str) -> bool:
        with self._tx():
            return clear_lock(self.conn.cursor(), "?", card_no)

    def add_version(self, store: str, stream: str, items: dict[str, bytes],
                    sign: Any) -> tuple[int, bytes]:
        with self._tx():
            version = self.head(store, stream) + 1
            signed: bytes = sign(version)
            self.conn.execute("INSERT INTO hq_version (store, stream, version, signed)"
                              " VALUES (?, ?, ?, ?)", (store, stream, version, signed))
            self.conn.executemany(
                "INSERT OR REPLACE INTO hq_stream_item (store, stream, key, body, version)"
                " VALUES (?, ?, ?, ?, ?)",
                [(store, stream, k, v, version) for k, v in items.items()])
        return version, signed

    def head(self, store: str, stream: str) -> int:
        row = self.conn.execute("SELECT coalesce(max(version), 0) FROM hq_version"
                                " WHERE store = ? AND stream = ?", (store, stream)).fetchone()
        return int(row[0])

    def versions_after(self, store: str, stream: str, have: int, limit: int) -> list[bytes]:
        return [bytes(r[0]) for r in self.conn.execute(
            "SELECT signed FROM hq_version WHERE store = ? AND stream = ? AND version > ?"
            " ORDER BY version LIMIT ?", (store, stream, have, limit))]

    def snapshot_items(self, store: str, stream: str) -> tuple[int, list[bytes]]:
        self.conn.execute("BEGIN")
        try:
            head = self.head(store, stream)
            rows = [bytes(r[0]) for r in self.conn.execute(
                "SELECT body FROM hq_stream_item WHERE store = ? AND stream = ? ORDER BY key",
                (store, stream))]
        finally:
            self.conn.execute("COMMIT")
        return head, rows

    # ---- reconciliation ---------------------------------------------------------------------

    def recon_import(self, f: ImportedFile) -> int:
        with self._tx():
            return recon_tables.replace_file(self.conn.cursor(), False, f)

    def recon_sides(self, day: date) -> Sides:
        return recon_tables.read_sides(self.conn.cursor(), False, day, self.zone)

    def recon_lookup(self, keys: list[str]
                     ) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], str]]:
        cur = self.conn.cursor()
        return (recon_tables.hq_keys_anywhere(cur, False, keys),
                recon_tables.file_keys_anywhere(cur, False, keys))

    def stock_sums(self, store: str, terminal: str | None = None, through: int | None = None
                   ) -> list[tuple[str, int]]:
        sql, values = ledger_sums_sql(store, terminal, through)
        return [(r[0], int(r[1])) for r in self.conn.execute(sql.replace("%s", "?"), values)]

    def stock_on_hand(self, store: str) -> list[tuple[str, int]]:
        return [(r[0], int(r[1])) for r in self.conn.execute(
            "SELECT sku, qty_milli FROM hq_stock_on_hand WHERE store = ? ORDER BY sku", (store,))]

    def add_transfer(self, transfer_id: str, from_store: str, to_store: str, lines: str,
                     note: str, created_by: str) -> None:
        with self._tx():
            self.conn.execute(
                f"INSERT INTO hq_transfer (transfer_id, from_store, to_store, lines, note,"
                f" created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, {_NOW})",
                (transfer_id, from_store, to_store, lines, note, created_by))

    def transfers(self, store: str = "") -> list[dict[str, Any]]:
        cur = self.conn.execute(TRANSFERS_SQL.replace("%s", "?"), (store, store, store))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def watermarks(self, store: str) -> dict[str, int]:
        return {r[0]: int(r[1]) for r in self.conn.execute(
            "SELECT terminal, acked_to FROM hq_terminal WHERE store = ?", (store,))}

    def close(self) -> None:
        self.conn.close()


def _utc_text(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _script(conn: sqlite3.Connection, sql: str) -> None:
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
