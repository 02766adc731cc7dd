"""The durable print queue: jobs in a SQLite file, printed by one thread that owns the link.

The rule that keeps a job from being lost or printed twice:
  A job is a list of chunks that each end at a line boundary and carry their own modes (see
  render.py); chunk 0 is the printless setup. Each chunk goes out followed by GS r 1, which the
  printer answers only after it has processed the chunk. `chunks_sent` moves past a chunk in a
  SQLite commit before it leaves, `chunks_done` after its answer came. A stopped printer (paper
  out, cover open) keeps what it received and answers later, so the queue waits and never
  resends.
  When the link is lost (or the queue restarts) with a chunk sent but not confirmed, that chunk
  is in doubt, and it is settled by the printer's own answer, never by resending blindly: the
  printer keeps what it received across a link drop (only its power loses it), so on the new
  link the queue first expects the held chunk's GS r answer. If it comes once the printer is
  ready (within `held_grace`), the chunk was printed now: it is confirmed and the job goes on
  after it. If it does not, the printer holds nothing: the chunk was lost with the printer's
  power, or printed while no link was there to hear its answer. Nobody can tell which, so the
  queue prints a "continued" marker line, then the chunk: a line that may repeat is marked as
  such on the paper, and no line is ever missing.
So a chunk whose fate the printer can tell is printed exactly once; only a chunk the printer
answered into a dead link (or lost with its power) prints again, under the marker. A job is `done`
only when every chunk is confirmed and the printer then reports ready.

The caller never waits for the printer: `submit` is one local SQLite insert; the rest happens on
the queue's thread. Every wait on that thread is bounded and rechecks the stop flag.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import Any, TypeVar

from drivers.device import DeviceError, DeviceEvent, ErrorEvent, StatusEvent
from drivers.printer.link import PrinterLink
from drivers.printer.status import PrinterStatus
from drivers.printer.transport import LinkLost

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS print_jobs (
    id          INTEGER PRIMARY KEY,
    document    BLOB    NOT NULL,                      -- the rendered chunks, concatenated
    chunk_ends  TEXT    NOT NULL,                      -- JSON: end offset of each chunk
    state       TEXT    NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'printing', 'done')),
    attempts    INTEGER NOT NULL DEFAULT 0,            -- times the queue started sending it
    chunks_done INTEGER NOT NULL DEFAULT 0,            -- leading chunks the printer confirmed
    chunks_sent INTEGER NOT NULL DEFAULT 0,            -- leading chunks that went out
    continued   INTEGER NOT NULL DEFAULT 0,            -- "continued" markers printed in it
    reprint_of  INTEGER REFERENCES print_jobs(id),
    created_at  REAL    NOT NULL,
    done_at     REAL
)
"""


# Columns a queue file made before them lacks (the file outlives a software update).
_ADDED_COLUMNS = {
    "chunks_sent": "ALTER TABLE print_jobs ADD COLUMN chunks_sent INTEGER NOT NULL DEFAULT 0",
    "continued": "ALTER TABLE print_jobs ADD COLUMN continued INTEGER NOT NULL DEFAULT 0",
}
# Printed before a chunk in doubt is sent again (the device renders it for its profile).
CONTINUED_MARKER = b"-- continued --\n"


class JobState(Enum):
    QUEUED = "queued"
    PRINTING = "printing"
    DONE = "done"


@dataclass(frozen=True)
class Job:
    id: int
    state: JobState
    attempts: int
    chunks_done: int
    chunk_count: int
    reprint_of: int | None
    continued: int = 0  # "continued" markers printed (a chunk in doubt was sent again)


@dataclass(frozen=True)
class QueueTimings:
    """Seconds. `ack_timeout` is how long a ready printer may take to confirm one chunk before
    the link is declared lost; it restarts while the printer reports a stop (paper, cover)."""

    poll: float = 0.02
    status_interval: float = 0.1
    status_timeout: float = 1.0
    ack_timeout: float = 5.0
    reconnect_delay: float = 0.2
    # How long a ready printer may take to answer for a chunk it held across a link drop: it
    # prints what it holds as soon as it can, so its answer comes in milliseconds or never.
    held_grace: float = 1.0


