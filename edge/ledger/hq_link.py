"""Whether this till is in touch with HQ, as the sync agent last reported it in `sync_status`.

Rule: the agent rewrites its status row every second or so; a row older than STALE_AFTER_S means
the agent is gone (a killed agent cannot clear its own flag), so the link counts as down.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

STALE_AFTER_S = 10.0


def is_fresh(updated_at: str | None, now: datetime | None = None) -> bool:
    if updated_at is None:
        return False
    age = ((now or datetime.now(UTC)) - datetime.fromisoformat(updated_at)).total_seconds()
    return age < STALE_AFTER_S


def link_online(conn: sqlite3.Connection) -> bool:
    """Connected, by a fresh report of the agent; no status (no agent ever ran) means offline."""
    try:
        row = conn.execute("SELECT connected, updated_at FROM sync_status WHERE id = 1").fetchone()
    except sqlite3.OperationalError:
        return False
    return bool(row and row[0]) and is_fresh(row[1])
