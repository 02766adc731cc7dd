"""`pos till` (the Qt window) and `pos kiosk` ask HQ for points and coupons as `pos till
--headless` does: the Till they build has `hq` from the store's TOML when `[sync]` names a broker
(cloud_sync.lookup.hq_lookups_for), and none (the offline rules) without a TOML. The CLI runs
for real up to the window; only Qt's event loop is left out (run_window builds the window and
returns)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from cli.main import main
from cloud_sync.lookup import HqLookups
from edge.ledger.store import open_store
from ui.till import till_app

SYNC = '[sync]\nhost = "127.0.0.1"\nport = 18883\ninsecure = true\n'


def built_till(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str,
               sync: bool) -> Any:
    db = tmp_path / "store.db"
    open_store(db).close()
    toml = tmp_path / "store.toml"
    if sync:
        toml.write_text('[store]\nstore_id = "S009"\nterminal_id = "T03"\nlocale = "en"\n' + SYNC,
                        "utf-8")
        toml.chmod(0o600)
    windows: list[Any] = []

    def run_window(conn: Any, config: Any, build: Callable[[Any], Any], *args: Any,
                   **kwargs: Any) -> int:
        window = build(None)
        qtbot.addWidget(window)
        windows.append(window)
        return 0

    monkeypatch.setattr(till_app, "run_window", run_window)
    monkeypatch.setattr(till_app, "loop_heartbeats", [])      # no systemd watchdog left behind
    assert main([command, "--db", str(db), "--config", str(toml), "--windowed"]) == 0
    [window] = windows
    return window.till


@pytest.mark.parametrize("command", ["till", "kiosk"])
def test_the_lane_asks_hq_through_the_broker_sync_names(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str) -> None:
    till = built_till(qtbot, monkeypatch, tmp_path, command, sync=True)
    assert isinstance(till.hq, HqLookups)
    assert (till.hq.store, till.hq.terminal, till.hq.broker.port) == ("S009", "T03", 18883)


@pytest.mark.parametrize("command", ["till", "kiosk"])
def test_without_the_stores_toml_the_lane_keeps_its_offline_rules(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str) -> None:
    assert built_till(qtbot, monkeypatch, tmp_path, command, sync=False).hq is None
