"""HQ storage on PostgreSQL (psycopg 3): the real store.

Rule: one transaction per batch; the terminal's row is locked first, so concurrent workers on the
same terminal serialise there and contiguity is computed on committed, complete data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from cloud_sync.protocol import Rejection
from hq.loyalty.ledger import apply_loyalty_facts
from hq.orders.book import apply_order_facts
from hq.recon import tables as recon_tables
from hq.recon.tables import ImportedFile, Sides
from hq.schemas import LOSS_TYPES, ORDER_TYPES, SV_TYPES
from hq.stock.movements import (
    MOVEMENT_COLUMNS,
    MOVEMENT_TYPES,
    TRANSFER_LEG_SQL,
    StockChanges,
    ledger_sums_sql,
)
from hq.stock.transfers import TRANSFERS_SQL
from hq.storage import rollups
from hq.storage.array_literal import plain_array, quoted_array
from hq.storage.interface import (
    HEALTH_CLOCK_BACK_S,
    HEALTH_COLUMNS,
    LINE_COLUMNS,
    LINE_TYPES,
    REFUND_COLUMNS,
    SALE_COLUMNS,
    SALE_TYPES,
    TENDER_COLUMNS,
    TENDER_TYPES,
    Accepted,
    BatchIn,
    HealthIn,
    IngestResult,
    OwnershipView,
    Refused,
    StorageUnavailable,
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

log = logging.getLogger("hq.storage")
# What a write that passed validation can still raise for the data it carries (not for a lost
# connection): the event is dead-lettered with this, never retried for ever.
POISON = (psycopg.Error, ValueError, OverflowError, TypeError, UnicodeError)
RECEIVED_COLUMNS = ("store", "terminal", "seq", "event_id", "type", "rejected")
RECEIVED_TYPES = ("text", "text", "int8", "text", "text", "bool")
_HEALTH_UPDATE = ", ".join(f"{c} = excluded.{c}" for c in HEALTH_COLUMNS.split(", ")[2:])
_LOCK_MIGRATIONS = 0x5053594E  # advisory lock id: only one process migrates at a time


class PgStorage:
    def __init__(self, url: str, zone: ZoneInfo, lock_hours: float = LOCK_HOURS) -> None:
        self.url = url
        self.zone = zone
        self.lock_hours = lock_hours
        self.conn = self._connect()
        self._migrate()

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            raise StorageUnavailable(str(exc)) from exc

    def _migrate(self) -> None:
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_MIGRATIONS,))
            self.conn.execute("CREATE TABLE IF NOT EXISTS hq_migration ("
                              " number INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ DEFAULT now())")
            row = self.conn.execute("SELECT coalesce(max(number), 0) FROM hq_migration").fetchone()
            current = int(row[0]) if row else 0
            for number, sql in hq_migrations("postgres"):
                if number > current:
                    self.conn.execute(sql)
                    self.conn.execute("INSERT INTO hq_migration (number) VALUES (%s)", (number,))

    def _reconnect_if_broken(self) -> None:
        if self.conn.closed or self.conn.broken:
            self.conn = self._connect()

    def _run(self, fn: Any, *args: Any) -> Any:
        """Run `fn(conn, ...)`; a lost connection becomes StorageUnavailable (caller retries)."""
        try:
            self._reconnect_if_broken()
            return fn(self.conn, *args)
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            try:
                self.conn.close()
            except psycopg.Error:
                pass
            raise StorageUnavailable(str(exc)) from exc

    # ---- ingest -------------------------------------------------------------------------------

    def ingest(self, store: str, terminal: str, accepted: list[Accepted],
               refused: list[Refused], since: int) -> IngestResult:
        return self.ingest_many([BatchIn(store, terminal, accepted, refused, since)])[0]

    def ingest_many(self, batches: list[BatchIn]) -> list[IngestResult]:
        result: list[IngestResult] = self._run(self._ingest_many, batches)
        return result

    def _ingest_many(self, conn: psycopg.Connection[Any],
                     batches: list[BatchIn]) -> list[IngestResult]:
        try:
            return self._write(conn, batches, careful=False)
        except (psycopg.OperationalError, psycopg.InterfaceError):
            raise
        except POISON as exc:
            # Something passed validation and still failed in the database: write the group
            # again, each batch in its own savepoint and a failing batch event by event, so
            # that only the guilty event is dead-lettered.
            log.warning("a group of %d batches failed (%s: %s); writing it event by event",
                        len(batches), type(exc).__name__, str(exc)[:200])
            return self._write(conn, batches, careful=True)

    def _write(self, conn: psycopg.Connection[Any], batches: list[BatchIn],
               careful: bool) -> list[IngestResult]:
        """The group in one transaction, with a constant number of statements for the usual
        case: one to lock every terminal of the group, one to mark every event received, one
        COPY per table, one upsert per rollup and one to move every watermark; what only some
        facts need (stored value, orders, refunds, ...) is written per batch, when present."""
        # Terminal rows are locked in (store, terminal) order, so concurrent workers never wait
        # on each other in a circle; and before any savepoint, so none can roll the row back.
        order = sorted(range(len(batches)), key=lambda i: (batches[i].store, batches[i].terminal))
        # Python's share of the work is done before the terminal rows are locked, so that a
        # second worker writing the same terminal waits only for the database's share: the rows
        # of every event as if all were new (the usual case); a batch with events HQ already
        # holds has its rows made again inside.
        ready = {i: _Prepared(batches[i], self.zone) for i in order} if not careful else {}
        results: dict[int, IngestResult] = {}
        with conn.transaction(), conn.cursor() as cur:
            # (acked_to, max_seq, dead_to) of each terminal as this transaction leaves it.
            state = _lock_terminals(cur, [(batches[i].store, batches[i].terminal) for i in order])
            before = dict(state)
            written: dict[int, tuple[BatchIn, set[int]]] = {}
            rows = _Rows(self.zone)
            if careful:
                for i in order:
                    acked_to = state[(batches[i].store, batches[i].terminal)][0]
                    written[i] = self._write_carefully(conn, cur, batches[i], acked_to)
            else:
                new = _mark_received(cur, [batches[i] for i in order])
                for i in order:
                    b = batches[i]
                    written[i] = self._write_batch(cur, b, rows, state[(b.store, b.terminal)][0],
                                                   _claim(new, b), ready[i])
            rows.copy(cur)
            for i in order:
                results[i] = _advance(cur, written[i][0], written[i][1], state)
            _save_watermarks(cur, state, before)
            _anchor(cur, [batches[i] for i in order])
            for i in order:
                write_alerts(cur, True, batches[i].store, batches[i].terminal, batches[i].alerts)
        return [results[i] for i in range(len(batches))]

    def _write_batch(self, cur: psycopg.Cursor[Any], b: BatchIn, rows: _Rows, acked_to: int,
                     new: set[int] | None = None, ready: _Prepared | None = None
                     ) -> tuple[BatchIn, set[int]]:
        """Write what of `b` is new (`new`: its seqs this transaction marked received, or None
        to mark them here); sale rows are gathered in `rows` for one COPY. `ready`: the rows of
        all of `b`'s accepted events, made before the transaction.
        (the batch as written: the ledger may refuse movements; the seqs that were new)"""
        if new is None:
            new = _claim(_mark_received(cur, [b]), b)
        fresh = [e for e in b.accepted if e.seq in new]
        if ready is None or len(fresh) != len(b.accepted):
            ready = _Prepared(BatchIn(b.store, b.terminal, fresh, [], b.since), self.zone)
        rows.add(ready)
        plain = [e for e in fresh if e.sale is None and e.type not in SV_TYPES]
        self._events(cur, b, plain)  # first: a refund's return may be in this batch
        refunds = refund_rows(b.store, b.terminal, plain, self.zone)
        if refunds:  # out_refund_no is unique: a replay under a new seq is a duplicate_fact
            cur.executemany(f"INSERT INTO hq_payment_refund ({', '.join(REFUND_COLUMNS)})"
                            f" VALUES ({', '.join(['%s'] * len(REFUND_COLUMNS))})", refunds)
        if any(e.type in SV_TYPES for e in fresh):
            ledger = Ledger(cur, postgres=True, lock_hours=self.lock_hours)
            seqs = [e.seq for e in b.accepted] + [r.seq for r in b.refused if r.seq is not None]
            applied, moved = apply_batch(ledger, b.store, b.terminal, fresh, seqs, acked_to)
            self._events(cur, b, applied)
            if moved:
                cur.execute("UPDATE hq_received SET rejected = TRUE WHERE store = %s"
                            " AND terminal = %s AND seq = ANY(%s)",
                            (b.store, b.terminal, [r.seq for r in moved]))
                gone = {r.seq for r in moved}
                b = BatchIn(b.store, b.terminal, [e for e in b.accepted if e.seq not in gone],
                            b.refused + moved, b.since, b.journal, b.sent_at, b.alerts)
        apply_order_facts(cur, b.store, [e for e in fresh if e.type in ORDER_TYPES])
        apply_loyalty_facts(cur, True, b.store, b.terminal, fresh)
        dead = [(b.store, b.terminal, r.seq, r.event_id, r.type, clean_text(r.reason, 500),
                 r.payload) for r in b.refused if r.seq is None or r.seq in new]
        if dead:
            cur.executemany(
                "INSERT INTO hq_dead_letter (store, terminal, seq, event_id, type,"
                " reason, raw) VALUES (%s, %s, %s, %s, %s, %s, %s)", dead)
        return b, new

    @staticmethod
    def _events(cur: psycopg.Cursor[Any], b: BatchIn, events: list[Accepted]) -> None:
        if events:
            cur.executemany(
                "INSERT INTO hq_event (store, terminal, seq, event_id, type, created_at,"
                " payload) VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb)",
                [(b.store, b.terminal, e.seq, e.event_id, e.type, e.created_at,
                  e.payload.decode("utf-8")) for e in events])

    def _write_carefully(self, conn: psycopg.Connection[Any], cur: psycopg.Cursor[Any],
                         b: BatchIn, acked_to: int) -> tuple[BatchIn, set[int]]:
        """`b` in a savepoint; if that fails, each accepted event in its own savepoint, and the
        ones that fail dead-lettered with the database's reason. (the batch as written, new)"""
        try:
            return self._in_savepoint(conn, cur, b, acked_to)
        except (psycopg.OperationalError, psycopg.InterfaceError):
            raise
        except POISON:
            pass
        accepted: list[Accepted] = []
        refused = list(b.refused)
        new: set[int] = set()
        for e in b.accepted:
            try:
                one, more = self._in_savepoint(conn, cur, BatchIn(b.store, b.terminal, [e], [],
                                                                  b.since), acked_to)
                new |= more
                accepted += one.accepted
                refused += one.refused
            except (psycopg.OperationalError, psycopg.InterfaceError):
                raise
            except POISON as exc:
                log.warning("%s/%s seq %d dead-lettered: %s", b.store, b.terminal, e.seq,
                            storage_reason(exc))
                refused.append(Refused(e.seq, e.event_id, e.type, storage_reason(exc), e.payload))
        last = [r for r in refused if r.seq is None or r.seq not in new]
        _, more = self._in_savepoint(conn, cur, BatchIn(b.store, b.terminal, [], last, b.since),
                                     acked_to)
        return BatchIn(b.store, b.terminal, accepted, refused, b.since), new | more

    def _in_savepoint(self, conn: psycopg.Connection[Any], cur: psycopg.Cursor[Any],
                      b: BatchIn, acked_to: int) -> tuple[BatchIn, set[int]]:
        with conn.transaction():
            rows = _Rows(self.zone)
            written = self._write_batch(cur, b, rows, acked_to)
            rows.copy(cur)
        return written

    def dead_letter(self, store: str, terminal: str, reason: str, raw: bytes) -> None:
        self._run(lambda conn: conn.execute(
            "INSERT INTO hq_dead_letter (store, terminal, reason, raw) VALUES (%s, %s, %s, %s)",
            (store, terminal, reason, raw)))

    def presence(self, store: str, terminal: str, online: bool) -> None:
        self._run(lambda conn: conn.execute(
            "INSERT INTO hq_terminal (store, terminal, last_seen, online) VALUES (%s, %s, now(), %s)"
            " ON CONFLICT (store, terminal) DO UPDATE SET last_seen = now(), online = %s",
            (store, terminal, online, online)))

    def keep_health(self, health: HealthIn) -> bool:
        h = health
        row = self._run(lambda conn: conn.execute(
            f"INSERT INTO hq_terminal_health ({HEALTH_COLUMNS})"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb)"
            f" ON CONFLICT (store, terminal) DO UPDATE SET {_HEALTH_UPDATE}"
            " WHERE excluded.reported_at >= hq_terminal_health.reported_at"
            " OR excluded.received_at >= hq_terminal_health.received_at"
            f" + interval '{HEALTH_CLOCK_BACK_S} seconds' RETURNING 1",
            (h.store, h.terminal, h.received_at, h.reported_at, h.status, h.version, h.pending,
             h.oldest_unsynced_age_s, h.disk_free_bytes, h.clock_offset_s, h.last_backup_age_s,
             h.report.decode("utf-8"))).fetchone())
        return row is not None

    def health(self) -> list[StoredHealth]:
        rows = self._run(lambda conn: conn.execute(
            "SELECT h.store, h.terminal, h.received_at, t.online, h.report::text"
            " FROM hq_terminal_health h LEFT JOIN hq_terminal t"
            " ON t.store = h.store AND t.terminal = h.terminal"
            " ORDER BY h.store, h.terminal").fetchall())
        return [StoredHealth(r[0], r[1], r[2], r[3], r[4].encode("utf-8")) for r in rows]

    # ---- views --------------------------------------------------------------------------------

    def stats(self, today: date) -> list[TerminalStats]:
        return self._run(self._stats, today)  # type: ignore[no-any-return]

    def _stats(self, conn: psycopg.Connection[Any], today: date) -> list[TerminalStats]:
        rows = conn.execute(
            "SELECT t.store, t.terminal, t.last_seen, t.online, t.acked_to, t.max_seq,"
            " (SELECT count(*) FROM hq_sale s WHERE s.business_date = %s AND s.store = t.store"
            "   AND s.terminal = t.terminal AND s.status = 'completed'),"
            " (SELECT coalesce(sum(total), 0) FROM hq_sale s WHERE s.business_date = %s"
            "   AND s.store = t.store AND s.terminal = t.terminal AND s.status = 'completed'),"
            " (SELECT count(*) FROM hq_dead_letter d WHERE d.store = t.store"
            "   AND d.terminal = t.terminal)"
            " FROM hq_terminal t ORDER BY t.store, t.terminal", (today, today)).fetchall()
        out = []
        for store, terminal, seen, online, acked_to, max_seq, n, amount, dead in rows:
            gaps: list[tuple[int, int]] = []
            if max_seq > acked_to:
                seqs = conn.execute(
                    "SELECT seq FROM hq_received WHERE store = %s AND terminal = %s AND seq > %s"
                    " ORDER BY seq", (store, terminal, acked_to)).fetchall()
                _, gaps = advance(acked_to, [s[0] for s in seqs])
            out.append(TerminalStats(store, terminal, seen.isoformat() if seen else None,
                                     bool(online), acked_to, max_seq, gaps, n, int(amount), dead))
        return out

    def stores(self) -> list[str]:
        rows = self._run(lambda conn: conn.execute(
            "SELECT DISTINCT store FROM hq_terminal ORDER BY store").fetchall())
        return [r[0] for r in rows]

    def find_sale(self, sale_id: str, prefer_store: str | None = None) -> bytes | None:
        row = self._run(lambda conn: conn.execute(
            "SELECT e.payload::text FROM hq_sale s JOIN LATERAL (SELECT json_build_object("
            " 'store', s.store, 'terminal', s.terminal, 'seq', s.seq, 'sale_id', s.sale_id,"
            " 'status', s.status, 'receipt_no', s.receipt_no, 'total', s.total,"
            " 'closed_at', s.closed_at, 'lines', (SELECT coalesce(json_agg(l ORDER BY l.line_no),"
            " '[]') FROM hq_sale_line l WHERE l.store = s.store AND l.terminal = s.terminal"
            " AND l.seq = s.seq)) AS payload) e ON TRUE WHERE s.sale_id = %s"
            " ORDER BY s.store = %s DESC, s.store, s.terminal LIMIT 1",
            (sale_id, prefer_store)).fetchone())
        return row[0].encode("utf-8") if row else None

    def card_balance(self, card_no: str, store: str, terminal: str) -> bytes | None:
        def read(conn: psycopg.Connection[Any]) -> bytes | None:
            with conn.cursor() as cur:
                found = balance_reply(cur, "%s", card_no, store, terminal)
            if found is None:
                return None
            balance, through, holder = found
            return card_reply(card_no, balance, through,
                              lock_holder(store, *holder) if holder else None)
        return self._run(read)  # type: ignore[no-any-return]

    def loyalty(self, work: Callable[[Any, bool], T]) -> T:
        def run(conn: psycopg.Connection[Any]) -> T:
            with conn.transaction(), conn.cursor() as cur:
                return work(cur, True)
        return self._run(run)  # type: ignore[no-any-return]

    def ownership_view(self, wanted: dict[str, set[str]],
                       askers: set[tuple[str, str]]) -> OwnershipView:
        def read(conn: psycopg.Connection[Any]) -> OwnershipView:
            with conn.transaction(), conn.cursor() as cur:
                return ownership_view(cur, True, wanted, askers)
        return self._run(read)  # type: ignore[no-any-return]

    def grant(self, store: str, terminal: str, kind: str, object_id: str, amount: int,
              now: datetime, expires_at: datetime) -> bool:
        def write(conn: psycopg.Connection[Any]) -> bool:
            with conn.transaction(), conn.cursor() as cur:
                return grant_if_foreign(cur, True, store, terminal, kind, object_id, amount, now,
                                        expires_at)
        return self._run(write)  # type: ignore[no-any-return]

    def security_alerts(self, store: str | None = None, limit: int = 100
                        ) -> list[tuple[str, str, str, int | None, str, str]]:
        def read(conn: psycopg.Connection[Any]
                 ) -> list[tuple[str, str, str, int | None, str, str]]:
            with conn.cursor() as cur:
                return security_alerts(cur, True, store, limit)
        return self._run(read)  # type: ignore[no-any-return]

    def journal_heads(self, store: str | None = None) -> list[tuple[str, str, int, str]]:
        rows = self._run(lambda conn: conn.execute(
            "SELECT store, terminal, journal_seq, journal_hash FROM hq_terminal"
            " WHERE journal_seq > 0 AND (%s::text IS NULL OR store = %s)"
            " ORDER BY store, terminal", (store, store)).fetchall())
        return [(r[0], r[1], int(r[2]), r[3]) for r in rows]

    def topup_differences(self, store: str | None = None
                          ) -> list[tuple[str, str, int | None, str, int, int]]:
        def read(conn: psycopg.Connection[Any]) -> list[tuple[str, str, int | None, str, int, int]]:
            with conn.cursor() as cur:
                return reconcile_topups(cur, True, store)
        return self._run(read)  # type: ignore[no-any-return]

    def clear_lock(self, card_no: str) -> bool:
        def clear(conn: psycopg.Connection[Any]) -> bool:
            with conn.transaction(), conn.cursor() as cur:
                return clear_lock(cur, "%s", card_no)
        return self._run(clear)  # type: ignore[no-any-return]

    # ---- downlink -----------------------------------------------------------------------------

    def add_version(self, store: str, stream: str, items: dict[str, bytes],
                    sign: Any) -> tuple[int, bytes]:
        return self._run(self._add_version, store, stream, items, sign)  # type: ignore[no-any-return]

    def _add_version(self, conn: psycopg.Connection[Any], store: str, stream: str,
                     items: dict[str, bytes], sign: Any) -> tuple[int, bytes]:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{store}/{stream}",))
            cur.execute("SELECT coalesce(max(version), 0) FROM hq_version"
                        " WHERE store = %s AND stream = %s", (store, stream))
            version = int(cur.fetchone()[0]) + 1  # type: ignore[index]
            signed: bytes = sign(version)
            cur.execute("INSERT INTO hq_version (store, stream, version, signed)"
                        " VALUES (%s, %s, %s, %s)", (store, stream, version, signed))
            cur.executemany(
                "INSERT INTO hq_stream_item (store, stream, key, body, version)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (store, stream, key)"
                " DO UPDATE SET body = excluded.body, version = excluded.version",
                [(store, stream, k, v, version) for k, v in items.items()])
        return version, signed

    def head(self, store: str, stream: str) -> int:
        row = self._run(lambda conn: conn.execute(
            "SELECT coalesce(max(version), 0) FROM hq_version WHERE store = %s AND stream = %s",
            (store, stream)).fetchone())
        return int(row[0])

    def versions_after(self, store: str, stream: str, have: int, limit: int) -> list[bytes]:
        rows = self._run(lambda conn: conn.execute(
            "SELECT signed FROM hq_version WHERE store = %s AND stream = %s AND version > %s"
            " ORDER BY version LIMIT %s", (store, stream, have, limit)).fetchall())
        return [bytes(r[0]) for r in rows]

    def snapshot_items(self, store: str, stream: str) -> tuple[int, list[bytes]]:
        def read(conn: psycopg.Connection[Any]) -> tuple[int, list[bytes]]:
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                head = conn.execute(
                    "SELECT coalesce(max(version), 0) FROM hq_version"
                    " WHERE store = %s AND stream = %s", (store, stream)).fetchone()
                rows = conn.execute(
                    "SELECT body FROM hq_stream_item WHERE store = %s AND stream = %s"
                    " ORDER BY key", (store, stream)).fetchall()
            return int(head[0]) if head else 0, [bytes(r[0]) for r in rows]
        return self._run(read)  # type: ignore[no-any-return]

    # ---- reconciliation ---------------------------------------------------------------------

    def recon_import(self, f: ImportedFile) -> int:
        def write(conn: psycopg.Connection[Any]) -> int:
            with conn.transaction(), conn.cursor() as cur:
                return recon_tables.replace_file(cur, True, f)
        return self._run(write)  # type: ignore[no-any-return]

    def recon_sides(self, day: date) -> Sides:
        def read(conn: psycopg.Connection[Any]) -> Sides:
            with conn.transaction(), conn.cursor() as cur:
                return recon_tables.read_sides(cur, True, day, self.zone)
        return self._run(read)  # type: ignore[no-any-return]

    def recon_lookup(self, keys: list[str]
                     ) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], str]]:
        def read(conn: psycopg.Connection[Any]
                 ) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], str]]:
            with conn.transaction(), conn.cursor() as cur:
                return (recon_tables.hq_keys_anywhere(cur, True, keys),
                        recon_tables.file_keys_anywhere(cur, True, keys))
        return self._run(read)  # type: ignore[no-any-return]

    def stock_sums(self, store: str, terminal: str | None = None, through: int | None = None
                   ) -> list[tuple[str, int]]:
        sql, values = ledger_sums_sql(store, terminal, through)
        rows = self._run(lambda conn: conn.execute(sql, values).fetchall())
        return [(r[0], int(r[1])) for r in rows]

    def stock_on_hand(self, store: str) -> list[tuple[str, int]]:
        rows = self._run(lambda conn: conn.execute(
            "SELECT sku, qty_milli FROM hq_stock_on_hand WHERE store = %s ORDER BY sku",
            (store,)).fetchall())
        return [(r[0], int(r[1])) for r in rows]

    def add_transfer(self, transfer_id: str, from_store: str, to_store: str, lines: str,
                     note: str, created_by: str) -> None:
        self._run(lambda conn: conn.execute(
            "INSERT INTO hq_transfer (transfer_id, from_store, to_store, lines, note, created_by)"
            " VALUES (%s, %s, %s, %s::jsonb, %s, %s)",
            (transfer_id, from_store, to_store, lines, note, created_by)))

    def transfers(self, store: str = "") -> list[dict[str, Any]]:
        def read(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
            cur = conn.execute(TRANSFERS_SQL, (store, store, store))
            names = [d.name for d in cur.description or []]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        return self._run(read)  # type: ignore[no-any-return]

    def watermarks(self, store: str) -> dict[str, int]:
        rows = self._run(lambda conn: conn.execute(
            "SELECT terminal, acked_to FROM hq_terminal WHERE store = %s", (store,)).fetchall())
        return {r[0]: int(r[1]) for r in rows}

    def close(self) -> None:
        self.conn.close()


def _lock_terminals(cur: psycopg.Cursor[Any], keys: list[tuple[str, str]]
                    ) -> dict[tuple[str, str], tuple[int, int, int]]:
    """Lock (creating if new) the rows of these terminals in (store, terminal) order, in one
    statement: {(store, terminal): (acked_to, max_seq, dead_to)}."""
    unique = sorted(set(keys))
    cur.execute(
        "INSERT INTO hq_terminal (store, terminal, last_seen, online)"
        " SELECT s, t, now(), TRUE FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY"
        " AS u(s, t, n) ORDER BY n ON CONFLICT (store, terminal) DO UPDATE SET last_seen = now()"
        " RETURNING store, terminal, acked_to, max_seq, dead_to",
        (quoted_array(k[0] for k in unique), quoted_array(k[1] for k in unique)))
    return {(r[0], r[1]): (r[2], r[3], r[4]) for r in cur.fetchall()}


def _mark_received(cur: psycopg.Cursor[Any], batches: list[BatchIn]
                   ) -> dict[tuple[str, str], set[int]]:
    """Mark every event of `batches` received, in one statement; the seqs that were new, per
    terminal. A seq carried twice (a resend in the same group) is new for its first batch only:
    the caller hands out the sets in batch order (see _claim)."""
    cols: tuple[list[Any], ...] = ([], [], [], [], [], [])
    for b in batches:
        for e in b.accepted:
            for col, value in zip(cols, (b.store, b.terminal, e.seq, e.event_id, e.type, False),
                                  strict=True):
                col.append(value)
        for r in b.refused:
            if r.seq is not None:
                for col, value in zip(cols, (b.store, b.terminal, r.seq, r.event_id, r.type,
                                             True), strict=True):
                    col.append(value)
    if not cols[0]:
        return {}
    if _copy_received(cur, cols):
        new: dict[tuple[str, str], set[int]] = {}
        for store, terminal, seq in zip(cols[0], cols[1], cols[2], strict=True):
            new.setdefault((store, terminal), set()).add(seq)
        return new
    cur.execute(
        "INSERT INTO hq_received (store, terminal, seq, event_id, type, rejected)"
        " SELECT * FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::text[], %s::text[],"
        " %s::boolean[]) ON CONFLICT DO NOTHING RETURNING store, terminal, seq",
        (quoted_array(cols[0]), quoted_array(cols[1]), plain_array(cols[2]),
         quoted_array(cols[3]), quoted_array(cols[4]),
         "{" + ",".join("t" if r else "f" for r in cols[5]) + "}"))
    new = {}
    for store, terminal, seq in cur.fetchall():
        new.setdefault((store, terminal), set()).add(seq)
    return new


def _copy_received(cur: psycopg.Cursor[Any], cols: tuple[list[Any], ...]) -> bool:
    """The usual case, every event new: one binary COPY, a third of the INSERT's cost. False
    (and nothing written) if HQ already holds one of them (a resend): the caller then inserts
    skipping those."""
    rows = list(zip(*cols, strict=True))
    if len(set((r[0], r[1], r[2]) for r in rows)) != len(rows):
        return False
    try:
        with cur.connection.transaction():
            _copy(cur, "hq_received", RECEIVED_COLUMNS, RECEIVED_TYPES, rows)
    except psycopg.errors.UniqueViolation:
        return False
    return True


def _claim(new: dict[tuple[str, str], set[int]], b: BatchIn) -> set[int]:
    """The seqs of `b` that this transaction marked received and no earlier batch claimed."""
    left = new.get((b.store, b.terminal), set())
    mine = {e.seq for e in b.accepted if e.seq in left}
    mine |= {r.seq for r in b.refused if r.seq is not None and r.seq in left}
    left -= mine
    return mine


def _save_watermarks(cur: psycopg.Cursor[Any], state: dict[tuple[str, str], tuple[int, int, int]],
                     before: dict[tuple[str, str], tuple[int, int, int]]) -> None:
    """Every terminal whose watermarks this transaction moved, in one statement."""
    moved = sorted(k for k, v in state.items() if v != before.get(k))
    if not moved:
        return
    cur.execute(
        "UPDATE hq_terminal AS t SET acked_to = u.a, max_seq = u.m, dead_to = u.d"
        " FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::bigint[], %s::bigint[])"
        " AS u(s, t, a, m, d) WHERE t.store = u.s AND t.terminal = u.t",
        (quoted_array(k[0] for k in moved), quoted_array(k[1] for k in moved),
         plain_array(state[k][0] for k in moved), plain_array(state[k][1] for k in moved),
         plain_array(state[k][2] for k in moved)))


def _anchor(cur: psycopg.Cursor[Any], batches: list[BatchIn]) -> None:
    """Each terminal's latest journal head of the group, in one statement."""
    heads: dict[tuple[str, str], tuple[int, str]] = {}
    for b in batches:
        key = (b.store, b.terminal)
        if b.journal is not None and (key not in heads or b.journal[0] > heads[key][0]):
            heads[key] = b.journal
    if not heads:
        return
    keys = sorted(heads)
    cur.execute(
        "UPDATE hq_terminal AS t SET journal_seq = u.j, journal_hash = u.h"
        " FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::text[]) AS u(s, t, j, h)"
        " WHERE t.store = u.s AND t.terminal = u.t AND t.journal_seq <= u.j",
        (quoted_array(k[0] for k in keys), quoted_array(k[1] for k in keys),
         plain_array(heads[k][0] for k in keys), quoted_array(heads[k][1] for k in keys)))


def _advance(cur: psycopg.Cursor[Any], b: BatchIn, new: set[int],
             state: dict[tuple[str, str], tuple[int, int, int]]) -> IngestResult:
    """Move the terminal's contiguous watermark over what this transaction added (in `state`);
    the ack. The usual case (the next seqs, in order) costs no statement."""
    key = (b.store, b.terminal)
    acked_to, max_seq, dead_to = state[key]
    seqs = sorted([e.seq for e in b.accepted] + [r.seq for r in b.refused if r.seq is not None])
    top = seqs[-1] if seqs else 0
    gaps: list[tuple[int, int]] = []
    fresh = sorted(new)
    if fresh and fresh[0] == acked_to + 1 and fresh[-1] - fresh[0] == len(fresh) - 1 \
            and max_seq <= fresh[-1]:
        acked_to = fresh[-1]
    elif max(top, max_seq) > acked_to:
        cur.execute(
            "SELECT seq FROM hq_received WHERE store = %s AND terminal = %s AND seq > %s"
            " ORDER BY seq LIMIT 100000", (b.store, b.terminal, acked_to))
        acked_to, gaps = advance(acked_to, [row[0] for row in cur.fetchall()])
    refused_new = [r.seq for r in b.refused if r.seq is not None and r.seq in new]
    new_state = (acked_to, max(max_seq, top), max([dead_to, *refused_new]))
    state[key] = new_state  # written for the whole group by _save_watermarks
    rejected: list[Rejection] = []
    if new_state[2] > b.since:
        # Every rejection above the terminal's watermark, again: an earlier ack may be lost.
        cur.execute(
            "SELECT DISTINCT seq, reason FROM hq_dead_letter WHERE store = %s AND terminal = %s"
            " AND seq > %s AND seq <= %s AND resend_requested_at IS NULL ORDER BY seq",
            (b.store, b.terminal, b.since, max(acked_to, top)))
        rejected = [Rejection(row[0], row[1]) for row in cur.fetchall()]
    return IngestResult(make_ack(b.store, b.terminal, acked_to, rejected, gaps),
                        new_events=len(new), duplicates=len(seqs) - len(new), gaps=gaps)


class _Prepared:
    """The rows one batch's accepted events add (sale, line, tender, stock movement, the on-hand
    changes, the facts the cashier rollup counts), made without the database."""

    def __init__(self, b: BatchIn, zone: ZoneInfo) -> None:
        self.sales, self.lines, self.tenders = sale_rows(b.store, b.terminal, b.accepted, zone)
        self.stock = StockChanges()
        self.stock.add(b.store, b.terminal, b.accepted)
        self.facts = [(b.store, e) for e in b.accepted
                      if e.type == "return.completed" or e.type in LOSS_TYPES
                      or (e.sale and e.sale.manual_discounts)]


class _Rows:
    """Sale, line, tender and stock-movement rows gathered for one binary COPY each, the on-hand
    changes they make (written once per (store, SKU)), and the console's rollups updated from the
    same rows."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.sales: list[tuple[Any, ...]] = []
        self.lines: list[tuple[Any, ...]] = []
        self.tenders: list[tuple[Any, ...]] = []
        self.stock = StockChanges()
        self.facts: list[tuple[str, Accepted]] = []   # for the cashier rollup

    def add(self, more: _Prepared) -> None:
        self.sales += more.sales
        self.lines += more.lines
        self.tenders += more.tenders
        self.stock.merge(more.stock)
        self.facts += more.facts

    def copy(self, cur: psycopg.Cursor[Any]) -> None:
        _copy(cur, "hq_sale", SALE_COLUMNS, SALE_TYPES, self.sales)
        _copy(cur, "hq_sale_line", LINE_COLUMNS, LINE_TYPES, self.lines)
        _copy(cur, "hq_sale_tender", TENDER_COLUMNS, TENDER_TYPES, self.tenders)
        _copy(cur, "hq_stock_movement", MOVEMENT_COLUMNS, MOVEMENT_TYPES, self.stock.movements)
        on_hand = self.stock.on_hand_rows()
        if on_hand:
            cur.execute(
                "INSERT INTO hq_stock_on_hand (store, sku, qty_milli)"
                " SELECT * FROM unnest(%s::text[], %s::text[], %s::bigint[])"
                " ON CONFLICT (store, sku) DO UPDATE"
                " SET qty_milli = hq_stock_on_hand.qty_milli + EXCLUDED.qty_milli, updated_at = now()",
                (quoted_array(r[0] for r in on_hand), quoted_array(r[1] for r in on_hand),
                 plain_array(r[2] for r in on_hand)))
        if self.stock.legs:
            cur.executemany(TRANSFER_LEG_SQL, self.stock.legs)
        rollups.add_sales(cur, self.sales, self.tenders, self.zone)
        rollups.add_sku_days(cur, self.sales, self.lines)
        rollups.add_cashier_days(cur, self.sales, self.facts, self.zone)
        self.sales, self.lines, self.tenders, self.facts = [], [], [], []
        self.stock.clear()


def _copy(cur: psycopg.Cursor[Any], table: str, columns: tuple[str, ...],
          types: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Binary COPY: a third cheaper than text COPY per row, on both ends."""
    if not rows:
        return
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(list(types))
        for row in rows:
            copy.write_row(row)
