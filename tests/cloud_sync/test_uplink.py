"""Uplink end to end through a real Mosquitto into a real PostgreSQL: batches, app-level acks,
dead letters, generic events and the agent's status."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest

from cloud_sync.agent import Agent
from cloud_sync.settings import AgentSettings, BrokerSettings
from cloud_sync.status import read_status
from edge.ledger.outbox import append_event
from edge.ledger.store import open_store, write_transaction
from hq.ingest import IngestOptions, IngestWorker
from tests.cloud_sync.harness import ROOT, Broker, Running, python_env, wait_until
from tests.cloud_sync.sales import make_sales, sale_payload

FAST = {"ack_timeout": 3.0, "backoff_min": 0.1, "backoff_max": 1.0, "status_interval": 0.2}


def settings(broker: Broker, store: str = "S001", terminal: str = "T01") -> AgentSettings:
    return AgentSettings(store_id=store, terminal_id=terminal,
                         broker=BrokerSettings(port=broker.port, keepalive=2), **FAST)


def ingest(broker: Broker, url: str) -> Running:
    return Running(IngestWorker(IngestOptions(db_url=url, broker=BrokerSettings(port=broker.port))))


def drained(db: Path) -> bool:
    conn = open_store(db)
    try:
        return read_status(conn).pending == 0
    finally:
        conn.close()


@pytest.mark.timeout(60)
def test_sales_reach_postgres_once_and_leave_the_outbox(tmp_path: Path, broker: Broker,
                                                         pg_url: str) -> None:
    db = tmp_path / "till.db"
    conn = open_store(db)
    total = make_sales(conn, "S001", "T01", 450, random.Random(1), per_transaction=50)
    workers = [ingest(broker, pg_url), ingest(broker, pg_url)]
    agent = Running(Agent(settings(broker), db))
    try:
        wait_until(lambda: drained(db), 30, "outbox drained")
    finally:
        agent.stop()
        for w in workers:
            w.stop()
    with psycopg.connect(pg_url) as pg:
        count, amount = pg.execute("SELECT count(*), sum(total) FROM hq_sale").fetchone()
        lines = pg.execute("SELECT count(*) FROM hq_sale_line").fetchone()[0]
        acked_to = pg.execute("SELECT acked_to FROM hq_terminal").fetchone()[0]
    assert (count, amount, lines, acked_to) == (450, total, 450 * 8, 450)
    assert conn.execute("SELECT count(*) FROM outbox WHERE state = 'acked'").fetchone()[0] == 450


@pytest.mark.timeout(60)
def test_bad_event_is_dead_lettered_marked_rejected_and_does_not_block_the_stream(
        tmp_path: Path, broker: Broker, pg_url: str) -> None:
    db = tmp_path / "till.db"
    conn = open_store(db)
    make_sales(conn, "S001", "T01", 3)
    bad = sale_payload("S001", "T01", 99, random.Random(2))
    bad["total"] += 1  # does not add up: HQ cannot verify it
    with write_transaction(conn):
        append_event(conn, "sale.completed", bad)
        append_event(conn, "stock.adjustment", {"items": [{"sku": "SKU00001", "qty_milli": -1000}],
                                                "reference": "", "reason": "broken",
                                                "staff_id": "1001"})
    make_sales(conn, "S001", "T01", 3)
    worker = ingest(broker, pg_url)
    agent = Running(Agent(settings(broker), db))
    try:
        wait_until(lambda: drained(db), 30, "outbox drained")
    finally:
        agent.stop()
        worker.stop()
    state, reason = conn.execute("SELECT state, reject_reason FROM outbox WHERE seq = 4").fetchone()
    assert state == "rejected" and "paid - change" in reason
    assert read_status(conn).rejected == 1
    with psycopg.connect(pg_url) as pg:
        assert pg.execute("SELECT count(*) FROM hq_sale").fetchone()[0] == 6
        assert pg.execute("SELECT seq, reason FROM hq_dead_letter").fetchall() == [(4, reason)]
        assert pg.execute("SELECT type, payload->'items'->0->>'sku' FROM hq_event").fetchall() == [
            ("stock.adjustment", "SKU00001")]
        assert pg.execute("SELECT acked_to FROM hq_terminal").fetchone()[0] == 8


@pytest.mark.timeout(60)
def test_unacknowledged_events_are_sent_again_after_a_restart(tmp_path: Path, broker: Broker,
                                                             pg_url: str) -> None:
    db = tmp_path / "till.db"
    conn = open_store(db)
    make_sales(conn, "S001", "T01", 120)
    agent = Running(Agent(settings(broker), db))  # no HQ yet: broker PUBACKs are no proof
    wait_until(lambda: read_status(conn).connected, 10, "agent connected")
    wait_until(lambda: read_status(conn).updated_at, 5, "status written")
    agent.stop()
    assert read_status(conn).pending == 120
    worker = ingest(broker, pg_url)
    agent = Running(Agent(settings(broker), db))
    try:
        wait_until(lambda: drained(db), 30, "outbox drained after restart")
    finally:
        agent.stop()
        worker.stop()
    with psycopg.connect(pg_url) as pg:
        assert pg.execute("SELECT count(*) FROM hq_sale").fetchone()[0] == 120


def test_pos_sync_status_prints_the_backlog(tmp_path: Path) -> None:
    db = tmp_path / "till.db"
    conn = open_store(db)
    make_sales(conn, "S001", "T01", 2)
    out = subprocess.run([sys.executable, "-m", "cli.main", "sync", "--db", str(db), "status",
                          "--json"], capture_output=True, text=True, env=python_env(), cwd=ROOT,
                         check=True).stdout
    status = json.loads(out)
    assert status["pending"] == 2 and status["connected"] is False


@pytest.mark.timeout(90)
def test_a_backlog_of_big_baskets_is_sent_in_batches_the_broker_takes(tmp_path: Path,
                                                                      pg_url: str) -> None:
    """500 weekly shops of 60 lines (~11 KB each, ~5.7 MB together) behind a broker with the
    packaged 4 MiB packet limit: a batch of 500 of them would be refused by the broker (it drops
    the connection) again and again, and the queue would stick; the agent cuts its batches by
    size too, and everything drains."""
    broker = Broker(tmp_path, "allow_anonymous true\nmax_packet_size 4194560\n")
    db = tmp_path / "till.db"
    conn = open_store(db)
    rng = random.Random(3)
    with write_transaction(conn):
        for n in range(1, 501):
            append_event(conn, "sale.completed", sale_payload("S001", "T01", n, rng, lines=60))
    size = conn.execute("SELECT sum(length(payload)) FROM outbox").fetchone()[0]
    conn.close()
    assert size > 4 * 1024 * 1024     # more than one message may carry
    workers = [ingest(broker, pg_url)]
    agent = Running(Agent(settings(broker), db))
    try:
        wait_until(lambda: drained(db), 60, "outbox drained")
    finally:
        agent.stop()
        for w in workers:
            w.stop()
        broker.stop()
    with psycopg.connect(pg_url) as pg:
        assert pg.execute("SELECT count(*), sum(line_count) FROM hq_sale").fetchone() == (
            500, 30_000)


@pytest.mark.timeout(90)
def test_a_worker_with_writer_lanes_takes_every_store_once_and_keeps_beating(
        tmp_path: Path, broker: Broker, pg_url: str) -> None:
    """`writers=3`: each store always in the same lane (its own connection), the lanes in
    parallel; every sale of every terminal is written once and acked, and the worker's heartbeat
    goes on while its lanes turn."""
    from hq.ingest import lane_of

    stores = ["S001", "S002", "S004", "S006"]  # lanes 2, 2, 0, 1
    assert [lane_of(f"pos/v1/{s}/T01/up/events", 3) for s in stores] == [2, 2, 0, 1]
    assert {lane_of(f"pos/v1/S001/{t}/up/events", 3) for t in ("T01", "T02")} == \
        {lane_of("pos/v1/S001/T01/up/health", 3)}
    beats: list[float] = []
    worker = IngestWorker(IngestOptions(db_url=pg_url, broker=BrokerSettings(port=broker.port),
                                        writers=3))
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run, args=(stop, lambda: beats.append(0.0)), daemon=True)
    thread.start()
    dbs, agents, totals = [], [], 0
    try:
        for i, store in enumerate(stores):
            for terminal in ("T01", "T02"):
                db = tmp_path / f"{store}-{terminal}.db"
                conn = open_store(db)
                totals += make_sales(conn, store, terminal, 60, random.Random(i),
                                     per_transaction=20)
                conn.close()
                dbs.append(db)
                agents.append(Running(Agent(settings(broker, store, terminal), db)))
        wait_until(lambda: all(drained(db) for db in dbs), 60, "every outbox drained")
        seen = len(beats)
        wait_until(lambda: len(beats) > seen > 0, 5, "the worker beating on")
        assert all(lane.storage is not None for lane in worker.lanes)  # every lane wrote
    finally:
        for agent in agents:
            agent.stop()
        stop.set()
        thread.join(10)
    with psycopg.connect(pg_url) as pg:
        count, amount = pg.execute("SELECT count(*), sum(total) FROM hq_sale").fetchone()
        marks = pg.execute("SELECT count(*) FROM hq_terminal WHERE acked_to = 60").fetchone()[0]
    assert (count, amount, marks) == (len(dbs) * 60, totals, len(dbs))
