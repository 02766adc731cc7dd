"""The outbox: every fact HQ must receive, with a UUID and a per-terminal gapless seq given in the
fact's own transaction. Rows leave 'pending' only on HQ's application acknowledgement.

The event as written (`outbox_event`, never changed) and its delivery state (`outbox_state`, a
narrow row) are two tables written together, so that an ack rewrites a few bytes, not the ~2 KB
event; readers see both through the `outbox` view (migrations/edge/0011_outbox_state.sql).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any

from edge.ledger.clock import utc_now_iso
from edge.ledger.store import next_counter


@dataclass(frozen=True)
class OutboxEvent:
    seq: int
    event_id: str
    type: str
    payload: dict[str, Any]
    created_at: str


def append_event(conn: sqlite3.Connection, event_type: str, payload: dict[str, Any]) -> OutboxEvent:
    """Add one event; call inside the write transaction that records the fact itself."""
    seq = next_counter(conn, "outbox_seq")
    event = OutboxEvent(seq, str(uuid.uuid4()), event_type, payload, utc_now_iso())
    conn.execute(
        "INSERT INTO outbox_event (seq, event_id, type, payload, created_at) VALUES (?, ?, ?, ?, ?)",
        (event.seq, event.event_id, event.type, canonical_json(payload), event.created_at),
    )
    conn.execute("INSERT INTO outbox_state (seq) VALUES (?)", (event.seq,))
    return event


def pending_events(conn: sqlite3.Connection, after_seq: int = 0, limit: int = 500) -> list[OutboxEvent]:
    rows = conn.execute(
        "SELECT s.seq, e.event_id, e.type, e.payload, e.created_at"
        " FROM outbox_state AS s JOIN outbox_event AS e ON e.seq = s.seq"
        " WHERE s.state = 'pending' AND s.seq > ? ORDER BY s.seq LIMIT ?",
        (after_seq, limit),
    ).fetchall()
    return [OutboxEvent(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]


def mark_acked(conn: sqlite3.Connection, up_to_seq: int) -> int:
    """HQ committed every event up to `up_to_seq` (a cumulative ack). Returns rows newly acked."""
    cur = conn.execute(
        "UPDATE outbox_state SET state = 'acked', acked_at = ? WHERE state = 'pending' AND seq <= ?",
        (utc_now_iso(), up_to_seq),
    )
    return cur.rowcount


def mark_rejected(conn: sqlite3.Connection, seq: int, reason: str) -> None:
    """HQ refused the event (dead-lettered it); kept, marked, and shown to an operator."""
    conn.execute(
        "UPDATE outbox_state SET state = 'rejected', acked_at = ?, reject_reason = ? WHERE seq = ?",
        (utc_now_iso(), reason, seq),
    )


def mark_for_resend(conn: sqlite3.Connection, seqs: list[int]) -> list[int]:
    """HQ asked for these seqs again (it fixed what dead-lettered them): the ones this outbox
    holds as 'rejected' go back to 'pending', and are sent with the next batch; any other seq
    is left as it is. Returns the seqs put back. Call inside a write transaction."""
    again = []
    for seq in sorted(set(seqs)):
        cur = conn.execute(
            "UPDATE outbox_state SET state = 'pending', acked_at = NULL, reject_reason = NULL"
            " WHERE seq = ? AND state = 'rejected'", (seq,))
        if cur.rowcount:
            again.append(seq)
    return again


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
