"""Running as a systemd service: sd_notify over a real datagram socket, the watchdog pinged from
the agent's own loop, and one sync agent per database (a second is refused, a killed one's lease
goes with it)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli._systemd import Watchdog, sd_notify
from edge.ledger.lease import LeaseError, hold_lease
from edge.ledger.store import open_store
from tests.cloud_sync.harness import ROOT, agent_config, free_port, python_env


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(20)
    yield sock, path
    sock.close()


def test_watchdog_says_ready_then_pings_at_half_the_interval(
        notify_socket: tuple[socket.socket, str]) -> None:
    sock, path = notify_socket
    now = [100.0]
    dog = Watchdog("agent up", {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "2000000"}, lambda: now[0])
    dog.ping()
    assert sock.recv(100) == b"READY=1\nSTATUS=agent up"
    now[0] += 0.5
    dog.ping()                                   # too soon: nothing sent
    now[0] += 0.6
    dog.ping()
    assert sock.recv(100) == b"WATCHDOG=1"
    sock.settimeout(0.05)
    with pytest.raises(TimeoutError):
        sock.recv(100)


def test_the_app_under_cage_pings_for_its_parent_but_not_for_a_stranger(
        notify_socket: tuple[socket.socket, str]) -> None:
    sock, path = notify_socket
    now = [0.0]
    for pid, pings in ((os.getppid(), True), (1, False)):
        environ = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": str(pid)}
        dog = Watchdog("", environ, lambda: now[0])
        dog.ping()
        assert sock.recv(100) == b"READY=1"
        now[0] += 1
        dog.ping()
        sock.settimeout(0.2)
        if pings:
            assert sock.recv(100) == b"WATCHDOG=1"
        else:
            with pytest.raises(TimeoutError):
                sock.recv(100)


def test_outside_systemd_notify_is_a_no_op() -> None:
    assert sd_notify("READY=1", {}) is False
    Watchdog(environ={}).ping()


def sync_agent(tmp_path: Path, notify: str) -> subprocess.Popen[bytes]:
    env = {**python_env(), "NOTIFY_SOCKET": notify, "WATCHDOG_USEC": "400000"}
    env.pop("WATCHDOG_PID", None)
    return subprocess.Popen([sys.executable, "-m", "cli.main", "sync", "--db", str(tmp_path / "s.db"),
                             "--config", str(tmp_path / "store.toml")],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_second_sync_agent_on_one_database_is_refused_and_a_killed_ones_lease_is_freed(
        tmp_path: Path, notify_socket: tuple[socket.socket, str]) -> None:
    sock, path = notify_socket
    open_store(tmp_path / "s.db").close()
    # No broker on this port: the agent runs offline, its loop turning and pinging.
    agent_config(tmp_path / "store.toml", "S001", "T01", free_port(), backoff_min=0.1)
    first = sync_agent(tmp_path, path)
    try:
        assert sock.recv(100).startswith(b"READY=1")
        assert sock.recv(100) == b"WATCHDOG=1"           # from the agent loop, every 0.2 s
        second = subprocess.run([sys.executable, "-m", "cli.main", "sync", "--db",
                                 str(tmp_path / "s.db"), "--config", str(tmp_path / "store.toml")],
                                cwd=ROOT, env=python_env(), capture_output=True, text=True, timeout=30)
        assert second.returncode == 1
        assert f"in use by pos sync (pid {first.pid}): only one sync per database" in second.stderr
        with pytest.raises(LeaseError, match="pos sync"):
            with hold_lease(tmp_path / "s.db", "pos restore"):
                pass
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        with hold_lease(tmp_path / "s.db", "pos restore"):      # the kernel dropped the flock
            pass
    finally:
        first.kill()
        first.wait(10)
