"""The SQLite store: durability pragmas, numbered migrations, refusal of a newer database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from edge.ledger.store import (
    Migration,
    StoreError,
    connect,
    edge_migrations,
    migrate,
    open_store,
    write_transaction,
)

pytestmark = pytest.mark.dated


def test_store_opens_in_wal_with_full_sync_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    conn = open_store(tmp_path / "s.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2      # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_migrations_are_applied_once_and_recorded(tmp_path: Path) -> None:
    conn = open_store(tmp_path / "s.db")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    assert version == len(edge_migrations())
    conn.close()
    conn = open_store(tmp_path / "s.db")     # second start: nothing re-applied
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version


def test_a_database_newer_than_the_code_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    open_store(path).close()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 999")
    raw.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer than this program"):
        open_store(path)
    assert path.read_bytes() == before


def test_a_failing_migration_leaves_the_schema_as_it_was(tmp_path: Path) -> None:
    conn = connect(tmp_path / "s.db")
    good = Migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
    bad = Migration(2, "0002_b.sql", "CREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);")
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, [good, bad])
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert conn.execute("SELECT name FROM sqlite_master WHERE name IN ('a', 'b')").fetchall() == []


def test_write_transaction_is_immediate_and_rolls_back_on_error(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    conn = open_store(path)
    other = connect(path)
    other.execute("PRAGMA busy_timeout = 0")
    with write_transaction(conn):
        # BEGIN IMMEDIATE took the write lock at once: another writer cannot start.
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    with pytest.raises(RuntimeError), write_transaction(conn):
        conn.execute("INSERT INTO counter (name, value) VALUES ('x', 1)")
        raise RuntimeError("boom")
    assert conn.execute("SELECT 1 FROM counter WHERE name = 'x'").fetchone() is None
