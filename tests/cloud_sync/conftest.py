from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cloud_sync.harness import Broker, throwaway_database


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    b = Broker(tmp_path)
    yield b
    b.stop()


@pytest.fixture
def pg_url() -> Iterator[str]:
    with throwaway_database() as url:
        yield url
