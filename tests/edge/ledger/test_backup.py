"""Backups of a live store database: a consistent, checked copy while sales keep being written;
rotation; restore plans that never let a seq be used twice."""

from __future__ import annotations

import random
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from edge.ledger.backup import (
    BackupError,
    backups_to_keep,
    check_database,
    list_backups,
    plan_restore,
    read_backup,
    read_snapshot,
    restore,
    rotate,
    take_backup,
)
from edge.ledger.outbox import mark_acked
from edge.ledger.store import open_store, write_transaction
from tests.cloud_sync.sales import make_sales

NOW = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def seeded(path: Path, sales: int) -> Path:
    conn = open_store(path)
    make_sales(conn, "S001", "T01", sales, random.Random(7), per_transaction=100)
    conn.close()
    return path


def test_backup_taken_while_1000_sales_are_written_is_consistent_and_checked(tmp_path: Path) -> None:
    db = seeded(tmp_path / "store.db", 3000)
    stop, written = threading.Event(), [0]
    at_start = threading.Event()

    def till() -> None:
        # The till's own connection, one durable transaction per sale, as the till writes them.
        conn = open_store(db)
        rng = random.Random(8)
        while not stop.is_set():
            make_sales(conn, "S001", "T01", 1, rng)
            written[0] += 1
        conn.close()

    def progress(_status: int, _remaining: int, _total: int) -> None:
        # Hold the copy open (mid-backup, snapshot pinned) until the till has written 1,000 more.
        if not at_start.is_set():
            at_start.set()
            start = written[0]
            deadline = datetime.now(UTC) + timedelta(seconds=60)
            while written[0] - start < 1000 and datetime.now(UTC) < deadline:
                threading.Event().wait(0.01)

    writer = threading.Thread(target=till)
    writer.start()
    try:
        threading.Event().wait(0.05)
        before = written[0]
        backup = take_backup(db, tmp_path / "backups", NOW, progress=progress)
        during = written[0] - before
    finally:
        stop.set()
        writer.join(10)
    assert during >= 1000
    assert backup.path.name == "store-20260301T123000Z.db"
    copy = sqlite3.connect(backup.path)
    assert check_database(copy) == []
    snap = read_snapshot(copy)
    assert snap == backup.snapshot
    assert snap.outbox_first == 1 and snap.outbox_last == snap.outbox_rows == snap.outbox_counter
    assert 3000 <= snap.outbox_last < 3000 + written[0]
    live = sqlite3.connect(db)
    assert live.execute("SELECT max(seq) FROM outbox").fetchone()[0] == 3000 + written[0]
    assert [p.name for p in (tmp_path / "backups").iterdir()] == [backup.path.name]


def test_a_copy_that_fails_its_checks_is_deleted_and_reported(tmp_path: Path) -> None:
    db = seeded(tmp_path / "store.db", 20)
    raw = sqlite3.connect(db)
    raw.execute("DELETE FROM outbox WHERE seq = 5")
    raw.commit()
    raw.close()
    with pytest.raises(BackupError, match="gaps"):
        take_backup(db, tmp_path / "b", NOW)
    assert list((tmp_path / "b").iterdir()) == []


def test_rotation_keeps_hourly_for_a_day_and_daily_for_a_week() -> None:
    times = [NOW - timedelta(minutes=20 * i) for i in range(3 * 24 * 14)]     # every 20 min, 2 weeks
    keep = backups_to_keep(times, NOW, hourly=24, daily=7)
    hourly = {t for t in keep if NOW - t < timedelta(hours=24)}
    assert len(hourly) == 24 + 1 or len(hourly) == 24
    assert all(t.minute >= 20 for t in hourly if t != max(times))   # the newest of each hour
    older = sorted(t for t in keep if NOW - t >= timedelta(hours=24))
    assert len({t.date() for t in older}) == len(older) <= 7
    assert max(times) in keep
    assert all(NOW - t < timedelta(days=7) for t in keep)


def test_rotate_deletes_only_what_is_not_kept(tmp_path: Path) -> None:
    for hours in (0, 1, 1.5, 30, 200):
        (tmp_path / f"store-{(NOW - timedelta(hours=hours)):%Y%m%dT%H%M%SZ}.db").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("kept")
    removed = rotate(tmp_path, NOW, hourly=24, daily=7)
    # 200 h old: past the week; 1.5 h old: an older one of the same hour as the 1 h one.
    assert sorted(p.name for p in removed) == ["store-20260221T043000Z.db", "store-20260301T110000Z.db"]
    assert len(list_backups(tmp_path)) == 3 and (tmp_path / "notes.txt").exists()
    removed = rotate(tmp_path, NOW, hourly=1, daily=1)
    assert len(list_backups(tmp_path)) == 1


def test_restore_refuses_a_backup_older_than_hq_acknowledged_and_explains(tmp_path: Path) -> None:
    db = seeded(tmp_path / "store.db", 50)
    backup = take_backup(db, tmp_path / "b", NOW)
    snap = read_backup(backup.path)
    plan = plan_restore(snap, hq_acked=80, hq_max_seq=85)
    assert plan.older_than_hq and plan.next_seq == 86
    assert "HQ has seq 51..80" in " ".join(plan.explain())
    with pytest.raises(BackupError, match="HQ acknowledged up to 80"):
        restore(backup.path, tmp_path / "new.db", plan)
    assert not (tmp_path / "new.db").exists()
    restore(backup.path, tmp_path / "new.db", plan, force=True)
    conn = open_store(tmp_path / "new.db")
    assert conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0] == 0
    make_sales(conn, "S001", "T01", 1)
    assert conn.execute("SELECT max(seq) FROM outbox").fetchone()[0] == 86
    assert check_database(conn) == []


def test_restore_over_a_live_database_keeps_it_aside_and_resends_what_hq_lacks(tmp_path: Path) -> None:
    db = seeded(tmp_path / "store.db", 40)
    conn = open_store(db)
    with write_transaction(conn):
        mark_acked(conn, 10)
    conn.close()
    backup = take_backup(db, tmp_path / "b", NOW)
    seeded(db, 5)                                   # seqs 41..45 after the backup
    plan = plan_restore(read_backup(backup.path), hq_acked=30, current_counter=45)
    # 41..45 may have left this terminal before it broke: never given again.
    assert (plan.resend_first, plan.resend_last, plan.next_seq) == (31, 40, 46)
    assert plan.explain()[0].startswith("will be re-sent to HQ: seq 31..40 (10 events")
    aside = restore(backup.path, db, plan)
    assert aside is not None
    assert sqlite3.connect(aside).execute("SELECT max(seq) FROM outbox").fetchone()[0] == 45
    conn = open_store(db)
    assert tuple(conn.execute("SELECT min(seq), count(*) FROM outbox WHERE state = 'pending'"
                              ).fetchone()) == (31, 10)
    make_sales(conn, "S001", "T01", 1)
    assert conn.execute("SELECT max(seq) FROM outbox").fetchone()[0] == 46
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_that_is_not_a_store_database_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.db").write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(BackupError, match="not a store database"):
        read_backup(tmp_path / "x.db")
    with pytest.raises(BackupError, match="no backup"):
        read_backup(tmp_path / "missing.db")
