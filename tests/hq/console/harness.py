"""The HQ web app on a real uvicorn: in a thread of the test (`Served`), or as its own process
through `pos hq console` / `pos invoice serve` (`ServedProcess`), each on a free port."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from hq.console.app import ConsoleSettings, create_app
from hq.console.server import make_server
from tests.cloud_sync.harness import _port_open, free_port, python_env, wait_until


class Served:
    def __init__(self, settings: ConsoleSettings) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = make_server(create_app(settings), "127.0.0.1", self.port, settings.limits)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        wait_until(lambda: self.server.started, 20, "uvicorn to start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class ServedProcess:
    def __init__(self, argv: list[str], log: Path) -> None:
        """`argv` of `pos`, with {port} where the free port goes."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "cli.main",
                                      *(a.format(port=self.port) for a in argv)],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=python_env())
        wait_until(lambda: _port_open(self.port) or self.proc.poll() is not None, 30,
                   "the server to listen")
        assert self.proc.poll() is None, log.read_text()

    def peak_rss_mb(self) -> float:
        return _status_kb(self.proc.pid, "VmHWM") / 1024

    def rss_mb(self) -> float:
        return _status_kb(self.proc.pid, "VmRSS") / 1024

    def stop(self) -> Any:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.log.close()


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")
