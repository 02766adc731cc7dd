"""An online order's life at the store: it arrives on the signed `orders` stream and reserves
stock at once; it is picked (edge/orders/picking.py); it is handed over at the till with its pickup
code; or it is released when its slot is past or HQ cancels it.

Rule RESERVE_ON_ARRIVAL: in the downlink's transaction each line reserves what is available (on
hand − reserved), up to what was ordered; the order is `reserved` (all of it), `partial` or
`declined` (nothing), and says so in an `order.reserved` fact. An order already here is never
reserved again (a snapshot or a redelivery changes nothing but a cancellation).
Rule HAND_OVER_ONCE (核销): an order is handed over once, by pickup code or id; a paid-online order
moves its picked stock out then (a `sale` movement with the order as reference); a pay-at-pickup
order is paid as a till sale, and its handover names that sale (the sale moved the stock).
Rule RELEASE: an order not handed over by slot end + grace (`[orders] grace_minutes`), or cancelled
by HQ, releases its reservations in an `order.released` fact.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from edge.ledger.clock import utc_now_iso
from edge.ledger.journal import append_entry
from edge.ledger.outbox import append_event
from edge.ledger.store import write_transaction
from edge.ops_error import OpsError
from edge.orders.reservations import available
from edge.store_ops.stock import add_movements

OPEN_STATES = ("reserved", "partial", "picked")


@dataclass(frozen=True)
class OrderLine:
    line: int
    sku: str
    name: str
    qty_milli: int
    unit_price: int   # fen per unit (per kg for weighed goods)


@dataclass(frozen=True)
class Order:
    """An order as HQ sends it."""

    order_id: str
    channel: str
    pickup_code: str
    lines: list[OrderLine]
    slot_end: str          # ISO-8601 with offset
    paid_online: bool
    substitutions: bool = False
    member_id: str | None = None
    cancelled: bool = False


@dataclass(frozen=True)
class OrderAtStore:
    order: Order
    state: str
    reserved: dict[int, int]          # line → qty_milli held
    picked: dict[int, tuple[str, int, int]]   # line → (sku, qty_milli, amount)

    @property
    def amount_due(self) -> int:
        """What the customer pays at pickup (0 when paid online): the picked lines' amounts."""
        return 0 if self.order.paid_online else sum(a for _, _, a in self.picked.values())


def apply_orders(conn: sqlite3.Connection, orders: list[Order], snapshot: bool,
                 version: int) -> None:
    """A version of the `orders` stream, inside the downlink's transaction (RESERVE_ON_ARRIVAL).
    A snapshot only adds what is missing and applies cancellations: orders are facts here."""
    del snapshot    # nothing already here is replaced, snapshot or not
    for order in orders:
        _check(order)
        known = conn.execute("SELECT state FROM online_order WHERE order_id = ?",
                             (order.order_id,)).fetchone()
        if known is None:
            if not order.cancelled:
                _arrive(conn, order, version)
        elif order.cancelled and known[0] in OPEN_STATES:
            _release(conn, order.order_id, "cancelled", "hq")


def open_orders(conn: sqlite3.Connection) -> list[OrderAtStore]:
    """Orders still to pick or hand over, the earliest slot first."""
    return [_at_store(conn, row) for row in conn.execute(
        "SELECT * FROM online_order WHERE state IN ('reserved', 'partial', 'picked')"
        " ORDER BY slot_end, order_id")]


def find_order(conn: sqlite3.Connection, code_or_id: str) -> OrderAtStore:
    """By the customer's 6-digit pickup code (open orders), the pickup QR (`PU:<order_id>`) or
    the order id."""
    text = code_or_id.strip().removeprefix("PU:")
    row = conn.execute("SELECT * FROM online_order WHERE order_id = ?", (text,)).fetchone()
    if row is None and text.isdigit():
        row = conn.execute("SELECT * FROM online_order WHERE pickup_code = ? AND state IN"
                           " ('reserved', 'partial', 'picked')", (text,)).fetchone()
    if row is None:
        raise OpsError("not_found", f"no order {text[:40]!r} at this store")
    return _at_store(conn, row)


