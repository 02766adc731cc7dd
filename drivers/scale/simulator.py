"""A simulated scale on a pty, speaking Toledo 8217 or Dialog 06 bytes; tests set its weight,
motion and over-capacity and the driver reads them through a real serial port.

With a `dialog06_key` it behaves like a Mettler Toledo Dialog 06 scale with the checksum
handshake (Coop IT Easy hw_scale_toledo, `_handle_weighing_answer`): it answers record 01 with
record 11 instead of ACK at power-on, after an error (a record it could not take, or a refused
checksum) and after every 50 weighings, and weighs again only once record 10 carried a checksum
and correction value that form a codeword of the key's CRC. That check is written here as the
scale sees it, the remainder of the whole 32-bit codeword, apart from the driver's computation.
"""

from __future__ import annotations

import random
import re
import threading

from drivers.device import PtyPair
from drivers.scale import dialog06, toledo8217

CHECKSUM_EVERY = 50  # weighings between two checksum requests
_RECORD_10 = re.compile(rb"^10\x1b([0-9A-F]{4})([0-9A-F]{4})$")


def _gf2_remainder(value: int, divisor: int) -> int:
    while value.bit_length() >= divisor.bit_length():
        value ^= divisor << (value.bit_length() - divisor.bit_length())
    return value


class ScaleSimulator:
    """`port` is the device path to give the driver. Attributes may change at any time."""

    def __init__(
        self,
        protocol: str = "toledo8217",
        *,
        dialog06_key: int | None = None,
        dialog06_unit: bytes = dialog06.KG,
        price_digits: int = 6,
        seed: int = 0,
    ) -> None:
        self.protocol = protocol
        # Dialog 06 record 02 as the scale is set up (DIVA Service Manual p. 54): its unit code
        # ("3" kg, "2" lb in 0.005 lb, or another to test refusal) and a 5- or 6-digit unit price.
        self.dialog06_unit = dialog06_unit
        self.price_digits = price_digits
        self.weight_grams = 0  # the gross load on the platter
        self.tare_grams = 0  # set by a Toledo "T": weights are then net, sent marked "N"
        self.motion = False
        self.over_capacity = False
        self.silent = False
        self.unit_price: int | None = None
        self.received = bytearray()
        self.dialog06_key = dialog06_key
        self.weighings = 0  # record 02 answers since the last accepted checksum
        self.checksum_requests = 0
        self.checksums_accepted = 0
        self._needs_checksum = dialog06_key is not None  # as at power-on
        self._z: int | None = None  # the Z of the record 11 the scale is waiting to see answered
        self._verdict: bool | None = None  # record 10 came; EOT ENQ gets this record 11
        self._rng = random.Random(seed)
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
        if self.weight_grams - self.tare_grams < 0:
            return toledo8217.UNDER_ZERO, "31"
        if self.motion:
            return toledo8217.MOTION, "20"
        return 0, "00"

    def _toledo_reply(self, command: bytes) -> bytes:
        bits, _ = self._condition()
        if command == toledo8217.REQUEST_WEIGHT:
            if bits:
                return toledo8217.encode_status(bits, net=self.tare_grams != 0)
            if self.tare_grams:
                return toledo8217.encode_weight(self.weight_grams - self.tare_grams, net=True)
            return toledo8217.encode_weight(self.weight_grams)
        if command == toledo8217.REQUEST_ZERO and not bits and not self.tare_grams:
            # Zero is captured only when stable and gross (DIVA Service Manual p. 44, "Z").
            self.weight_grams = 0
            return toledo8217.encode_status(toledo8217.CENTER_OF_ZERO)
        if command == toledo8217.REQUEST_TARE and not bits:
            self.tare_grams = self.weight_grams
        at_zero = toledo8217.CENTER_OF_ZERO * (not bits and self.weight_grams == self.tare_grams)
        return toledo8217.encode_status(bits | at_zero, net=self.tare_grams != 0)

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
        if self._verdict is not None:
            accepted, self._verdict = self._verdict, None
            return dialog06.encode_checksum_verdict(accepted)
        _, code = self._condition()
        if code != "00" or self.unit_price is None or self._needs_checksum:
            return bytes([dialog06.NAK])
        if self.weight_grams == 0:
            return bytes([dialog06.NAK])
        self.weighings += 1
        if self.dialog06_key is not None and self.weighings >= CHECKSUM_EVERY:
            self._needs_checksum = True
        # Round half up to a whole minor unit, as the scale's legal price calculation does.
        if self.dialog06_unit == dialog06.KG:
            weight = self.weight_grams
            amount = (self.weight_grams * self.unit_price + 500) // 1000
        else:
            # A pound scale shows the load to the nearest 0.005 lb and prices it per lb.
            steps = (self.weight_grams * 100_000_000 * 2 + 45_359_237 * 5) // (45_359_237 * 10)
            weight = steps * 5
            amount = (weight * self.unit_price + 500) // 1000
        return dialog06.encode_weight_record(
            weight, self.unit_price, amount, self.dialog06_unit, self.price_digits
        )

    def _dialog06_record(self, body: bytes) -> bytes:
        if body.startswith(b"01\x1b") and len(body) == 10 and body[3:9].isdigit():
            if self._needs_checksum:
                self.unit_price = None
                self._z = self._rng.randrange(256)
                self.checksum_requests += 1
                return dialog06.encode_checksum_request(self._z)
            price = int(body[3:9])
            if price >= 10**self.price_digits:  # more than its display holds: record 09 says 11
                self.unit_price = None
                return bytes([dialog06.NAK])
            self.unit_price = price
            return bytes([dialog06.ACK])
        if body == b"08":
            _, code = self._condition()
            if code == "00" and self.weight_grams == 0:
                code = "30"
            elif code == "00" and self.unit_price is None:
                code = "11"
            return dialog06.encode_status_record(code)
        record_10 = _RECORD_10.match(body)
        if record_10 is not None and self._z is not None and self.dialog06_key is not None:
            self._verdict = self._check(record_10.group(1), record_10.group(2), self._z)
            self._z = None
            if self._verdict:
                self._needs_checksum = False
                self.weighings = 0
                self.checksums_accepted += 1
            return bytes([dialog06.ACK])
        self._needs_checksum = self.dialog06_key is not None  # an error: ask again next time
        return bytes([dialog06.NAK])

    def _check(self, cs_field: bytes, kw_field: bytes, z: int) -> bool:
        """Undo the rotations, then the codeword CS·x^16 + KW must leave no remainder."""
        assert self.dialog06_key is not None
        checksum = dialog06.rotate_right16(int(cs_field, 16), z >> 4)
        correction = dialog06.rotate_left16(int(kw_field, 16), z & 0x0F)
        key = self.dialog06_key << (17 - self.dialog06_key.bit_length())
        return _gf2_remainder(checksum << 16 | correction, key) == 0
