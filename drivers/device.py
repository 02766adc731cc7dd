"""The common device model, after UnifiedPOS: open by logical name, claim, enable; input devices
emit data events; every device emits status and error events and answers a health check.

Rule: a device never raises into the caller's event loop for a device fault; a fault becomes an
`ErrorEvent` and a `Health` that says what is wrong. Only misuse (enable before claim) raises.
"""

from __future__ import annotations

import os
import select
import threading
import tty
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol


class DeviceState(Enum):
    CLOSED = "closed"
    OPEN = "open"
    CLAIMED = "claimed"
    ENABLED = "enabled"


class DeviceError(Exception):
    """A device could not do what was asked (absent, busy, misused).

    `code` is stable for callers.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class DeviceEvent:
    """Base of every event a device emits; `device` is the logical name."""

    device: str


@dataclass(frozen=True)
class StatusEvent(DeviceEvent):
    """A change of device condition, e.g. status="paper_out" or "cover_open" or "online"."""

    status: str
    detail: str = ""


@dataclass(frozen=True)
class ErrorEvent(DeviceEvent):
    """Something went wrong that the user may need to see (garbage read, link lost)."""

    code: str
    message: str
    data: bytes = b""


@dataclass(frozen=True)
class Health:
    ok: bool
    status: str
    detail: str = ""


Listener = Callable[[DeviceEvent], None]


@dataclass
class Device:
    """Lifecycle and event fan-out shared by every device kind.

    Subclasses implement `_open`, `_close` and `health`; input devices call `emit` from their reader
    thread. Listeners must be quick (a Qt adapter re-posts to the GUI thread).
    """

    name: str
    state: DeviceState = DeviceState.CLOSED
    _listeners: list[Listener] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def emit(self, event: DeviceEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    def open(self) -> None:
        with self._lock:
            if self.state is DeviceState.CLOSED:
                self._open()
                self.state = DeviceState.OPEN

    def claim(self) -> None:
        if self.state is DeviceState.CLOSED:
            raise DeviceError("not_open", f"{self.name}: open the device before claiming it")
        if self.state is DeviceState.OPEN:
            self.state = DeviceState.CLAIMED

    def enable(self) -> None:
        if self.state in (DeviceState.CLOSED, DeviceState.OPEN):
            raise DeviceError("not_claimed", f"{self.name}: claim the device before enabling it")
        self.state = DeviceState.ENABLED

    def disable(self) -> None:
        if self.state is DeviceState.ENABLED:
            self.state = DeviceState.CLAIMED

    def close(self) -> None:
        with self._lock:
            if self.state is not DeviceState.CLOSED:
                self._close()
                self.state = DeviceState.CLOSED

    def _open(self) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    def health(self) -> Health:
        raise NotImplementedError

    def wait_ready(self, timeout: float) -> None:
        """Wait (bounded) until `health()` tells the truth about a device just opened. Devices that
        learn their state in the background (a printer's status poll, an access point's radio)
        override it; `health()` itself never blocks, so an app can call it on its GUI thread."""


@dataclass(frozen=True)
class SerialSettings:
    """Line settings for a serial device; the defaults are the common POS 9600 8N1."""

    port: str
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: int = 1


def open_serial(settings: SerialSettings, timeout: float) -> SerialPort:
    """Open a pyserial port; a missing or busy port becomes a `DeviceError` the caller can show."""
    import termios

    import serial  # pyserial: imported here so the model imports on a machine without it

    try:
        port: SerialPort = serial.Serial(
            port=settings.port,
            baudrate=settings.baudrate,
            bytesize=settings.bytesize,
            parity=settings.parity,
            stopbits=settings.stopbits,
            timeout=timeout,
            exclusive=True,
        )
    except (serial.SerialException, OSError, ValueError, termios.error) as exc:
        # termios.error (not an OSError): the port refused the line settings, e.g. parity.
        raise DeviceError("open_failed", f"cannot open {settings.port}: {exc}") from exc
    return port


class SerialPort(Protocol):
    """The slice of `serial.Serial` the drivers use, so protocol tests can stand in a fake."""

    def read(self, size: int = 1) -> bytes: ...

    def write(self, data: bytes) -> int | None: ...

    def close(self) -> None: ...

    @property
    def in_waiting(self) -> int: ...


class PtyPair:
    """A pseudo-terminal pair: a driver opens `port` with pyserial, a simulator owns `master`.

    The slave end is put in raw mode and kept open, so nothing is echoed or translated (CR stays
    CR) and the master never sees EIO while the driver reconnects.
    """

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)

    def read(self, timeout: float) -> bytes:
        """Bytes the driver wrote, or b"" when none arrived within `timeout` seconds."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return b""
        try:
            return os.read(self.master, 4096)
        except OSError:
            return b""

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        for fd in (self.master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass
