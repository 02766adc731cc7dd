"""Online orders end to end: a scripted channel (signed HTTP against HQ's API) → HQ → the real
broker → the store's agent → the store reserves → picked on the headless till with a weighed
substitution → handed over with the pickup code → signed status webhooks to the channel. Also:
the till told when it sells reserved stock, expiry releasing it, and HQ never promising a unit
twice."""

from __future__ import annotations

import http.server
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import psycopg
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from cloud_sync.agent import Agent
from cloud_sync.settings import AgentSettings, BrokerSettings
from cloud_sync.signing import generate_keypair, load_private_key
from edge.config import StoreConfig
from edge.ledger.store import open_store, write_transaction
from edge.store_ops import stock
from edge.till.session import Till
from hq.ingest import IngestOptions, IngestWorker
from hq.orders import signing
from hq.orders.book import OrderRefused
from hq.orders.http_api import OrdersEndpoint, refused
from hq.orders.webhooks import deliver_due
from hq.publish import send
from hq.storage import open_storage
from tests.cloud_sync.harness import Broker, Running, free_port, wait_until
from tests.edge.store_ops.conftest import seed
from ui.headless.protocol import TillProtocol

pytestmark = pytest.mark.dated
SECRET = "channel-secret-1"


class Channel:
    """The online channel: signs its requests, and takes webhooks on a real HTTP port."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.hooks: list[dict[str, Any]] = []
        self.bad_signatures = 0
        channel = self

        class Hook(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                if signing.check(SECRET, self.headers["x-pos-timestamp"], "POST", self.path, body,
                                 self.headers["x-pos-signature"], time.time()):
                    channel.bad_signatures += 1
                else:
                    channel.hooks.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Hook)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/orders"

    def request(self, method: str, path: str, body: dict[str, Any] | None = None,
                secret: str = SECRET) -> Any:
        raw = json.dumps(body).encode() if body is not None else b""
        ts = int(time.time())
        return self.client.request(method, path, content=raw, headers={
            "x-pos-channel": "mini", "x-pos-timestamp": str(ts),
            "x-pos-signature": signing.signature(secret, ts, method, path, raw)})

    def statuses(self, channel_order_id: str) -> list[str]:
        return [h["status"] for h in self.hooks if h["channel_order_id"] == channel_order_id]


@pytest.fixture
def hq(pg_url: str, broker: Broker, tmp_path: Path) -> Iterator[tuple[TestClient, Channel, str]]:
    generate_keypair(tmp_path / "hq.key", tmp_path / "hq.pub")
    storage = open_storage(pg_url)                  # migrates HQ's schema
    endpoint = OrdersEndpoint(pg_url, storage, load_private_key(tmp_path / "hq.key"),
                              lambda versions: send(BrokerSettings(port=broker.port), versions))
    app = Starlette(routes=endpoint.routes(), exception_handlers={OrderRefused: refused})
    with TestClient(app) as client:
        channel = Channel(client)
        with psycopg.connect(pg_url, autocommit=True) as pg:
            pg.execute("INSERT INTO hq_channel (channel, secret, webhook_url) VALUES"
                       " ('mini', %s, %s)", (SECRET, channel.url))
        yield client, channel, pg_url
        channel.server.shutdown()
    storage.close()


def store(tmp_path: Path) -> sqlite3.Connection:
    conn = open_store(tmp_path / "store.db")
    seed(conn)
    with write_transaction(conn):
        conn.execute("INSERT INTO product (sku, name_zh, name_en, unit, price, tax_class,"
                     " category) VALUES ('E001', '梨', 'Pears', 'kg', 990, 'reduced', 'Fresh')")
    stock.move(conn, "2001", "receipt", [("A001", 3000), ("C001", 4000), ("E001", 4000)], "PO")
    return conn


def order(number: str, *lines: tuple[str, int, int], slot: timedelta = timedelta(hours=2),
          **more: Any) -> dict[str, Any]:
    return {"channel_order_id": number, "store": "S001",
            "slot_end": (datetime.now(UTC) + slot).isoformat(),
            "lines": [{"sku": s, "qty_milli": q, "unit_price": p} for s, q, p in lines], **more}


def hq_status(pg_url: str, number: str) -> str:
    with psycopg.connect(pg_url) as pg:
        row = pg.execute("SELECT status FROM hq_order WHERE channel_order_id = %s",
                         (number,)).fetchone()
    return row[0] if row else ""


@pytest.mark.timeout(120)
def test_an_order_is_reserved_picked_with_a_weighed_substitute_and_handed_over(
        hq: tuple[TestClient, Channel, str], broker: Broker, tmp_path: Path) -> None:
    _, channel, pg_url = hq
    conn = store(tmp_path)
    worker = Running(IngestWorker(IngestOptions(db_url=pg_url, broker=BrokerSettings(port=broker.port),
                                                signing_key=str(tmp_path / "hq.key"))))
    agent = Running(Agent(AgentSettings(store_id="S001", terminal_id="T01",
                                        broker=BrokerSettings(port=broker.port, keepalive=2),
                                        hq_public_key=str(tmp_path / "hq.pub"), ack_timeout=3.0,
                                        backoff_min=0.1, backoff_max=1.0, status_interval=0.2),
                          tmp_path / "store.db", order_grace=timedelta(0)))
    till = Till(conn, StoreConfig())
    headless = TillProtocol(till)

    def op(name: str, **fields: Any) -> dict[str, Any]:
        answer: dict[str, Any] = json.loads(headless.handle_line(json.dumps({"op": name, **fields})))
        return answer

    try:
        hq_storage = open_storage(pg_url)
        wait_until(lambda: dict(hq_storage.stock_on_hand("S001")).get("A001") == 3000, 20,
                   "the store's stock at HQ")
        hq_storage.close()
        too_much = channel.request("POST", "/api/v1/orders", order("W0", ("A001", 4000, 350)))
        assert too_much.status_code == 409 and too_much.json()["detail"] == {"S001": {"A001": 3000}}
        placed = channel.request("POST", "/api/v1/orders", order(
            "W1", ("A001", 2000, 350), ("C001", 1000, 1280), substitutions=True))
        assert placed.status_code == 201, placed.text
        code = placed.json()["pickup_code"]
        assert channel.request("POST", "/api/v1/orders", order(
            "W1", ("A001", 2000, 350), ("C001", 1000, 1280))).status_code == 200   # idempotent
        assert channel.request("GET", "/api/v1/orders/W1", secret="wrong").status_code == 401
        wait_until(lambda: hq_status(pg_url, "W1") == "reserved", 10, "reserved at the store")

        assert op("login", staff="1001", pin="1234")["ok"]
        sold = op("add", sku="A001", qty="2")        # 3 on hand, 2 held for W1
        assert sold["warnings"] == [{"code": "reserved_stock", "sku": "A001", "reserved": "2",
                                     "available": "1"}]
        assert op("void_line", line=1)["ok"]

        assert op("order_pick", order=code, line=1, data="6901234567892", qty="2")["ok"] is False
        order_id = op("order", code=code)["order"]["order_id"]
        assert op("order_pick", order=order_id, line=1, data="6901234567892", qty="2")["ok"]
        assert op("order_pick", order=order_id, line=2, data="E001", qty="1.120")["ok"]
        done = op("order_pick_done", order=order_id)
        assert done["ok"] and done["order"]["state"] == "picked"
        wait_until(lambda: hq_status(pg_url, "W1") == "picked", 10, "picked at HQ")
        handed = op("order_handover", code=code)
        assert handed["ok"] and handed["order"]["state"] == "handed_over"
        assert op("order_handover", code=code)["error"]["code"] == "not_found"   # code is spent
        wait_until(lambda: hq_status(pg_url, "W1") == "handed_over", 10, "handed over at HQ")
        hq_storage = open_storage(pg_url)
        wait_until(lambda: dict(hq_storage.stock_on_hand("S001")) == {
            "A001": 1000, "C001": 4000, "E001": 4000 - 1120}, 10, "stock out at HQ")
        hq_storage.close()
        with psycopg.connect(pg_url, autocommit=True) as pg:
            while deliver_due(pg):      # one webhook per order per round, in order
                pass
        assert channel.statuses("W1") == ["held", "reserved", "picked", "handed_over"]
        assert channel.bad_signatures == 0
        picked = next(h for h in channel.hooks if h["status"] == "picked")
        # The pears substitute the apples at the ordered 12.80/kg: 1.120 kg is 14.34, 1.54 more.
        assert picked["store_says"]["difference"] == 1434 - 1280

        expiring = channel.request("POST", "/api/v1/orders", order(
            "W2", ("A001", 1000, 350), slot=timedelta(seconds=2)))
        assert expiring.status_code == 201
        wait_until(lambda: hq_status(pg_url, "W2") == "expired", 20, "expired and released")
        with psycopg.connect(pg_url) as pg:
            assert pg.execute("SELECT count(*) FROM hq_order_hold").fetchone()[0] == 0
    finally:
        agent.stop()
        worker.stop()


def test_a_hundred_orders_racing_for_twenty_units_across_three_stores_promise_each_once(
        pg_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from hq.orders.book import OrderRequest, take_order

    storage = open_storage(pg_url)
    storage.close()
    with psycopg.connect(pg_url, autocommit=True) as pg:
        pg.execute("INSERT INTO hq_channel (channel, secret) VALUES ('mini', 's')")
        for store, units, lat in (("S001", 8, 31.20), ("S002", 7, 31.25), ("S003", 5, 31.30)):
            pg.execute("INSERT INTO hq_store (store, lat, lon) VALUES (%s, %s, 121.4)",
                       (store, lat))
            pg.execute("INSERT INTO hq_terminal (store, terminal, online) VALUES (%s, 'T01', TRUE)",
                       (store,))
            pg.execute("INSERT INTO hq_stock_on_hand (store, sku, qty_milli) VALUES (%s, 'A001', %s)",
                       (store, units * 1000))

    def place(n: int) -> tuple[str, Any]:
        request = msgspec.convert({
            "channel_order_id": f"R{n}", "slot_end": datetime.now(UTC).isoformat(),
            "lines": [{"sku": "A001", "qty_milli": 1000, "unit_price": 350}],
            "near": {"lat": 31.2 + (n % 3) * 0.05, "lon": 121.4}}, OrderRequest)
        with psycopg.connect(pg_url, autocommit=True) as conn:
            try:
                return "taken", take_order(conn, "mini", request).order["store"]
            except OrderRefused as exc:
                return exc.code, exc.detail

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(place, range(100)))
    taken = [store for kind, store in results if kind == "taken"]
    assert len(taken) == 20
    assert {s: taken.count(s) for s in set(taken)} == {"S001": 8, "S002": 7, "S003": 5}
    declined = [detail for kind, detail in results if kind != "taken"]
    assert all(kind == "no_stock" for kind, _ in results if kind != "taken")
    assert all(d == {"S001": {"A001": 0}, "S002": {"A001": 0}, "S003": {"A001": 0}}
               for d in declined[-10:])
    with psycopg.connect(pg_url) as pg:
        held = dict(pg.execute("SELECT store, SUM(qty_milli) FROM hq_order_hold GROUP BY store"
                               ).fetchall())
    assert held == {"S001": 8000, "S002": 7000, "S003": 5000}
