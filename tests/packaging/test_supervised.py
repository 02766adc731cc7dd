"""The units' own commands under a supervisor that speaks systemd's protocol (systemd is not PID 1
on this machine, so the units cannot start here): the till and the sync agent say READY, ping the
watchdog from their loops, are restarted when their loop hangs (SIGSTOP: no more pings) and come
back after SIGKILL."""

from __future__ import annotations

import os
import re
import shlex
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.ledger.store import open_store
from tests.cloud_sync.harness import (
    Broker,
    agent_config,
    free_port,
    python_env,
    throwaway_database,
    wait_until,
)
from tests.packaging.supervisor import Supervisor
from tests.packaging.units import UNIT_DIR, read_unit


def unit_command(unit: str, db: Path, config: Path) -> list[str]:
    """The unit's ExecStart, with the package's paths pointed at this checkout and a test store;
    cage (no compositor here) is left out: Qt runs offscreen."""
    exec_start = read_unit(UNIT_DIR / unit)["Service"]["ExecStart"][0]
    text = exec_start.replace("/var/lib/pos/store.db", str(db)).replace("/etc/pos/store.toml", str(config))
    argv = shlex.split(text)
    if argv[0] == "/usr/bin/cage":
        argv = argv[argv.index("--") + 1:]
    assert argv[0] == "/opt/pos/current/venv/bin/pos"
    return [sys.executable, "-m", "cli.main", *argv[1:]]


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[list[Supervisor]]:
    running: list[Supervisor] = []
    yield running
    for sup in running:
        sup.stop()


def test_sync_agent_restarted_by_the_watchdog_when_its_loop_hangs_and_after_sigkill(
        tmp_path: Path, supervised: list[Supervisor]) -> None:
    db = tmp_path / "store.db"
    config = agent_config(tmp_path / "store.toml", "S001", "T01", free_port(), backoff_min=0.1)
    open_store(db).close()
    sup = Supervisor(unit_command("pos-sync.service", db, config), python_env(), tmp_path, 2.0)
    supervised.append(sup)
    sup.start()
    wait_until(lambda: len(sup.ready_pids()) == 1, 30, "agent ready")
    first = sup.ready_pids()[0]
    os.kill(first, signal.SIGSTOP)                       # a hung loop: no more pings
    wait_until(lambda: len(sup.ready_pids()) == 2, 30, "agent restarted after the watchdog")
    assert ("watchdog-timeout", first) in sup.events
    second = sup.ready_pids()[1]
    os.kill(second, signal.SIGKILL)
    wait_until(lambda: len(sup.ready_pids()) == 3, 30, "agent back after SIGKILL")
    assert ("exited", second) in sup.events
    assert len(set(sup.ready_pids())) == 3


def test_till_pings_from_the_qt_event_loop_and_comes_back_after_sigkill_and_a_hang(
        tmp_path: Path, supervised: list[Supervisor], db_path: Path) -> None:
    config = tmp_path / "store.toml"
    config.write_text("")
    env = {**python_env(), "QT_QPA_PLATFORM": "offscreen"}
    sup = Supervisor(unit_command("pos-till@.service", db_path, config), env, tmp_path, 3.0)
    supervised.append(sup)
    sup.start()
    wait_until(lambda: len(sup.ready_pids()) == 1, 60, "till window up")
    first = sup.ready_pids()[0]
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: len(sup.ready_pids()) == 2, 60, "till back after SIGKILL")
    second = sup.ready_pids()[1]
    os.kill(second, signal.SIGSTOP)
    wait_until(lambda: len(sup.ready_pids()) == 3, 60, "till restarted after its loop hung")
    assert ("exited", first) in sup.events and ("watchdog-timeout", second) in sup.events
    log = (tmp_path / "service.log").read_text(errors="replace")
    assert not re.search(r"Traceback", log), log[-2000:]


