"""Picking an online order on a terminal: scan each item, weigh what is sold by weight, record
what is short, substitute only with the customer's consent.

Rule PICK: a line is picked by scanning its product (SKU or barcode); another product is refused
(`wrong_item`) unless the order allows substitutions, and is then charged at the ordered unit
price. Pieces are picked up to the ordered quantity; weighed goods at their actual weight, up to
WEIGHT_TOLERANCE over the ordered weight. A line picked again replaces its pick.
Rule PRICE_DIFFERENCE: each picked line costs line_amount(unit price, picked qty); the difference
to the ordered amount is in the `order.picked` fact, for HQ to settle with the channel (refund a
paid-online order the difference, or collect it when it is paid at pickup: the till charges the
picked amounts).
Rule FINISH: finishing writes `order.picked` once, and holds exactly what was picked: the
reservation of each line becomes its picked quantity (of the picked product), shortages released.
"""

from __future__ import annotations

import sqlite3

from edge.catalog.products import Product, by_gtin, by_sku
from edge.ledger.clock import utc_now_iso
from edge.ledger.journal import append_entry
from edge.ledger.money import QTY_SCALE, line_amount
from edge.ledger.outbox import append_event
from edge.ledger.store import write_transaction
from edge.ops_error import OpsError
from edge.orders.orders import OrderAtStore, find_order

WEIGHT_TOLERANCE_PERCENT = 20   # a weighed line may be picked up to 20 % heavier than ordered


def pick_line(conn: sqlite3.Connection, order_id: str, line: int, scanned: str,
              qty_milli: int) -> tuple[str, int, int]:
    """PICK one line: (the picked SKU, qty_milli, amount in fen)."""
    found = _open_for_picking(conn, order_id)
    ordered = next((ln for ln in found.order.lines if ln.line == line), None)
    if ordered is None:
        raise OpsError("unknown_line", f"order {order_id} has no line {line}")
    product = _product(conn, scanned)
    if product.sku != ordered.sku and not found.order.substitutions:
        raise OpsError("wrong_item", f"line {line} is {ordered.sku}; {product.sku} was scanned"
                                     " and the customer allowed no substitutes")
    if qty_milli < 0:
        raise OpsError("invalid_quantity", "a picked quantity cannot be negative")
    if product.unit == "each":
        if qty_milli % QTY_SCALE:
            raise OpsError("invalid_quantity", f"{product.sku} is picked by the piece")
        if qty_milli > ordered.qty_milli:
            raise OpsError("invalid_quantity", f"line {line} ordered {ordered.qty_milli // 1000}")
    elif qty_milli > ordered.qty_milli * (100 + WEIGHT_TOLERANCE_PERCENT) // 100:
        raise OpsError("invalid_quantity", f"line {line}: more than {WEIGHT_TOLERANCE_PERCENT} %"
                                           " over the ordered weight")
    amount = line_amount(ordered.unit_price, qty_milli)
    with write_transaction(conn):
        conn.execute("INSERT OR REPLACE INTO order_pick (order_id, line, sku, qty_milli, amount)"
                     " VALUES (?, ?, ?, ?, ?)", (order_id, line, product.sku, qty_milli, amount))
    return product.sku, qty_milli, amount


def finish_picking(conn: sqlite3.Connection, staff_id: str, order_id: str) -> int:
    """FINISH: the `order.picked` fact; lines never picked are short (0). Returns its seq."""
    found = _open_for_picking(conn, order_id)
    order = found.order
    lines: list[dict[str, str | int]] = []
    difference = 0
    for ln in order.lines:
        sku, qty, amount = found.picked.get(ln.line, (ln.sku, 0, 0))
        ordered_amount = line_amount(ln.unit_price, ln.qty_milli)
        difference += amount - ordered_amount
        lines.append({"line": ln.line, "sku": ln.sku, "picked_sku": sku, "ordered": ln.qty_milli,
                      "qty_milli": qty, "amount": amount, "ordered_amount": ordered_amount})
    if not any(d["qty_milli"] for d in lines):
        raise OpsError("nothing_picked", f"order {order_id}: nothing picked; release it instead")
    with write_transaction(conn):
        conn.execute("DELETE FROM stock_reservation WHERE order_id = ?", (order_id,))
        conn.executemany("INSERT INTO stock_reservation (order_id, line, sku, qty_milli)"
                         " VALUES (?, ?, ?, ?)",
                         [(order_id, d["line"], d["picked_sku"], d["qty_milli"])
                          for d in lines if d["qty_milli"]])
        event = append_event(conn, "order.picked", {"order_id": order_id, "staff_id": staff_id,
                                                    "lines": lines, "difference": difference})
        conn.execute("UPDATE online_order SET state = 'picked', updated_at = ? WHERE order_id = ?",
                     (utc_now_iso(), order_id))
        append_entry(conn, "order.picked", staff_id, {"order_id": order_id,
                                                      "event_seq": event.seq})
    return event.seq


def _open_for_picking(conn: sqlite3.Connection, order_id: str) -> OrderAtStore:
    found = find_order(conn, order_id)
    if found.state not in ("reserved", "partial"):
        raise OpsError("order_closed", f"order {order_id} is {found.state}: not for picking")
    return found


def _product(conn: sqlite3.Connection, scanned: str) -> Product:
    text = scanned.strip()
    product = by_sku(conn, text)
    if product is None and text.isdigit() and len(text) <= 14:
        product = by_gtin(conn, text.zfill(14))
    if product is None or not product.active:
        raise OpsError("unknown_product", f"no product {text[:40]!r}")
    return product
