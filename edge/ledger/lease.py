"""Leases on the store database: one holder per role (one sync agent, one restore, one process
per terminal) at a time.

Rule: a lease is an flock on `<db>.<role>.lock`, so the kernel releases it when its holder dies
(SIGKILL included); there is never a stale lease to clean up by hand.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LeaseError(Exception):
    """Someone else holds the lease."""


def lease_path(db: str | Path, role: str) -> Path:
    db = Path(db)
    return db.with_name(f"{db.name}.{role}.lock")


def take_lease(db: str | Path, role: str, holder: str) -> int:
    """Take the lease or raise LeaseError naming the holder; returns the fd to keep open."""
    path = lease_path(db, role)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        other = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
        os.close(fd)
        raise LeaseError(f"{db} is in use by {other}: only one {role} per database "
                         f"(lease {path})") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{holder} (pid {os.getpid()})\n".encode(), 0)
    return fd


def release_lease(fd: int) -> None:
    os.ftruncate(fd, 0)
    os.close(fd)      # closing the fd drops the flock


@contextmanager
def hold_lease(db: str | Path, holder: str, role: str = "sync") -> Iterator[None]:
    fd = take_lease(db, role, holder)
    try:
        yield
    finally:
        release_lease(fd)


class TerminalLease:
    """A till's or kiosk's lease on its terminal (role = the terminal id): two processes can
    never sell as the same terminal on one database, whatever their kind."""

    def __init__(self, db: str | Path, terminal_id: str, holder: str) -> None:
        self.db = db
        self.terminal_id = terminal_id
        self.holder = holder
        self._fd: int | None = None

    def acquire(self) -> TerminalLease:
        try:
            self._fd = take_lease(self.db, f"terminal-{self.terminal_id}", self.holder)
        except LeaseError:
            holder = _holder_of(self.db, f"terminal-{self.terminal_id}")
            raise LeaseError(f"terminal {self.terminal_id} is already running on this database: "
                             f"{holder}; close it first, or give this one its own terminal "
                             "id") from None
        return self

    def release(self) -> None:
        if self._fd is not None:
            release_lease(self._fd)
            self._fd = None

    def __enter__(self) -> TerminalLease:
        return self if self._fd is not None else self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _holder_of(db: str | Path, role: str) -> str:
    try:
        return lease_path(db, role).read_text("utf-8").strip() or "another process"
    except OSError:
        return "another process"
