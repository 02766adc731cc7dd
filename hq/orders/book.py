"""The order book at HQ (PostgreSQL): taking an order, choosing its store, what each store can
still promise, and following the order from its store's facts.

Rule PROMISE_ONCE: available to promise (ATP) at a store = HQ's on-hand − the holds of its open
orders. An order is taken under a per-store lock, holding every line it is promised in the same
transaction, so two orders at HQ never get the same unit. What the store says replaces the hold:
reserved (what it could hold), picked (what it picked), and nothing once handed over, expired or
cancelled. A unit sold at the counter before the order reached the store is the one conflict HQ
cannot prevent (the store may be offline): the store then reserves less, the order becomes
`partial` or `declined`, and the channel is told — never silently.
Rule ROUTE: the store named in the order if it can promise every line; else, with `near`, the
nearest store (with a known location) that can promise every line and has a terminal online; else
the order is refused with each line's availability. An offline named store still gets the order
(`held` until its terminals fetch it), and HQ's hold keeps its stock promised meanwhile.
Rule IDEMPOTENT: (channel, channel_order_id) names one order; asking again returns it unchanged.
"""

from __future__ import annotations

import json
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
import psycopg
from msgspec import Meta

from cloud_sync.protocol import OrderItem, OrderLineItem
from hq.schemas import (
    OrderConflict,
    OrderHandedOver,
    OrderPicked,
    OrderReleased,
    OrderReserved,
)
from hq.storage.interface import Accepted

Id = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_\-.:]+$")]
OPEN = ("held", "sent", "reserved", "partial", "picked")


class RequestLine(msgspec.Struct, forbid_unknown_fields=True):
    sku: Id
    qty_milli: Annotated[int, Meta(gt=0, le=10**9)]
    unit_price: Annotated[int, Meta(ge=0, le=10**10)]
    name: Annotated[str, Meta(max_length=200)] = ""


class Near(msgspec.Struct, forbid_unknown_fields=True):
    lat: Annotated[float, Meta(ge=-90, le=90)]
    lon: Annotated[float, Meta(ge=-180, le=180)]


class OrderRequest(msgspec.Struct, forbid_unknown_fields=True):
    """What a channel posts to /api/v1/orders (docs/orders.md)."""

    channel_order_id: Id
    lines: Annotated[list[RequestLine], Meta(min_length=1, max_length=200)]
    slot_end: Annotated[datetime, Meta(tz=True)]
    fulfilment: Literal["pickup", "delivery"] = "pickup"
    paid_online: bool = True
    store: Id | None = None
    near: Near | None = None
    member_id: Id | None = None
    substitutions: bool = False


