"""A migration that fails half-way (an injected error, a full disk) leaves the old database as it
was, with a copy taken before, and the old program keeps selling on it."""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.ledger.backup import check_database
from edge.ledger.store import (
    Migration,
    StoreError,
    edge_migrations,
    open_store,
    pre_migration_copy,
    quick_check,
)
from tests.cloud_sync.sales import make_sales
from tests.conftest import small_tmpfs

OLD = edge_migrations()
# The "new version": one more migration that changes data, then fails or fills the disk.
CHANGES = "UPDATE outbox SET type = 'renamed';\nCREATE TABLE new_thing (x INTEGER);\n"
FAILS = Migration(len(OLD) + 1, "9999_fails.sql", CHANGES + "INSERT INTO no_such_table VALUES (1);\n")
FILLS = Migration(len(OLD) + 1, "9999_fills.sql", CHANGES + (
    "CREATE TABLE filler AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
    " WHERE i < 20000) SELECT i, randomblob(1000) AS b FROM n;\n"))


def old_store(path: Path, sales: int = 200) -> bytes:
    conn = open_store(path)
    make_sales(conn, "S001", "T01", sales, random.Random(3), per_transaction=50)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return dump(path)


def dump(path: Path) -> bytes:
    conn = sqlite3.connect(path)
    try:
        return "\n".join(conn.iterdump()).encode() + bytes([conn.execute("PRAGMA user_version"
                                                                         ).fetchone()[0]])
    finally:
        conn.close()


def old_program_sells(path: Path) -> None:
    conn = open_store(path, OLD)
    make_sales(conn, "S001", "T01", 1)
    assert check_database(conn) == [] and quick_check(conn) == ["ok"]
    conn.close()


def test_an_injected_error_half_way_leaves_the_old_database_and_a_copy(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    before = old_store(db)
    with pytest.raises(StoreError, match=r"failed .*no_such_table.*keep running the previous"):
        open_store(db, [*OLD, FAILS])
    assert dump(db) == before
    copy = pre_migration_copy(db, len(OLD))
    assert dump(copy) == before
    old_program_sells(db)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MiB tmpfs: a real disk that really fills up."""
    with small_tmpfs(tmp_path / "disk", "3m") as mount:
        yield mount


def test_a_full_disk_half_way_leaves_the_old_database(small_disk: Path) -> None:
    db = small_disk / "store.db"
    before = old_store(db, 300)
    with pytest.raises(StoreError, match=r"failed .*full"):
        open_store(db, [*OLD, FILLS])
    assert dump(db) == before
    pre_migration_copy(db, len(OLD)).unlink()        # room again for the old program's WAL
    old_program_sells(db)


def test_no_room_for_the_copy_means_no_migration(small_disk: Path) -> None:
    db = small_disk / "store.db"
    before = old_store(db, 300)
    ballast = small_disk / "ballast"
    free = shutil.disk_usage(small_disk).free
    ballast.write_bytes(b"\0" * max(0, free - db.stat().st_size // 2))
    with pytest.raises(StoreError, match=r"cannot copy .* aside before migrating"):
        open_store(db, [*OLD, FAILS])
    assert not pre_migration_copy(db, len(OLD)).exists()
    ballast.unlink()
    assert dump(db) == before
    old_program_sells(db)
