"""A stand-in for systemd where systemd cannot run (here PID 1 is not systemd): starts a unit's
command with $NOTIFY_SOCKET and $WATCHDOG_USEC, reads the sd_notify datagrams with the sender's
credentials, and applies Type=notify, WatchdogSec= and Restart= the way systemd does (a missed
watchdog: SIGABRT to the control group, then SIGKILL; a dead service: started again).
It speaks the real protocol: the services under test cannot tell it from systemd."""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path


class Supervisor:
    def __init__(self, argv: list[str], env: dict[str, str], workdir: Path,
                 watchdog_s: float, restart_s: float = 0.3) -> None:
        self.argv, self.env, self.watchdog_s, self.restart_s = argv, env, watchdog_s, restart_s
        self.path = str(workdir / "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.settimeout(0.05)
        self.events: list[tuple[str, int]] = []
        self.proc: subprocess.Popen[bytes] | None = None
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.log = open(workdir / "service.log", "ab")

    def start(self) -> None:
        self._spawn()
        self.thread.start()

    def _spawn(self) -> None:
        env = {**self.env, "NOTIFY_SOCKET": self.path,
               "WATCHDOG_USEC": str(int(self.watchdog_s * 1e6))}
        # Its own process group: the "control group" that a kill reaches entirely.
        self.proc = subprocess.Popen(self.argv, env=env, stdout=self.log, stderr=self.log,
                                     start_new_session=True)
        self.ready = False
        self.last_ping = time.monotonic()

    def _loop(self) -> None:
        while not self.stop_flag.is_set():
            self._receive()
            assert self.proc is not None
            if self.proc.poll() is not None:
                self.events.append(("exited", self.proc.pid))
                time.sleep(self.restart_s)                       # Restart=always
                self._spawn()
            elif self.ready and time.monotonic() - self.last_ping > self.watchdog_s:
                self.events.append(("watchdog-timeout", self.proc.pid))
                self._kill_group(signal.SIGABRT)
                try:
                    self.proc.wait(2)
                except subprocess.TimeoutExpired:
                    self._kill_group(signal.SIGKILL)
                    self.proc.wait(5)

    def _receive(self) -> None:
        try:
            data, ancillary, _flags, _addr = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
        except TimeoutError:
            return
        sender = 0
        for level, kind, body in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                sender = struct.unpack("iII", body[:12])[0]
        assert self.proc is not None
        if sender != self.proc.pid:                        # NotifyAccess=main
            self.events.append(("ignored", sender))
            return
        for field in data.decode().splitlines():
            if field == "READY=1":
                self.ready = True
                self.last_ping = time.monotonic()
                self.events.append(("ready", sender))
            elif field == "WATCHDOG=1":
                self.last_ping = time.monotonic()

    def _kill_group(self, sig: int) -> None:
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def ready_pids(self) -> list[int]:
        return [pid for what, pid in self.events if what == "ready"]

    def stop(self) -> None:
        self.stop_flag.set()
        self.thread.join(5)
        if self.proc and self.proc.poll() is None:
            self._kill_group(signal.SIGKILL)
            self.proc.wait(5)
        self.sock.close()
        self.log.close()
