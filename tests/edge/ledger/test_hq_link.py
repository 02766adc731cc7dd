"""The till's view of the HQ link: only a fresh report of the agent counts as online."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from edge.ledger.clock import utc_now_iso
from edge.ledger.hq_link import STALE_AFTER_S, link_online

pytestmark = pytest.mark.dated


def report(conn: sqlite3.Connection, connected: bool, at: str | None) -> None:
    conn.execute("UPDATE sync_status SET connected = ?, updated_at = ? WHERE id = 1",
                 (int(connected), at))


def test_a_fresh_connected_report_is_online(conn: sqlite3.Connection) -> None:
    report(conn, True, utc_now_iso())
    assert link_online(conn)


def test_a_killed_agent_left_connected_behind_is_offline(conn: sqlite3.Connection) -> None:
    old = (datetime.now(UTC) - timedelta(seconds=STALE_AFTER_S + 1)).isoformat(timespec="milliseconds")
    report(conn, True, old)
    assert not link_online(conn)


def test_no_report_or_a_disconnected_one_is_offline(conn: sqlite3.Connection) -> None:
    report(conn, True, None)
    assert not link_online(conn)
    report(conn, False, utc_now_iso())
    assert not link_online(conn)
