"""`pos hq ingest --workers N` leaves nothing behind when its parent is SIGKILLed: the workers
(and multiprocessing's resource tracker) go with it, so a supervisor's restart runs N, not 2N."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.cloud_sync.harness import ROOT, free_port, python_env, wait_until


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_ingest_workers_die_when_their_parent_is_killed(tmp_path: Path) -> None:
    # No broker on this port: the workers keep retrying, alive, which is all this test needs.
    parent = subprocess.Popen([sys.executable, "-m", "cli.main", "hq", "ingest", "--workers", "3",
                               "--db", f"sqlite:///{tmp_path / 'hq.db'}", "--port", str(free_port())],
                              cwd=ROOT, env=python_env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    spawned: set[int] = set()
    try:
        # three workers and the resource tracker
        wait_until(lambda: len(children(parent.pid)) >= 4, 60, "workers started")
        spawned = children(parent.pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        wait_until(lambda: not any(alive(pid) for pid in spawned), 20,
                   "every worker and the resource tracker gone")
    finally:
        parent.kill()
        for pid in spawned | children(parent.pid):     # no orphans from this test either
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
