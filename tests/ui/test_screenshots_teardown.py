"""`python -m ui.demo.screenshots` runs the apps on a temporary store: its windows must be gone before
that store is, or a status strip's poll checks the disk usage of a removed directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import shiboken6
from pytestqt.qtbot import QtBot

from edge.config import StoreConfig
from edge.ledger.store import open_store
from edge.till.session import Till
from ui.demo.screenshots import close_windows
from ui.till.till_app import TillWindow


def test_no_window_polls_the_temporary_store_after_it_is_gone(
        qtbot: QtBot, tmp_path: Path, config: StoreConfig) -> None:
    store = tmp_path / "store"
    store.mkdir()
    conn = open_store(store / "store.db")
    window = TillWindow(Till(conn, config))
    window.status.timer.setInterval(50)
    window.show()
    close_windows()
    conn.close()
    shutil.rmtree(store)
    qtbot.wait(300)  # several polls' time: pytest-qt fails the test on an exception in a slot
    assert not shiboken6.isValid(window)
