"""Fixtures shared by every test folder: a real store database file on disk, with the demo store."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.config import StoreConfig
from edge.demo_store import seed_demo_store
from edge.store import open_store


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
