"""Printer status, sans I/O: the query bytes, and reply bytes in, typed replies and status out.

Rule: a reply byte is never guessed at. Epson's "identification of send status" tells the two
kinds apart by fixed bits: a DLE EOT (real-time) reply is 0xx1xx10b, a GS r (processed in order)
reply is 0xx0xxxxb. A DLE EOT reply nobody asked for is expected when the query was spelled
inside data we sent (an image), and tolerated otherwise; any other byte, or a GS r reply nobody
asked for, raises `StatusError`.

Bits, from the Epson ESC/POS command reference, "DLE EOT n: Transmit real-time status":
  n=1 printer:       bit 2 drawer kick-out connector pin 3 HIGH, bit 3 offline,
                     bit 5 waiting for online recovery, bit 6 paper feed button pressed
  n=2 offline cause: bit 2 cover open, bit 3 paper being fed by the feed button,
                     bit 5 printing stopped by paper end, bit 6 error
  n=3 error cause:   bit 2 recoverable (mechanical) error, bit 3 autocutter error,
                     bit 5 unrecoverable error, bit 6 automatically recoverable error
  n=4 paper sensor:  bits 2,3 roll paper near end, bits 5,6 roll paper end
  (in every reply bit 1 and bit 4 are fixed on, bit 0 and bit 7 fixed off)
and "GS r n: Transmit status", n=1 paper sensor: bits 0,1 near end, bits 2,3 paper end.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

DLE_EOT = b"\x10\x04"
PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER_SENSOR = 1, 2, 3, 4
REALTIME_KINDS = (PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER_SENSOR)
# GS r 1 is not real-time: the printer answers it only after it has processed every byte
# sent before it, which is what makes it a confirmation that a chunk was printed.
PAPER_ACK_QUERY = b"\x1dr\x01"

_REALTIME_MASK, _REALTIME_FIXED = 0x93, 0x12  # bits 0,1,4,7 = 0,1,1,0
_ACK_MASK, _ACK_FIXED = 0x90, 0x00  # bits 4,7 = 0,0


class StatusError(ValueError):
    """Reply bytes that are not a status reply we asked for; the link should be resynchronised."""

    def __init__(self, message: str, data: bytes = b"") -> None:
        super().__init__(message)
        self.data = data


def realtime_query(n: int) -> bytes:
    if n not in REALTIME_KINDS:
        raise ValueError(f"DLE EOT n must be 1..4: {n}")
    return DLE_EOT + bytes([n])


STATUS_POLL = b"".join(realtime_query(n) for n in REALTIME_KINDS)


@dataclass(frozen=True)
class RealtimeReply:
    kind: int
    value: int


@dataclass(frozen=True)
class AckReply:
    """The answer to GS r 1: every byte sent before the query has been processed."""

    value: int

    @property
    def paper_end(self) -> bool:
        return bool(self.value & 0x0C)


Reply = RealtimeReply | AckReply


def is_realtime_reply(byte: int) -> bool:
    return byte & _REALTIME_MASK == _REALTIME_FIXED


def is_ack_reply(byte: int) -> bool:
    return byte & _ACK_MASK == _ACK_FIXED


def realtime_queries_in(data: bytes) -> list[int]:
    """The n of every DLE EOT n (n = 1..4) in `data`, wherever it is: a printer answers these on
    receipt even inside another command's data (see raster.py)."""
    found = []
    i = data.find(DLE_EOT)
    while i != -1 and i + 2 < len(data):
        if data[i + 2] in REALTIME_KINDS:
            found.append(data[i + 2])
            i = data.find(DLE_EOT, i + 3)
        else:
            i = data.find(DLE_EOT, i + 1)
    return found