class OrderRefused(ValueError):
    def __init__(self, code: str, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Taken:
    order: dict[str, Any]       # as `describe` makes it
    item: OrderItem | None      # to send to the store; None when the order existed already
    created: bool


def take_order(conn: psycopg.Connection[Any], channel: str, request: OrderRequest) -> Taken:
    """IDEMPOTENT, ROUTE, PROMISE_ONCE in one transaction. The caller sends `item` to the store
    (a new version of its `orders` stream), then calls `mark_sent`."""
    if len({ln.sku for ln in request.lines}) != len(request.lines):
        raise OrderRefused("bad_request", "a SKU appears twice: add its quantities up")
    with conn.transaction():
        known = _find(conn, channel, request.channel_order_id)
        if known is not None:
            return Taken(known, None, False)
        store = _route(conn, request)
        order_id = f"O{uuid.uuid4().hex[:20].upper()}"
        code = _pickup_code(conn, store)
        item = OrderItem(order_id=order_id, channel=channel, pickup_code=code,
                         lines=[OrderLineItem(i, ln.sku, ln.name or ln.sku, ln.qty_milli,
                                              ln.unit_price)
                                for i, ln in enumerate(request.lines, 1)],
                         slot_end=request.slot_end.isoformat(), paid_online=request.paid_online,
                         substitutions=request.substitutions, member_id=request.member_id)
        conn.execute(
            "INSERT INTO hq_order (order_id, channel, channel_order_id, store, status,"
            " pickup_code, paid_online, body) VALUES (%s, %s, %s, %s, 'held', %s, %s, %s)",
            (order_id, channel, request.channel_order_id, store, code, request.paid_online,
             msgspec.json.encode(item).decode()))
        conn.cursor().executemany(
            "INSERT INTO hq_order_hold (order_id, store, sku, qty_milli) VALUES (%s, %s, %s, %s)",
            [(order_id, store, ln.sku, ln.qty_milli) for ln in request.lines])
        _notify(conn, order_id)
        found = _find(conn, channel, request.channel_order_id)
    assert found is not None
    return Taken(found, item, True)


def mark_sent(conn: psycopg.Connection[Any], order_id: str) -> None:
    """The order's version is stored and published: `held` becomes `sent` (unless the store has
    answered already)."""
    conn.execute("UPDATE hq_order SET status = 'sent', updated_at = now()"
                 " WHERE order_id = %s AND status = 'held'", (order_id,))


def cancel_order(conn: psycopg.Connection[Any], channel: str, channel_order_id: str
                 ) -> tuple[dict[str, Any], OrderItem | None]:
    """The channel cancels: HQ's hold goes at once; the store gets the cancellation (the item to
    send) unless the order is already handed over."""
    with conn.transaction():
        found = _find(conn, channel, channel_order_id, lock=True)
        if found is None:
            raise OrderRefused("not_found", f"no order {channel_order_id}")
        if found["status"] == "handed_over":
            raise OrderRefused("handed_over", "the order was handed over already")
        if found["status"] not in OPEN:
            return found, None
        conn.execute("DELETE FROM hq_order_hold WHERE order_id = %s", (found["order_id"],))
        conn.execute("UPDATE hq_order SET status = 'cancelled', updated_at = now()"
                     " WHERE order_id = %s", (found["order_id"],))
        body = conn.execute("SELECT body FROM hq_order WHERE order_id = %s",
                            (found["order_id"],)).fetchone()[0]
        item = msgspec.convert(body, OrderItem)
        item = msgspec.structs.replace(item, cancelled=True)
        _notify(conn, found["order_id"])
        found = _find(conn, channel, channel_order_id)
    assert found is not None
    return found, item


def get_order(conn: psycopg.Connection[Any], channel: str, channel_order_id: str
              ) -> dict[str, Any] | None:
    return _find(conn, channel, channel_order_id)


def available_to_promise(conn: psycopg.Connection[Any], store: str, skus: list[str]
                         ) -> dict[str, int]:
    """ATP per SKU at `store` (PROMISE_ONCE); the one place it is computed."""
    rows = conn.execute(
        "SELECT s.sku, COALESCE(o.qty_milli, 0) - COALESCE((SELECT SUM(h.qty_milli)"
        "  FROM hq_order_hold h WHERE h.store = %s AND h.sku = s.sku), 0)"
        " FROM unnest(%s::text[]) AS s(sku)"
        " LEFT JOIN hq_stock_on_hand o ON o.store = %s AND o.sku = s.sku",
        (store, skus, store)).fetchall()
    return {r[0]: int(r[1]) for r in rows}


# ---- the store's facts -------------------------------------------------------------------------

def apply_order_facts(cur: psycopg.Cursor[Any], store: str, events: list[Accepted]) -> None:
    """Inside the ingest transaction: each order fact of this store moves its order and HQ's hold,
    and owes the channel a webhook. A fact about an order of another store changes nothing."""
    for e in events:
        fact = e.fact
        if isinstance(fact, OrderConflict):
            for order_id in fact.orders:
                found = cur.execute(
                    "UPDATE hq_order SET conflict = %s, updated_at = now() WHERE order_id = %s"
                    " AND store = %s AND status = ANY(%s) RETURNING order_id",
                    (e.payload.decode(), order_id, store, list(OPEN))).fetchone()
                if found:
                    _notify(cur, order_id)
            continue
        if not isinstance(fact, OrderReserved | OrderPicked | OrderHandedOver | OrderReleased):
            continue
        row = cur.execute("SELECT status FROM hq_order WHERE order_id = %s AND store = %s"
                          " FOR UPDATE", (fact.order_id, store)).fetchone()
        if row is None or row[0] in ("handed_over", "expired", "cancelled"):
            continue
        if isinstance(fact, OrderReserved) and row[0] == "picked":
            continue    # batches may arrive out of order: the picking already replaced the hold
        holds: list[tuple[str, int]] | None = None
        if isinstance(fact, OrderReserved):
            status, holds = fact.result, [(ln.sku, ln.reserved) for ln in fact.lines]
        elif isinstance(fact, OrderPicked):
            status, holds = "picked", [(ln.picked_sku, ln.qty_milli) for ln in fact.lines]
        elif isinstance(fact, OrderHandedOver):
            status, holds = "handed_over", []
        else:
            status, holds = fact.reason, []
        cur.execute("DELETE FROM hq_order_hold WHERE order_id = %s", (fact.order_id,))
        merged: dict[str, int] = {}
        for sku, qty in holds:
            merged[sku] = merged.get(sku, 0) + qty
        cur.executemany("INSERT INTO hq_order_hold (order_id, store, sku, qty_milli)"
                        " VALUES (%s, %s, %s, %s)",
                        [(fact.order_id, store, sku, q) for sku, q in merged.items() if q > 0])
        cur.execute("UPDATE hq_order SET status = %s, result = %s, updated_at = now()"
                    " WHERE order_id = %s", (status, e.payload.decode(), fact.order_id))
        _notify(cur, fact.order_id)


# ---- inside ---------------------------------------------------------------------------------------

def _route(conn: psycopg.Connection[Any], request: OrderRequest) -> str:
    skus = [ln.sku for ln in request.lines]
    wanted = {ln.sku: ln.qty_milli for ln in request.lines}
    candidates: list[str]
    if request.store:
        candidates = [request.store]
    elif request.near is not None:
        candidates = _nearest(conn, request.near)
    else:
        raise OrderRefused("bad_request", "name a store or give `near` {lat, lon}")
    # Every candidate store's lock, always in the same (sorted) order: two orders trying the
    # same stores in different orders of distance would otherwise wait on each other for ever.
    for store in sorted(candidates):
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"hq-order:{store}",))
    short: dict[str, dict[str, int]] = {}
    for store in candidates:
        atp = available_to_promise(conn, store, skus)
        if all(atp.get(sku, 0) >= qty for sku, qty in wanted.items()):
            if request.store or _online(conn, store):
                return store
        short[store] = {sku: max(atp.get(sku, 0), 0) for sku in skus}
    raise OrderRefused("no_stock", "no store can promise every line", short)


