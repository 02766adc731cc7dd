"""Realistic `sale.completed` events written the way the till writes them (inside
write_transaction, through append_event), for tests and benchmarks."""

from __future__ import annotations

import random
import sqlite3
import uuid
from typing import Any

from edge.ledger.clock import utc_now_iso
from edge.ledger.outbox import append_event
from edge.ledger.store import next_counter, write_transaction
from edge.store_ops.stock import add_movements

SKUS = [(f"SKU{n:05d}", f"商品{n}", 100 + (n * 37) % 5000) for n in range(1, 400)]


def sale_payload(store: str, terminal: str, receipt_no: int, rng: random.Random,
                 lines: int = 8, at: str | None = None) -> dict[str, Any]:
    """A sale closed `at` (an ISO time; now by default)."""
    out_lines = []
    for line_no in range(1, lines + 1):
        sku, name, price = SKUS[rng.randrange(len(SKUS))]
        qty_milli = 1000 * rng.randint(1, 3)
        gross = price * qty_milli // 1000
        discount = gross // 10 if line_no % 4 == 0 else 0
        total = gross - discount
        tax = total * 1300 // 11300  # tax included at 13 %
        out_lines.append({"line_no": line_no, "sku": sku, "name": name, "unit": "each",
                          "qty_milli": qty_milli, "unit_price": price, "gross": gross,
                          "discount": discount, "total": total, "tax_class": "std",
                          "tax_rate_bp": 1300, "tax": tax})
    subtotal = sum(ln["gross"] for ln in out_lines)
    discount = sum(ln["discount"] for ln in out_lines)
    total = subtotal - discount
    now = at or utc_now_iso()
    return {"sale_id": str(uuid.UUID(int=rng.getrandbits(128))), "store_id": store,
            "terminal_id": terminal, "receipt_no": receipt_no, "staff_id": "c01",
            "opened_at": now, "closed_at": now, "currency": "CNY", "subtotal": subtotal,
            "discount": discount, "tax": sum(ln["tax"] for ln in out_lines), "total": total,
            "rounding": 0, "paid": total, "change": 0, "lines": out_lines,
            "tenders": [{"tender_no": 1, "type": "wechat", "amount": total,
                         "reference": uuid.uuid4().hex[:16], "approval_code": None,
                         "masked_pan": None}]}


def make_sales(conn: sqlite3.Connection, store: str, terminal: str, count: int,
               rng: random.Random | None = None, per_transaction: int = 1,
               with_stock: bool = False) -> int:
    """Append `count` completed sales; returns their total in fen. `with_stock`: each also
    records its stock out, as the till does (for tests that check HQ's stock against the
    ledger)."""
    rng = rng or random.Random()
    grand = 0
    for start in range(0, count, per_transaction):
        with write_transaction(conn):
            for _ in range(min(per_transaction, count - start)):
                payload = sale_payload(store, terminal, next_counter(conn, "receipt_no"), rng)
                event = append_event(conn, "sale.completed", payload)
                if with_stock:      # as the till records a sale's stock (edge/till/effects.py)
                    add_movements(conn, [(ln["sku"], "sale", -ln["qty_milli"],
                                          payload["sale_id"]) for ln in payload["lines"]],
                                  event.seq)
                grand += payload["total"]
    return grand
