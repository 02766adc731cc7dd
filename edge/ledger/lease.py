"""One process per terminal on a store database: the till (or the kiosk) takes an exclusive lease
before it sells, so two of them can never give out the same receipt numbers or fight over the
sale in progress.

Rule: the lease is an advisory lock (flock) on a file beside the database, named by terminal; the
kernel releases it when the process ends in any way (SIGKILL included), so a crash never leaves a
stale lease behind. The file records who holds it, for the refusal message.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class LeaseHeld(Exception):
    """Another process holds this terminal's lease."""


class TerminalLease:
    def __init__(self, db_path: str | Path, terminal_id: str, holder: str) -> None:
        db = Path(db_path).resolve()
        self.path = db.with_name(f"{db.name}.{terminal_id}.lease")
        self.terminal_id = terminal_id
        self.holder = holder
        self._fd: int | None = None

    def acquire(self) -> TerminalLease:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            who = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise LeaseHeld(f"terminal {self.terminal_id} is already running on this database "
                            f"({who}); close it first, or give this one its own terminal "
                            "id") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{self.holder}, pid {os.getpid()}".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None

    def __enter__(self) -> TerminalLease:
        return self if self._fd is not None else self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
