"""The link itself: a silently dead link is noticed within 15 s with the default keepalive, the
agent comes back and resends; a store broker is found on the LAN by zeroconf."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest
from zeroconf import Zeroconf

from cloud_sync.agent import Agent
from cloud_sync.discovery import announce_broker, find_broker
from cloud_sync.settings import AgentSettings, BrokerSettings
from cloud_sync.status import read_status
from edge.ledger.store import open_store
from hq.ingest import IngestOptions, IngestWorker
from tests.cloud_sync.fault_proxy import FaultProxy
from tests.cloud_sync.harness import Broker, Running, free_port, wait_until
from tests.cloud_sync.sales import make_sales


@pytest.mark.timeout(60)
def test_blackholed_link_is_noticed_within_15_s_and_the_backlog_follows_after(
        tmp_path: Path, broker: Broker, pg_url: str) -> None:
    proxy = FaultProxy(broker.port)
    worker = Running(IngestWorker(IngestOptions(db_url=pg_url,
                                                broker=BrokerSettings(port=broker.port))))
    db = tmp_path / "till.db"
    conn = open_store(db)
    settings = AgentSettings("S001", "T01", BrokerSettings(port=proxy.port),  # default keepalive
                             backoff_min=0.2, backoff_max=2.0, status_interval=0.2)
    # The default ack timeout (20 s) is longer than the budget: keepalive alone must notice.
    agent = Running(Agent(settings, db))
    try:
        wait_until(lambda: read_status(conn).connected, 10, "connected")
        proxy.blackhole = True  # packets vanish: no RST, no FIN
        started = time.monotonic()
        make_sales(conn, "S001", "T01", 10)
        wait_until(lambda: not read_status(conn).connected, 20, "dead link noticed")
        noticed = time.monotonic() - started
        assert noticed <= 15, noticed
        assert read_status(conn).pending == 10 and read_status(conn).last_error
        proxy.blackhole = False
        proxy.cut()
        wait_until(lambda: read_status(conn).pending == 0, 30, "backlog sent after the outage")
    finally:
        agent.stop()
        worker.stop()
        proxy.close()
    with psycopg.connect(pg_url) as pg:
        assert pg.execute("SELECT count(*) FROM hq_sale").fetchone()[0] == 10


@pytest.mark.timeout(60)
def test_agent_finds_the_store_broker_by_zeroconf(tmp_path: Path, broker: Broker,
                                                  pg_url: str) -> None:
    server = Zeroconf(interfaces=["127.0.0.1"])
    browser = Zeroconf(interfaces=["127.0.0.1"])
    announce_broker(server, f"store-broker-{broker.port}", "127.0.0.1", broker.port)
    worker = Running(IngestWorker(IngestOptions(db_url=pg_url,
                                                broker=BrokerSettings(port=broker.port))))
    db = tmp_path / "till.db"
    conn = open_store(db)
    make_sales(conn, "S001", "T01", 5)
    nowhere = BrokerSettings(port=free_port(), discover=True)  # nothing listens there
    agent = Running(Agent(AgentSettings("S001", "T01", nowhere, backoff_min=0.1, ack_timeout=3.0,
                                        status_interval=0.1), db,
                          discover=lambda: find_broker(5.0, browser)))
    try:
        wait_until(lambda: read_status(conn).pending == 0, 30, "drained via discovered broker")
        assert read_status(conn).broker == f"127.0.0.1:{broker.port}"
    finally:
        agent.stop()
        worker.stop()
        server.close()
        browser.close()
