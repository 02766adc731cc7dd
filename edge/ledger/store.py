"""The terminal's SQLite store: opening it with the durability settings, applying numbered
migrations, and the one way to write (`write_transaction`, a BEGIN IMMEDIATE transaction).

Rule: a database whose schema is newer than this code is refused, never touched; one that needs
migrating is first copied aside, so a migration that fails half-way (an error, a full disk) leaves
the old database as it was and the old program can keep using it; a file that is not a store
database, or a damaged one, is refused with what to do, never half-used.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
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


def open_store(path: str | Path, migrations: list[Migration] | None = None) -> sqlite3.Connection:
    """Open (creating if needed) the store database and bring its schema up to date.

    Before migrating a database that already has a schema, it is copied to
    `<db>.pre-migration-v<N>`; no room for that copy means no migration (a StoreError). A file
    that is not a database raises StoreDamaged."""
    try:
        conn = connect(path)
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, exc) from None
    try:
        wanted = edge_migrations() if migrations is None else migrations
        current = schema_version(conn)
        if wanted and 0 < current < wanted[-1].number:
            _migrate_with_copy(conn, Path(path), current, wanted)
        else:
            migrate(conn, wanted)
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


def pre_migration_copy(path: Path, version: int) -> Path:
    return path.with_name(f"{path.name}.pre-migration-v{version}")


def _migrate_with_copy(conn: sqlite3.Connection, path: Path, current: int,
                       migrations: list[Migration]) -> None:
    copy = pre_migration_copy(path, current)
    try:
        copy_database(conn, copy)
    except (sqlite3.Error, OSError) as exc:
        copy.unlink(missing_ok=True)
        raise StoreError(f"cannot copy {path} aside before migrating it ({exc}); nothing was "
                         "changed: free some space and start again") from exc
    try:
        migrate(conn, migrations)
    except BaseException as exc:
        # The migration ran in one transaction, rolled back; check that the file agrees, and
        # put the copy back if it does not (a failed write to a full disk, a torn page).
        if quick_check(conn) != ["ok"]:
            restore_database(copy, conn)
        raise StoreError(f"migrating {path} from schema {current} failed ({exc}); the database is "
                         f"as it was (copy kept at {copy}); keep running the previous version"
                         ) from exc


def quick_check(conn: sqlite3.Connection) -> list[str]:
    """SQLite's quick_check: ['ok'] when the file's structure is sound."""
    return [str(row[0]) for row in conn.execute("PRAGMA quick_check")]


def copy_database(source: sqlite3.Connection, dest: str | Path, pages: int = 1024,
                  progress: Callable[[int, int, int], object] | None = None) -> None:
    """Copy a live database with SQLite's online backup API into a single file at `dest` (rollback
    journal, not WAL, so the copy is one file). If `source` holds an open read transaction the
    copy is exactly that snapshot, whatever other connections write meanwhile."""
    target = sqlite3.connect(str(dest), isolation_level=None)
    try:
        source.backup(target, pages=pages, progress=progress, sleep=0)
        target.execute("PRAGMA journal_mode = DELETE")
    finally:
        target.close()


def restore_database(copy: str | Path, target: sqlite3.Connection) -> None:
    """Overwrite the database behind `target` with `copy`, page by page through the backup API
    (the WAL is handled by SQLite, unlike a file copy)."""
    source = sqlite3.connect(str(copy), isolation_level=None)
    try:
        source.backup(target)
    finally:
        source.close()


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
        # SQLite may already have rolled back by itself (SQLITE_FULL, SQLITE_IOERR); a second
        # ROLLBACK would hide the real error behind "no transaction is active".
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
