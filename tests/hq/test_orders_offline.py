"""Online orders with the store's link down (a fault proxy between the store's agent and the
broker swallows everything): an order already at the store is picked and handed over offline,
paid online or at pickup; the facts reach HQ once when the link returns. Meanwhile HQ holds an
order for the offline store (its stock still promised, never twice), routes an order placed
`near` the customer to an online store, and learns of the unit the store sold at the counter
before the held order arrived: the order comes partial, and the channel is told why."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from starlette.testclient import TestClient

from cloud_sync.agent import Agent
from cloud_sync.settings import AgentSettings, BrokerSettings
from edge.config import StoreConfig
from edge.store_ops.stock import on_hand
from edge.till.session import Till
from hq.ingest import IngestOptions, IngestWorker
from hq.orders.webhooks import deliver_due
from hq.storage import open_storage
from tests.cloud_sync.fault_proxy import FaultProxy
from tests.cloud_sync.harness import Broker, Running, wait_until
from tests.hq.test_orders import Channel, hq, hq_status, order, store  # noqa: F401 (fixture)
from ui.headless.protocol import TillProtocol

pytestmark = pytest.mark.dated


def _online(pg_url: str) -> bool:
    with psycopg.connect(pg_url) as pg:
        row = pg.execute("SELECT online FROM hq_terminal WHERE store = 'S001'"
                         " AND terminal = 'T01'").fetchone()
    return bool(row and row[0])


@pytest.mark.timeout(120)
def test_picking_and_handover_offline_reach_hq_once_and_nothing_is_promised_twice(
        hq: tuple[TestClient, Channel, str],  # noqa: F811 (the fixture imported above)
        broker: Broker, tmp_path: Path) -> None:
    _, channel, pg_url = hq
    conn = store(tmp_path)
    proxy = FaultProxy(broker.port)
    worker = Running(IngestWorker(IngestOptions(db_url=pg_url,
                                                broker=BrokerSettings(port=broker.port),
                                                signing_key=str(tmp_path / "hq.key"))))
    agent = Running(Agent(AgentSettings(store_id="S001", terminal_id="T01",
                                        broker=BrokerSettings(port=proxy.port, keepalive=1),
                                        hq_public_key=str(tmp_path / "hq.pub"), ack_timeout=2.0,
                                        backoff_min=0.1, backoff_max=0.5, status_interval=0.2),
                          tmp_path / "store.db", order_grace=timedelta(hours=1)))
    headless = TillProtocol(Till(conn, StoreConfig()))

    def op(name: str, **fields: Any) -> dict[str, Any]:
        answer: dict[str, Any] = json.loads(headless.handle_line(json.dumps({"op": name, **fields})))
        assert answer["ok"], answer
        return answer

    hq_storage = open_storage(pg_url)
    try:
        with psycopg.connect(pg_url, autocommit=True) as pg:   # a second store, online, nearby
            pg.execute("INSERT INTO hq_store (store, lat, lon) VALUES ('S001', 31.20, 121.40),"
                       " ('S002', 31.30, 121.40)")
            pg.execute("INSERT INTO hq_terminal (store, terminal, online) VALUES"
                       " ('S002', 'T01', TRUE)")
            pg.execute("INSERT INTO hq_stock_on_hand (store, sku, qty_milli) VALUES"
                       " ('S002', 'A001', 5000)")
        wait_until(lambda: dict(hq_storage.stock_on_hand("S001")).get("A001") == 3000, 20,
                   "the store's stock at HQ")
        paid = channel.request("POST", "/api/v1/orders", order(
            "W1", ("A001", 1000, 350), ("E001", 1000, 990), substitutions=True))
        at_pickup = channel.request("POST", "/api/v1/orders", order(
            "W2", ("C001", 2000, 1280), paid_online=False))
        assert paid.status_code == 201 and at_pickup.status_code == 201
        wait_until(lambda: hq_status(pg_url, "W1") == hq_status(pg_url, "W2") == "reserved", 10,
                   "both reserved at the store")

        proxy.blackhole = True                                  # the WAN goes down
        wait_until(lambda: not _online(pg_url), 15, "HQ sees the store offline")

        # HQ, store offline: A001 is 3 on hand in HQ's view, 1 held for W1 → 2 to promise.
        held = channel.request("POST", "/api/v1/orders", order("W3", ("A001", 2000, 350)))
        assert held.status_code == 201 and held.json()["store"] == "S001"
        again = channel.request("POST", "/api/v1/orders", order("W4", ("A001", 1000, 350)))
        assert again.status_code == 409 and again.json()["detail"] == {"S001": {"A001": 0}}
        near = dict(order("W5", ("A001", 1000, 350)), store=None, near={"lat": 31.2, "lon": 121.4})
        routed = channel.request("POST", "/api/v1/orders", near)
        assert routed.status_code == 201 and routed.json()["store"] == "S002"

        # The store, offline: picks and hands over both orders, and sells an A001 at the counter
        # (it cannot know HQ promised the last two to W3).
        op("login", staff="1001", pin="1234")
        code1, code2 = paid.json()["pickup_code"], at_pickup.json()["pickup_code"]
        w1 = op("order", code=code1)["order"]["order_id"]
        w2 = op("order", code=code2)["order"]["order_id"]
        op("order_pick", order=w1, line=1, data="6901234567892", qty="1")
        op("order_pick", order=w1, line=2, data="E001", qty="1.050")
        op("order_pick_done", order=w1)
        assert op("order_handover", code=code1)["order"]["state"] == "handed_over"
        op("order_pick", order=w2, line=1, data="C001", qty="2")
        op("order_pick_done", order=w2)
        op("order_collect", code=code2)                         # W2 rung up and paid here
        op("tender", type="cash", amount="25.60")
        assert op("order_handover", code=code2)["order"]["state"] == "handed_over"
        op("add", sku="A001", qty="1")
        op("tender", type="cash", amount="10.00")
        assert on_hand(conn, "A001") == 1000
        assert hq_status(pg_url, "W1") == "reserved"            # HQ has heard nothing yet

        proxy.blackhole = False                                 # the link returns
        proxy.cut()
        wait_until(lambda: (hq_status(pg_url, "W1"), hq_status(pg_url, "W2"),
                            hq_status(pg_url, "W3")) == ("handed_over", "handed_over", "partial"),
                   30, "the offline facts and the held order settled at HQ")
        wait_until(lambda: dict(hq_storage.stock_on_hand("S001")) == {
            sku: on_hand(conn, sku) for sku in ("A001", "C001", "E001")}, 15,
            "HQ's stock equals the store's")
        with psycopg.connect(pg_url, autocommit=True) as pg:
            sales = pg.execute("SELECT count(*) FROM hq_sale WHERE store = 'S001'").fetchone()[0]
            holds = dict(pg.execute("SELECT order_id, qty_milli FROM hq_order_hold h JOIN"
                                    " hq_order o USING (order_id) WHERE o.channel_order_id = 'W3'"
                                    ).fetchall())
            dead = pg.execute("SELECT count(*) FROM hq_dead_letter").fetchone()[0]
            w3 = pg.execute("SELECT result FROM hq_order WHERE channel_order_id = 'W3'"
                            ).fetchone()[0]
            while deliver_due(pg):
                pass
        assert sales == 2 and dead == 0
        assert list(holds.values()) == [1000]       # the one A001 left, not the two promised
        assert w3["lines"] == [{"line": 1, "sku": "A001", "requested": 2000, "reserved": 1000}]
        assert channel.statuses("W1") == ["held", "reserved", "picked", "handed_over"]
        assert channel.statuses("W2") == ["held", "reserved", "picked", "handed_over"]
        assert channel.statuses("W3") == ["held", "partial"]
        assert Counter(h["channel_order_id"] for h in channel.hooks)["W5"] == 1
        picked = next(h for h in channel.hooks
                      if h["channel_order_id"] == "W1" and h["status"] == "picked")
        assert picked["store_says"]["difference"] == 1040 - 990   # 1.050 kg at 9.90/kg
    finally:
        hq_storage.close()
        agent.stop()
        worker.stop()
        proxy.close()
