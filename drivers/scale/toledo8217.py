"""The Mettler Toledo 8217 (8213 "demand") protocol core, with no I/O.

Framing, from the Toledo 8213 demand format (Transcell PC-150 manual, appendix B.1.4) and the
Brecknell 67xxU service manual §7.6.3 "8213-SCP03", which 8217 mode follows:
- host → scale: one ASCII byte: "W" weight, "Z" zero, "T" tare.
- scale → host, stable weight: STX, the displayed weight with its decimal point (kg, e.g.
  "01.234"), CR. The scale answers with a weight only when it is stable and in range. Scales
  that right-align the display field pad it with leading spaces, and a tared scale marks a net
  weight with a trailing "N": STX " 1.234N" CR (issue 12, a tared scale's reply).
- scale → host, otherwise: STX, "?", a status byte, CR. The status byte, from METTLER TOLEDO's
  DIVA Service Manual 72191202 (05/2012) §6.1.4.3 "Status Byte Format", p. 45, table "Scale
  Status Byte Bit Definitions": bit 0 motion, 1 over capacity, 2 under zero, 3 outside zero
  capture range, 4 centre of zero, 5 net weight (1) or gross (0), 6 always 1, 7 even parity.
  So an untared scale in motion answers STX "?" 0x41 CR, a tared one STX "?" 0x61 CR. (8213
  "demand" scales such as Transcell's PC-150, appendix B.1.4, figure B-4, set bit 5 always; it
  reads as "net" there, and nothing here acts on it.) The weight record carries no unit (the
  PC-150 manual: "this SDF does not support units of measure"): a scale set to pounds would be
  read as kilograms, so set these scales to kg.
Rules kept here: a weight becomes integer grams by digit arithmetic (no float); bytes outside a
frame, a frame that is not one of the two forms, or a status byte without bit 6 are garbage and
become an `ErrorEvent`. Bit 5 says net or gross and is never read as a condition; bit 7 is the
line's parity, checked (or stripped) by the UART, not here.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from drivers.device import ErrorEvent
from drivers.scale.events import (
    MotionEvent,
    OverCapacityEvent,
    StableWeightEvent,
    UnderZeroEvent,
    ZeroEvent,
)

STX, CR = 0x02, 0x0D
REQUEST_WEIGHT = b"W"
REQUEST_ZERO = b"Z"
REQUEST_TARE = b"T"

MOTION, OVER_CAPACITY, UNDER_ZERO, OUTSIDE_ZERO_RANGE, CENTER_OF_ZERO = 1, 2, 4, 8, 16
NET = 0x20
_ALWAYS_SET = 0x40
_MAX_FRAME = 16
_WEIGHT = re.compile(rb"^ *(-?) *(\d{1,6})(?:\.(\d{1,3}))?(N?)$")

Toledo8217Event = (
    StableWeightEvent | MotionEvent | ZeroEvent | UnderZeroEvent | OverCapacityEvent | ErrorEvent
)


@dataclass(frozen=True)
class StatusByte:
    """The status byte's bits as the manual names them (bit 7, parity, is left out)."""

    motion: bool
    over_capacity: bool
    under_zero: bool
    outside_zero_range: bool
    center_of_zero: bool
    net: bool


def decode_status(byte: int) -> StatusByte | None:
    """The status byte's bits, or None when bit 6 (always 1) is clear: then it is not one."""
    if not byte & _ALWAYS_SET:
        return None
    return StatusByte(
        motion=bool(byte & MOTION),
        over_capacity=bool(byte & OVER_CAPACITY),
        under_zero=bool(byte & UNDER_ZERO),
        outside_zero_range=bool(byte & OUTSIDE_ZERO_RANGE),
        center_of_zero=bool(byte & CENTER_OF_ZERO),
        net=bool(byte & NET),
    )


def grams_from_kg_text(sign: bytes, whole: bytes, fraction: bytes) -> int:
    """'01', '234' → 1234 g. Digit arithmetic, because a sale must never weigh 1233.9999 g."""
    grams = int(whole) * 1000 + int(fraction.ljust(3, b"0") or b"0")
    return -grams if sign else grams


