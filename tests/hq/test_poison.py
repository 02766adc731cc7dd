"""No poison stops a stream: every poison payload found so far, each in a batch of store S001
between valid batches of stores S002 and S003, all in one group of the real ingest worker (real
Mosquitto, real PostgreSQL). Each poison event is dead-lettered with its reason, every valid event
is stored and acked, and the worker never drops the group."""

from __future__ import annotations

import functools
import json
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import psycopg
import pytest

from cloud_sync.agent import batch_bytes
from cloud_sync.mqtt_link import make_client
from cloud_sync.protocol import (
    INGEST_FILTERS,
    INGEST_SHARE,
    Ack,
    ErrorReply,
    ack_topic,
    events_topic,
    reply_topic,
)
from cloud_sync.settings import BrokerSettings
from edge.ledger.outbox import canonical_json
from hq.ingest import IngestOptions, IngestWorker
from hq.storage import open_storage
from hq.storage.interface import Accepted, BatchIn
from tests.cloud_sync.harness import Broker, wait_until
from tests.cloud_sync.sales import sale_payload

AT = "2026-11-22T02:00:00.000+00:00"
Row = tuple[int, str, str, str, str]


def sale(store: str, seq: int, edit: Callable[[dict[str, Any]], None] | None = None) -> Row:
    body = sale_payload(store, "T01", seq, random.Random(f"{store}{seq}"), lines=2, at=AT)
    if edit:
        edit(body)
    return (seq, f"{store}-{seq}-event", "sale.completed", canonical_json(body), AT)


def generic(seq: int, body: str, event_type: str = "shift.opened", at: str = AT) -> Row:
    return (seq, f"S001-{seq}-event", event_type, body, at)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(body: dict[str, Any]) -> None:
        target: Any = body
        *parents, last = path.split(".")
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value
    return edit


def _same_sale_id(body: dict[str, Any]) -> None:
    body["sale_id"] = json.loads(sale("S001", 1)[3])["sale_id"]


# (name, the poison event at seq n, the reason's telltale). The valid sale of S001 at seq 1 comes
# first; each poison batch also holds a valid sale after the poison, which must be stored.
POISON: list[tuple[str, Callable[[int], Row], str]] = [
    ("nul in a payload", lambda n: generic(n, '{"reason":"a\\u0000b","items":[]}'), "NUL"),
    ("nul in a line name", lambda n: sale("S001", n, _set("lines.0.name", "x\x00y")), "NUL"),
    ("closed_at yesterday", lambda n: sale("S001", n, _set("closed_at", "yesterday")),
     "closed_at"),
    ("created_at garbage", lambda n: generic(n, '{"items":[]}', at="garbage"), "created_at"),
    ("int8 overflow", lambda n: generic(n, f'{{"n":{2**64}}}'), "64 bits"),
    ("line_no 2**40", lambda n: sale("S001", n, _set("lines.0.line_no", 2**40)), "line_no"),
    ("negative sale", lambda n: sale("S001", n, _set("total", -5_000_000)), "total"),
    ("nesting 5000 deep", lambda n: generic(n, "[" * 5000 + "]" * 5000), "nested"),
    ("amount lots", lambda n: generic(n, canonical_json(
        {"card_no": "SV1", "amount": "lots", "sale_id": "x", "terminal_id": "T01",
         "offline": False}), "stored_value.spend"), "amount"),
    ("negative topup", lambda n: generic(n, canonical_json(
        {"card_no": "SV1", "amount": -5, "tender": "cash", "terminal_id": "T01",
         "staff_id": "c01", "offline": False}), "stored_value.topup"), "amount"),
    ("duplicate sale_id", lambda n: sale("S001", n, _same_sale_id), "duplicate_fact"),
]


