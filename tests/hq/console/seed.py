"""HQ data for the console tests, written the way ingest writes it: sales validated
(hq/validation.py) and stored in one batch transaction each (hq/storage), accounts by
hq/console/accounts.py."""

from __future__ import annotations

import random
import uuid
from datetime import datetime
from typing import Any

import psycopg

from cloud_sync.agent import batch_bytes
from edge.ledger.outbox import canonical_json
from hq.console.accounts import add_user
from hq.storage import open_storage
from hq.validation import validate_batch
from tests.cloud_sync.sales import sale_payload

PASSWORD = "correct horse battery"


class HqData:
    def __init__(self, url: str) -> None:
        self.url = url
        self.storage = open_storage(url)
        self.conn = psycopg.connect(url, autocommit=True)
        self.seqs: dict[tuple[str, str], int] = {}
        self.rng = random.Random(7)

    def close(self) -> None:
        self.conn.close()
        self.storage.close()

    def user(self, name: str, role: str, stores: tuple[str, ...] = ()) -> str:
        add_user(self.conn, name, role, list(stores), PASSWORD, "test")
        return name

    def sale(self, store: str, terminal: str, at: datetime, lines: int = 3, cash_over: int = 0,
             redeliver: bool = False) -> dict[str, Any]:
        """One completed sale closed `at`; paid in cash with `cash_over` fen of change if asked,
        else by WeChat. `redeliver`: the same batch again (HQ must not count it twice)."""
        key = (store, terminal)
        seq = self.seqs.get(key, 0) + 1
        self.seqs[key] = seq
        payload = sale_payload(store, terminal, seq, self.rng, lines=lines,
                               at=at.isoformat(timespec="milliseconds"))
        if cash_over:
            payload["tenders"] = [{"tender_no": 1, "type": "cash",
                                   "amount": payload["total"] + cash_over, "reference": None,
                                   "approval_code": None, "masked_pan": None}]
            payload["paid"], payload["change"] = payload["total"] + cash_over, cash_over
        row = (seq, str(uuid.uuid4()), "sale.completed", canonical_json(payload),
               at.isoformat(timespec="milliseconds"))
        raw = batch_bytes(store, terminal, seq - 1, [row])
        for _ in range(2 if redeliver else 1):
            accepted, refused, since = validate_batch(store, terminal, raw)
            assert not refused, refused
            self.storage.ingest(store, terminal, accepted, refused, since)
        return payload

    def fact(self, store: str, terminal: str, kind: str, payload: dict[str, Any],
             at: datetime) -> None:
        """Any other fact (a receipt, a count, a return, …) as the store sends it."""
        key = (store, terminal)
        seq = self.seqs.get(key, 0) + 1
        self.seqs[key] = seq
        raw = batch_bytes(store, terminal, seq - 1, [
            (seq, str(uuid.uuid4()), kind, canonical_json(payload),
             at.isoformat(timespec="milliseconds"))])
        accepted, refused, since = validate_batch(store, terminal, raw)
        assert not refused, refused
        self.storage.ingest(store, terminal, accepted, refused, since)

    def sale_of(self, store: str, terminal: str, at: datetime, lines: list[tuple[str, int]],
                staff: str = "c01", status: str = "completed",
                manual: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """A sale of exactly `lines` (sku, qty in units at 1.00 each), paid by WeChat."""
        key = (store, terminal)
        seq = self.seqs.get(key, 0) + 1
        rows = [{"line_no": i, "sku": sku, "name": sku, "unit": "each", "qty_milli": q * 1000,
                 "unit_price": 100, "gross": 100 * q, "discount": 0, "total": 100 * q,
                 "tax_class": "std", "tax_rate_bp": 0, "tax": 0}
                for i, (sku, q) in enumerate(lines, 1)]
        total = sum(r["total"] for r in rows)
        when = at.isoformat(timespec="milliseconds")
        payload: dict[str, Any] = {
            "sale_id": str(uuid.uuid4()), "store_id": store, "terminal_id": terminal,
            "receipt_no": seq, "staff_id": staff, "opened_at": when, "closed_at": when,
            "currency": "CNY", "subtotal": total, "discount": 0, "tax": 0, "total": total,
            "rounding": 0, "paid": total if status == "completed" else 0, "change": 0,
            "lines": rows,
            "tenders": [{"tender_no": 1, "type": "wechat", "amount": total, "reference": None,
                         "approval_code": None, "masked_pan": None}]
            if status == "completed" else []}
        if manual:
            payload["manual_discounts"] = manual
        self.fact(store, terminal, f"sale.{status}", payload, at)
        return payload

    def dead_letter(self, store: str, terminal: str) -> int:
        """A sale whose lines do not add up: refused by validation, dead-lettered with why."""
        key = (store, terminal)
        seq = self.seqs.get(key, 0) + 1
        self.seqs[key] = seq
        payload = sale_payload(store, terminal, seq, self.rng, lines=2)
        payload["lines"][0]["total"] += 5
        raw = batch_bytes(store, terminal, seq - 1, [
            (seq, str(uuid.uuid4()), "sale.completed", canonical_json(payload),
             payload["closed_at"])])
        accepted, refused, since = validate_batch(store, terminal, raw)
        assert refused and not accepted
        self.storage.ingest(store, terminal, accepted, refused, since)
        row = self.conn.execute("SELECT max(id) FROM hq_dead_letter WHERE store = %s",
                                (store,)).fetchone()
        assert row is not None
        return int(row[0])

    def health(self, store: str, terminal: str, received_at: datetime, printer: str = "ok",
               pending: int = 0, oldest_s: float | None = None, offset_s: float = 0.4,
               applied: dict[str, int] | None = None, labels: list[Any] | None = None) -> None:
        """A terminal's health report as `pos doctor --publish` sends it, kept by HQ; `applied`:
        its downlink versions, `labels`: the LabelStatus of the store's shelf labels."""
        from cloud_sync.health import Check, HealthReport, encode_report
        from hq.terminal_health import check_health

        checks = [
            Check("disk", "ok", "75314 MB free", {"free_bytes": 78971584512}),
            Check("clock", "warn" if abs(offset_s) > 2 else "ok", f"{offset_s:+.1f} s",
                  {"offset_s": offset_s}),
            Check("backlog", "warn" if pending > 100 else "ok", f"{pending} events",
                  {"pending": pending, "oldest_age_s": oldest_s}),
            Check("device receipt", "fail" if printer != "ok" else "ok", f"printer {printer}",
                  {"kind": "printer", "state": printer}),
            Check("device scanner", "ok", "scanner ok", {"kind": "scanner", "state": "ok"})]
        if applied is not None:
            checks.append(Check("downlink", "ok", "applied", dict(applied)))  # type: ignore[arg-type]
        report = HealthReport(1, store, terminal, "0.1.0", received_at.isoformat(), checks, labels)
        assert self.storage.keep_health(check_health(store, terminal, encode_report(report),
                                                     received_at))
