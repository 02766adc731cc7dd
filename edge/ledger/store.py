"""The terminal's SQLite store: opening it with the durability settings, applying numbered
migrations, and the one way to write (`write_transaction`, a BEGIN IMMEDIATE transaction).

Rule: a database whose schema is newer than this code is refused, never touched; a file that is
not a store database, or a damaged one, is refused with what to do, never half-used.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

BUSY_TIMEOUT_MS = 5000
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class StoreError(Exception):
    """The database cannot be used as it is (newer schema, broken migration)."""


class StoreDamaged(StoreError):
    """Not a database, or one that fails SQLite's own checks: restore the latest backup."""


class StorageFailure(Exception):
    """A write failed in the storage itself; nothing of it was kept. `code` is `storage_full`
    (SQLITE_FULL: the disk or the database's size limit) or `storage_error` (any other)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    sql: str


def edge_migrations() -> list[Migration]:
    """The numbered edge migrations shipped in `migrations/edge/`, in order."""
    found = []
    for entry in resources.files("migrations").joinpath("edge").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.number)
    numbers = [m.number for m in found]
    if numbers != list(range(1, len(found) + 1)):
        raise StoreError(f"edge migrations are not numbered 1..n without gaps: {numbers}")
    return found


def connect(path: str | Path) -> sqlite3.Connection:
    """A connection with the store's pragmas, in autocommit mode so that transactions are explicit."""
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                           check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def open_store(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) the store database and bring its schema up to date."""
    try:
        conn = connect(path)
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, exc) from None
    try:
        migrate(conn, edge_migrations())
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _damaged(path, exc) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _damaged(path: str | Path, exc: Exception) -> StoreDamaged:
    return StoreDamaged(f"{path} is not a usable store database ({exc}); restore the latest "
                        "backup (docs/operations.md) or move the file aside")


def check_store(conn: sqlite3.Connection, path: str | Path, full: bool = False) -> None:
    """SQLite's own check of every page: `quick_check` (fast, at every start) or
    `integrity_check` (`full`, on request). Raises StoreDamaged with the first problems."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}(5)")]
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, exc) from None
    if rows != ["ok"]:
        raise _damaged(path, Exception("; ".join(str(r) for r in rows)))


def free_bytes(path: str | Path) -> int:
    """Free space on the file system that holds the database (what the next write can use)."""
    return shutil.disk_usage(Path(path).resolve().parent).free


def storage_failure(exc: sqlite3.Error) -> StorageFailure:
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return StorageFailure("storage_full", "the disk is full: nothing was recorded; free space "
                                              "and try again")
    return StorageFailure("storage_error", f"the database refused the write ({exc}): nothing "
                                           "was recorded; try again")


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: list[Migration]) -> None:
    known = migrations[-1].number if migrations else 0
    with write_transaction(conn):
        current = schema_version(conn)
        if current > known:
            raise StoreError(
                f"the database has schema version {current}, newer than this program knows "
                f"({known}); upgrade the program, do not use an older one on this database"
            )
        for migration in migrations:
            if migration.number > current:
                _execute_script(conn, migration.sql)
                conn.execute(f"PRAGMA user_version = {migration.number}")


def _execute_script(conn: sqlite3.Connection, sql: str) -> None:
    # executescript() would COMMIT first; run statement by statement inside our transaction.
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip() and not statement.strip().startswith("--"):
        raise StoreError(f"incomplete SQL statement in migration: {statement[:80]!r}")


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT; any exception rolls everything back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        # SQLite may have rolled back already (SQLITE_FULL, SQLITE_IOERR); a failed COMMIT has not.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def next_counter(conn: sqlite3.Connection, name: str) -> int:
    """Take the next value of a gapless counter; call inside a write transaction."""
    row = conn.execute(
        "UPDATE counter SET value = value + 1 WHERE name = ? RETURNING value", (name,)
    ).fetchone()
    if row is None:
        raise StoreError(f"no counter named {name!r}")
    return int(row[0])
