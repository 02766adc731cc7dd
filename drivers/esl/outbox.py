"""The durable ESL outbox: price label versions waiting to reach their shelf labels, keyed by
(label mac, price version), in SQLite tables prefixed `esl_`.

Rules: a newer version for a label supersedes every older one not yet delivered; a row leaves the
queue as delivered only when the ESL system reports the label shows it (never when an upload got
a 200). A row remembers what the system reported before its first upload (the baseline its
confirmation is judged against), why it is not shown yet, and when to upload or ask again: both
back off exponentially with jitter. Nothing is sent again on a timer; only the system's own
report that it does not hold the upload makes a row due for another upload. Time comes from the
caller's clock.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS esl_outbox (
    mac TEXT NOT NULL,
    version INTEGER NOT NULL,
    fields TEXT NOT NULL,                   -- LabelFields JSON; the image is rendered at upload
    state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'delivered', 'superseded')),
    attempts INTEGER NOT NULL DEFAULT 0,    -- upload steps that failed (the backoff's count)
    next_attempt_at REAL NOT NULL,
    checks INTEGER NOT NULL DEFAULT 0,      -- confirmation queries since the last upload
    next_check_at REAL,
    baseline TEXT,                          -- the system's report just before the first upload
    image_md5 TEXT,                         -- of the image last uploaded
    reason TEXT,                            -- why the label does not show it yet
    detail TEXT,
    reported INTEGER NOT NULL DEFAULT 0,    -- the "not confirmed in time" report went out
    enqueued_at REAL NOT NULL,
    sent_at REAL,
    delivered_at REAL,
    PRIMARY KEY (mac, version)
);
CREATE INDEX IF NOT EXISTS esl_outbox_due ON esl_outbox (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS esl_labels (
    mac TEXT PRIMARY KEY,
    wanted_version INTEGER NOT NULL,
    wanted_at REAL NOT NULL,
    confirmed_version INTEGER,
    confirmed_at REAL,
    shown_token TEXT,                       -- the system's token for what the label shows
    shown_image_md5 TEXT                    -- md5 of our image that the label shows
);
CREATE TABLE IF NOT EXISTS esl_shelf (      -- which product each label shows (feed.py)
    mac TEXT PRIMARY KEY,
    sku TEXT NOT NULL
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
    fields: str  # JSON of the label fields
    attempts: int
    checks: int
    baseline: str | None
    image_md5: str | None
    enqueued_at: float


@dataclass(frozen=True)
class Shown:
    """What the label shows as far as we know: the system's token and the md5 of our image."""

    token: str
    image_md5: str


@dataclass(frozen=True)
class StaleLabel:
    mac: str
    wanted_version: int
    confirmed_version: int | None
    age_s: float  # since the wanted version was asked for
    reason: str = ""  # why it does not show yet (unknown_mac, ap_not_running, tag_asleep, ...)
    detail: str = ""


_ITEM = "mac, version, fields, attempts, checks, baseline, image_md5, enqueued_at"


