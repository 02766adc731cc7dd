"""The outbox as two tables behind one view (migrations/edge/0011_outbox_state.sql): an event's
state changes without touching the event, a store written before keeps every event and state
through the migration, and `outbox` still reads, updates and deletes as the old table did."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from edge.ledger.backup import check_database
from edge.ledger.outbox import mark_acked, mark_for_resend, mark_rejected
from edge.ledger.store import edge_migrations, open_store, write_transaction
from tests.cloud_sync.sales import make_sales

COLUMNS = "seq, event_id, type, payload, created_at, state, acked_at, reject_reason"


def outbox(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute(f"SELECT {COLUMNS} FROM outbox ORDER BY seq")]


def events(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute("SELECT * FROM outbox_event ORDER BY seq")]


def test_acks_rejections_and_resends_change_the_state_and_never_the_event(
        tmp_path: Path) -> None:
    conn = open_store(tmp_path / "store.db")
    make_sales(conn, "S001", "T01", 6, random.Random(2))
    written = events(conn)
    with write_transaction(conn):
        mark_rejected(conn, 3, "bad tender")
        assert mark_acked(conn, 4) == 3      # 1, 2 and 4: the rejected one stays rejected
    assert [r[5] for r in outbox(conn)] == ["acked", "acked", "rejected", "acked", "pending",
                                            "pending"]
    assert outbox(conn)[2][7] == "bad tender"
    with write_transaction(conn):
        assert mark_for_resend(conn, [3, 5]) == [3]
    assert [r[5] for r in outbox(conn)] == ["acked", "acked", "pending", "acked", "pending",
                                            "pending"]
    assert events(conn) == written


def test_a_store_written_before_keeps_every_event_and_state_through_the_migration(
        tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    old = open_store(db, edge_migrations()[:10])
    rng = random.Random(3)
    with write_transaction(old):
        for seq in range(1, 6):
            old.execute("INSERT INTO outbox (seq, event_id, type, payload, created_at)"
                        " VALUES (?, ?, 'sale.completed', ?, ?)",
                        (seq, f"e{seq}", f'{{"n":{rng.random()},"name":"商品{seq}"}}',
                         f"2026-12-01T10:00:0{seq}.000+00:00"))
        old.execute("UPDATE counter SET value = 5 WHERE name = 'outbox_seq'")
        old.execute("UPDATE outbox SET state = 'acked', acked_at = 'a' WHERE seq <= 2")
        old.execute("UPDATE outbox SET state = 'rejected', acked_at = 'r', reject_reason = 'why'"
                    " WHERE seq = 3")
    before = outbox(old)
    old.close()

    conn = open_store(db)
    assert outbox(conn) == before
    # The facts' references moved with the table, and still hold.
    assert {r["table"] for r in conn.execute("PRAGMA foreign_key_list(sale)")} == {"outbox_event"}
    make_sales(conn, "S001", "T01", 2, rng)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert [r[0] for r in conn.execute("SELECT seq FROM outbox WHERE state = 'pending'")] == \
        [4, 5, 6, 7]
    assert check_database(conn) == []


def test_the_view_takes_updates_and_deletes_as_the_table_did(tmp_path: Path) -> None:
    conn = open_store(tmp_path / "store.db")
    make_sales(conn, "S001", "T01", 4, random.Random(4))
    # As a restore marks what HQ already holds (edge/ledger/backup.py).
    conn.execute("UPDATE outbox SET state = 'acked', acked_at = coalesce(acked_at, 'now')"
                 " WHERE state = 'pending' AND seq <= 2")
    assert [tuple(r) for r in conn.execute("SELECT seq, state, acked_at FROM outbox_state"
                                           " ORDER BY seq")] == [
        (1, "acked", "now"), (2, "acked", "now"), (3, "pending", None), (4, "pending", None)]
    conn.execute("UPDATE outbox SET type = 'renamed', payload = '{}' WHERE seq = 3")
    assert tuple(conn.execute("SELECT type, payload FROM outbox_event WHERE seq = 3").fetchone()
                 ) == ("renamed", "{}")
    assert conn.execute("SELECT state FROM outbox WHERE seq = 3").fetchone()[0] == "pending"
    conn.execute("DELETE FROM outbox WHERE seq = 4")
    assert [r[0] for r in conn.execute("SELECT seq FROM outbox_event ORDER BY seq")] == [1, 2, 3]
    assert [r[0] for r in conn.execute("SELECT seq FROM outbox_state ORDER BY seq")] == [1, 2, 3]
