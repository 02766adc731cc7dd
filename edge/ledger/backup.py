"""Backups of the store database and restoring one: a copy of the live WAL database taken with
SQLite's online backup API inside one read snapshot, checked before it counts, and rotated.

Rules: a copy that fails a check is deleted, never left where a restore could pick it up; a
restore never lets the terminal re-use an outbox seq that HQ already holds.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from edge.ledger.journal import verify as verify_journal
from edge.ledger.store import connect, copy_database, restore_database, write_transaction

BACKUP_NAME = re.compile(r"^store-(\d{8}T\d{6}Z)\.db$")
_STAMP = "%Y%m%dT%H%M%SZ"


class BackupError(Exception):
    """A backup could not be taken, failed its checks, or may not be restored."""


@dataclass(frozen=True)
class Snapshot:
    """What a database holds, as far as a backup must match it."""

    schema_version: int
    outbox_first: int
    outbox_last: int
    outbox_rows: int
    outbox_counter: int
    pending_first: int | None
    pending_rows: int
    acked_seq: int
    journal_entries: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime
    snapshot: Snapshot

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "taken_at": self.taken_at.isoformat(),
                **self.snapshot.as_dict()}


def read_snapshot(conn: sqlite3.Connection) -> Snapshot:
    first, last, rows = conn.execute("SELECT coalesce(min(seq), 0), coalesce(max(seq), 0), count(*)"
                                     " FROM outbox").fetchone()
    pending_first, pending_rows = conn.execute(
        "SELECT min(seq), count(*) FROM outbox WHERE state = 'pending'").fetchone()
    counter = conn.execute("SELECT value FROM counter WHERE name = 'outbox_seq'").fetchone()[0]
    status = conn.execute("SELECT last_acked_seq FROM sync_status WHERE id = 1").fetchone()
    journal = conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    return Snapshot(int(version), int(first), int(last), int(rows), int(counter),
                    None if pending_first is None else int(pending_first), int(pending_rows),
                    int(status[0]) if status else 0, int(journal))


def check_database(conn: sqlite3.Connection) -> list[str]:
    """Every reason not to trust this database; empty when it passes: integrity_check, the
    journal's hash chain, and the outbox (no seq above the counter, pending events gapless)."""
    problems = [f"integrity: {row[0]}" for row in conn.execute("PRAGMA integrity_check")
                if row[0] != "ok"]
    if problems:
        return problems
    problems += [f"journal entry {p.seq}: {p.problem}" for p in verify_journal(conn)]
    snap = read_snapshot(conn)
    if snap.outbox_last > snap.outbox_counter:
        problems.append(f"outbox seq {snap.outbox_last} is above the counter {snap.outbox_counter}")
    if snap.pending_first is not None:
        # From the first unacknowledged event on, every seq must be there (pending or rejected).
        tail = conn.execute("SELECT count(*) FROM outbox WHERE seq >= ?",
                            (snap.pending_first,)).fetchone()[0]
        if tail != snap.outbox_last - snap.pending_first + 1:
            problems.append(f"outbox: events from seq {snap.pending_first} to {snap.outbox_last}"
                            f" have gaps ({tail} rows)")
    return problems


def backup_name(at: datetime) -> str:
    return f"store-{at.astimezone(UTC).strftime(_STAMP)}.db"


def take_backup(db: str | Path, directory: str | Path, now: datetime | None = None,
                progress: Callable[[int, int, int], object] | None = None) -> Backup:
    """Copy `db` into `directory` as store-<UTC stamp>.db, check the copy against the snapshot
    it was taken from, and only then give it its final name (fsynced). The copy holds every
    sale and customer of the store: mode 0600 in a 0700 directory, whatever the umask."""
    directory = Path(directory)
    private_directory(directory)
    at = now or datetime.now(UTC)
    final = directory / backup_name(at)
    part = final.with_name(final.name + ".part")
    source = connect(db)
    try:
        # Made 0600 before SQLite opens it: SQLite keeps an existing file's mode (and gives its
        # journal the same), so the copy is never readable by others, not even while written.
        part.unlink(missing_ok=True)
        os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        # One read transaction: the copy and the figures it must match are the same snapshot,
        # while the till keeps committing sales through its own connection (WAL).
        source.execute("BEGIN")
        expected = read_snapshot(source)
        copy_database(source, part, progress=progress)
        source.execute("COMMIT")
    except (sqlite3.Error, OSError) as exc:
        part.unlink(missing_ok=True)
        raise BackupError(f"cannot copy {db} to {directory}: {exc}") from exc
    finally:
        source.close()
    try:
        problems = _check_copy(part, expected)
    except sqlite3.Error as exc:
        problems = [str(exc)]
    if problems:
        part.unlink(missing_ok=True)
        raise BackupError(f"the copy of {db} failed its checks, deleted: {'; '.join(problems)}")
    _fsync(part)
    os.replace(part, final)
    _fsync(directory)
    return Backup(final, at, expected)


