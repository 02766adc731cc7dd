"""Serial transport (RS-232 or USB-serial) through pyserial; `url` may be any pyserial URL.

Rule: every read and write has a timeout; a pyserial failure raises `LinkLost`.
"""

from __future__ import annotations

import serial

from drivers.printer.transport import LinkLost


class SerialTransport:
    def __init__(
        self, url: str, baudrate: int = 19200, *, flow: str = "dsrdtr", write_timeout: float = 5.0
    ) -> None:
        # XON/XOFF is not offered: its 0x11 / 0x13 would land among the status replies.
        if flow not in ("dsrdtr", "rtscts", "none"):
            raise ValueError(f"serial flow control must be dsrdtr, rtscts or none: {flow!r}")
        self.url = url
        self.baudrate = baudrate
        self.flow = flow
        self.write_timeout = write_timeout
        self._port: serial.SerialBase | None = None

    def open(self) -> None:
        self.close()
        try:
            # Epson-style printers signal BUSY on DTR (the host's DSR) when their buffer fills.
            self._port = serial.serial_for_url(
                self.url,
                baudrate=self.baudrate,
                dsrdtr=self.flow == "dsrdtr",
                rtscts=self.flow == "rtscts",
                write_timeout=self.write_timeout,
            )
        except (serial.SerialException, ValueError) as exc:
            raise LinkLost(f"cannot open {self.url}: {exc}") from exc

    def close(self) -> None:
        if self._port is not None:
            try:
                self._port.close()
            finally:
                self._port = None

    def _serial(self) -> serial.SerialBase:
        if self._port is None:
            raise LinkLost(f"{self.url} is not open")
        return self._port

    def write(self, data: bytes) -> None:
        try:
            self._serial().write(data)
        except serial.SerialException as exc:
            self.close()
            raise LinkLost(f"write to {self.url} failed: {exc}") from exc

    def read(self, timeout: float) -> bytes:
        port = self._serial()
        try:
            port.timeout = max(timeout, 0.001)
            first = port.read(1)
            return first + port.read(port.in_waiting) if first else b""
        except serial.SerialException as exc:
            self.close()
            raise LinkLost(f"read from {self.url} failed: {exc}") from exc
