"""Low disk shows on the status strip before it bites, in the screen's language."""

from __future__ import annotations

import sqlite3

from pytestqt.qtbot import QtBot

from edge.config import config_from_dict
from edge.till.session import MB, Till
from ui.till.till_app import make_app
from ui.widgets.status_bar import StatusStrip


def test_the_status_strip_warns_of_low_and_critical_disk(qtbot: QtBot,
                                                         conn: sqlite3.Connection) -> None:
    make_app("zh_CN")
    try:
        check_strip(qtbot, conn)
    finally:
        make_app("en")


def check_strip(qtbot: QtBot, conn: sqlite3.Connection) -> None:
    free = [1000 * MB]
    till = Till(conn, config_from_dict({}), free_space=lambda: free[0])
    strip = StatusStrip(conn, storage_state=till.storage_state, poll_ms=60_000)
    qtbot.addWidget(strip)
    assert strip.storage_label.text() == ""
    free[0] = 100 * MB
    strip.refresh()
    assert strip.storage_label.text() == "磁盘空间不足：请联系技术支持"
    free[0] = 5 * MB
    strip.refresh()
    assert strip.storage_label.text().startswith("磁盘已满")
