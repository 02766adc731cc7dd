"""A barcode scanner on a serial or USB-CDC port: a reader thread feeding `ScannerProtocol`."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from drivers.device import (
    Device,
    DeviceState,
    ErrorEvent,
    Health,
    SerialPort,
    SerialSettings,
    open_serial,
)
from drivers.scanner.protocol import ScannerProtocol

# A scanner sends a whole frame in one burst; this much silence inside a frame means it was cut.
FRAME_GAP_SECONDS = 0.2
_POLL_SECONDS = 0.05


@dataclass
class SerialScanner(Device):
    """Emits `ScanEvent` / `PaymentCodeEvent` / `ErrorEvent` while enabled."""

    settings: SerialSettings = field(default_factory=lambda: SerialSettings(port=""))
    prefix: bytes = b""
    suffix: bytes | None = None
    aim_ids: bool = True
    frame_gap: float = FRAME_GAP_SECONDS
    _port: SerialPort | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _link_error: str = field(default="", repr=False)

    def _open(self) -> None:
        self._port = open_serial(self.settings, timeout=_POLL_SECONDS)
        self._protocol = ScannerProtocol(
            self.name, prefix=self.prefix, suffix=self.suffix, aim_ids=self.aim_ids
        )
        self._stop.clear()
        self._link_error = ""
        self._thread = threading.Thread(target=self._read_loop, name=f"scanner-{self.name}")
        self._thread.daemon = True
        self._thread.start()

    def _close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        if self._port is not None:
            self._port.close()
        self._port = None
        self._thread = None

    def health(self) -> Health:
        if self.state is DeviceState.CLOSED or self._port is None:
            return Health(False, "closed", f"{self.settings.port} is not open")
        if self._link_error:
            return Health(False, "link_lost", self._link_error)
        return Health(True, "online", self.settings.port)

    def _read_loop(self) -> None:
        port = self._port
        assert port is not None
        last_byte = time.monotonic()
        while not self._stop.is_set():
            try:
                data = port.read(max(1, port.in_waiting))
            except Exception as exc:  # pyserial raises several types when a USB-CDC port vanishes
                self._link_error = str(exc)
                self.emit(ErrorEvent(self.name, "link_lost", f"read failed: {exc}"))
                return
            now = time.monotonic()
            if data:
                last_byte = now
                self._protocol.receive_data(data)
            elif self._protocol.pending and now - last_byte > self.frame_gap:
                self._protocol.timeout()
            self._deliver()

    def _deliver(self) -> None:
        while (event := self._protocol.next_event()) is not None:
            # A disabled scanner is switched off for the till (UnifiedPOS): its reads are not sales.
            if self.state is DeviceState.ENABLED:
                self.emit(event)
