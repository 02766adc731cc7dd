"""Security against the real broker running the packaged ACLs (packaging/mosquitto/acl) over TLS
with per-terminal credentials from `pos hq enroll`: a terminal reaches only its own topics."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import psycopg
import pytest

from cloud_sync.agent import Agent
from cloud_sync.mqtt_link import make_client
from cloud_sync.settings import AgentSettings, BrokerSettings
from cloud_sync.status import read_status
from edge.ledger.store import open_store
from hq.ingest import IngestOptions, IngestWorker
from tests.cloud_sync.harness import Broker, Running, SecureSite, wait_until
from tests.cloud_sync.sales import make_sales


@pytest.fixture
def secure_broker(tmp_path: Path) -> Broker:
    site = SecureSite(tmp_path, [("S001", "T01"), ("S002", "T01")])
    broker = Broker(tmp_path, site.broker_extra())
    broker.site = site  # type: ignore[attr-defined]
    yield broker  # type: ignore[misc]
    broker.stop()


def settings(broker: Broker, user: str, password: str | None = None) -> BrokerSettings:
    return broker.site.settings(broker.port, user, password)  # type: ignore[attr-defined,no-any-return]


class Listener:
    def __init__(self, bs: BrokerSettings, name: str, filters: list[str]) -> None:
        self.got: list[str] = []
        self.granted: list[int] = []
        self.ready = threading.Event()
        self.client = make_client(name, bs)

        def on_connect(c: mqtt.Client, _u: object, _f: object, rc: object, _p: object) -> None:
            c.subscribe([(f, 1) for f in filters])

        def on_subscribe(_c: mqtt.Client, _u: object, _m: object, codes: list, _p: object) -> None:
            self.granted = [code.value for code in codes]
            self.ready.set()

        self.client.on_connect = on_connect
        self.client.on_subscribe = on_subscribe
        self.client.on_message = lambda _c, _u, m: self.got.append(m.topic)
        self.client.connect("127.0.0.1", bs.port)
        self.client.loop_start()
        assert self.ready.wait(10)

    def publish(self, topic: str) -> None:
        self.client.publish(topic, b"{}", qos=1).wait_for_publish(5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.mark.timeout(60)
def test_a_terminal_cannot_publish_into_another_store_nor_read_its_downlink(
        secure_broker: Broker) -> None:
    hq = Listener(settings(secure_broker, "hq-ingest"), "hq", ["pos/v1/#"])
    one = Listener(settings(secure_broker, "S001-T01"), "one",
                   ["pos/v1/S002/#", "pos/v1/S002/down/#", "pos/v1/S001/T01/down/#"])
    two = Listener(settings(secure_broker, "S002-T01"), "two", ["pos/v1/S002/#"])
    try:
        one.publish("pos/v1/S002/T01/up/events")  # into another store's uplink
        one.publish("pos/v1/S001/down/catalog/v")  # forging its own store's downlink
        one.publish("pos/v1/S001/T01/up/events")  # its own uplink: allowed
        hq.publish("pos/v1/S002/down/catalog/v")
        hq.publish("pos/v1/S002/T01/down/ack")
        hq.publish("pos/v1/S001/T01/down/ack")
        wait_until(lambda: len(two.got) >= 2 and "pos/v1/S001/T01/down/ack" in one.got, 10,
                   "own-store deliveries")
        time.sleep(0.5)
        assert hq.got.count("pos/v1/S001/T01/up/events") == 1
        assert "pos/v1/S002/T01/up/events" not in hq.got
        assert "pos/v1/S001/down/catalog/v" not in hq.got
        assert one.got == ["pos/v1/S001/T01/down/ack"]
        assert sorted(two.got) == ["pos/v1/S002/T01/down/ack", "pos/v1/S002/down/catalog/v"]
    finally:
        for client in (hq, one, two):
            client.close()


@pytest.mark.timeout(60)
def test_agent_syncs_over_tls_with_its_store_credentials_and_reports_a_bad_password(
        tmp_path: Path, secure_broker: Broker, pg_url: str) -> None:
    db = tmp_path / "till.db"
    conn = open_store(db)
    make_sales(conn, "S001", "T01", 50)
    wrong = Running(Agent(AgentSettings("S001", "T01", settings(secure_broker, "S001-T01", "nope"),
                                        backoff_min=0.1, status_interval=0.1, ack_timeout=3.0),
                          db))
    try:
        wait_until(lambda: read_status(conn).last_error, 10, "a refused login reported")
        assert "refused" in (read_status(conn).last_error or "")
    finally:
        wrong.stop()
    worker = Running(IngestWorker(IngestOptions(db_url=pg_url,
                                                broker=settings(secure_broker, "hq-ingest"))))
    agent = Running(Agent(AgentSettings("S001", "T01", settings(secure_broker, "S001-T01"),
                                        backoff_min=0.1, status_interval=0.1, ack_timeout=3.0),
                          db))
    try:
        wait_until(lambda: read_status(conn).pending == 0, 20, "drained over TLS")
    finally:
        agent.stop()
        worker.stop()
    with psycopg.connect(pg_url) as pg:
        assert pg.execute("SELECT count(*) FROM hq_sale").fetchone()[0] == 50
