"""The durable ESL outbox: label images waiting to reach their shelf labels, keyed by
(label mac, price version), in SQLite tables prefixed `esl_`.

Rules: a newer version for a label supersedes every older one not yet delivered; a row leaves the
queue as delivered only when the ESL system confirms the label shows it (not when an upload got
a 200); failures retry with exponential backoff and jitter. Time comes from the caller's clock.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS esl_outbox (
    mac TEXT NOT NULL,
    version INTEGER NOT NULL,
    image BLOB NOT NULL,
    fields TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'delivered', 'superseded')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    token TEXT,
    enqueued_at REAL NOT NULL,
    sent_at REAL,
    delivered_at REAL,
    last_error TEXT,
    PRIMARY KEY (mac, version)
);
CREATE INDEX IF NOT EXISTS esl_outbox_due ON esl_outbox (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS esl_labels (
    mac TEXT PRIMARY KEY,
    wanted_version INTEGER NOT NULL,
    wanted_at REAL NOT NULL,
    confirmed_version INTEGER,
    confirmed_at REAL
);
"""


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with "equal jitter": half the delay fixed, half random, so retries of
    many labels spread out yet none retries sooner than half its step."""

    base_s: float = 2.0
    cap_s: float = 300.0

    def delay(self, attempts: int, rng: random.Random) -> float:
        step: float = min(self.cap_s, self.base_s * 2.0 ** max(0, attempts - 1))
        return step / 2 + rng.uniform(0, step / 2)


@dataclass(frozen=True)
class OutboxItem:
    mac: str
    version: int
    image: bytes
    fields: str  # JSON of the label fields, for systems that render themselves
    attempts: int
    token: str | None


@dataclass(frozen=True)
class StaleLabel:
    mac: str
    wanted_version: int
    confirmed_version: int | None
    age_s: float  # since the wanted version was asked for


class EslOutbox:
    """One SQLite connection; callers on several threads must serialise (the ESL pump is one)."""

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], float],
        backoff: Backoff | None = None,
        rng: random.Random | None = None,
        confirm_timeout_s: float = 600.0,
    ) -> None:
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self.clock = clock
        self.backoff = backoff or Backoff()
        self.rng = rng or random.Random()
        # An upload the system took but never showed within this time is sent again: the AP
        # may have lost it (reboot, full queue) and only a re-send can recover.
        self.confirm_timeout_s = confirm_timeout_s

    def close(self) -> None:
        self._db.close()

    def _tx(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def enqueue(self, mac: str, version: int, image: bytes, fields: str) -> bool:
        """Queue `version` for `mac`; False when a same or newer version is already wanted."""
        now = self.clock()
        db = self._tx()
        try:
            row = db.execute("SELECT wanted_version FROM esl_labels WHERE mac = ?", (mac,)).fetchone()
            if row is not None and row[0] >= version:
                db.execute("COMMIT")
                return False
            db.execute(
                "UPDATE esl_outbox SET state = 'superseded' "
                "WHERE mac = ? AND version < ? AND state IN ('queued', 'sent')",
                (mac, version),
            )
            db.execute(
                "INSERT INTO esl_outbox (mac, version, image, fields, state, next_attempt_at,"
                " enqueued_at) VALUES (?, ?, ?, ?, 'queued', ?, ?)",
                (mac, version, image, fields, now, now),
            )
            db.execute(
                "INSERT INTO esl_labels (mac, wanted_version, wanted_at) VALUES (?, ?, ?) "
                "ON CONFLICT (mac) DO UPDATE SET wanted_version = excluded.wanted_version,"
                " wanted_at = excluded.wanted_at",
                (mac, version, now),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return True

    def due(self, limit: int) -> list[OutboxItem]:
        """The next batch to push: queued rows whose retry time has come, oldest first."""
        now = self.clock()
        self._requeue_unconfirmed(now)
        rows = self._db.execute(
            "SELECT mac, version, image, fields, attempts, token FROM esl_outbox "
            "WHERE state = 'queued' AND next_attempt_at <= ? "
            "ORDER BY next_attempt_at, enqueued_at LIMIT ?",
            (now, limit),
        ).fetchall()
        return [OutboxItem(*row) for row in rows]

    def _requeue_unconfirmed(self, now: float) -> None:
        self._db.execute(
            "UPDATE esl_outbox SET state = 'queued', next_attempt_at = ?,"
            " last_error = 'not confirmed in time' WHERE state = 'sent' AND sent_at < ?",
            (now, now - self.confirm_timeout_s),
        )

    def mark_sent(self, mac: str, version: int, token: str) -> None:
        self._db.execute(
            "UPDATE esl_outbox SET state = 'sent', token = ?, sent_at = ?, attempts = attempts + 1"
            " WHERE mac = ? AND version = ? AND state = 'queued'",
            (token, self.clock(), mac, version),
        )

    def mark_failed(self, mac: str, version: int, error: str) -> float:
        """Schedule a retry; returns the delay chosen."""
        row = self._db.execute(
            "SELECT attempts FROM esl_outbox WHERE mac = ? AND version = ?", (mac, version)
        ).fetchone()
        attempts = (row[0] if row else 0) + 1
        delay = self.backoff.delay(attempts, self.rng)
        self._db.execute(
            "UPDATE esl_outbox SET attempts = ?, next_attempt_at = ?, last_error = ?"
            " WHERE mac = ? AND version = ? AND state = 'queued'",
            (attempts, self.clock() + delay, error[:500], mac, version),
        )
        return delay

    def awaiting_confirmation(self) -> dict[str, tuple[int, str]]:
        """mac → (version, token) of every upload the system took but has not yet shown."""
        rows = self._db.execute("SELECT mac, version, token FROM esl_outbox WHERE state = 'sent'").fetchall()
        return {mac: (version, token) for mac, version, token in rows}

    def mark_delivered(self, confirmed: Iterable[tuple[str, int]]) -> int:
        now = self.clock()
        db = self._tx()
        count = 0
        try:
            for mac, version in confirmed:
                cur = db.execute(
                    "UPDATE esl_outbox SET state = 'delivered', delivered_at = ?"
                    " WHERE mac = ? AND version = ? AND state = 'sent'",
                    (now, mac, version),
                )
                if cur.rowcount:
                    count += 1
                    db.execute(
                        "UPDATE esl_labels SET confirmed_version = ?, confirmed_at = ?"
                        " WHERE mac = ? AND (confirmed_version IS NULL OR confirmed_version < ?)",
                        (version, now, mac, version),
                    )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return count

    def pending_count(self) -> int:
        (n,) = self._db.execute(
            "SELECT COUNT(*) FROM esl_outbox WHERE state IN ('queued', 'sent')"
        ).fetchone()
        return int(n)

    def stale_labels(self) -> list[StaleLabel]:
        """Labels whose confirmed version is older than the one wanted, oldest want first."""
        now = self.clock()
        rows = self._db.execute(
            "SELECT mac, wanted_version, confirmed_version, wanted_at FROM esl_labels"
            " WHERE confirmed_version IS NULL OR confirmed_version < wanted_version"
            " ORDER BY wanted_at, mac"
        ).fetchall()
        return [StaleLabel(mac, wv, cv, max(0.0, now - at)) for mac, wv, cv, at in rows]

    def state_of(self, mac: str, version: int) -> str | None:
        row = self._db.execute(
            "SELECT state FROM esl_outbox WHERE mac = ? AND version = ?", (mac, version)
        ).fetchone()
        return None if row is None else str(row[0])
