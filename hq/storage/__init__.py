"""HQ storage: one interface (`interface.py`), two engines (PostgreSQL, the real store; SQLite, the
one-machine demo), chosen here by URL so neither engine imports the other or this chooser."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from hq.storage.interface import DEFAULT_TIMEZONE, HqStorage


def open_storage(url: str, zone: str = DEFAULT_TIMEZONE) -> HqStorage:
    """`postgresql://...` for the real store; `sqlite:///path` or a bare path for the demo."""
    if url.startswith(("postgresql://", "postgres://")):
        from hq.storage.postgres import PgStorage
        return PgStorage(url, ZoneInfo(zone))
    from hq.storage.sqlite import SqliteStorage
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
    return SqliteStorage(path, ZoneInfo(zone))
