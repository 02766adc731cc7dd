"""What completing a sale does beyond the sale itself, written inside record_sale's transaction:
voided lines and coupons kept for reports, stock movements, the member's points, stored-value
spends, HQ coupons (each with its outbox event). Cancelled sales keep only their voided lines.
"""

from __future__ import annotations

import sqlite3

from edge.config import StoreConfig
from edge.customers.coupons import record_sale_coupons
from edge.customers.members import record_sale_points
from edge.customers.stored_value import record_sale_spends
from edge.ops_config import store_ops_config
from edge.sale.basket import Sale
from edge.store_ops.stock import record_sale_movements


def record_sale_effects(conn: sqlite3.Connection, sale: Sale, config: StoreConfig,
                        event_seq: int) -> None:
    conn.executemany("INSERT INTO sale_voided_line (sale_id, line_no, sku, qty_milli, gross)"
                     " VALUES (?, ?, ?, ?, ?)",
                     [(sale.id, ln.line_no, ln.sku, ln.qty_milli, ln.gross)
                      for ln in sale.voided_lines])
    if sale.status != "completed":
        return
    conn.executemany("INSERT INTO sale_coupon (sale_id, code) VALUES (?, ?)",
                     [(sale.id, code) for code in sale.coupons])
    record_sale_movements(conn, sale, event_seq)
    record_sale_points(conn, sale, store_ops_config(config), event_seq)
    record_sale_spends(conn, sale)
    record_sale_coupons(conn, sale)