class Listener:
    """Collects the acks and error replies HQ sends to the three stores."""

    def __init__(self, port: int) -> None:
        self.acks: dict[str, Ack] = {}
        self.errors: list[str] = []
        self.client = make_client("poison-listener", BrokerSettings(port=port))
        self.client.on_message = self._message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        topics = [(ack_topic(s, "T01"), 1) for s in ("S001", "S002", "S003")]
        topics += [(reply_topic(s, "T01"), 1) for s in ("S001", "S002", "S003")]
        self.client.subscribe(topics)
        time.sleep(0.3)

    def _message(self, _c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
        import msgspec
        if msg.topic.endswith("/ack"):
            ack = msgspec.json.decode(msg.payload, type=Ack)
            self.acks[ack.store] = ack
        else:
            self.errors.append(msgspec.json.decode(msg.payload, type=ErrorReply).code)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


@pytest.mark.timeout(90)
def test_every_poison_event_is_dead_lettered_and_no_valid_batch_of_any_store_is_lost(
        broker: Broker, pg_url: str) -> None:
    bs = BrokerSettings(port=broker.port)
    worker = IngestWorker(IngestOptions(db_url=pg_url, broker=bs, group_size=256))
    worker.client.connect("127.0.0.1", broker.port)
    worker.client.loop_start()
    worker.client.subscribe([(f"{INGEST_SHARE}/{f}", 1) for f in INGEST_FILTERS])
    listener = Listener(broker.port)
    sender = make_client("poison-sender", bs)
    sender.connect("127.0.0.1", broker.port)
    sender.loop_start()
    time.sleep(0.3)
    try:
        # S001 seq 1 is a valid sale; then per poison: S002 valid, S001 [poison, valid], S003 valid.
        messages = [(events_topic("S001", "T01"), batch_bytes("S001", "T01", 0, [sale("S001", 1)]))]
        seq = 2
        for i, (_name, make, _why) in enumerate(POISON, start=1):
            messages.append((events_topic("S002", "T01"),
                             batch_bytes("S002", "T01", 0, [sale("S002", i)])))
            messages.append((events_topic("S001", "T01"),
                             batch_bytes("S001", "T01", 0, [make(seq), sale("S001", seq + 1)])))
            messages.append((events_topic("S003", "T01"),
                             batch_bytes("S003", "T01", 0, [sale("S003", i)])))
            seq += 2
        for topic, body in messages:
            sender.publish(topic, body, qos=1).wait_for_publish(5)
        wait_until(lambda: worker.inbox.qsize() == len(messages), 10, "all messages at the worker")
        group = [worker.inbox.get_nowait() for _ in range(len(messages))]
        # The real worker's path: one group, every store mixed, poison inside.
        worker._with_storage(functools.partial(worker.handle_group, group=group),
                             threading.Event())

        last = seq - 1
        wait_until(lambda: {s: a.acked_to for s, a in listener.acks.items()} == {
            "S001": last, "S002": len(POISON), "S003": len(POISON)}, 10, "every stream acked")
        assert listener.errors == []
        with psycopg.connect(pg_url) as conn:
            dead = dict(conn.execute(
                "SELECT seq, reason FROM hq_dead_letter WHERE store = 'S001'").fetchall())
            stored = conn.execute("SELECT store, count(*) FROM hq_sale GROUP BY store"
                                  " ORDER BY store").fetchall()
        for i, (name, _make, why) in enumerate(POISON):
            poison_seq = 2 + 2 * i
            assert poison_seq in dead, f"{name}: not dead-lettered"
            assert why in dead[poison_seq], f"{name}: reason {dead[poison_seq]!r}"
        # Every valid sale: S001's first and the one after each poison, and all of S002, S003.
        assert stored == [("S001", 1 + len(POISON)), ("S002", len(POISON)),
                          ("S003", len(POISON))]
        assert listener.acks["S001"].rejected and \
            sorted(r.seq for r in listener.acks["S001"].rejected) == sorted(dead)
    finally:
        sender.loop_stop()
        listener.close()
        worker.client.loop_stop()
        if worker.storage:
            worker.storage.close()


def test_an_event_the_database_refuses_after_validation_is_dead_lettered_alone(
        pg_url: str, tmp_path: Path) -> None:
    """The storage's own savepoints, below validation: a jsonb NUL and an int4 overflow that
    slipped past every check take only their own event down, on both engines."""
    for url in (pg_url, f"sqlite:///{tmp_path / 'hq.sqlite'}"):
        storage = open_storage(url)
        good = [Accepted(s, f"e{s}", "stock.receipt", AT, b'{"items":[]}', None) for s in (1, 3)]
        bad = Accepted(2, "e2", "stock.receipt", AT, b'{"reason":"a\\u0000b"}', None)
        other = BatchIn("S002", "T01", [Accepted(1, "f1", "stock.receipt", AT, b"{}", None)],
                        [], 0)
        bad_int = Accepted(4, "e4", "stock.receipt", "not a time at all", b"{}", None)
        results = storage.ingest_many([BatchIn("S001", "T01", [good[0], bad, good[1], bad_int],
                                               [], 0), other])
        assert results[0].ack.acked_to == 4 and results[1].ack.acked_to == 1
        rejected = {r.seq: r.reason for r in results[0].ack.rejected}
        if url == pg_url:  # SQLite keeps a NUL and any text as a time; PostgreSQL refuses both
            assert set(rejected) == {2, 4} and all("storage refused" in r
                                                   for r in rejected.values())
        storage.close()
