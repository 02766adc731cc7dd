"""A simulated scale on a pty, speaking Toledo 8217 or Dialog 06 bytes; tests set its weight,
motion and over-capacity and the driver reads them through a real serial port.
"""

from __future__ import annotations

import threading

from drivers.device import PtyPair
from drivers.scale import dialog06, toledo8217


class ScaleSimulator:
    """`port` is the device path to give the driver. Attributes may change at any time."""

    def __init__(self, protocol: str = "toledo8217") -> None:
        self.protocol = protocol
        self.weight_grams = 0
        self.motion = False
        self.over_capacity = False
        self.silent = False
        self.unit_price: int | None = None
        self.received = bytearray()
        self._pty = PtyPair()
        self.port = self._pty.port
        self._stop = threading.Event()
        self._pending = bytearray()
        self._thread = threading.Thread(target=self._serve, name="scale-sim", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1.0)
        self._pty.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            data = self._pty.read(0.05)
            if not data:
                continue
            self.received += data
            if self.silent:
                continue
            if self.protocol == "toledo8217":
                for byte in data:
                    self._pty.write(self._toledo_reply(bytes([byte])))
            else:
                self._pending += data
                self._dialog06_replies()

    def _condition(self) -> tuple[int, str]:
        """The state as (Toledo status bits, Dialog 06 status code); (0, "00") when weighable."""
        if self.over_capacity:
            return toledo8217.OVER_CAPACITY, "32"
        if self.weight_grams < 0:
            return toledo8217.UNDER_ZERO, "31"
        if self.motion:
            return toledo8217.MOTION, "20"
        return 0, "00"

    def _toledo_reply(self, command: bytes) -> bytes:
        bits, _ = self._condition()
        if command == toledo8217.REQUEST_WEIGHT:
            return (
                toledo8217.encode_weight(self.weight_grams) if not bits else (toledo8217.encode_status(bits))
            )
        if command == toledo8217.REQUEST_ZERO and not bits:
            self.weight_grams = 0
            return toledo8217.encode_status(toledo8217.CENTER_OF_ZERO)
        if command == toledo8217.REQUEST_TARE and not bits:
            self.weight_grams = 0
        return toledo8217.encode_status(bits | (toledo8217.CENTER_OF_ZERO * (not bits)))

    def _dialog06_replies(self) -> None:
        while True:
            buffer = bytes(self._pending)
            if buffer.startswith(dialog06.REQUEST_WEIGHT):
                del self._pending[:2]
                self._pty.write(self._dialog06_weight())
            elif buffer.startswith(bytes([dialog06.EOT, dialog06.STX])) and dialog06.ETX in buffer:
                end = buffer.index(dialog06.ETX) + 1
                del self._pending[:end]
                self._pty.write(self._dialog06_record(buffer[2 : end - 1]))
            elif buffer and buffer[0] != dialog06.EOT:
                del self._pending[:1]  # line noise: a real scale ignores it too
            else:
                return

    def _dialog06_weight(self) -> bytes:
        _, code = self._condition()
        if code != "00" or self.unit_price is None:
            return bytes([dialog06.NAK])
        if self.weight_grams == 0:
            return bytes([dialog06.NAK])
        # Round half up to a whole minor unit, as the scale's legal price calculation does.
        amount = (self.weight_grams * self.unit_price + 500) // 1000
        return dialog06.encode_weight_record(self.weight_grams, self.unit_price, amount)

    def _dialog06_record(self, body: bytes) -> bytes:
        if body.startswith(b"01\x1b") and len(body) == 10 and body[3:9].isdigit():
            self.unit_price = int(body[3:9])
            return bytes([dialog06.ACK])
        if body == b"08":
            _, code = self._condition()
            if code == "00" and self.weight_grams == 0:
                code = "30"
            elif code == "00" and self.unit_price is None:
                code = "11"
            return dialog06.encode_status_record(code)
        return bytes([dialog06.NAK])