class EslOutbox:
    """One SQLite connection; callers on several threads must serialise (the ESL pump is one)."""

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], float],
        backoff: Backoff | None = None,
        check_backoff: Backoff | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.path = Path(path)
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._migrate_v1()
        self._db.executescript(SCHEMA)
        self.clock = clock
        self.backoff = backoff or Backoff()
        # Confirmation queries: a tag fetches its image when it next checks in (tens of seconds
        # to minutes), so asking every 2 s at first would only load the AP.
        self.check_backoff = check_backoff or self.backoff
        self.rng = rng or random.Random()

    def _migrate_v1(self) -> None:
        """Tables of the first outbox (image BLOBs, a token per upload, timed resends): undelivered
        rows come back queued, to be rendered and confirmed the new way; labels keep their
        confirmed versions."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(esl_outbox)")}
        if not columns or "baseline" in columns:
            return
        self._db.executescript(
            "BEGIN IMMEDIATE;"
            "ALTER TABLE esl_outbox RENAME TO esl_outbox_v1;"
            "DROP INDEX IF EXISTS esl_outbox_due;"
            + SCHEMA
            + "INSERT INTO esl_outbox (mac, version, fields, state, next_attempt_at, enqueued_at)"
            " SELECT mac, version, fields, 'queued', enqueued_at, enqueued_at FROM esl_outbox_v1"
            " WHERE state IN ('queued', 'sent');"
            "DROP TABLE esl_outbox_v1;"
            "ALTER TABLE esl_labels ADD COLUMN shown_token TEXT;"
            "ALTER TABLE esl_labels ADD COLUMN shown_image_md5 TEXT;"
            "COMMIT;"
        )

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One commit (one fsync) for every write inside; nested uses join the outer one. The pump
        writes a pass's outcomes in one, never holding it across a network request."""
        if self._db.in_transaction:
            yield
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def enqueue(self, mac: str, version: int, fields: str) -> bool:
        """Queue `version` for `mac`; False when a same or newer version is already wanted."""
        now = self.clock()
        db = self._db
        with self.transaction():
            row = db.execute("SELECT wanted_version FROM esl_labels WHERE mac = ?", (mac,)).fetchone()
            if row is not None and row[0] >= version:
                return False
            db.execute(
                "UPDATE esl_outbox SET state = 'superseded' "
                "WHERE mac = ? AND version < ? AND state IN ('queued', 'sent')",
                (mac, version),
            )
            db.execute(
                "INSERT INTO esl_outbox (mac, version, fields, state, next_attempt_at, enqueued_at)"
                " VALUES (?, ?, ?, 'queued', ?, ?)",
                (mac, version, fields, now, now),
            )
            db.execute(
                "INSERT INTO esl_labels (mac, wanted_version, wanted_at) VALUES (?, ?, ?) "
                "ON CONFLICT (mac) DO UPDATE SET wanted_version = excluded.wanted_version,"
                " wanted_at = excluded.wanted_at",
                (mac, version, now),
            )
        return True

    def due_uploads(self, limit: int) -> list[OutboxItem]:
        """Queued rows whose (re)try time has come, oldest first."""
        rows = self._db.execute(
            f"SELECT {_ITEM} FROM esl_outbox WHERE state = 'queued' AND next_attempt_at <= ?"
            " ORDER BY next_attempt_at, enqueued_at LIMIT ?",
            (self.clock(), limit),
        ).fetchall()
        return [OutboxItem(*row) for row in rows]

    def due_checks(self, limit: int) -> list[OutboxItem]:
        """Sent rows whose next confirmation query is due, oldest first."""
        rows = self._db.execute(
            f"SELECT {_ITEM} FROM esl_outbox WHERE state = 'sent' AND next_check_at <= ?"
            " ORDER BY next_check_at LIMIT ?",
            (self.clock(), limit),
        ).fetchall()
        return [OutboxItem(*row) for row in rows]

    def set_baseline(self, mac: str, version: int, baseline: str) -> None:
        """Remember the system's report before the first upload; later attempts keep it, because
        an earlier attempt may have got through (answer lost) and must still count."""
        self._db.execute(
            "UPDATE esl_outbox SET baseline = ? WHERE mac = ? AND version = ? AND baseline IS NULL",
            (baseline, mac, version),
        )

    def mark_sent(self, mac: str, version: int, image_md5: str) -> None:
        """The system holds the upload; ask it about the label after a first backoff step."""
        now = self.clock()
        self._db.execute(
            "UPDATE esl_outbox SET state = 'sent', image_md5 = ?, sent_at = ?, checks = 0,"
            " next_check_at = ? WHERE mac = ? AND version = ? AND state = 'queued'",
            (image_md5, now, now + self.check_backoff.delay(1, self.rng), mac, version),
        )

    def retry_upload(self, mac: str, version: int, reason: str, detail: str) -> float:
        """Back to the queue for another upload step after a backoff step; returns the delay."""
        row = self._db.execute(
            "SELECT attempts FROM esl_outbox WHERE mac = ? AND version = ?", (mac, version)
        ).fetchone()
        attempts = (row[0] if row else 0) + 1
        delay = self.backoff.delay(attempts, self.rng)
        self._db.execute(
            "UPDATE esl_outbox SET state = 'queued', attempts = ?, next_attempt_at = ?, reason = ?,"
            " detail = ? WHERE mac = ? AND version = ? AND state IN ('queued', 'sent')",
            (attempts, self.clock() + delay, reason, detail[:500], mac, version),
        )
        return delay

    def check_later(
        self, mac: str, version: int, reason: str, detail: str, *, answered: bool = True
    ) -> float:
        """Still waiting for the label: ask again after a backoff step; returns the delay. A query
        the system did not answer (`answered=False`) is asked again after the same step, not a
        doubled one: a lost request says nothing about the label."""
        row = self._db.execute(
            "SELECT checks FROM esl_outbox WHERE mac = ? AND version = ?", (mac, version)
        ).fetchone()
        checks = (row[0] if row else 0) + int(answered)
        delay = self.check_backoff.delay(checks + 1, self.rng)
        self._db.execute(
            "UPDATE esl_outbox SET checks = ?, next_check_at = ?, reason = ?, detail = ?"
            " WHERE mac = ? AND version = ? AND state = 'sent'",
            (checks, self.clock() + delay, reason, detail[:500], mac, version),
        )
        return delay

    def mark_delivered(self, mac: str, version: int, shown: Shown) -> bool:
        """The system reports the label shows this version; False when it is no longer wanted."""
        now = self.clock()
        with self.transaction():
            cur = self._db.execute(
                "UPDATE esl_outbox SET state = 'delivered', delivered_at = ?, image_md5 = ?,"
                " reason = NULL, detail = NULL WHERE mac = ? AND version = ?"
                " AND state IN ('queued', 'sent')",
                (now, shown.image_md5, mac, version),
            )
            if cur.rowcount:
                self._db.execute(
                    "UPDATE esl_labels SET confirmed_version = ?, confirmed_at = ?, shown_token = ?,"
                    " shown_image_md5 = ? WHERE mac = ?"
                    " AND (confirmed_version IS NULL OR confirmed_version < ?)",
                    (version, now, shown.token, shown.image_md5, mac, version),
                )
        return bool(cur.rowcount)

    def shown(self, mac: str) -> Shown | None:
        """What the label showed when it last confirmed a version, if it ever did."""
        row = self._db.execute(
            "SELECT shown_token, shown_image_md5 FROM esl_labels WHERE mac = ?", (mac,)
        ).fetchone()
        return Shown(row[0], row[1]) if row is not None and row[0] and row[1] else None

    def overdue(self, bound_s: float) -> list[tuple[str, int, str, str]]:
        """(mac, version, reason, detail) of rows wanted longer than `bound_s` and not delivered,
        not yet reported; marks them reported."""
        rows = self._db.execute(
            "SELECT mac, version, COALESCE(reason, 'not_sent'), COALESCE(detail, '') FROM esl_outbox"
            " WHERE state IN ('queued', 'sent') AND reported = 0 AND enqueued_at <= ?"
            " ORDER BY enqueued_at",
            (self.clock() - bound_s,),
        ).fetchall()
        self._db.executemany(
            "UPDATE esl_outbox SET reported = 1 WHERE mac = ? AND version = ?",
            [(mac, version) for mac, version, _, _ in rows],
        )
        return [(str(m), int(v), str(r), str(d)) for m, v, r, d in rows]

    def pending_count(self) -> int:
        (n,) = self._db.execute(
            "SELECT COUNT(*) FROM esl_outbox WHERE state IN ('queued', 'sent')"
        ).fetchone()
        return int(n)

    def stale_labels(self) -> list[StaleLabel]:
        """Labels whose confirmed version is older than the one wanted, oldest want first, with
        why the wanted version is not shown yet."""
        now = self.clock()
        rows = self._db.execute(
            "SELECT l.mac, l.wanted_version, l.confirmed_version, l.wanted_at,"
            " COALESCE(o.reason, ''), COALESCE(o.detail, '') FROM esl_labels l"
            " LEFT JOIN esl_outbox o ON o.mac = l.mac AND o.version = l.wanted_version"
            " WHERE l.confirmed_version IS NULL OR l.confirmed_version < l.wanted_version"
            " ORDER BY l.wanted_at, l.mac"
        ).fetchall()
        return [StaleLabel(mac, wv, cv, max(0.0, now - at), r, d) for mac, wv, cv, at, r, d in rows]

    def assign(self, mac: str, sku: str) -> None:
        """Label `mac` shows product `sku` from now on."""
        self._db.execute("INSERT INTO esl_shelf (mac, sku) VALUES (?, ?) ON CONFLICT (mac)"
                         " DO UPDATE SET sku = excluded.sku", (mac, sku))

    def assignments(self) -> list[tuple[str, str]]:
        return [(str(m), str(s)) for m, s in
                self._db.execute("SELECT mac, sku FROM esl_shelf ORDER BY mac")]

    def wanted(self, mac: str) -> tuple[int, str] | None:
        """(version, fields JSON) of the newest content queued for `mac`, if any."""
        row = self._db.execute(
            "SELECT o.version, o.fields FROM esl_labels l JOIN esl_outbox o ON o.mac = l.mac"
            " AND o.version = l.wanted_version WHERE l.mac = ?", (mac,)).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def state_of(self, mac: str, version: int) -> str | None:
        row = self._db.execute(
            "SELECT state FROM esl_outbox WHERE mac = ? AND version = ?", (mac, version)
        ).fetchone()
        return None if row is None else str(row[0])

    def attempts_of(self, mac: str, version: int) -> int:
        row = self._db.execute(
            "SELECT attempts FROM esl_outbox WHERE mac = ? AND version = ?", (mac, version)
        ).fetchone()
        return 0 if row is None else int(row[0])
