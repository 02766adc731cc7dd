"""Fixtures: a simulated printer on a real TCP socket, and an enabled printer device talking to it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.device import DeviceEvent, StatusEvent
from drivers.printer.print_queue import QueueTimings
from drivers.printer.printer import PrinterDevice
from drivers.printer.profiles import PROFILE_58MM, PrinterProfile
from drivers.printer.simulator import PrinterSimulator
from drivers.printer.tcp import TcpTransport

FAST = QueueTimings(
    poll=0.01, status_interval=0.03, status_timeout=1.0, ack_timeout=3.0, reconnect_delay=0.05
)


class Events:
    """Collects device events; `wait_status` waits (bounded) for one with a given status."""

    def __init__(self) -> None:
        self.items: list[DeviceEvent] = []
        self._cond = threading.Condition()

    def __call__(self, event: DeviceEvent) -> None:
        with self._cond:
            self.items.append(event)
            self._cond.notify_all()

    def statuses(self) -> list[str]:
        with self._cond:
            return [e.status for e in self.items if isinstance(e, StatusEvent)]

    def wait_status(self, status: str, timeout: float = 5.0) -> StatusEvent:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for e in self.items:
                    if isinstance(e, StatusEvent) and e.status == status:
                        return e
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no {status!r} event; got {self.statuses()}")
                self._cond.wait(remaining)


@pytest.fixture
def sim() -> Iterator[PrinterSimulator]:
    simulator = PrinterSimulator().start()
    yield simulator
    simulator.kill()


MakePrinter = Callable[..., tuple[PrinterDevice, Events]]


@pytest.fixture
def make_printer(tmp_path: Path) -> Iterator[MakePrinter]:
    made: list[PrinterDevice] = []

    def make(
        port: int, profile: PrinterProfile = PROFILE_58MM, db: str = "queue.sqlite", **kw: object
    ) -> tuple[PrinterDevice, Events]:
        printer = PrinterDevice(
            "receipt",
            transport=TcpTransport("127.0.0.1", port, connect_timeout=0.5),
            profile=profile,
            queue_path=tmp_path / db,
            timings=FAST,
            **kw,  # type: ignore[arg-type]
        )
        events = Events()
        printer.add_listener(events)
        printer.open()
        printer.claim()
        printer.enable()
        made.append(printer)
        return printer, events

    yield make
    for printer in made:
        printer.close()
