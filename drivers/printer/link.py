"""A printer link: one transport plus the status parser; the only code that reads printer replies.

Rule: one thread owns a link (the print queue's). Replies are matched to queries in order; a
timeout or a byte out of step breaks the link (`LinkLost`), because after that no later reply
could be trusted to answer the query it seems to answer. Every byte written is scanned for
DLE EOT n, which the printer answers even inside image data: those answers are expected and
dropped, so printed data is never a reason to break the link (and resend what was printed).
"""

from __future__ import annotations

import time

from drivers.printer.status import (
    PAPER_ACK_QUERY,
    STATUS_POLL,
    AckReply,
    PrinterStatus,
    RealtimeReply,
    StatusError,
    StatusParser,
    realtime_queries_in,
)
from drivers.printer.transport import LinkLost, Transport


class PrinterLink:
    def __init__(self, transport: Transport, *, drawer_open_when_high: bool = True) -> None:
        self.transport = transport
        self.drawer_open_when_high = drawer_open_when_high
        self.connected = False
        self._parser = StatusParser()
        self._acks = 0
        self._realtime: dict[int, int] = {}
        self._tail = b""  # the last bytes written, for a DLE EOT split across two writes

    def connect(self) -> None:
        self.disconnect()
        self.transport.open()
        self.connected = True

    def disconnect(self) -> None:
        self.connected = False
        self._parser.reset()
        self._acks = 0
        self._realtime.clear()
        self._tail = b""
        self.transport.close()

    @property
    def unasked_replies(self) -> int:
        """Status bytes the printer sent for DLE EOT spelled inside data, or for nothing."""
        return self._parser.unasked_answered + self._parser.stray

    def write(self, data: bytes, *, asked: bool = False) -> None:
        """Write bytes; every DLE EOT inside them will be answered: `asked` says whether we want
        the answers (a status poll) or only expect them (data that happens to spell one)."""
        try:
            self.transport.write(data)
        except LinkLost:
            self.connected = False
            raise
        # The tail is 2 bytes: a DLE EOT n starting there was cut by the write boundary and was
        # not counted yet; one that ended there was (it needs 3 bytes).
        scanned = self._tail + data
        self._parser.expect_realtime(realtime_queries_in(scanned), asked=asked)
        self._tail = scanned[-2:]

    def send_chunk(self, chunk: bytes) -> None:
        """Send a chunk followed by GS r 1, whose answer confirms the chunk was processed."""
        self.write(chunk + PAPER_ACK_QUERY)
        self._parser.expect_ack()

    def expect_held_ack(self) -> None:
        """Right after `connect`: the printer may still hold a chunk sent on the lost link, with
        its GS r 1; if it does, that answer comes first, on this link, once the chunk is printed."""
        self._parser.expect_ack()

    def forget_held_ack(self) -> None:
        """The printer did not hold it: stop expecting its answer (before sending anything that
        asks GS r again, so the next answer is matched to its own query)."""
        self._parser.forget_ack()

    def take_ack(self, timeout: float) -> bool:
        """Wait up to `timeout` for one chunk confirmation; True if one arrived."""
        deadline = time.monotonic() + timeout
        while self._acks == 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._pump(remaining)
        self._acks -= 1
        return True

    def poll_status(self, timeout: float = 1.0) -> PrinterStatus:
        """DLE EOT 1..4, answered in real time even while the printer is stopped."""
        self._realtime.clear()
        self.write(STATUS_POLL, asked=True)
        deadline = time.monotonic() + timeout
        while len(self._realtime) < 4:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.connected = False
                raise LinkLost("printer did not answer the status query in time")
            self._pump(remaining)
        r = self._realtime
        return PrinterStatus.from_replies(
            r[1], r[2], r[3], r[4], drawer_open_when_high=self.drawer_open_when_high
        )

    def _pump(self, timeout: float) -> None:
        try:
            data = self.transport.read(min(timeout, 0.05))
        except LinkLost:
            self.connected = False
            raise
        try:
            replies = self._parser.feed(data)
        except StatusError as exc:
            self.connected = False
            raise LinkLost(f"out of step with the printer: {exc}") from exc
        for reply in replies:
            if isinstance(reply, AckReply):
                self._acks += 1
            elif isinstance(reply, RealtimeReply):
                self._realtime[reply.kind] = reply.value
