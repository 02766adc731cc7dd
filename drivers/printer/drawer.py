"""The cash drawer on the printer's drawer-kick connector: kick with ESC p, sense with DLE EOT 1.

Rule: the drawer shares the printer's link, so every drawer action runs on the print queue's
thread (between chunks or while a job waits); `kick` returns at once, and only `is_open` and
`wait_closed` wait, each within the timeout the caller gives.
"""

from __future__ import annotations

import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from drivers.device import DeviceError
from drivers.printer.link import PrinterLink
from drivers.printer.print_queue import PrintQueue
from drivers.printer.render import drawer_kick


class CashDrawer:
    def __init__(self, queue: PrintQueue, *, pin: int = 0, status_timeout: float = 1.0) -> None:
        self._queue = queue
        self._kick = drawer_kick(pin)
        self._status_timeout = status_timeout

    def kick(self) -> Future[None]:
        """Open the drawer. The pulse goes out in order with the printer's data: if the printer
        is stopped on paper-out it executes the pulse when it resumes."""
        kick = self._kick
        return self._queue.call(lambda link: link.write(kick))

    def is_open(self, timeout: float = 2.0) -> bool:
        def read(link: PrinterLink) -> bool:
            return link.poll_status(min(timeout, self._status_timeout)).drawer_open

        try:
            return self._queue.call(read).result(timeout)
        except FutureTimeout as exc:
            raise DeviceError("timeout", "the drawer status did not come back in time") from exc

    def wait_closed(self, timeout: float, poll: float = 0.1) -> bool:
        """True once the drawer reads closed; False if it is still open (or unknown) at timeout."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                if not self.is_open(remaining):
                    return True
            except DeviceError:
                pass  # link down or slow: keep trying until the caller's deadline
            time.sleep(min(poll, max(deadline - time.monotonic(), 0)))
