"""The Dialog 06 protocol core (Bizerba, Mettler Toledo, Dibal, CAS in Europe), with no I/O.

Framing, from the Dibal DPOS400 manual §4.39 "DIALOG 06 protocol" and the Cely PI100 manual §7.5
(EOT 04h, STX 02h, ETX 03h, ENQ 05h, ACK 06h, NAK 15h, ESC 1Bh as field separator):
- host → scale, unit price (record 01): EOT STX "01" ESC PPPPPP ESC ETX; the scale answers ACK.
- host → scale, weight request: EOT ENQ; the scale answers with record 02,
  STX "02" ESC u ESC WWWWW ESC PPPPPP ESC IIIIII ETX (u = unit/decimals code, "3" = kg with 3
  decimals, W weight, P unit price, I amount), or NAK when it cannot weigh.
- after a NAK, host → scale, status request (record 08): EOT STX "08" ETX; the scale answers
  record 09, STX "09" ESC s1 s0 ETX, where s1 s0 is a status code (table below).
The scale prices the weight itself (legal for trade), so the amount comes back in the record.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from drivers.device import DeviceEvent, ErrorEvent
from drivers.scale.events import (
    MotionEvent,
    OverCapacityEvent,
    StableWeightEvent,
    UnderZeroEvent,
    ZeroEvent,
)

EOT, STX, ETX, ENQ, ACK, NAK, ESC = 0x04, 0x02, 0x03, 0x05, 0x06, 0x15, 0x1B
_MAX_FRAME = 64
_WEIGHT_RECORD = re.compile(rb"^02\x1b([0-9])\x1b(\d{5})\x1b(\d{6})\x1b(\d{6})$")
_STATUS_RECORD = re.compile(rb"^09\x1b(\d{2})$")

# Dialog 06 status codes (record 09), as the protocol description lists them.
STATUS_TEXT = {
    "00": "no error",
    "01": "general error on scale",
    "02": "parity error, or more characters than permitted",
    "10": "incorrect record number",
    "11": "no valid unit price",
    "12": "no valid tare value",
    "13": "no valid text",
    "20": "scale still in motion (no equilibrium)",
    "21": "no motion since last weighing operation",
    "22": "price calculation not yet available",
    "30": "scale in MIN range",
    "31": "scale in underload range or negative weight display",
    "32": "scale in overload range",
    "33": "scale was not unloaded for approx. 2 minutes",
}
# Unit codes of record 02 that this POS accepts, with the factor from the W field to grams.
_GRAMS_PER_DIGIT = {b"3": 1, b"4": 10}


@dataclass(frozen=True)
class Ack(DeviceEvent):
    """The scale accepted the last setting record."""


@dataclass(frozen=True)
class Nak(DeviceEvent):
    """The scale refused; ask for record 09 to learn why."""


Dialog06Event = (
    StableWeightEvent | MotionEvent | ZeroEvent | UnderZeroEvent | OverCapacityEvent | Ack | Nak | ErrorEvent
)


def set_unit_price(unit_price: int) -> bytes:
    """Record 01: the unit price per kg in minor units, six digits."""
    if not 0 <= unit_price <= 999_999:
        raise ValueError("Dialog 06 unit price must fit six digits")
    return bytes([EOT, STX]) + b"01" + bytes([ESC]) + f"{unit_price:06d}".encode() + b"\x1b\x03"


REQUEST_WEIGHT = bytes([EOT, ENQ])
REQUEST_STATUS = bytes([EOT, STX]) + b"08" + bytes([ETX])


class Dialog06Protocol:
    """Parses the scale's answers for the device called `device`."""

    def __init__(self, device: str) -> None:
        self.device = device
        self._buffer = bytearray()
        self._in_frame = False
        self._events: deque[Dialog06Event] = deque()

    def receive_data(self, data: bytes) -> None:
        for byte in data:
            if self._in_frame:
                if byte == ETX:
                    self._in_frame = False
                    self._record(bytes(self._buffer))
                    self._buffer.clear()
                elif byte == STX:
                    self._error("garbage", "record restarted before its ETX", self._buffer)
                    self._buffer.clear()
                else:
                    self._buffer.append(byte)
                    if len(self._buffer) > _MAX_FRAME:
                        self._in_frame = False
                        self._error("garbage", "record longer than the protocol allows", b"")
                        self._buffer.clear()
            elif byte == STX:
                self._in_frame = True
            elif byte == ACK:
                self._events.append(Ack(self.device))
            elif byte == NAK:
                self._events.append(Nak(self.device))
            else:
                self._error("garbage", "byte outside a record", bytes([byte]))

    def timeout(self) -> None:
        if self._in_frame:
            self._in_frame = False
            self._error("partial_read", "record ended without ETX", self._buffer)
            self._buffer.clear()

    def next_event(self) -> Dialog06Event | None:
        return self._events.popleft() if self._events else None

    def _record(self, body: bytes) -> None:
        weight = _WEIGHT_RECORD.match(body)
        if weight is not None:
            unit, grams, unit_price, amount = weight.groups()
            factor = _GRAMS_PER_DIGIT.get(unit)
            if factor is None:
                self._error("unsupported_unit", f"unit code {unit.decode()} is not kg", body)
                return
            self._events.append(
                StableWeightEvent(self.device, int(grams) * factor, int(unit_price), int(amount))
            )
            return
        status = _STATUS_RECORD.match(body)
        if status is None:
            self._error("garbage", "unknown record", body)
            return
        code = status.group(1).decode()
        conditions: dict[str, type[MotionEvent | ZeroEvent | UnderZeroEvent | OverCapacityEvent]] = {
            "20": MotionEvent,
            "30": ZeroEvent,
            "31": UnderZeroEvent,
            "32": OverCapacityEvent,
        }
        condition = conditions.get(code)
        if condition is not None:
            self._events.append(condition(self.device))
        else:
            text = STATUS_TEXT.get(code, "unknown status")
            self._error(f"dialog06_{code}", f"scale status {code}: {text}", body)

    def _error(self, code: str, message: str, raw: bytes | bytearray) -> None:
        self._events.append(ErrorEvent(self.device, code, message, bytes(raw)))


def encode_weight_record(grams: int, unit_price: int, amount: int) -> bytes:
    """Record 02 in kg with 3 decimals (the simulator's side)."""
    fields = f"02\x1b3\x1b{grams:05d}\x1b{unit_price:06d}\x1b{amount:06d}".encode()
    return bytes([STX]) + fields + bytes([ETX])


def encode_status_record(code: str) -> bytes:
    """Record 09 with a two-digit status code."""
    return bytes([STX]) + b"09\x1b" + code.encode() + bytes([ETX])
