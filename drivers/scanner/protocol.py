"""The scanner's byte-level protocol core, with no I/O: framed scans in, typed events out.

Rules it keeps (after h11: feed `receive_data`, then drain `next_event`):
- A frame is `prefix + body + suffix`. With no suffix configured, CR, LF or CRLF end a frame
  (most scanners ship with CR; some add LF) and the LF of a CRLF is not an empty scan.
- A body may open with an AIM symbology identifier: "]" + code letter + modifier (ISO/IEC 15424;
  e.g. "]E0" EAN-13, "]C1" GS1-128, "]Q1" QR). It is split off into `symbology`, never lost.
- The body must be UTF-8 text with no control characters except GS (0x1D, the GS1 field separator);
  anything else is garbage and becomes an `ErrorEvent` carrying the raw bytes.
- Bytes left without a terminator when the transport reports silence (`timeout()`) are a partial
  read: an `ErrorEvent`, never a scan. A frame longer than `max_length` is an error too.
- A body whose characters cannot be a barcode of its symbology (symbology.py: EAN/UPC digits and
  check digit, GS1 element strings and check digits, at least a letter or digit in any scan) is
  an `ErrorEvent` "not_a_barcode", never a scan: a misread is refused, not delivered.
- A body that is a WeChat Pay or Alipay payment code becomes a `PaymentCodeEvent`, so the till
  never looks it up as a product.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from drivers.device import DeviceEvent, ErrorEvent
from drivers.scanner.payment_codes import classify_payment_code
from drivers.scanner.symbology import refusal

GS = "\x1d"
_AIM_ID = re.compile(r"\][A-Za-z][0-9A-Za-z]")


@dataclass(frozen=True)
class ScanEvent(DeviceEvent):
    """A product (or other) barcode: `data` as read, GS kept; `symbology` the AIM id or ""."""

    data: str
    symbology: str = ""


@dataclass(frozen=True)
class PaymentCodeEvent(DeviceEvent):
    """A customer's mobile-payment code; `provider` is "wechat" or "alipay"."""

    code: str
    provider: str
    symbology: str = ""


ScannerEvent = ScanEvent | PaymentCodeEvent | ErrorEvent


def _is_garbage(char: str) -> bool:
    code = ord(char)
    return (code < 0x20 and char != GS) or 0x7F <= code <= 0x9F


class ScannerProtocol:
    """Frames and classifies scanner input for the device called `device`."""

    def __init__(
        self,
        device: str,
        prefix: bytes = b"",
        suffix: bytes | None = None,
        aim_ids: bool = True,
        max_length: int = 4096,
    ) -> None:
        if suffix == b"":
            raise ValueError("suffix must not be empty; use None for CR/LF/CRLF")
        self.device = device
        self.prefix = prefix
        self.suffix = suffix
        self.aim_ids = aim_ids
        self.max_length = max_length
        self._buffer = bytearray()
        self._events: deque[ScannerEvent] = deque()
        self._skip_lf = False

    def receive_data(self, data: bytes) -> None:
        for byte in data:
            self._receive_byte(byte)

    def timeout(self) -> None:
        """The transport saw silence: whatever is buffered will never be completed."""
        if self._buffer:
            raw = bytes(self._buffer)
            self._buffer.clear()
            self._error("partial_read", "scan ended without its terminator", raw)
        self._skip_lf = False

    def next_event(self) -> ScannerEvent | None:
        return self._events.popleft() if self._events else None

    @property
    def pending(self) -> bool:
        """True while part of a frame is buffered (the transport then watches for silence)."""
        return bool(self._buffer)

    def _receive_byte(self, byte: int) -> None:
        if self.suffix is None:
            if self._skip_lf and byte == 0x0A and not self._buffer:
                self._skip_lf = False
                return
            self._skip_lf = False
            if byte in (0x0D, 0x0A):
                self._skip_lf = byte == 0x0D
                self._frame(bytes(self._buffer))
                self._buffer.clear()
                return
            self._append(byte)
            return
        self._append(byte)
        if self._buffer.endswith(self.suffix):
            frame = bytes(self._buffer[: -len(self.suffix)])
            self._buffer.clear()
            self._frame(frame)

    def _append(self, byte: int) -> None:
        self._buffer.append(byte)
        if len(self._buffer) > self.max_length:
            raw = bytes(self._buffer)
            self._buffer.clear()
            self._error("overlong", f"more than {self.max_length} bytes without a terminator", raw)

    def _frame(self, frame: bytes) -> None:
        if not frame.startswith(self.prefix):
            self._error("bad_prefix", f"scan does not start with prefix {self.prefix!r}", frame)
            return
        body = frame[len(self.prefix) :]
        if not body:
            self._error("empty_scan", "scanner sent a terminator with no data", frame)
            return
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            self._error("garbage", "scan is not valid UTF-8 text", frame)
            return
        if any(_is_garbage(char) for char in text):
            self._error("garbage", "scan holds control characters other than GS", frame)
            return
        symbology = ""
        if self.aim_ids and _AIM_ID.match(text):
            symbology, text = text[:3], text[3:]
            if not text:
                self._error("empty_scan", f"symbology {symbology} with no data", frame)
                return
        reason = refusal(text, symbology)
        if reason is not None:
            self._error("not_a_barcode", f"{symbology or 'scan'} {text!r}: {reason}", frame)
            return
        provider = classify_payment_code(text, symbology)
        if provider is not None:
            self._events.append(PaymentCodeEvent(self.device, text, provider, symbology))
        else:
            self._events.append(ScanEvent(self.device, text, symbology))

    def _error(self, code: str, message: str, raw: bytes) -> None:
        self._events.append(ErrorEvent(self.device, code, message, raw))


def encode_scan(data: str, symbology: str = "", prefix: bytes = b"", suffix: bytes = b"\r") -> bytes:
    """The bytes a scanner sends for one scan (the simulator's side of the protocol)."""
    return prefix + (symbology + data).encode("utf-8") + suffix
