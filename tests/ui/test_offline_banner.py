"""Offline is a banner, never a modal: with the sync agent connected to a real Mosquitto the
banner is hidden; kill the broker and the banner shows while a sale completes and waits in the
outbox."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from cloud_sync.agent import Agent
from cloud_sync.settings import AgentSettings, BrokerSettings
from edge.till.session import Till
from tests.cloud_sync.harness import Broker
from tests.ui.conftest import ScriptedPrompts
from tests.ui.test_till_flow import gtins, login, make_window


@pytest.fixture
def agent_on(tmp_path: Path, db_path: Path) -> Iterator[Broker]:
    broker = Broker(tmp_path)
    settings = AgentSettings("S001", "T01", broker=BrokerSettings(port=broker.port, keepalive=2),
                             status_interval=0.1, backoff_min=0.1, backoff_max=0.5)
    agent = Agent(settings, db_path)
    stop = threading.Event()
    thread = threading.Thread(target=agent.run, args=(stop,), daemon=True)
    thread.start()
    yield broker
    stop.set()
    thread.join(5)
    broker.stop()


def test_offline_banner_while_the_broker_is_down_and_selling_goes_on(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, agent_on: Broker,
        prompts: ScriptedPrompts) -> None:
    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)

    def link_online() -> bool:
        window.status.refresh()
        return window.status.state.online

    qtbot.waitUntil(link_online, timeout=8000)
    assert not window.banner.isVisible()
    assert "Online" in window.status.link_label.text()

    agent_on.kill()
    qtbot.waitUntil(lambda: not link_online(), timeout=8000)
    assert window.banner.isVisible()
    assert QApplication.activeModalWidget() is None

    window.enter_code(gtins(conn, 1)[0])
    qtbot.keyClick(window, Qt.Key.Key_F12)
    qtbot.keyClick(window, Qt.Key.Key_F6)  # exact cash
    assert window.tender_view.done and till.last_sale is not None
    window.status.refresh()
    assert window.banner.isVisible()
    pending = conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending' AND seq = ?",
                           (till.last_sale.event_seq,)).fetchone()[0]
    assert pending == 1
    assert "waiting" in window.status.link_label.text()
    assert "Offline" in window.banner.label.text()
