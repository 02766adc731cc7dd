"""The hash-chained journal: `verify` finds edited, removed and reordered entries."""

from __future__ import annotations

import sqlite3

import pytest

from edge.ledger.journal import append_entry, verify
from edge.ledger.store import write_transaction

pytestmark = pytest.mark.dated


def write_entries(conn: sqlite3.Connection, n: int) -> None:
    for i in range(n):
        with write_transaction(conn):
            append_entry(conn, "test", "1001", {"i": i})


def test_an_untouched_journal_verifies(conn: sqlite3.Connection) -> None:
    write_entries(conn, 5)
    assert verify(conn) == []


def test_an_edited_entry_is_found(conn: sqlite3.Connection) -> None:
    write_entries(conn, 5)
    conn.execute("""UPDATE journal SET body = '{"i":99}' WHERE seq = 3""")
    problems = verify(conn)
    assert [p.seq for p in problems] == [3]
    assert "edited" in problems[0].problem


def test_a_removed_entry_is_found(conn: sqlite3.Connection) -> None:
    write_entries(conn, 5)
    conn.execute("DELETE FROM journal WHERE seq = 2")
    assert any("removed" in p.problem for p in verify(conn))


def test_a_removed_last_entry_is_found(conn: sqlite3.Connection) -> None:
    write_entries(conn, 5)
    conn.execute("DELETE FROM journal WHERE seq = 5")
    assert any("from the end" in p.problem for p in verify(conn))


def test_reordered_entries_are_found(conn: sqlite3.Connection) -> None:
    write_entries(conn, 5)
    rows = {r[0]: r for r in conn.execute("SELECT seq, at, kind, staff_id, body, prev_hash, hash"
                                          " FROM journal WHERE seq IN (2, 3)")}
    conn.execute("DELETE FROM journal WHERE seq IN (2, 3)")
    conn.execute("INSERT INTO journal VALUES (2, ?, ?, ?, ?, ?, ?)", rows[3][1:])
    conn.execute("INSERT INTO journal VALUES (3, ?, ?, ?, ?, ?, ?)", rows[2][1:])
    assert verify(conn) != []


def test_a_rewritten_chain_still_breaks_at_the_first_forged_entry(conn: sqlite3.Connection) -> None:
    # A forger who edits an entry and recomputes its hash breaks the link of the next entry.
    from edge.ledger.journal import entry_hash
    write_entries(conn, 4)
    seq, at, kind, staff, _body, prev = conn.execute(
        "SELECT seq, at, kind, staff_id, body, prev_hash FROM journal WHERE seq = 2").fetchone()
    forged = '{"i":42}'
    conn.execute("UPDATE journal SET body = ?, hash = ? WHERE seq = 2",
                 (forged, entry_hash(prev, seq, at, kind, staff, forged)))
    assert [p.seq for p in verify(conn)] == [3]