class StatusParser:
    """Matches reply bytes to the queries sent, in order (DLE EOT and GS r replies interleave).

    Every DLE EOT the printer will answer is expected: the ones the host asked (`asked=True`) and
    the ones that happen to be spelled inside data it sent (`asked=False`), whose answers are
    dropped. A printer answers a DLE EOT on receipt and GS r after processing, so when a GS r
    answer arrives, an unasked DLE EOT sent before that GS r that is still unanswered never will
    be (a printer that ignores real-time commands in data): it is forgotten. A DLE EOT-shaped
    byte nobody expects is tolerated and counted (`stray`), never a reason to drop the link.
    """

    def __init__(self) -> None:
        self._realtime: deque[tuple[int, int, bool]] = deque()  # (order, n, asked)
        self._acks: deque[int] = deque()  # order of each GS r sent
        self._order = 0
        self.stray = 0
        self.unasked_answered = 0

    def sent(self, data: bytes) -> None:
        """Tell the parser which queries went out (call with exactly the query bytes)."""
        i = 0
        while i < len(data):
            if data[i : i + 2] == DLE_EOT and i + 2 < len(data):
                self.expect_realtime([data[i + 2]], asked=True)
                i += 3
            elif data[i : i + 3] == PAPER_ACK_QUERY:
                self.expect_ack()
                i += 3
            else:
                raise ValueError(f"not a status query: {data[i:]!r}")

    def expect_realtime(self, kinds: list[int], *, asked: bool) -> None:
        for n in kinds:
            self._order += 1
            self._realtime.append((self._order, n, asked))

    def expect_ack(self) -> None:
        self._order += 1
        self._acks.append(self._order)

    def forget_ack(self) -> None:
        """Stop waiting for the oldest expected GS r answer (one that may never come: the answer
        to a chunk a printer held across a link drop, when the printer turned out not to hold it)."""
        if self._acks:
            self._acks.popleft()

    @property
    def outstanding(self) -> int:
        return len(self._realtime) + len(self._acks)

    def reset(self) -> None:
        """Forget outstanding queries (after the link was lost or resynchronised)."""
        self._realtime.clear()
        self._acks.clear()

    def feed(self, data: bytes) -> list[Reply]:
        replies: list[Reply] = []
        for offset, byte in enumerate(data):
            if is_realtime_reply(byte):
                if not self._realtime:
                    self.stray += 1
                    continue
                _, n, asked = self._realtime.popleft()
                if asked:
                    replies.append(RealtimeReply(n, byte))
                else:
                    self.unasked_answered += 1
            elif is_ack_reply(byte) and self._acks:
                order = self._acks.popleft()
                while self._realtime and self._realtime[0][0] < order and not self._realtime[0][2]:
                    self._realtime.popleft()
                replies.append(AckReply(byte))
            else:
                raise StatusError(f"unexpected status byte 0x{byte:02x} at {offset}", data[offset:])
        return replies


@dataclass(frozen=True)
class PrinterStatus:
    online: bool
    cover_open: bool
    paper_near_end: bool
    paper_end: bool
    drawer_open: bool
    error: bool
    raw: bytes = b""

    @classmethod
    def from_replies(
        cls,
        printer: int,
        offline: int,
        error: int,
        paper: int,
        *,
        drawer_open_when_high: bool = True,
    ) -> PrinterStatus:
        """Combine the replies to DLE EOT 1, 2, 3 and 4.

        Whether pin 3 HIGH means the drawer is open depends on the drawer's switch, so it is
        configuration, not protocol.
        """
        for value in (printer, offline, error, paper):
            if not is_realtime_reply(value):
                raise StatusError(f"not a DLE EOT reply: 0x{value:02x}", bytes([value & 0xFF]))
        return cls(
            online=not printer & 0x08,
            cover_open=bool(offline & 0x04),
            paper_near_end=bool(paper & 0x0C),
            paper_end=bool(offline & 0x20 or paper & 0x60),
            drawer_open=bool(printer & 0x04) == drawer_open_when_high,
            error=bool(offline & 0x40 or error & 0x68),
            raw=bytes([printer, offline, error, paper]),
        )

    @property
    def ready(self) -> bool:
        """The printer can print now (near end is a warning, not a stop)."""
        return self.online and not (self.cover_open or self.paper_end or self.error)

    @property
    def condition(self) -> str:
        """The one condition to show a cashier, worst first."""
        if self.cover_open:
            return "cover_open"
        if self.paper_end:
            return "paper_out"
        if self.error:
            return "error"
        if not self.online:
            return "offline"
        return "paper_near_end" if self.paper_near_end else "online"