def _nearest(conn: psycopg.Connection[Any], near: Near) -> list[str]:
    rows = conn.execute("SELECT store, lat, lon FROM hq_store WHERE lat IS NOT NULL"
                        " AND lon IS NOT NULL").fetchall()
    return [r[0] for r in sorted(rows, key=lambda r: _km(near.lat, near.lon, r[1], r[2]))]


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 12742 * math.asin(math.sqrt(a))


def _online(conn: psycopg.Connection[Any], store: str) -> bool:
    row = conn.execute("SELECT bool_or(online) FROM hq_terminal WHERE store = %s",
                       (store,)).fetchone()
    return bool(row and row[0])


def _pickup_code(conn: psycopg.Connection[Any], store: str) -> str:
    for _ in range(50):
        code = f"{secrets.randbelow(10**6):06d}"
        if conn.execute("SELECT 1 FROM hq_order WHERE store = %s AND pickup_code = %s"
                        " AND status = ANY(%s)", (store, code, list(OPEN))).fetchone() is None:
            return code
    raise OrderRefused("busy", "no free pickup code at this store; try again")


def _find(conn: psycopg.Connection[Any], channel: str, channel_order_id: str,
          lock: bool = False) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT order_id, channel_order_id, store, status, pickup_code, paid_online, body,"
        " result, conflict, created_at, updated_at FROM hq_order WHERE channel = %s"
        f" AND channel_order_id = %s{' FOR UPDATE' if lock else ''}",
        (channel, channel_order_id)).fetchone()
    return None if row is None else describe(row)


def describe(row: Any) -> dict[str, Any]:
    order_id, channel_order_id, store, status, code, paid, body, result, conflict, created, \
        updated = row
    lines = [{"line": ln["line"], "sku": ln["sku"], "qty_milli": ln["qty_milli"],
              "unit_price": ln["unit_price"]} for ln in body["lines"]]
    out: dict[str, Any] = {"order_id": order_id, "channel_order_id": channel_order_id,
                           "store": store, "status": status, "pickup_code": code,
                           "paid_online": paid, "slot_end": body["slot_end"], "lines": lines,
                           "created_at": created.isoformat(), "updated_at": updated.isoformat()}
    if result:
        out["store_says"] = result
    if conflict:
        out["conflict"] = conflict   # the store sold a unit this order holds: it may come short
    return out


def _notify(conn: Any, order_id: str) -> None:
    """A webhook owed to the order's channel with its status now (hq/orders/webhooks.py)."""
    row = conn.execute(
        "SELECT channel, order_id, channel_order_id, store, status, pickup_code, paid_online,"
        " body, result, conflict, created_at, updated_at FROM hq_order WHERE order_id = %s",
        (order_id,)).fetchone()
    body = describe(row[1:])
    conn.execute("INSERT INTO hq_webhook (channel, order_id, body) VALUES (%s, %s, %s)",
                 (row[0], order_id, json.dumps(body)))