class PrintQueue:
    def __init__(
        self,
        db_path: str | Path,
        link: PrinterLink,
        *,
        device_name: str,
        emit: Callable[[DeviceEvent], None],
        timings: QueueTimings | None = None,
        continued_marker: bytes = CONTINUED_MARKER,
    ) -> None:
        self.link = link
        self.continued_marker = continued_marker
        self.device_name = device_name
        self.timings = timings or QueueTimings()
        self._emit = emit
        self._db = sqlite3.connect(str(db_path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(print_jobs)")}
        for column, alter in _ADDED_COLUMNS.items():
            if column not in columns:
                self._db.execute(alter)
        self._db_lock = threading.Lock()
        self._calls: SimpleQueue[tuple[Callable[[PrinterLink], Any], Future[Any]]] = SimpleQueue()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._done = threading.Condition()
        self._thread: threading.Thread | None = None
        self.status: PrinterStatus | None = None
        self.condition = "unknown"
        self._heard = threading.Event()  # the first status poll answered, or the link failed
        self.last_error = ""  # why the link was last lost

    # -- the caller's side: quick, never touches the printer -----------------------------------

    def submit(self, chunks: Sequence[bytes]) -> int:
        if len(chunks) < 2:
            raise DeviceError("empty_job", "a job needs the setup chunk and at least one block")
        ends, offset = [], 0
        for chunk in chunks:
            offset += len(chunk)
            ends.append(offset)
        return self._insert(b"".join(chunks), json.dumps(ends), None)

    def reprint(self, job_id: int) -> int:
        """Print a done job again, as a new job (the original stays a fact)."""
        with self._db_lock:
            row = self._db.execute(
                "SELECT document, chunk_ends, state FROM print_jobs WHERE id = ?", (job_id,)
            ).fetchone()
        if row is None:
            raise DeviceError("no_such_job", f"no print job {job_id}")
        if row[2] != JobState.DONE.value:
            raise DeviceError("job_not_done", f"print job {job_id} is still {row[2]}")
        return self._insert(row[0], row[1], job_id)

    def _insert(self, document: bytes, chunk_ends: str, reprint_of: int | None) -> int:
        with self._db_lock:
            cur = self._db.execute(
                "INSERT INTO print_jobs (document, chunk_ends, reprint_of, created_at) VALUES (?, ?, ?, ?)",
                (document, chunk_ends, reprint_of, time.time()),
            )
        self._wake.set()
        assert cur.lastrowid is not None
        return cur.lastrowid

    def job(self, job_id: int) -> Job:
        with self._db_lock:
            row = self._db.execute(
                "SELECT id, state, attempts, chunks_done, chunk_ends, reprint_of, continued"
                " FROM print_jobs WHERE id = ?",
                (job_id,),
            ).fetchone()
        if row is None:
            raise DeviceError("no_such_job", f"no print job {job_id}")
        return Job(row[0], JobState(row[1]), row[2], row[3], len(json.loads(row[4])), row[5], row[6])

    def wait_done(self, job_id: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._done:
            while self.job(job_id).state is not JobState.DONE:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._done.wait(min(remaining, 0.1))
        return True

    def wait_heard(self, timeout: float) -> bool:
        """Wait (bounded) until the printer answered a status poll or the link failed once."""
        return self._heard.wait(timeout)

    def call(self, fn: Callable[[PrinterLink], T]) -> Future[T]:
        """Run `fn` with the link on the queue's thread (between chunks, or while a job waits)."""
        future: Future[T] = Future()
        self._calls.put((fn, future))
        self._wake.set()
        return future

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, daemon=True, name=f"print-queue-{self.device_name}"
            )
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.link.disconnect()
        self._fail_calls(DeviceError("closed", f"{self.device_name}: print queue stopped"))

    def close(self, timeout: float = 2.0) -> None:
        self.stop(timeout)
        with self._db_lock:
            self._db.close()

    # -- the queue's thread --------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if not self.link.connected:
                    self.link.connect()
                    if self._in_doubt() is not None:
                        self.link.expect_held_ack()
                self._serve_calls()
                job_id = self._next_job()
                if job_id is None:
                    if self._heard.is_set():  # the first poll goes out at once
                        self._wake.wait(self.timings.status_interval * 5)
                        self._wake.clear()
                    self._note(self.link.poll_status(self.timings.status_timeout), None)
                else:
                    self._print(job_id)
            except LinkLost as exc:
                self.link.disconnect()
                self._lost(exc)
                self._stop.wait(self.timings.reconnect_delay)

    def _lost(self, exc: LinkLost) -> None:
        self._fail_calls(exc)
        self.last_error = exc.message
        self._heard.set()
        if self.condition != "offline":
            self.condition = "offline"
            self._emit(ErrorEvent(self.device_name, exc.code, exc.message))
            self._emit(StatusEvent(self.device_name, "offline", exc.message))

    def _fail_calls(self, exc: Exception) -> None:
        while True:
            try:
                _, future = self._calls.get_nowait()
            except Empty:
                return
            if future.set_running_or_notify_cancel():
                future.set_exception(exc)

    def _serve_calls(self) -> None:
        while True:
            try:
                fn, future = self._calls.get_nowait()
            except Empty:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(self.link))
            except LinkLost as exc:
                future.set_exception(exc)
                raise
            except Exception as exc:
                future.set_exception(exc)

    def _next_job(self) -> int | None:
        with self._db_lock:
            row = self._db.execute(
                "SELECT id FROM print_jobs WHERE state != 'done' ORDER BY id LIMIT 1"
            ).fetchone()
        return None if row is None else int(row[0])

    def _in_doubt(self) -> int | None:
        """The job whose last sent chunk has no answer yet (only the first unfinished one can)."""
        with self._db_lock:
            row = self._db.execute(
                "SELECT id, chunks_sent > chunks_done FROM print_jobs WHERE state != 'done'"
                " ORDER BY id LIMIT 1"
            ).fetchone()
        return int(row[0]) if row is not None and row[1] else None

    def _load_chunks(self, job_id: int) -> tuple[list[bytes], int, int]:
        with self._db_lock:
            document, ends_json, done, sent = self._db.execute(
                "UPDATE print_jobs SET state = 'printing', attempts = attempts + 1 WHERE id = ?"
                " RETURNING document, chunk_ends, chunks_done, chunks_sent",
                (job_id,),
            ).fetchone()
        ends = json.loads(ends_json)
        starts = [0, *ends[:-1]]
        return [document[a:b] for a, b in zip(starts, ends, strict=True)], int(done), int(sent)

    def _set(self, job_id: int, assignments: str, *values: object) -> None:
        with self._db_lock:
            self._db.execute(f"UPDATE print_jobs SET {assignments} WHERE id = ?", (*values, job_id))

    def _print(self, job_id: int) -> None:
        chunks, done, sent = self._load_chunks(job_id)
        if not self._wait_ready(job_id):
            return
        start, marker = max(done, 1), False
        if sent > done:  # the chunk `done` went out on a lost link: ask the printer, not the odds
            held = self._wait_held_ack(job_id)
            if held is None:
                return
            if held:
                start = done + 1
                self._set(job_id, "chunks_done = ?", start)
            else:
                self.link.forget_held_ack()
                marker = True
                self._set(job_id, "chunks_sent = ?, continued = continued + 1", done)
        # The setup chunk prints nothing, so it is safe to send again on every attempt; it puts
        # a restarted printer back into the state the remaining chunks assume.
        self.link.write(chunks[0])
        if marker:
            # Its own fate is not recorded: a marker printed twice says the same thing twice.
            self.link.send_chunk(self.continued_marker)
            if not self._wait_ack(job_id):
                return
        for index in range(start, len(chunks)):
            self._set(job_id, "chunks_sent = ?", index + 1)
            self.link.send_chunk(chunks[index])
            if not self._wait_ack(job_id):
                return
            self._set(job_id, "chunks_done = ?", index + 1)
        if not self._wait_ready(job_id):
            return
        self._set(job_id, "state = 'done', done_at = ?", time.time())
        with self._done:
            self._done.notify_all()

    def _wait_held_ack(self, job_id: int) -> bool | None:
        """Whether the printer answers for the chunk it held (True), or, ready for `held_grace`,
        does not (False); None if the queue is stopping. A stop restarts the grace: a printer
        that stopped again holds what it has until a person acts."""
        t = self.timings
        deadline = time.monotonic() + t.held_grace
        while not self._stop.is_set():
            if self.link.take_ack(t.poll):
                return True
            now = time.monotonic()
            if now >= deadline:
                self._serve_calls()
                status = self.link.poll_status(t.status_timeout)
                self._note(status, job_id)
                if status.ready:
                    return self.link.take_ack(t.poll)
                deadline = now + t.held_grace
        return None

    def _wait_ready(self, job_id: int) -> bool:
        """Poll real-time status until the printer can print; False if the queue is stopping."""
        while not self._stop.is_set():
            self._serve_calls()
            status = self.link.poll_status(self.timings.status_timeout)
            self._note(status, job_id)
            if status.ready:
                return True
            self._stop.wait(self.timings.status_interval)
        return False

    def _wait_ack(self, job_id: int) -> bool:
        """Wait for the chunk's GS r answer; a stopped printer holds it, so keep waiting."""
        t = self.timings
        deadline = time.monotonic() + t.ack_timeout
        next_poll = time.monotonic() + t.status_interval
        while not self._stop.is_set():
            if self.link.take_ack(t.poll):
                return True
            now = time.monotonic()
            if now >= next_poll:
                self._serve_calls()
                status = self.link.poll_status(t.status_timeout)
                self._note(status, job_id)
                if not status.ready:
                    deadline = now + t.ack_timeout  # waiting for a person, not a dead link
                next_poll = now + t.status_interval
            if now > deadline:
                raise LinkLost(f"printer did not confirm a chunk of job {job_id} in time")
        return False

    def _note(self, status: PrinterStatus, job_id: int | None) -> None:
        previous, self.status = self.status, status
        self._heard.set()
        if status.condition != self.condition:
            self.condition = status.condition
            waiting = job_id is not None and not status.ready
            detail = f"job {job_id} waits" if waiting else ""
            self._emit(StatusEvent(self.device_name, status.condition, detail))
        if previous is None or previous.drawer_open != status.drawer_open:
            drawer = "drawer_open" if status.drawer_open else "drawer_closed"
            self._emit(StatusEvent(self.device_name, drawer))
