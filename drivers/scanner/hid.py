"""A USB HID keyboard-wedge scanner through evdev, grabbed so scans never type into other windows;
its keys are read in the layout the scanner types (`keyboard_layout`, keymap.py).

evdev is optional: without it the package still imports and `open()` fails with a clear
`DeviceError`; the keymap core (`keymap.py`) needs no evdev at all.
"""

from __future__ import annotations

import select
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from drivers.device import Device, DeviceError, DeviceState, ErrorEvent, Health
from drivers.scanner.keymap import DEFAULT_LAYOUT, KeymapDecoder, layout_named
from drivers.scanner.protocol import ScannerProtocol

try:
    import evdev
except ImportError:  # evdev needs Linux and a compiler; tills have it, dev laptops may not
    evdev = None

HAVE_EVDEV = evdev is not None

EV_KEY = 1
FRAME_GAP_SECONDS = 0.2


@dataclass
class HidScanner(Device):
    """Reads `/dev/input/eventN` (better: a stable `/dev/input/by-id/...` path) exclusively."""

    path: str = ""
    keyboard_layout: str = DEFAULT_LAYOUT  # the xkb layout the scanner is set to type
    frame_gap: float = FRAME_GAP_SECONDS
    _input: Any = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _link_error: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        try:
            layout_named(self.keyboard_layout)
        except ValueError as exc:
            raise DeviceError("bad_config", f"{self.name}: {exc}") from None

    def _open(self) -> None:
        if evdev is None:
            raise DeviceError("missing_dependency", "python-evdev is not installed")
        try:
            self._input = evdev.InputDevice(self.path)
            # EVIOCGRAB: while grabbed, the kernel gives this device's keys to us alone, so a
            # scan can never land in the cashier's search box or another application.
            self._input.grab()
        except OSError as exc:
            raise DeviceError("open_failed", f"cannot grab {self.path}: {exc}") from exc
        self._protocol = ScannerProtocol(self.name, suffix=b"\r")
        self._keymap = KeymapDecoder(self.keyboard_layout)
        self._stop.clear()
        self._thread = threading.Thread(target=self._read_loop, name=f"hid-{self.name}")
        self._thread.daemon = True
        self._thread.start()

    def _close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        if self._input is not None:
            try:
                self._input.ungrab()
            except OSError:
                pass
            self._input.close()
        self._input = None

    def health(self) -> Health:
        if self._input is None:
            return Health(False, "closed", f"{self.path} is not open")
        if self._link_error:
            return Health(False, "link_lost", self._link_error)
        return Health(True, "online", f"{self.path} (grabbed)")

    def _read_loop(self) -> None:
        last_key = time.monotonic()
        while not self._stop.is_set():
            ready, _, _ = select.select([self._input.fd], [], [], 0.05)
            now = time.monotonic()
            if not ready:
                if self._protocol.pending and now - last_key > self.frame_gap:
                    self._protocol.timeout()
                    self._deliver()
                continue
            try:
                events = list(self._input.read())
            except OSError as exc:  # unplugged
                self._link_error = str(exc)
                self.emit(ErrorEvent(self.name, "link_lost", f"read failed: {exc}"))
                return
            for event in events:
                if event.type == EV_KEY:
                    last_key = now
                    char = self._keymap.feed(event.code, event.value)
                    if char:
                        self._protocol.receive_data(char.encode("utf-8"))
            self._deliver()

    def _deliver(self) -> None:
        while (event := self._protocol.next_event()) is not None:
            if self.state is DeviceState.ENABLED:
                self.emit(event)
