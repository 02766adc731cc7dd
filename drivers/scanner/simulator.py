"""A simulated serial scanner: writes the bytes a real one sends into a pty the driver opens."""

from __future__ import annotations

from drivers.device import PtyPair
from drivers.scanner.protocol import encode_scan


class ScannerSimulator:
    """`port` is the device path to give the driver; `scan()` sends one framed barcode."""

    def __init__(self, prefix: bytes = b"", suffix: bytes = b"\r") -> None:
        self._pty = PtyPair()
        self.port = self._pty.port
        self.prefix = prefix
        self.suffix = suffix

    def scan(self, data: str, symbology: str = "") -> None:
        self._pty.write(encode_scan(data, symbology, self.prefix, self.suffix))

    def send_raw(self, data: bytes) -> None:
        """Bytes as-is, for cut-off frames and line noise."""
        self._pty.write(data)

    def close(self) -> None:
        self._pty.close()