def hand_over(conn: sqlite3.Connection, staff_id: str, code_or_id: str,
              sale_id: str | None = None) -> int:
    """HAND_OVER_ONCE: record the handover; `sale_id` is the till sale that took the payment of a
    pay-at-pickup order. Returns the fact's seq."""
    found = find_order(conn, code_or_id)
    order = found.order
    if found.state == "handed_over":
        raise OpsError("already_handed_over", f"order {order.order_id} was handed over already")
    if found.state not in OPEN_STATES:
        raise OpsError("order_closed", f"order {order.order_id} is {found.state}")
    if found.state != "picked":
        raise OpsError("not_picked", f"order {order.order_id} is not picked yet")
    if not order.paid_online and not sale_id:
        raise OpsError("payment_required", f"order {order.order_id} is paid at pickup:"
                                           " sell its lines at the till first")
    picked = [(sku, qty) for sku, qty, _ in found.picked.values() if qty]
    with write_transaction(conn):
        state = conn.execute("SELECT state FROM online_order WHERE order_id = ?",
                             (order.order_id,)).fetchone()[0]
        if state != "picked":
            raise OpsError("already_handed_over", f"order {order.order_id} is {state}")
        event = append_event(conn, "order.handed_over", {
            "order_id": order.order_id, "staff_id": staff_id, "sale_id": sale_id,
            "paid_online": order.paid_online,
            "lines": [{"sku": s, "qty_milli": q} for s, q in picked] if order.paid_online else []})
        if order.paid_online:
            add_movements(conn, [(s, "sale", -q, order.order_id) for s, q in picked], event.seq)
        conn.execute("DELETE FROM stock_reservation WHERE order_id = ?", (order.order_id,))
        _set_state(conn, order.order_id, "handed_over")
        append_entry(conn, "order.handed_over", staff_id, {"order_id": order.order_id,
                                                           "event_seq": event.seq})
    return event.seq


def expire_due(conn: sqlite3.Connection, now: datetime, grace: timedelta) -> list[str]:
    """RELEASE every open order whose slot ended more than `grace` before `now`; their ids."""
    due = []
    for row in conn.execute("SELECT order_id, slot_end FROM online_order"
                            " WHERE state IN ('reserved', 'partial', 'picked')"):
        if datetime.fromisoformat(row[1]) + grace <= now:
            due.append(str(row[0]))
    for order_id in due:
        with write_transaction(conn):
            _release(conn, order_id, "expired", "system")
    return due


# ---- inside transactions ---------------------------------------------------------------------

def _arrive(conn: sqlite3.Connection, order: Order, version: int) -> None:
    lines = []
    held: list[tuple[str, int, str, int]] = []
    taken: dict[str, int] = {}      # two lines of one SKU share what is available
    for ln in order.lines:
        take = max(0, min(ln.qty_milli, available(conn, ln.sku) - taken.get(ln.sku, 0)))
        taken[ln.sku] = taken.get(ln.sku, 0) + take
        if take:
            held.append((order.order_id, ln.line, ln.sku, take))
        lines.append({"line": ln.line, "sku": ln.sku, "requested": ln.qty_milli, "reserved": take})
    full = all(d["requested"] == d["reserved"] for d in lines)
    state = "reserved" if full else ("partial" if held else "declined")
    conn.execute(
        "INSERT INTO online_order (order_id, channel, pickup_code, lines, slot_end, paid_online,"
        " substitutions, member_id, state, version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?, ?)",
        (order.order_id, order.channel, order.pickup_code, _lines_json(order.lines),
         order.slot_end, int(order.paid_online), int(order.substitutions), order.member_id,
         state, version, utc_now_iso()))
    conn.executemany("INSERT INTO stock_reservation (order_id, line, sku, qty_milli)"
                     " VALUES (?, ?, ?, ?)", held)
    append_event(conn, "order.reserved", {"order_id": order.order_id, "result": state,
                                          "lines": lines})


