"""Fixtures shared by every test folder: a real store database file on disk, with the demo store;
and `--clock-ahead-days N`, which moves this process's wall clock N days ahead for the whole run
(time-machine), so the tests marked `dated` prove they hold on any day, not just the day written."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from edge.catalog.demo_store import seed_demo_store
from edge.config import StoreConfig
from edge.ledger.store import open_store


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--clock-ahead-days", type=int, default=0,
                     help="run with the wall clock moved this many days ahead (time keeps ticking)")


@pytest.fixture(scope="session", autouse=True)
def clock_ahead(request: pytest.FixtureRequest) -> Iterator[None]:
    days = request.config.getoption("--clock-ahead-days")
    if not days:
        yield
        return
    with time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=True):
        yield


@contextmanager
def small_tmpfs(mount: Path, size: str) -> Iterator[Path]:
    """A real, small file system at `mount` (e.g. size "3m") that really fills up; the test is
    skipped, saying why, where mounting is not allowed."""
    mount.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded demo store, built once; tests get their own copy."""
    path = tmp_path_factory.mktemp("template") / "store.db"
    conn = open_store(path)
    seed_demo_store(conn)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def db_path(tmp_path: Path, demo_template: Path) -> Path:
    path = tmp_path / "store.db"
    path.write_bytes(demo_template.read_bytes())
    return path


@pytest.fixture
def conn(db_path: Path) -> Iterator[sqlite3.Connection]:
    connection = open_store(db_path)
    yield connection
    connection.close()


@pytest.fixture
def config() -> StoreConfig:
    return StoreConfig()
