"""Reserved stock: what online orders hold of this store's on-hand.

Rule AVAILABLE (written once, here): available = on hand − reserved. A reservation is rows in
stock_reservation, made in the same transaction as the order's arrival and removed in the same
transaction as its handover, expiry or cancellation; it never moves stock (the handover does).
Rule NEVER_BLOCK_SILENTLY: a counter sale of reserved stock is warned (or refused, when the store
asks for it: `[orders] reserved_stock = "refuse"`), never unnoticed.
Rule CONFLICT: a sale can still take a reserved unit (the order arrived while the basket was
open, or the store sold offline what HQ had promised); in the sale's own transaction every SKU
left with less on hand than reserved is reported as an `order.conflict` fact naming the orders
that hold it, so HQ and the picker know before the shelf is found empty.
Rule OWN_ORDER: a sale that collects a pay-at-pickup order (Sale.order_id) takes the stock that
order holds: its reservation does not count against that sale, neither at the till nor as a
conflict.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from edge.ledger.outbox import append_event
from edge.store_ops.stock import on_hand


def reserved(conn: sqlite3.Connection, sku: str, excluding: str | None = None) -> int:
    """What online orders hold of `sku` (qty_milli), but the order `excluding` (OWN_ORDER)."""
    row = conn.execute("SELECT COALESCE(SUM(qty_milli), 0) FROM stock_reservation WHERE sku = ?"
                       " AND order_id IS NOT ?", (sku, excluding)).fetchone()
    return int(row[0])


def available(conn: sqlite3.Connection, sku: str) -> int:
    """On hand less what online orders hold (qty_milli; below zero when oversold)."""
    return on_hand(conn, sku) - reserved(conn, sku)


@dataclass(frozen=True)
class ReservedStock:
    """A counter sale would take stock an online order holds."""

    sku: str
    wanted: int      # qty_milli the sale takes
    available: int   # qty_milli free of reservations before it
    reserved: int    # qty_milli held by orders


def reserved_conflict(conn: sqlite3.Connection, sku: str, wanted: int,
                      collecting: str | None = None) -> ReservedStock | None:
    """None when selling `wanted` leaves every reservation covered (or nothing is reserved);
    `collecting`: the order the sale collects (OWN_ORDER)."""
    held = reserved(conn, sku, collecting)
    if held <= 0:
        return None
    free = on_hand(conn, sku) - held
    return ReservedStock(sku, wanted, free, held) if wanted > free else None


def report_oversold(conn: sqlite3.Connection, sold: dict[str, int], sale_id: str,
                    collecting: str | None = None) -> None:
    """CONFLICT: inside the sale's transaction (its stock already moved), an `order.conflict` fact
    per SKU of `sold` (qty_milli) whose reservations it left uncovered, with the part this sale
    took (earlier sales reported theirs); `collecting`: the order the sale collects (OWN_ORDER)."""
    for sku, qty in sorted(sold.items()):
        held = reserved(conn, sku, collecting)
        if held <= 0:
            continue
        short = min(qty, held - on_hand(conn, sku))
        if short > 0:
            orders = [str(r[0]) for r in conn.execute(
                "SELECT DISTINCT order_id FROM stock_reservation WHERE sku = ? AND order_id IS NOT ?"
                " ORDER BY order_id", (sku, collecting))]
            append_event(conn, "order.conflict", {"sku": sku, "short_milli": short,
                                                  "reserved_milli": held, "sale_id": sale_id,
                                                  "orders": orders})

