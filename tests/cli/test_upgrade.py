"""`pos upgrade`: the check that migrates (copy aside first) and decides, and the rollback that
switches /opt/pos/current back and, when the old release cannot read the migrated database, puts
back the copy taken before migrating."""

from __future__ import annotations

import argparse
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import CommandError
from cli.upgrade import run_rollback
from edge.ledger.store import Migration, edge_migrations, open_store, pre_migration_copy
from tests.cloud_sync.harness import ROOT, python_env
from tests.cloud_sync.sales import make_sales


def release(root: Path, version: str, migrations: list[str]) -> Path:
    rel = root / "releases" / version
    edge = rel / "venv/lib/python3.11/site-packages/migrations/edge"
    edge.mkdir(parents=True)
    for name in migrations:
        (edge / name).write_text("-- a migration\n")
    return rel


def pos(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=python_env(),
                          capture_output=True, text=True, timeout=60)


def test_rollback_switches_releases_and_puts_back_the_pre_migration_database(tmp_path: Path) -> None:
    shipped = [m.name for m in edge_migrations()]
    old = release(tmp_path, "0.1.0", shipped)
    new_name = f"{len(shipped) + 1:04d}_new.sql"
    new = release(tmp_path, "0.2.0", [*shipped, new_name])
    (tmp_path / "current").symlink_to(new)
    (tmp_path / "previous").symlink_to(old)
    db = tmp_path / "store.db"
    make_sales(open_store(db), "S001", "T01", 10, random.Random(1))
    newer = Migration(len(shipped) + 1, new_name, "CREATE TABLE new_thing (x INTEGER);")
    conn = open_store(db, [*edge_migrations(), newer])            # the new release migrated it
    make_sales(conn, "S001", "T01", 2, random.Random(2))          # and sold on it
    conn.close()
    assert pre_migration_copy(db, len(shipped)).exists()

    run_rollback(argparse.Namespace(root=str(tmp_path), db=str(db)))
    assert (tmp_path / "current").resolve() == old and (tmp_path / "previous").resolve() == new
    conn = open_store(db)                                          # the old release opens it
    assert conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 10
    aside = next(tmp_path.glob("store.db.schema-v*"))
    assert sqlite3.connect(aside).execute("SELECT count(*) FROM outbox").fetchone()[0] == 12

    status = pos("upgrade", "status", "--root", str(tmp_path))
    assert status.stdout.split() == ["current:", "0.1.0", "(schema", f"{len(shipped)})",
                                     "previous:", "0.2.0", "(schema", f"{len(shipped) + 1})"]


def test_rollback_without_a_previous_release_says_so(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no previous release"):
        run_rollback(argparse.Namespace(root=str(tmp_path), db=""))


def test_upgrade_check_migrates_and_reports_or_fails_clearly(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    open_store(db).close()
    (tmp_path / "store.toml").write_text("")
    ok = pos("upgrade", "check", "--db", str(db))
    assert ok.returncode == 0 and "database ok: schema" in ok.stdout
    waited = pos("upgrade", "check", "--db", str(db), "--agent-within", "0.5")
    assert waited.returncode == 1 and "has not reported within" in waited.stderr
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA user_version = 999")
    raw.close()
    newer = pos("upgrade", "check", "--db", str(db))
    assert newer.returncode == 1 and "newer than this program" in newer.stderr
