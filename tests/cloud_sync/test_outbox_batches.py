"""The agent's batches from the outbox's two tables (edge migration 0011): events written before
the migration and after it leave in seq order, each with the wire digest of the exact bytes it
carries, and HQ takes them all; acked and rejected events are not sent."""

from __future__ import annotations

import random
from pathlib import Path

import msgspec

from cloud_sync.agent import Agent
from cloud_sync.protocol import Batch, payload_digest
from cloud_sync.settings import AgentSettings, BrokerSettings
from edge.ledger.outbox import mark_acked, mark_rejected
from edge.ledger.store import edge_migrations, open_store, write_transaction
from hq.validation import validate_batch
from tests.cloud_sync.sales import make_sales, sale_payload


def test_events_written_before_and_after_the_migration_leave_as_hq_takes_them(
        tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    old = open_store(db, edge_migrations()[:10])
    rng = random.Random(5)
    with write_transaction(old):
        for seq in (1, 2, 3, 4):
            old.execute("INSERT INTO outbox (seq, event_id, type, payload, created_at)"
                        " VALUES (?, ?, 'sale.completed', ?, '2026-12-01T10:00:00.000+00:00')",
                        (seq, f"e{seq}", msgspec.json.encode(
                            sale_payload("S001", "T01", seq, rng)).decode()))
        old.execute("UPDATE counter SET value = 4 WHERE name IN ('outbox_seq', 'receipt_no')")
    old.close()
    conn = open_store(db)
    make_sales(conn, "S001", "T01", 4, rng)
    with write_transaction(conn):
        mark_acked(conn, 1)
        mark_rejected(conn, 6, "refused at HQ")
    conn.close()

    agent = Agent(AgentSettings(store_id="S001", terminal_id="T01", batch_size=4,
                                broker=BrokerSettings(port=1)), db)
    sent: list[bytes] = []
    agent.client.publish = lambda _topic, payload, qos=0: sent.append(payload)  # type: ignore
    agent._send()
    agent.conn.close()

    batches = [msgspec.json.decode(raw, type=Batch) for raw in sent]
    assert [[e.seq for e in b.events] for b in batches] == [[2, 3, 4, 5], [7, 8]]
    for batch in batches:
        for event in batch.events:
            assert event.digest == payload_digest(bytes(event.payload))
    for raw in sent:
        accepted, refused, _ = validate_batch("S001", "T01", raw)
        assert refused == [] and len(accepted) == len(msgspec.json.decode(raw)["events"])
