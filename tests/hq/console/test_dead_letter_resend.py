"""A resend requested on the console's dead-letters page, end to end: a real broker, an agent on
a store database, an ingest worker on PostgreSQL, the console in process. An event dead-lettered
by a bound comes back after the bound is raised, lands at HQ once (a redelivery of the resend
too), the dead letter says so, the outbox row is acked; a request for a seq the terminal does not
hold as rejected changes nothing at the store; without a broker the console changes nothing, and
asking twice before the event is back forgets the seq at HQ once."""

from __future__ import annotations

import random
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

with warnings.catch_warnings():     # Starlette 1.x would rather have `httpx2`; httpx works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import hq.schemas
from cloud_sync.agent import Agent, batch_bytes
from cloud_sync.mqtt_link import make_client
from cloud_sync.protocol import (
    SCHEMA_VERSION,
    Ack,
    ResendRequest,
    ack_topic,
    encode,
    events_topic,
)
from cloud_sync.settings import AgentSettings, BrokerSettings
from cloud_sync.status import read_status
from edge.ledger.outbox import append_event
from edge.ledger.store import open_store, write_transaction
from hq.console.app import ConsoleSettings, create_app
from hq.ingest import IngestOptions, IngestWorker
from tests.cloud_sync.harness import Broker, Running, wait_until
from tests.cloud_sync.sales import make_sales, sale_payload
from tests.hq.console.seed import HqData
from tests.hq.console.test_console import csrf_of, login

FAST = {"ack_timeout": 3.0, "backoff_min": 0.1, "backoff_max": 1.0, "status_interval": 0.2}


def _outbox(conn: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute("SELECT seq, state, reject_reason FROM outbox"
                                           " ORDER BY seq")]


def _publish(broker: Broker, messages: list[tuple[str, bytes]]) -> None:
    """Publish in order from one client, as HQ's services do (the test broker has no ACL)."""
    client = make_client("test-hq", BrokerSettings(port=broker.port))
    client.connect("127.0.0.1", broker.port, 5)
    client.loop_start()
    try:
        for info in [client.publish(topic, body, qos=1) for topic, body in messages]:
            info.wait_for_publish(10)
    finally:
        client.disconnect()
        client.loop_stop()