class Toledo8217Protocol:
    """Parses the scale's replies for the device called `device`."""

    def __init__(self, device: str) -> None:
        self.device = device
        self._buffer = bytearray()
        self._in_frame = False
        self._junk = bytearray()
        self._events: deque[Toledo8217Event] = deque()

    def request_weight(self) -> bytes:
        return REQUEST_WEIGHT

    def request_zero(self) -> bytes:
        return REQUEST_ZERO

    def request_tare(self) -> bytes:
        return REQUEST_TARE

    def receive_data(self, data: bytes) -> None:
        for byte in data:
            if byte == STX:
                self._flush_junk()
                if self._in_frame:
                    self._error("garbage", "frame restarted before its CR", bytes(self._buffer))
                self._in_frame = True
                self._buffer.clear()
            elif not self._in_frame:
                self._junk.append(byte)
            elif byte == CR:
                self._in_frame = False
                self._frame(bytes(self._buffer))
                self._buffer.clear()
            else:
                self._buffer.append(byte)
                if len(self._buffer) > _MAX_FRAME:
                    self._in_frame = False
                    self._error("garbage", "frame longer than the protocol allows", self._buffer)
                    self._buffer.clear()

    def timeout(self) -> None:
        """No more bytes are coming: report what was left unfinished."""
        self._flush_junk()
        if self._in_frame:
            self._in_frame = False
            self._error("partial_read", "reply ended without CR", bytes(self._buffer))
            self._buffer.clear()

    def next_event(self) -> Toledo8217Event | None:
        if not self._events and self._junk:
            self._flush_junk()
        return self._events.popleft() if self._events else None

    def _frame(self, body: bytes) -> None:
        if body[:1] == b"?":
            status = decode_status(body[1]) if len(body) == 2 else None
            if status is None:
                self._error("garbage", "malformed status record", body)
                return
            self._status(status, body[1])
            return
        match = _WEIGHT.match(body)
        if match is None:
            self._error("garbage", "weight record is not a number", body)
            return
        sign, whole, fraction, net = match.groups()
        grams = grams_from_kg_text(sign, whole, fraction or b"")
        if grams < 0:
            self._events.append(UnderZeroEvent(self.device))
        else:
            self._events.append(StableWeightEvent(self.device, grams, net=net == b"N"))

    def _status(self, status: StatusByte, byte: int) -> None:
        # One event per reply, the condition that most blocks a sale first.
        if status.over_capacity:
            self._events.append(OverCapacityEvent(self.device))
        elif status.under_zero:
            self._events.append(UnderZeroEvent(self.device))
        elif status.motion:
            self._events.append(MotionEvent(self.device))
        elif status.center_of_zero:
            self._events.append(ZeroEvent(self.device))
        elif status.outside_zero_range:
            self._error("zero_range", "scale is outside its zero capture range", bytes([byte]))
        else:
            self._error("no_weight", "status record with no condition set", bytes([byte]))

    def _flush_junk(self) -> None:
        if self._junk:
            self._error("garbage", "bytes outside a STX…CR frame", bytes(self._junk))
            self._junk.clear()

    def _error(self, code: str, message: str, raw: bytes | bytearray) -> None:
        self._events.append(ErrorEvent(self.device, code, message, bytes(raw)))


def encode_weight(grams: int, net: bool = False) -> bytes:
    """The scale's stable-weight record (the simulator's side): 1234 g → STX "01.234" CR; a net
    weight as a tared scale sends it, space-padded and marked: STX " 1.234N" CR."""
    if net:
        text = f"{grams // 1000:>2d}.{grams % 1000:03d}N"
    else:
        text = f"{grams // 1000:02d}.{grams % 1000:03d}"
    return bytes([STX]) + text.encode() + bytes([CR])


def encode_status(status: int, net: bool = False) -> bytes:
    """The scale's status record for the given condition bits (MOTION | OVER_CAPACITY …), with
    bit 6 set and bit 5 set only for a tared (net) scale: an untared scale in motion is 0x41."""
    byte = _ALWAYS_SET | (NET if net else 0) | (status & 0x1F)
    return bytes([STX]) + b"?" + bytes([byte]) + bytes([CR])
