"""Online orders in the chaos mix (test_chaos.py): HQ takes orders for one store (PROMISE_ONCE
over its stock view); that store's terminal reserves, picks and hands each over between its
sales while the faults go on. The orders are applied at the terminal as its downlink would
(test_downlink.py and tests/hq/test_orders*.py cover that path). At the end every order is
handed over at HQ, no hold is left, and each step reached the channel exactly once."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import psycopg

from cloud_sync.protocol import OrderItem
from edge.ledger.store import open_store, write_transaction
from edge.orders.orders import Order, OrderLine, apply_orders, hand_over
from edge.orders.picking import finish_picking, pick_line
from edge.store_ops import stock
from hq.orders.book import OrderRequest, take_order

SKU = "OX001"
ORDERS = 30


def take_orders(url: str, store: str) -> list[OrderItem]:
    """HQ's side, once the store's receipt has reached it: HQ promises only what its stock view
    (fed by the store's own facts) holds."""
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute("INSERT INTO hq_channel (channel, secret) VALUES ('chaos', 's')"
                   " ON CONFLICT DO NOTHING")
        slot = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
        items = []
        for n in range(ORDERS):
            request = msgspec.convert({"channel_order_id": f"C{n}", "store": store,
                                       "slot_end": slot, "lines": [{"sku": SKU, "qty_milli": 1000,
                                                                    "unit_price": 500}]},
                                      OrderRequest)
            taken = take_order(pg, "chaos", request)
            if taken.item is None:      # taken before a database restart lost the answer
                body = pg.execute("SELECT body FROM hq_order WHERE order_id = %s",
                                  (taken.order["order_id"],)).fetchone()[0]
                items.append(msgspec.convert(body, OrderItem))
            else:
                items.append(taken.item)
    return items


def on_hand_at_hq(url: str, store: str) -> int:
    with psycopg.connect(url) as pg:
        row = pg.execute("SELECT qty_milli FROM hq_stock_on_hand WHERE store = %s AND sku = %s",
                         (store, SKU)).fetchone()
    return int(row[0]) if row else 0


def work_orders(db: Path, url: str, store: str, rng: random.Random) -> None:
    """The store's terminal: a receipt; once HQ holds it (through the faults), HQ takes the
    orders; each arrives, is picked and handed over, a fact at a time."""
    conn = open_store(db)
    with write_transaction(conn):
        conn.execute("INSERT INTO product (sku, name_zh, name_en, unit, price, tax_class,"
                     " category) VALUES (?, '橙', 'Oranges', 'each', 500, 'standard', 'Fresh')",
                     (SKU,))
    stock.move(conn, "chaos", "receipt", [(SKU, ORDERS * 1000)], "PO")
    deadline = time.monotonic() + 60
    while True:     # the faults restart HQ's database too: look again, take again (idempotent)
        assert time.monotonic() < deadline, "the store's receipt never reached HQ, or no orders"
        try:
            if on_hand_at_hq(url, store) >= ORDERS * 1000:
                items = take_orders(url, store)
                break
        except psycopg.OperationalError:
            pass
        time.sleep(0.2)
    for version, item in enumerate(items, 1):
        with write_transaction(conn):
            apply_orders(conn, [Order(item.order_id, item.channel, item.pickup_code,
                                      [OrderLine(ln.line, ln.sku, ln.name, ln.qty_milli,
                                                 ln.unit_price) for ln in item.lines],
                                      item.slot_end, item.paid_online)], False, version)
        time.sleep(rng.uniform(0.05, 0.3))
        pick_line(conn, item.order_id, 1, SKU, 1000)
        finish_picking(conn, "chaos", item.order_id)
        time.sleep(rng.uniform(0.05, 0.3))
        hand_over(conn, "chaos", item.pickup_code)
    conn.close()


def check_orders(url: str) -> None:
    with psycopg.connect(url) as pg:
        statuses = pg.execute("SELECT status, count(*) FROM hq_order GROUP BY status").fetchall()
        holds = pg.execute("SELECT count(*) FROM hq_order_hold").fetchone()[0]
        hooks = pg.execute("SELECT order_id, array_agg(body->>'status' ORDER BY id)"
                           " FROM hq_webhook GROUP BY order_id").fetchall()
        on_hand = pg.execute("SELECT qty_milli FROM hq_stock_on_hand WHERE sku = %s",
                             (SKU,)).fetchone()[0]
    assert statuses == [("handed_over", ORDERS)] and holds == 0
    assert len(hooks) == ORDERS
    # Each step at most once (redelivery changes nothing), the handover always. A fact that
    # reaches HQ after a later one of its order (batches may arrive out of order at the shared
    # subscription) is not applied and owes no webhook: the order never steps back.
    odd = [(order, steps) for order, steps in hooks if len(steps) != len(set(steps))
           or steps[0] != "held" or steps[-1] != "handed_over"]
    assert odd == []
    # The store's receipt of 30, less the 30 handed over: each fact once.
    assert on_hand == 0
