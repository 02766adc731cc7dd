"""The receipt printer as a UnifiedPOS device: open starts its print queue, print returns a job id.

Rule: nothing here waits for the printer. Faults arrive as StatusEvent / ErrorEvent from the
queue's thread and show in `health()`; only misuse (printing before enable) raises.
"""

from __future__ import annotations

from pathlib import Path

from drivers.device import Device, DeviceError, DeviceState, Health
from drivers.printer.document import Document, Text
from drivers.printer.drawer import CashDrawer
from drivers.printer.link import PrinterLink
from drivers.printer.print_queue import Job, PrintQueue, QueueTimings
from drivers.printer.profiles import PrinterProfile
from drivers.printer.render import render_block, render_chunks
from drivers.printer.transport import Transport

# The line printed before a chunk the queue sends again because it cannot know whether the printer
# printed it (print_queue.py): the reader sees that the line after it may repeat the one before.
CONTINUED_TEXT = "-- 接上页 continued --"


class PrinterDevice(Device):
    def __init__(
        self,
        name: str,
        *,
        transport: Transport,
        profile: PrinterProfile,
        queue_path: str | Path,
        drawer_pin: int = 0,
        drawer_open_when_high: bool = True,
        timings: QueueTimings | None = None,
    ) -> None:
        super().__init__(name)
        self.profile = profile
        self.link = PrinterLink(transport, drawer_open_when_high=drawer_open_when_high)
        self._queue_path = queue_path
        self._drawer_pin = drawer_pin
        self._timings = timings
        self._queue: PrintQueue | None = None
        self._drawer: CashDrawer | None = None

    def _open(self) -> None:
        self._queue = PrintQueue(
            self._queue_path,
            self.link,
            device_name=self.name,
            emit=self.emit,
            timings=self._timings,
            continued_marker=render_block(Text(CONTINUED_TEXT, align="center"), self.profile),
        )
        self._drawer = CashDrawer(self._queue, pin=self._drawer_pin)
        self._queue.start()

    def _close(self) -> None:
        if self._queue is not None:
            self._queue.close()
        self._queue = None
        self._drawer = None

    @property
    def queue(self) -> PrintQueue:
        if self._queue is None:
            raise DeviceError("not_open", f"{self.name}: open the printer first")
        return self._queue

    @property
    def drawer(self) -> CashDrawer:
        if self._drawer is None:
            raise DeviceError("not_open", f"{self.name}: open the printer first")
        return self._drawer

    def print(self, document: Document) -> int:
        """Queue a document; returns the job id at once."""
        if self.state is not DeviceState.ENABLED:
            raise DeviceError("not_enabled", f"{self.name}: enable the printer before printing")
        return self.queue.submit(render_chunks(document, self.profile))

    def reprint(self, job_id: int) -> int:
        if self.state is not DeviceState.ENABLED:
            raise DeviceError("not_enabled", f"{self.name}: enable the printer before printing")
        return self.queue.reprint(job_id)

    def job(self, job_id: int) -> Job:
        return self.queue.job(job_id)

    def wait_ready(self, timeout: float) -> None:
        """Until the queue's first status poll was answered, or the link failed once."""
        if self._queue is not None:
            self._queue.wait_heard(timeout)

    def health(self) -> Health:
        """The printer's condition from the queue's status polls ("unknown" before the first)."""
        if self._queue is None:
            return Health(False, "closed")
        status = self._queue.status
        if self._queue.condition == "offline" or status is None:
            return Health(False, self._queue.condition, self._queue.last_error)
        return Health(status.ready, status.condition, f"{self.profile.name} {self.profile.encoding}")
