"""Talking to systemd from a service: sd_notify over the $NOTIFY_SOCKET datagram socket (the
protocol is one line per field, no library needed) and a watchdog pinged from a service's own loop.

Rule: the watchdog is pinged only from the loop it vouches for (the Qt event loop, the agent's
step), never from a thread of its own, so a hung loop stops the pings and systemd restarts it.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable


def sd_notify(state: str, environ: dict[str, str] | None = None) -> bool:
    """Send `state` ("READY=1", "WATCHDOG=1", "STATUS=...") to systemd; False when not under
    systemd (no $NOTIFY_SOCKET) or when the socket is gone."""
    address = (environ if environ is not None else os.environ).get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):             # an abstract socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
    except OSError:
        return False
    return True


class Watchdog:
    """READY=1 on the first ping, then WATCHDOG=1 at most every half of $WATCHDOG_USEC (systemd's
    advice); cheap enough to call on every turn of a loop."""

    def __init__(self, status: str = "", environ: dict[str, str] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.environ = dict(os.environ if environ is None else environ)
        usec = self.environ.get("WATCHDOG_USEC", "")
        pid = self.environ.get("WATCHDOG_PID", "")
        # systemd names its main process; under cage (NotifyAccess=all) that is our parent.
        for_us = not pid or pid in (str(os.getpid()), str(os.getppid()))
        self.interval = int(usec) / 2e6 if usec.isdigit() and for_us else None
        self.status = status
        self.clock = clock
        self.ready = False
        self.last = 0.0

    def ping(self) -> None:
        now = self.clock()
        if not self.ready:
            self.ready = True
            self.last = now
            sd_notify("READY=1" + (f"\nSTATUS={self.status}" if self.status else ""), self.environ)
        elif self.interval is not None and now - self.last >= self.interval:
            self.last = now
            sd_notify("WATCHDOG=1", self.environ)

    def stopping(self) -> None:
        sd_notify("STOPPING=1", self.environ)


def ping_after_each(step: Callable[[], None], watchdog: Watchdog) -> Callable[[], None]:
    """`step` that pings `watchdog` each time it returns."""
    def watched() -> None:
        step()
        watchdog.ping()
    return watched