def _release(conn: sqlite3.Connection, order_id: str, reason: str, staff_id: str) -> None:
    lines = [{"sku": r[0], "qty_milli": int(r[1])} for r in conn.execute(
        "SELECT sku, qty_milli FROM stock_reservation WHERE order_id = ? ORDER BY line",
        (order_id,))]
    conn.execute("DELETE FROM stock_reservation WHERE order_id = ?", (order_id,))
    _set_state(conn, order_id, reason)
    event = append_event(conn, "order.released", {"order_id": order_id, "reason": reason,
                                                  "lines": lines})
    append_entry(conn, "order.released", staff_id, {"order_id": order_id, "reason": reason,
                                                    "event_seq": event.seq})


def _set_state(conn: sqlite3.Connection, order_id: str, state: str) -> None:
    conn.execute("UPDATE online_order SET state = ?, updated_at = ? WHERE order_id = ?",
                 (state, utc_now_iso(), order_id))


def _check(order: Order) -> None:
    if not order.lines or any(ln.qty_milli <= 0 or ln.unit_price < 0 for ln in order.lines):
        raise ValueError(f"order {order.order_id}: lines need positive quantities and prices")
    if len({ln.line for ln in order.lines}) != len(order.lines):
        raise ValueError(f"order {order.order_id}: line numbers repeat")
    if not (order.pickup_code.isdigit() and len(order.pickup_code) == 6):
        raise ValueError(f"order {order.order_id}: the pickup code must be 6 digits")
    at = datetime.fromisoformat(order.slot_end)
    if at.tzinfo is None:
        raise ValueError(f"order {order.order_id}: slot_end needs a UTC offset")


def _lines_json(lines: list[OrderLine]) -> str:
    return json.dumps([{"line": ln.line, "sku": ln.sku, "name": ln.name,
                        "qty_milli": ln.qty_milli, "unit_price": ln.unit_price} for ln in lines],
                      ensure_ascii=False)


def _at_store(conn: sqlite3.Connection, row: sqlite3.Row) -> OrderAtStore:
    lines = [OrderLine(int(d["line"]), str(d["sku"]), str(d["name"]), int(d["qty_milli"]),
                       int(d["unit_price"])) for d in json.loads(row["lines"])]
    order = Order(row["order_id"], row["channel"], row["pickup_code"], lines, row["slot_end"],
                  bool(row["paid_online"]), bool(row["substitutions"]), row["member_id"],
                  row["state"] == "cancelled")
    held = {int(r[0]): int(r[1]) for r in conn.execute(
        "SELECT line, qty_milli FROM stock_reservation WHERE order_id = ?", (order.order_id,))}
    picked = {int(r[0]): (str(r[1]), int(r[2]), int(r[3])) for r in conn.execute(
        "SELECT line, sku, qty_milli, amount FROM order_pick WHERE order_id = ?",
        (order.order_id,))}
    return OrderAtStore(order, str(row["state"]), held, picked)


def describe(found: OrderAtStore) -> dict[str, Any]:
    """An order for the headless protocol and the CLI: figures as the core keeps them."""
    o = found.order
    return {"order_id": o.order_id, "channel": o.channel, "pickup_code": o.pickup_code,
            "state": found.state, "slot_end": o.slot_end, "paid_online": o.paid_online,
            "substitutions": o.substitutions, "amount_due": found.amount_due,
            "lines": [{"line": ln.line, "sku": ln.sku, "name": ln.name,
                       "ordered": ln.qty_milli, "reserved": found.reserved.get(ln.line, 0),
                       "picked": found.picked.get(ln.line, (ln.sku, 0, 0))[1],
                       "picked_sku": found.picked.get(ln.line, (ln.sku, 0, 0))[0]}
                      for ln in o.lines]}
