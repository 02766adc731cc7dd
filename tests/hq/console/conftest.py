"""The console tests use the sync tests' real broker and throwaway PostgreSQL database."""

from collections.abc import Iterator

import pytest

from tests.cloud_sync.conftest import broker, pg_url
from tests.hq.console.seed import HqData

__all__ = ["broker", "data", "pg_url"]


@pytest.fixture
def data(pg_url: str) -> Iterator[HqData]:
    d = HqData(pg_url)
    yield d
    d.close()