def test_hq_ingest_worker_unit_says_ready(tmp_path: Path, supervised: list[Supervisor]) -> None:
    exec_start = read_unit(UNIT_DIR / "pos-hq-ingest@.service")["Service"]["ExecStart"][0]
    values = {"POS_HQ_DB": f"sqlite:///{tmp_path / 'hq.db'}", "POS_HQ_BROKER": "127.0.0.1",
              "POS_HQ_BROKER_PORT": str(free_port()), "POS_HQ_BROKER_OPTIONS": ""}
    text = re.sub(r"\$\{?(\w+)\}?", lambda m: values[m.group(1)], exec_start)
    argv = shlex.split(text)
    sup = Supervisor([sys.executable, "-m", "cli.main", *argv[1:]], python_env(), tmp_path, 3600)
    supervised.append(sup)
    sup.start()
    wait_until(lambda: len(sup.ready_pids()) == 1, 30, "ingest worker ready")


def ingest_command(broker_port: int, db_url: str, workers: int = 1) -> list[str]:
    """pos-hq-ingest@.service's ExecStart with its EnvironmentFile (/etc/pos/hq.env) filled in."""
    exec_start = read_unit(UNIT_DIR / "pos-hq-ingest@.service")["Service"]["ExecStart"][0]
    env = {"POS_HQ_DB": db_url, "POS_HQ_BROKER": "127.0.0.1",
           "POS_HQ_BROKER_PORT": str(broker_port), "POS_HQ_BROKER_OPTIONS": "--insecure"}
    text = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: env[m.group(1) or m.group(2)], exec_start)
    argv = shlex.split(text)
    assert argv[0] == "/opt/pos/current/venv/bin/pos" and "--workers" in argv
    argv[argv.index("--workers") + 1] = str(workers)
    return [sys.executable, "-m", "cli.main", *argv[1:]]


def test_ingest_worker_restarted_by_the_watchdog_when_its_loop_hangs_and_after_sigkill(
        tmp_path: Path, supervised: list[Supervisor]) -> None:
    broker = Broker(tmp_path)
    try:
        with throwaway_database() as url:
            sup = Supervisor(ingest_command(broker.port, url), python_env(), tmp_path, 2.0)
            supervised.append(sup)
            sup.start()
            wait_until(lambda: len(sup.ready_pids()) == 1, 30, "ingest ready")
            first = sup.ready_pids()[0]
            os.kill(first, signal.SIGSTOP)                 # a hung ingest loop: no more pings
            wait_until(lambda: len(sup.ready_pids()) == 2, 30, "ingest restarted by the watchdog")
            assert ("watchdog-timeout", first) in sup.events
            second = sup.ready_pids()[1]
            os.kill(second, signal.SIGKILL)
            wait_until(lambda: len(sup.ready_pids()) == 3, 30, "ingest back after SIGKILL")
            assert ("exited", second) in sup.events
            sup.stop()
    finally:
        broker.stop()


def test_one_hung_worker_of_several_stops_the_ingest_watchdog(
        tmp_path: Path, supervised: list[Supervisor]) -> None:
    broker = Broker(tmp_path)
    try:
        with throwaway_database() as url:
            sup = Supervisor(ingest_command(broker.port, url, workers=2), python_env(), tmp_path,
                             12.0)
            supervised.append(sup)
            sup.start()
            wait_until(lambda: len(sup.ready_pids()) == 1, 30, "ingest ready")
            parent = sup.ready_pids()[0]

            def workers() -> list[int]:
                children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
                return [int(pid) for pid in children
                        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]

            wait_until(lambda: len(workers()) == 2, 30, "two workers")
            os.kill(workers()[0], signal.SIGSTOP)            # one worker's loop hangs
            wait_until(lambda: ("watchdog-timeout", parent) in sup.events, 40,
                       "the parent stops pinging for its hung worker")
            wait_until(lambda: len(sup.ready_pids()) == 2, 30, "ingest restarted")
            sup.stop()
    finally:
        broker.stop()