def private_directory(directory: Path) -> None:
    """`directory` made if missing and kept 0700 (an existing one made 0755 by hand is narrowed)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(directory.stat().st_mode) != 0o700:
        directory.chmod(0o700)


def _check_copy(path: Path, expected: Snapshot) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        problems = check_database(conn)
        found = read_snapshot(conn)
    finally:
        conn.close()
    if found != expected:
        problems.append(f"the copy holds {found}, the database held {expected}")
    return problems


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def list_backups(directory: str | Path) -> list[tuple[datetime, Path]]:
    """The finished backups in `directory`, oldest first (by the time in their name)."""
    found = []
    directory = Path(directory)
    if directory.is_dir():
        for entry in directory.iterdir():
            match = BACKUP_NAME.match(entry.name)
            if match:
                at = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
                found.append((at, entry))
    return sorted(found)


def backups_to_keep(times: list[datetime], now: datetime, hourly: int = 24,
                    daily: int = 7) -> set[datetime]:
    """The newest backup of each of the last `hourly` hours and of each of the last `daily` days,
    and always the newest of all."""
    keep: set[datetime] = set()
    newest_per_bucket: dict[tuple[str, datetime], datetime] = {}
    for at in times:
        buckets = []
        if now - at < timedelta(hours=hourly):
            buckets.append(("hour", at.replace(minute=0, second=0, microsecond=0)))
        if now - at < timedelta(days=daily):
            buckets.append(("day", at.replace(hour=0, minute=0, second=0, microsecond=0)))
        for bucket in buckets:
            if bucket not in newest_per_bucket or at > newest_per_bucket[bucket]:
                newest_per_bucket[bucket] = at
    keep.update(newest_per_bucket.values())
    if times:
        keep.add(max(times))
    return keep


def rotate(directory: str | Path, now: datetime, hourly: int = 24, daily: int = 7) -> list[Path]:
    """Delete the backups `backups_to_keep` does not keep; returns what was deleted."""
    found = list_backups(directory)
    keep = backups_to_keep([at for at, _ in found], now, hourly, daily)
    removed = [path for at, path in found if at not in keep]
    for path in removed:
        path.unlink()
    return removed


@dataclass(frozen=True)
class RestorePlan:
    """What restoring a backup means for sync, said before anything is written."""

    backup_last_seq: int
    hq_acked: int
    hq_max_seq: int
    resend_first: int | None
    resend_last: int | None
    missing_first: int | None
    missing_last: int | None
    next_seq: int

    @property
    def older_than_hq(self) -> bool:
        return self.missing_first is not None

    def explain(self) -> list[str]:
        lines = []
        if self.resend_first is not None:
            lines.append(f"will be re-sent to HQ: seq {self.resend_first}..{self.resend_last} "
                         f"({(self.resend_last or 0) - self.resend_first + 1} events, HQ "
                         "de-duplicates any it already has)")
        else:
            lines.append("nothing to re-send: HQ has every event in this backup")
        if self.missing_first is not None:
            lines.append(f"HQ has seq {self.missing_first}..{self.missing_last} that this backup "
                         "lacks: those sales stay at HQ but not on this terminal (its local "
                         "reports and journal will not show them)")
        lines.append(f"new events continue from seq {self.next_seq} (HQ has up to "
                     f"{self.hq_max_seq}, the backup up to {self.backup_last_seq}), so no seq is "
                     "used twice")
        return lines


def plan_restore(backup: Snapshot, hq_acked: int, hq_max_seq: int | None = None,
                 current_counter: int = 0) -> RestorePlan:
    """`hq_acked`: HQ's cumulative ack for this terminal; `hq_max_seq`: the highest seq HQ holds
    (beyond the ack when events arrived out of order); `current_counter`: the last seq the
    database being replaced gave (those may have left the terminal: never given again)."""
    hq_max = max(hq_acked, hq_max_seq or 0)
    resend_from = max(hq_acked, backup.acked_seq) + 1
    resend = (resend_from, backup.outbox_last) if backup.outbox_last >= resend_from else (None, None)
    missing = (backup.outbox_last + 1, hq_acked) if hq_acked > backup.outbox_last else (None, None)
    next_seq = max(backup.outbox_counter, hq_max, current_counter) + 1
    return RestorePlan(backup.outbox_last, hq_acked, hq_max, resend[0], resend[1], missing[0],
                       missing[1], next_seq)


def read_backup(path: str | Path) -> Snapshot:
    """Check a backup file and return its figures; BackupError if it should not be restored."""
    if not Path(path).is_file():
        raise BackupError(f"no backup at {path}")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            problems = check_database(conn)
            snap = read_snapshot(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path} is not a store database: {exc}") from exc
    if problems:
        raise BackupError(f"{path} fails its checks: {'; '.join(problems)}")
    return snap


def restore(path: str | Path, db: str | Path, plan: RestorePlan, force: bool = False) -> Path | None:
    """Put the backup at `db` (the old file, if any, copied aside first: returned), then make the
    outbox agree with HQ: events HQ acked are marked so, and the seq counter jumps past what HQ
    holds. Refused when the backup is older than what HQ acknowledged, unless `force`."""
    if plan.older_than_hq and not force:
        raise BackupError(f"the backup ends at seq {plan.backup_last_seq} but HQ acknowledged up "
                          f"to {plan.hq_acked}: restoring it loses those sales on this terminal; "
                          "use --force if that is what you want")
    db = Path(db)
    aside = None
    target = connect(db)
    try:
        if db.stat().st_size > 0 and target.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            aside = db.with_name(f"{db.name}.before-restore-{datetime.now(UTC).strftime(_STAMP)}")
            os.close(os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            copy_database(target, aside)
        restore_database(path, target)
        target.execute("PRAGMA journal_mode = WAL")
        with write_transaction(target):
            target.execute("UPDATE outbox SET state = 'acked', acked_at = coalesce(acked_at, ?)"
                           " WHERE state = 'pending' AND seq <= ?",
                           (datetime.now(UTC).isoformat(timespec="milliseconds"), plan.hq_acked))
            target.execute("UPDATE counter SET value = max(value, ?) WHERE name = 'outbox_seq'",
                           (plan.next_seq - 1,))
            target.execute("UPDATE sync_status SET last_acked_seq = max(last_acked_seq, ?),"
                           " connected = 0 WHERE id = 1", (plan.hq_acked,))
    finally:
        target.close()
    return aside
