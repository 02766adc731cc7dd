"""The Dialog 06 protocol core (Bizerba, Mettler Toledo, Dibal, CAS in Europe), with no I/O.

Framing, from the Dibal DPOS400 manual §4.39 "DIALOG 06 protocol" and the Cely PI100 manual §7.5
(EOT 04h, STX 02h, ETX 03h, ENQ 05h, ACK 06h, NAK 15h, ESC 1Bh as field separator):
- host → scale, unit price (record 01): EOT STX "01" ESC PPPPPP ESC ETX; the scale answers ACK.
- host → scale, weight request: EOT ENQ; the scale answers with record 02,
  STX "02" ESC u ESC WWWWW ESC PPPPP[P] ESC IIIIII ETX (W weight, P unit price of 5 or 6 digits,
  I amount), or NAK when it cannot weigh. `u` is the scale's weight unit, from METTLER TOLEDO's
  DIVA Service Manual 72191202 (05/2012) §6.1.8, p. 54, "Record 02: Result of weighing":
  "0" lb:oz in 1/8 oz, "1" lb in 0.01 lb, "2" lb in 0.005 lb, "3" kg. Read here: "3", WWWWW in
  grams (kg with 3 decimals, as both public Dialog 06 drivers read it: weight / 1000); "2",
  WWWWW in thousandths of a pound, a whole number of 0.005 lb steps (3 decimals are the fewest
  that hold a 0.005 step). "0" and "1" are refused with `unsupported_unit`: the manual does not
  say where their decimals sit, and a guess would misread the weight; any other code is garbage.
- after a NAK, host → scale, status request (record 08): EOT STX "08" ETX; the scale answers
  record 09, STX "09" ESC s1 s0 ETX, where s1 s0 is a status code (table below).
The scale prices the weight itself (legal for trade), so the amount comes back in the record.

The checksum handshake (records 10 and 11), from the same Coop IT Easy driver
(`_handle_weighing_answer`, `calculate_checksums`, `send_checksums`, `_get_kw_value`): a Mettler
Toledo scale answers a record 01 not with ACK but with record 11, STX "11" ESC "2" Z1 Z2 ETX, at
power-on, after an error and every 50 weighings. Z1 Z2 are two hex digits. The host answers with
record 10, EOT STX "10" ESC CCCC KKKK ETX: a 16-bit checksum CS, rotated left by Z1 bits, and its
correction value KW, rotated right by Z2 bits, each as four upper-case hex digits. KW is the CRC
remainder of CS·x^16 modulo the key polynomial Mettler Toledo gives POS makers, so CS followed by
KW is a codeword of that CRC. The scale answers ACK; the host sends EOT ENQ; the scale answers
record 11 with d0 "1" (accepted) or "0" (refused), and the weighing starts again with record 01.
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
_WEIGHT_RECORD = re.compile(rb"^02\x1b(.)\x1b(\d{5})\x1b(\d{5,6})\x1b(\d{6})$", re.DOTALL)
_STATUS_RECORD = re.compile(rb"^09\x1b(\d{2})$")
_CHECKSUM_RECORD = re.compile(rb"^11\x1b(?:2([0-9A-Fa-f]{2})|([01]))$")

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
# Record 02's unit codes (DIVA Service Manual p. 54) and the ones this POS reads.
KG, LB_0005 = b"3", b"2"
UNIT_TEXT = {b"0": "lb:oz in 1/8 oz", b"1": "lb in 0.01 lb", b"2": "lb in 0.005 lb", b"3": "kg"}
# 1 lb = 0.45359237 kg exactly (international pound, 1959): grams = thousandths of a pound ×
# 45359237 / 10^8. Rounding "lb_to_grams": half up to the whole gram, in integers.
_MICROGRAMS_PER_MILLI_LB = 45_359_237  # 10^-8 g units per 0.001 lb


def grams_from_milli_lb(milli_lb: int) -> int:
    """Thousandths of a pound as whole grams, rounded half up (1.000 lb → 454 g)."""
    return (milli_lb * _MICROGRAMS_PER_MILLI_LB + 50_000_000) // 100_000_000


@dataclass(frozen=True)
class Ack(DeviceEvent):
    """The scale accepted the last setting record."""


@dataclass(frozen=True)
class Nak(DeviceEvent):
    """The scale refused; ask for record 09 to learn why."""


@dataclass(frozen=True)
class ChecksumRequest(DeviceEvent):
    """Record 11 with d0 "2": the scale wants record 10 before it weighs; `z` is Z1 Z2 as a byte."""

    z: int


@dataclass(frozen=True)
class ChecksumVerdict(DeviceEvent):
    """Record 11 with d0 "1" (the checksum of record 10 was accepted) or "0" (refused)."""

    accepted: bool


Dialog06Event = (
    StableWeightEvent
    | MotionEvent
    | ZeroEvent
    | UnderZeroEvent
    | OverCapacityEvent
    | Ack
    | Nak
    | ChecksumRequest
    | ChecksumVerdict
    | ErrorEvent
)


def set_unit_price(unit_price: int) -> bytes:
    """Record 01: the unit price per kg in minor units, six digits."""
    if not 0 <= unit_price <= 999_999:
        raise ValueError("Dialog 06 unit price must fit six digits")
    return bytes([EOT, STX]) + b"01" + bytes([ESC]) + f"{unit_price:06d}".encode() + b"\x1b\x03"


REQUEST_WEIGHT = bytes([EOT, ENQ])
REQUEST_STATUS = bytes([EOT, STX]) + b"08" + bytes([ETX])


def correction_value(checksum: int, key: int) -> int:
    """KW for a 16-bit checksum CS: the remainder of CS·x^16 divided by the key polynomial.

    The key's top set bit is its leading term: it is aligned with bit 31 of a 32-bit register (as
    the reference driver does), then long division over GF(2), one bit of CS at a time. A key of
    more than 17 bits (degree above 16) would not leave a 16-bit remainder, so it is refused.
    """
    if not 0 <= checksum <= 0xFFFF:
        raise ValueError("Dialog 06 checksum must fit 16 bits")
    if not 2 <= key.bit_length() <= 17:
        raise ValueError("Dialog 06 key must be a polynomial of degree 1 to 16 (2 to 17 bits)")
    divisor = key << (32 - key.bit_length())
    register = checksum << 16
    for _ in range(16):
        if register & 0x8000_0000:
            register ^= divisor
        register = (register << 1) & 0xFFFF_FFFF
    return register >> 16


def rotate_left16(value: int, bits: int) -> int:
    bits %= 16
    return ((value << bits) | (value >> (16 - bits))) & 0xFFFF


def rotate_right16(value: int, bits: int) -> int:
    return rotate_left16(value, 16 - bits % 16)


def checksum_record(checksum: int, correction: int, z: int) -> bytes:
    """Record 10: CS rotated left by Z1 bits, KW rotated right by Z2 bits, upper-case hex."""
    cs = rotate_left16(checksum, z >> 4)
    kw = rotate_right16(correction, z & 0x0F)
    return bytes([EOT, STX]) + f"10\x1b{cs:04X}{kw:04X}".encode() + bytes([ETX])


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
            unit, digits, unit_price, amount = weight.groups()
            if unit == KG:
                event = StableWeightEvent(self.device, int(digits), int(unit_price), int(amount))
            elif unit == LB_0005:
                milli_lb = int(digits)
                if milli_lb % 5:
                    self._error("garbage", "lb weight is not a whole 0.005 lb step", body)
                    return
                grams = grams_from_milli_lb(milli_lb)
                event = StableWeightEvent(
                    self.device, grams, int(unit_price), int(amount), unit="lb", milli_lb=milli_lb
                )
            elif unit in UNIT_TEXT:
                self._error(
                    "unsupported_unit",
                    f"the scale weighs in {UNIT_TEXT[unit]} (record 02 unit code {unit.decode()});"
                    " set it to kg or lb in 0.005 lb",
                    body,
                )
                return
            else:
                self._error("garbage", "record 02 with an unknown unit code", body)
                return
            self._events.append(event)
            return
        checksum = _CHECKSUM_RECORD.match(body)
        if checksum is not None:
            z, verdict = checksum.groups()
            if z is not None:
                self._events.append(ChecksumRequest(self.device, int(z, 16)))
            else:
                self._events.append(ChecksumVerdict(self.device, verdict == b"1"))
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


def encode_weight_record(
    weight: int, unit_price: int, amount: int, unit: bytes = KG, price_digits: int = 6
) -> bytes:
    """Record 02 (the simulator's side): `weight` in grams for unit "3" (kg), in thousandths of
    a pound for "2"; the unit price in 5 or 6 digits, as the scale is set up."""
    numbers = f"\x1b{weight:05d}\x1b{unit_price:0{price_digits}d}\x1b{amount:06d}"
    fields = b"02\x1b" + unit + numbers.encode()
    return bytes([STX]) + fields + bytes([ETX])


def encode_status_record(code: str) -> bytes:
    """Record 09 with a two-digit status code."""
    return bytes([STX]) + b"09\x1b" + code.encode() + bytes([ETX])


def encode_checksum_request(z: int) -> bytes:
    """Record 11 asking for record 10, with the random number Z (the simulator's side)."""
    return bytes([STX]) + f"11\x1b2{z:02X}".encode() + bytes([ETX])


def encode_checksum_verdict(accepted: bool) -> bytes:
    """Record 11 telling whether record 10 carried a valid checksum (the simulator's side)."""
    return bytes([STX]) + (b"11\x1b1" if accepted else b"11\x1b0") + bytes([ETX])

