"""The agent's status as the till and `pos sync status` read it: link state from `sync_status`,
backlog figures computed live from the outbox.

Rule: reading status never writes; the figures about pending events come from the outbox itself.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from edge.ledger.clock import utc_now_iso
from edge.ledger.hq_link import is_fresh

# The agent rewrites its row every `status_interval` (1 s); older than this, it is not running,
# whatever the row says (a SIGKILLed agent cannot clear its own flag).


@dataclass(frozen=True)
class SyncStatus:
    connected: bool
    broker: str
    pending: int
    rejected: int
    oldest_pending_at: str | None
    oldest_pending_age_s: float | None
    last_ack_at: str | None
    last_acked_seq: int
    last_error: str | None
    last_error_at: str | None
    updated_at: str | None
    agent_pid: int | None
    clock_offset_s: float | None = None     # this clock minus HQ's (cloud_sync/hq_clock.py)
    clock_checked_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_status(conn: sqlite3.Connection) -> SyncStatus:
    row = conn.execute("SELECT connected, broker, last_ack_at, last_acked_seq, last_error,"
                       " last_error_at, updated_at, agent_pid, clock_offset_s, clock_checked_at"
                       " FROM sync_status WHERE id = 1").fetchone()
    pending, oldest = conn.execute(
        "SELECT count(*), min(e.created_at) FROM outbox_state AS s"
        " JOIN outbox_event AS e ON e.seq = s.seq WHERE s.state = 'pending'").fetchone()
    rejected = conn.execute("SELECT count(*) FROM outbox_state WHERE state = 'rejected'"
                            ).fetchone()[0]
    now = datetime.now(UTC)
    age = (now - datetime.fromisoformat(oldest)).total_seconds() if oldest else None
    fresh = is_fresh(row[6], now)
    return SyncStatus(bool(row[0]) and fresh, row[1], pending, rejected, oldest, age, row[2], row[3],
                      row[4], row[5], row[6], row[7], row[8], row[9])


def write_status(conn: sqlite3.Connection, **fields: Any) -> None:
    """Update some columns of the one status row (autocommit: a single statement)."""
    fields["updated_at"] = utc_now_iso()
    columns = ", ".join(f"{name} = ?" for name in fields)
    conn.execute(f"UPDATE sync_status SET {columns} WHERE id = 1", tuple(fields.values()))