@pytest.mark.timeout(90)
def test_a_dead_letter_sent_again_on_request_lands_once_and_is_acked(
        tmp_path: Path, broker: Broker, pg_url: str, data: HqData,
        monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "till.db"
    conn = open_store(db)
    make_sales(conn, "S001", "T01", 2)
    big = sale_payload("S001", "T01", 900, random.Random(3), lines=60)
    with write_transaction(conn):
        append_event(conn, "sale.completed", big)
    make_sales(conn, "S001", "T01", 2)
    sizes = [len(r[0].encode()) for r in conn.execute("SELECT payload FROM outbox ORDER BY seq")]
    assert max(sizes[:2] + sizes[3:]) < sizes[2]
    # HQ's bound on one payload, too low for the big sale: it is dead-lettered.
    monkeypatch.setattr(hq.schemas, "MAX_PAYLOAD", sizes[2] - 1)
    worker = Running(IngestWorker(IngestOptions(db_url=pg_url,
                                                broker=BrokerSettings(port=broker.port))))
    agent = Running(Agent(AgentSettings(store_id="S001", terminal_id="T01",
                                        broker=BrokerSettings(port=broker.port, keepalive=2),
                                        **FAST), db))
    app = create_app(ConsoleSettings(pg_url, broker=BrokerSettings(port=broker.port)))
    data.user("boss", "admin")
    data.user("mgr1", "manager", ("S001",))
    try:
        wait_until(lambda: read_status(conn).pending == 0, 30, "the outbox drained")
        assert [r[1] for r in _outbox(conn)] == ["acked", "acked", "rejected", "acked", "acked"]
        pg = data.conn
        [(dead, reason)] = pg.execute("SELECT id, reason FROM hq_dead_letter WHERE seq = 3"
                                      ).fetchall()
        assert reason.startswith("payload of") and "exceeds" in reason
        assert pg.execute("SELECT acked_to FROM hq_terminal").fetchone()[0] == 5
        journal_before = conn.execute("SELECT count(*) FROM journal").fetchone()[0]

        monkeypatch.setattr(hq.schemas, "MAX_PAYLOAD", 256 * 1024)   # the fix at HQ
        with TestClient(app, base_url="https://testserver", follow_redirects=False) as boss, \
                TestClient(app, base_url="https://testserver", follow_redirects=False) as mgr:
            login(boss, "boss")
            login(mgr, "mgr1")
            page = boss.get(f"/dead-letters/{dead}")
            assert 'id="resend-form"' in page.text
            token = csrf_of(page.text)
            # No CSRF token, or not an admin (a store manager may resolve, not resend): refused.
            assert boss.post(f"/dead-letters/{dead}/resend").status_code == 403
            mgr_token = csrf_of(mgr.get(f"/dead-letters/{dead}").text)
            assert 'id="resend-form"' not in mgr.get(f"/dead-letters/{dead}").text
            assert mgr.post(f"/dead-letters/{dead}/resend",
                            data={"csrf": mgr_token}).status_code == 403
            assert conn.execute("SELECT state FROM outbox WHERE seq = 3").fetchone()[0] == \
                "rejected"
            done = boss.post(f"/dead-letters/{dead}/resend", data={"csrf": token})
            assert done.status_code == 303
            assert done.headers["location"] == f"/dead-letters/{dead}"

            def landed() -> bool:
                return pg.execute("SELECT count(*) FROM hq_sale WHERE sale_id = %s",
                                  (big["sale_id"],)).fetchone()[0] == 1
            wait_until(landed, 20, "the resent sale at HQ")
            wait_until(lambda: conn.execute("SELECT state FROM outbox WHERE seq = 3"
                                            ).fetchone()[0] == "acked", 20, "seq 3 acked")
            shown = boss.get(f"/dead-letters/{dead}.json").json()
            assert shown["resend"] == "received"
            assert shown["dead_letter"]["resend_requested_by"] == "boss"
            assert shown["dead_letter"]["resolved_at"] is not None
            assert 'id="resend-form"' not in boss.get(f"/dead-letters/{dead}").text
            # Asked again once it is back: nothing happens.
            assert boss.post(f"/dead-letters/{dead}/resend",
                             data={"csrf": token}).status_code == 303
            audit = pg.execute("SELECT actor, action, target FROM hq_audit"
                               " WHERE action = 'dead_letter.resend'").fetchall()
            assert audit == [("boss", "dead_letter.resend", f"S001/T01#{dead}")]

        # The resend redelivered (a lost ack, a broker's second copy): still once at HQ.
        row = conn.execute("SELECT seq, event_id, type, payload, created_at FROM outbox"
                           " WHERE seq = 3").fetchone()
        checked = read_status(conn).clock_checked_at
        _publish(broker, [(events_topic("S001", "T01"),
                           batch_bytes("S001", "T01", 2, [tuple(row)], sent_at=time.time()))])
        # HQ's ack to that batch echoes its sent_at: the agent's clock check moves.
        wait_until(lambda: read_status(conn).clock_checked_at != checked, 10,
                   "HQ's ack to the redelivered batch")
        assert pg.execute("SELECT count(*) FROM hq_sale").fetchone()[0] == 5
        assert pg.execute("SELECT count(*) FROM hq_sale WHERE sale_id = %s",
                          (big["sale_id"],)).fetchone()[0] == 1
        assert pg.execute("SELECT rejected FROM hq_received WHERE seq = 3").fetchone()[0] is False
        assert pg.execute("SELECT acked_to FROM hq_terminal").fetchone()[0] == 5
        assert pg.execute("SELECT count(*) FROM hq_dead_letter").fetchone()[0] == 1
        assert [r[1] for r in _outbox(conn)] == ["acked"] * 5
        resent = conn.execute("SELECT kind, body FROM journal ORDER BY seq DESC LIMIT 1"
                              ).fetchone()
        assert tuple(resent) == ("sync.resend", '{"seqs":[3]}')
        assert conn.execute("SELECT count(*) FROM journal").fetchone()[0] == journal_before + 1
    finally:
        agent.stop()
        worker.stop()
        conn.close()


@pytest.mark.timeout(60)
def test_a_resend_request_for_a_seq_the_terminal_does_not_hold_changes_nothing(
        tmp_path: Path, broker: Broker, pg_url: str) -> None:
    db = tmp_path / "till.db"
    conn = open_store(db)
    make_sales(conn, "S001", "T01", 2)
    bad = sale_payload("S001", "T01", 99, random.Random(2))
    bad["total"] += 1       # does not add up: dead-lettered, and HQ was not asked to take it
    with write_transaction(conn):
        append_event(conn, "sale.completed", bad)
    worker = Running(IngestWorker(IngestOptions(db_url=pg_url,
                                                broker=BrokerSettings(port=broker.port))))
    agent = Running(Agent(AgentSettings(store_id="S001", terminal_id="T01",
                                        broker=BrokerSettings(port=broker.port, keepalive=2),
                                        **FAST), db))
    try:
        wait_until(lambda: read_status(conn).pending == 0, 30, "the outbox drained")
        worker.stop()       # nothing more reaches HQ: the agent would keep a resent row pending
        before = _outbox(conn), conn.execute("SELECT count(*) FROM journal").fetchone()[0]
        assert [r[1] for r in before[0]] == ["acked", "acked", "rejected"]
        checked = read_status(conn).clock_checked_at
        now = time.time()
        _publish(broker, [
            # acked, unknown, and another terminal's message on this terminal's topic
            (ack_topic("S001", "T01"), encode(ResendRequest(v=SCHEMA_VERSION, store="S001",
                                                            terminal="T01", seqs=[1, 2, 77]))),
            (ack_topic("S001", "T01"), encode(ResendRequest(v=SCHEMA_VERSION, store="S001",
                                                            terminal="T02", seqs=[3]))),
            # then an ack the agent visibly handles (its clock check): the requests came first
            (ack_topic("S001", "T01"), encode(Ack(v=SCHEMA_VERSION, store="S001",
                                                  terminal="T01", acked_to=0, sent_at=now,
                                                  hq_time=now))),
        ])
        wait_until(lambda: read_status(conn).clock_checked_at != checked, 10,
                   "the agent handled the messages")
        after = _outbox(conn), conn.execute("SELECT count(*) FROM journal").fetchone()[0]
        assert after == before
        assert read_status(conn).pending == 0
    finally:
        agent.stop()
        worker.stop()
        conn.close()
    with psycopg.connect(pg_url) as pg:
        assert pg.execute("SELECT count(*) FROM hq_sale").fetchone()[0] == 2


def test_a_resend_without_a_broker_changes_nothing_and_asking_twice_forgets_the_seq_once(
        data: HqData, broker: Broker) -> None:
    data.sale("S001", "T01", datetime.now(UTC))
    dead = data.dead_letter("S001", "T01")                  # seq 2
    data.sale("S001", "T01", datetime.now(UTC))             # seq 3
    data.user("boss", "admin")
    pg = data.conn

    def state() -> tuple[Any, ...]:
        return (pg.execute("SELECT acked_to FROM hq_terminal").fetchone()[0],
                pg.execute("SELECT seq, rejected FROM hq_received ORDER BY seq").fetchall(),
                pg.execute("SELECT count(*) FROM hq_audit WHERE action = 'dead_letter.resend'"
                           ).fetchone()[0])
    assert state() == (3, [(1, False), (2, True), (3, False)], 0)
    for settings, expected in [
            (ConsoleSettings(data.url), (3, [(1, False), (2, True), (3, False)], 0)),
            (ConsoleSettings(data.url, broker=BrokerSettings(port=broker.port)),
             (1, [(1, False), (3, False)], 1))]:
        with TestClient(create_app(settings), base_url="https://testserver",
                        follow_redirects=False) as boss:
            login(boss, "boss")
            token = csrf_of(boss.get(f"/dead-letters/{dead}").text)
            done = boss.post(f"/dead-letters/{dead}/resend", data={"csrf": token})
            assert done.status_code == 303
            assert ("error=" in done.headers["location"]) == (settings.broker is None)
            assert state() == expected
    # Asked again before it came back: the message goes again, HQ's state does not move.
    with TestClient(create_app(ConsoleSettings(data.url, broker=BrokerSettings(port=broker.port))),
                    base_url="https://testserver", follow_redirects=False) as boss:
        login(boss, "boss")
        page = boss.get(f"/dead-letters/{dead}")
        assert 'id="resend-form"' in page.text
        assert boss.get(f"/dead-letters/{dead}.json").json()["resend"] == "requested"
        assert boss.post(f"/dead-letters/{dead}/resend",
                         data={"csrf": csrf_of(page.text)}).status_code == 303
    assert state() == (1, [(1, False), (3, False)], 2)
