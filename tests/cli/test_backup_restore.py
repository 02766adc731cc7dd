"""`pos backup` / `pos restore` end to end: a backup taken while the till writes 1,000 sales passes
every check; after the terminal's database is lost, restoring it (older than HQ's ack, so only
with --force) gives a till whose new sales reach HQ with no seq conflict and no dead letter."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from cloud_sync.agent import Agent
from cloud_sync.settings import AgentSettings, BrokerSettings
from cloud_sync.status import read_status
from edge.ledger.backup import check_database, list_backups, take_backup
from edge.ledger.store import open_store
from hq.ingest import IngestOptions, IngestWorker
from tests.cloud_sync.harness import ROOT, Broker, Running, python_env, wait_until
from tests.cloud_sync.sales import make_sales


def pos(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=python_env(),
                          capture_output=True, text=True, timeout=60)


def sync_until_drained(broker: Broker, pg_url: str, db: Path) -> None:
    settings = AgentSettings(store_id="S001", terminal_id="T01",
                             broker=BrokerSettings(port=broker.port, keepalive=2),
                             ack_timeout=3.0, backoff_min=0.1, backoff_max=1.0, status_interval=0.2)
    worker = Running(IngestWorker(IngestOptions(db_url=pg_url, broker=BrokerSettings(port=broker.port))))
    agent = Running(Agent(settings, db))
    conn = open_store(db)
    try:
        wait_until(lambda: read_status(conn).pending == 0, 60, "outbox drained")
    finally:
        agent.stop()
        worker.stop()
        conn.close()


def hq_terminal(pg_url: str) -> tuple[int, int, int, int]:
    with psycopg.connect(pg_url) as pg:
        acked_to, max_seq = pg.execute("SELECT acked_to, max_seq FROM hq_terminal").fetchone()
        sales = pg.execute("SELECT count(*) FROM hq_sale").fetchone()[0]
        dead = pg.execute("SELECT count(*) FROM hq_dead_letter").fetchone()[0]
    return acked_to, max_seq, sales, dead


@pytest.mark.timeout(120)
def test_backup_under_1000_sales_restores_to_a_till_hq_accepts_without_seq_conflict(
        tmp_path: Path, broker: Broker, pg_url: str) -> None:
    db = tmp_path / "store.db"
    conn = open_store(db)
    make_sales(conn, "S001", "T01", 500, random.Random(1), per_transaction=100)
    stop, written, pinned = threading.Event(), [0], threading.Event()

    def till() -> None:
        rng = random.Random(2)
        while not stop.is_set():
            make_sales(conn, "S001", "T01", 1, rng)
            written[0] += 1

    def progress(*_: int) -> None:
        if not pinned.is_set():            # mid-copy, snapshot pinned: let 1,000 sales commit
            pinned.set()
            start, deadline = written[0], time.monotonic() + 60
            while written[0] - start < 1000 and time.monotonic() < deadline:
                time.sleep(0.01)

    writer = threading.Thread(target=till)
    writer.start()
    try:
        backup = take_backup(db, tmp_path / "backups", progress=progress)
    finally:
        stop.set()
        writer.join(30)
    total = 500 + written[0]
    assert written[0] >= 1000
    assert check_database(open_store(backup.path)) == []
    in_backup = backup.snapshot.outbox_last
    assert 500 <= in_backup < total

    sync_until_drained(broker, pg_url, db)                 # HQ now has every seq up to `total`
    assert hq_terminal(pg_url) == (total, total, total, 0)
    conn.close()
    for leftover in tmp_path.glob("store.db*"):            # the terminal's disk dies
        leftover.unlink()

    refused = pos("restore", str(backup.path), "--db", str(db), "--hq-acked", str(total))
    assert refused.returncode == 1
    assert f"HQ has seq {in_backup + 1}..{total} that this backup lacks" in refused.stdout
    assert f"HQ acknowledged up to {total}" in refused.stderr and not db.exists()
    done = pos("restore", str(backup.path), "--db", str(db), "--hq-acked", str(total), "--force")
    assert done.returncode == 0, done.stderr
    assert f"new events continue from seq {total + 1}" in done.stdout

    conn = open_store(db)
    make_sales(conn, "S001", "T01", 20, random.Random(3))
    assert conn.execute("SELECT min(seq) FROM outbox WHERE state = 'pending'").fetchone()[0] == total + 1
    conn.close()
    sync_until_drained(broker, pg_url, db)
    assert hq_terminal(pg_url) == (total + 20, total + 20, total + 20, 0)


def test_pos_backup_prints_checks_rotates_and_says_why_it_fails(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    make_sales(open_store(db), "S001", "T01", 5)
    first = pos("backup", "--db", str(db), "--json")
    assert first.returncode == 0, first.stderr
    taken = json.loads(first.stdout)
    assert taken["outbox_last"] == 5 and taken["removed"] == []
    assert Path(taken["path"]).parent == tmp_path / "backups"
    time.sleep(1.1)                                         # backups are named by the second
    second = pos("backup", "--db", str(db), "--to", str(tmp_path / "usb"), "--keep-hourly", "0",
                 "--keep-daily", "0")
    assert second.returncode == 0 and "backup ok:" in second.stdout
    assert "integrity and journal chain checked" in second.stdout
    assert len(list_backups(tmp_path / "usb")) == 1
    missing = pos("backup", "--db", str(tmp_path / "nope.db"))
    assert missing.returncode == 1 and "no store database" in missing.stderr
    broken = pos("restore", str(tmp_path / "store.db-wal"), "--db", str(tmp_path / "x.db"))
    assert broken.returncode == 1 and "pos: " in broken.stderr


@pytest.mark.timeout(60)
def test_pos_backup_under_umask_022_writes_0600_copies_in_a_0700_directory(tmp_path: Path) -> None:
    """A backup holds every sale and member: not readable by others, whatever the umask (the
    insider found 0644 copies under 022), also in a directory that already existed as 0755."""
    import os
    import stat

    db = tmp_path / "store.db"
    make_sales(open_store(db), "S001", "T01", 5)
    opened = tmp_path / "opened"
    opened.mkdir(mode=0o755)
    opened.chmod(0o755)
    for directory in (tmp_path / "fresh" / "backups", opened):
        done = subprocess.run([sys.executable, "-m", "cli.main", "backup", "--db", str(db),
                               "--to", str(directory), "--json"], cwd=ROOT, env=python_env(),
                              capture_output=True, text=True, timeout=60,
                              preexec_fn=lambda: os.umask(0o022))
        assert done.returncode == 0, done.stderr
        copy = Path(json.loads(done.stdout)["path"])
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
        assert [p.name for p in directory.iterdir()] == [copy.name]        # no .part, no journal
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    before_restore = subprocess.run(
        [sys.executable, "-m", "cli.main", "restore", str(copy), "--db", str(db), "--force"],
        cwd=ROOT, env=python_env(), capture_output=True, text=True, timeout=60,
        preexec_fn=lambda: os.umask(0o022))
    assert before_restore.returncode == 0, before_restore.stderr
    aside = list(tmp_path.glob("store.db.before-restore-*"))
    assert aside and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in aside)
