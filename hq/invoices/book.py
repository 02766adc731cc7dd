"""HQ's book of invoices (table hq_invoice) and what it reads of HQ's stored sales, returns and
catalog, on PostgreSQL or on the SQLite demo store.

Rule: every change of an invoice's state is one UPDATE guarded by the state it leaves, so two
workers (or a worker and a manager's retry) never both move the same invoice.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hq.invoices.lines import ReturnLineFact, SaleLineFact
from hq.storage import open_storage


@dataclass(frozen=True)
class InvoiceRow:
    order_no: str
    kind: str
    sale_id: str
    return_id: str | None
    store: str
    terminal: str
    state: str
    buyer_title: str
    buyer_tax_id: str
    email: str
    phone: str
    amount: int
    lines: str
    provider_serial: str
    invoice_no: str
    original_invoice_no: str
    reason: str
    attempts: int
    requested_at: str
    submitted_at: str | None
    issued_at: str | None
    next_try_at: str


@dataclass(frozen=True)
class StoredSale:
    store: str
    terminal: str
    sale_id: str
    status: str
    total: int
    tax: int
    lines: list[SaleLineFact]


@dataclass(frozen=True)
class StoredReturn:
    return_id: str
    sale_id: str
    lines: list[ReturnLineFact]
    sale_store: str  # the store whose sale it returns: the return's own, or a grant's owner


_FIELDS = ", ".join(InvoiceRow.__dataclass_fields__)


def iso(moment: datetime) -> str:
    """One text form for both engines, so SQLite compares instants as strings."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class InvoiceBook:
    def __init__(self, url: str) -> None:
        open_storage(url).close()          # migrates HQ's schema, invoices included
        self.postgres = url.startswith(("postgresql://", "postgres://"))
        self._conn: Any
        if self.postgres:
            import psycopg
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
        else:
            path = url.removeprefix("sqlite:///")
            self._conn = sqlite3.connect(path, isolation_level=None, timeout=30,
                                         check_same_thread=False)

    def close(self) -> None:
        self._conn.close()

    # ---- the engines' differences, in one place ----------------------------------------------

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return list(self._conn.execute(self._sql(sql), params).fetchall())

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        return int(self._conn.execute(self._sql(sql), params).rowcount)

    def _time(self, value: Any) -> str | None:
        if value is None:
            return None
        return iso(value) if isinstance(value, datetime) else str(value)

    def _at(self, moment: datetime) -> Any:
        return moment if self.postgres else iso(moment)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self.postgres:
            with self._conn.transaction():
                yield
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # ---- HQ's facts ----------------------------------------------------------------------------

    def sale(self, sale_id: str, store: str = "") -> StoredSale | None:
        """The sale of that id; of `store` first when another sender holds the id too."""
        rows = self._rows("SELECT store, terminal, seq, status, total, tax FROM hq_sale"
                          " WHERE sale_id = ? ORDER BY store = ? DESC, store, terminal LIMIT 1",
                          (sale_id, store))
        if not rows:
            return None
        store, terminal, seq, status, total, tax = rows[0]
        lines = [SaleLineFact(*r) for r in self._rows(
            "SELECT line_no, sku, name, unit, qty_milli, gross, discount, total, tax_rate_bp, tax"
            " FROM hq_sale_line WHERE store = ? AND terminal = ? AND seq = ? ORDER BY line_no",
            (store, terminal, seq))]
        return StoredSale(store, terminal, sale_id, status, int(total), int(tax), lines)

    def tax_codes(self, store: str, skus: list[str]) -> dict[str, str]:
        """The codes HQ's published catalog gives these products for this store."""
        found: dict[str, str] = {}
        for sku in set(skus):
            rows = self._rows("SELECT body FROM hq_stream_item WHERE store = ?"
                              " AND stream = 'catalog' AND key = ?", (store, sku))
            if rows:
                body = rows[0][0]
                item = json.loads(bytes(body) if not isinstance(body, str) else body)
                found[sku] = str(item.get("tax_code", ""))
        return found

    def returns_of(self, sale_ids: list[str]) -> list[StoredReturn]:
        """Every `return.completed` HQ holds for these sales that passed the ownership rule
        (hq/ownership.py): of a sale of the return's own store, or of a sale a look-up granted
        the returning terminal. Checked again here, so that a return HQ took while the sale was
        still unknown to it never reaches another store's customer's invoice."""
        field = ("e.payload->>'original_sale_id'" if self.postgres
                 else "json_extract(e.payload, '$.original_sale_id')")
        rows = []
        for start in range(0, len(sale_ids), 500):      # within both engines' parameter limits
            chunk = sale_ids[start:start + 500]
            rows += self._rows(
                f"SELECT e.payload{'::text' if self.postgres else ''}, coalesce("
                f"(SELECT s.store FROM hq_sale s WHERE s.sale_id = {field}"
                " AND s.store = e.store LIMIT 1),"
                " (SELECT g.owner_store FROM hq_grant g WHERE g.kind = 'sale'"
                f" AND g.object_id = {field} AND g.store = e.store AND g.terminal = e.terminal"
                " ORDER BY g.id LIMIT 1)) FROM hq_event e"
                f" WHERE e.type = 'return.completed' AND {field} IN ({', '.join('?' * len(chunk))})"
                " ORDER BY e.store, e.terminal, e.seq", tuple(chunk))
        out = []
        for payload, sale_store in rows:
            if sale_store is None:
                continue
            body = json.loads(payload)
            lines = [ReturnLineFact(int(ln["sale_line_no"]), int(ln["qty_milli"]),
                                    int(ln["amount"]), int(ln["tax"]))
                     for ln in body["lines"] if ln.get("sale_line_no") is not None]
            out.append(StoredReturn(str(body["return_id"]), str(body["original_sale_id"]),
                                    lines, str(sale_store)))
        return out

    # ---- invoices ------------------------------------------------------------------------------

    def _invoice(self, row: tuple[Any, ...]) -> InvoiceRow:
        values = list(row)
        for i in (18, 19, 20, 21):      # the timestamps, as ISO text on both engines
            values[i] = self._time(values[i])
        values[11], values[17] = int(values[11]), int(values[17])
        return InvoiceRow(*values)

    def invoices_of(self, sale_id: str) -> list[InvoiceRow]:
        return [self._invoice(r) for r in self._rows(
            f"SELECT {_FIELDS} FROM hq_invoice WHERE sale_id = ?"
            " ORDER BY requested_at, order_no", (sale_id,))]

    def invoice(self, order_no: str) -> InvoiceRow | None:
        rows = self._rows(f"SELECT {_FIELDS} FROM hq_invoice WHERE order_no = ?", (order_no,))
        return self._invoice(rows[0]) if rows else None

    def due(self, now: datetime, limit: int = 100) -> list[InvoiceRow]:
        """Invoices to send or to ask about, oldest first."""
        return [self._invoice(r) for r in self._rows(
            f"SELECT {_FIELDS} FROM hq_invoice WHERE state IN ('requested', 'submitted')"
            " AND next_try_at <= ? ORDER BY next_try_at, order_no LIMIT ?",
            (self._at(now), limit))]

    def issued_blues(self) -> list[InvoiceRow]:
        """Issued blue invoices: their sales' returns may need a red-letter invoice."""
        return [self._invoice(r) for r in self._rows(
            f"SELECT {_FIELDS} FROM hq_invoice WHERE kind = 'blue' AND state = 'issued'"
            " ORDER BY order_no")]

    def red_for(self, return_id: str) -> InvoiceRow | None:
        rows = self._rows(f"SELECT {_FIELDS} FROM hq_invoice WHERE kind = 'red'"
                          " AND return_id = ? AND state <> 'superseded'", (return_id,))
        return self._invoice(rows[0]) if rows else None

    def add(self, order_no: str, kind: str, sale: StoredSale, return_id: str | None,
            title: str, tax_id: str, email: str, phone: str, amount: int, lines: str,
            original_invoice_no: str, now: datetime) -> None:
        self._run("INSERT INTO hq_invoice (order_no, kind, sale_id, return_id, store, terminal,"
                  " state, buyer_title, buyer_tax_id, email, phone, amount, lines,"
                  " original_invoice_no, requested_at, next_try_at)"
                  " VALUES (?, ?, ?, ?, ?, ?, 'requested', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (order_no, kind, sale.sale_id, return_id, sale.store, sale.terminal, title,
                   tax_id, email, phone, amount, lines, original_invoice_no, self._at(now),
                   self._at(now)))

    def set_lines(self, order_no: str, lines: str, amount: int) -> None:
        self._run("UPDATE hq_invoice SET lines = ?, amount = ? WHERE order_no = ?"
                  " AND state = 'requested'", (lines, amount, order_no))

    def submitted(self, order_no: str, serial: str, now: datetime, next_try: datetime) -> bool:
        return self._run(
            "UPDATE hq_invoice SET state = 'submitted', provider_serial = ?, reason = '',"
            " submitted_at = ?, attempts = 0, next_try_at = ? WHERE order_no = ?"
            " AND state = 'requested'",
            (serial, self._at(now), self._at(next_try), order_no)) == 1

    def issued(self, order_no: str, invoice_no: str, serial: str, now: datetime) -> bool:
        return self._run(
            "UPDATE hq_invoice SET state = 'issued', invoice_no = ?, reason = '',"
            " provider_serial = CASE WHEN ? = '' THEN provider_serial ELSE ? END,"
            " issued_at = ? WHERE order_no = ? AND state IN ('requested', 'submitted')",
            (invoice_no, serial, serial, self._at(now), order_no)) == 1

    def failed(self, order_no: str, reason: str) -> bool:
        return self._run("UPDATE hq_invoice SET state = 'failed', reason = ? WHERE order_no = ?"
                         " AND state IN ('requested', 'submitted')",
                         (reason[:500], order_no)) == 1

    def later(self, order_no: str, reason: str, next_try: datetime) -> None:
        """A transient failure: the same state, tried again at `next_try`."""
        self._run("UPDATE hq_invoice SET reason = ?, attempts = attempts + 1, next_try_at = ?"
                  " WHERE order_no = ? AND state IN ('requested', 'submitted')",
                  (reason[:500], self._at(next_try), order_no))

    def supersede(self, order_no: str) -> bool:
        return self._run("UPDATE hq_invoice SET state = 'superseded' WHERE order_no = ?"
                         " AND state = 'failed'", (order_no,)) == 1
