"""HQ storage: one interface (`interface.py`), two engines (PostgreSQL, the real store; SQLite, the
one-machine demo), chosen here by URL so neither engine imports the other or this chooser."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from hq.storage.interface import DEFAULT_TIMEZONE, HqStorage


def open_storage(url: str, zone: str = DEFAULT_TIMEZONE, lock_hours: float = 24.0) -> HqStorage:
    """`postgresql://...` for the real store; `sqlite:///path` or a bare path for the demo.
    `lock_hours`: how long an offline spend locks a card for other terminals at most."""
    if url.startswith(("postgresql://", "postgres://")):
        from hq.storage.postgres import PgStorage
        return PgStorage(url, ZoneInfo(zone), lock_hours)
    from hq.storage.sqlite import SqliteStorage
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
    return SqliteStorage(path, ZoneInfo(zone), lock_hours)
