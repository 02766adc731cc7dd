"""The LLRP reader as a Device: a thin TCP transport around `LlrpConnection` that runs inventory
rounds (reset, ADD/ENABLE/START ROSpec, collect reports until End_Of_ROSpec, STOP/DELETE).

Rule: a reader fault during a round (link lost, an error status) is emitted as an `ErrorEvent`
and raised as a `DeviceError` to the one caller that asked for the count; nothing is half-counted.

Which reports belong to a round: LLRP sends the round's last RO_ACCESS_REPORT (ROReportTrigger
"upon N tags or end of AISpec") and the ROSpecEvent End both when the ROSpec ends, in no order it
promises, so the last report may come after End_Of_ROSpec. A round therefore takes reports from
the START_ROSPEC answer until the DELETE_ROSPEC answer, a round trip after End_Of_ROSpec, by
which time a report the reader generated at the ROSpec's end has been sent. A report outside that
window is not counted into any round (it would inflate the next one) but reported as an
`ErrorEvent` "late_report", never dropped silently.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

from drivers.device import (
    Device,
    DeviceError,
    DeviceEvent,
    DeviceState,
    ErrorEvent,
    Health,
    StatusEvent,
)
from drivers.rfid.inventory import InventoryRound, StockCount
from drivers.rfid.llrp import (
    CONNECTION_SUCCESS,
    CONTENT_FOR_STOCK_COUNT,
    NEED_DATA,
    ROSPEC_EVENT_END,
    AddRospec,
    CloseConnection,
    Keepalive,
    KeepaliveAck,
    LlrpConnection,
    MalformedMessage,
    Message,
    MsgType,
    ReaderEventNotification,
    RoAccessReport,
    RoSpec,
    RospecCommand,
    SetReaderConfig,
    StatusResponse,
)

LLRP_PORT = 5084  # IANA-registered LLRP port


@dataclass(frozen=True)
class InventoryEvent(DeviceEvent):
    """Data event: an inventory round finished with this count."""

    count: StockCount


class LlrpReader(Device):
    """An LLRP reader at `host:port`. `rssi_floor` in dBm drops far-away reads."""

    def __init__(
        self,
        name: str,
        host: str,
        port: int = LLRP_PORT,
        *,
        antennas: tuple[int, ...] = (0,),
        rssi_floor: int | None = None,
        timeout_s: float = 10.0,
        keepalive_ms: int = 10_000,
        rospec_id: int = 1,
    ) -> None:
        super().__init__(name)
        self.host = host
        self.port = port
        self.antennas = antennas
        self.rssi_floor = rssi_floor
        self.timeout_s = timeout_s
        self.keepalive_ms = keepalive_ms
        self.rospec_id = rospec_id
        self._sock: socket.socket | None = None
        self._conn = LlrpConnection("client")
        self._round: InventoryRound | None = None
        self._rospec_done = False
        self._last_error = ""

    # --- lifecycle ---

    def _open(self) -> None:
        self._conn = LlrpConnection("client")
        try:
            self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
        except OSError as exc:
            raise DeviceError("unreachable", f"{self.name}: {exc}") from exc
        deadline = time.monotonic() + self.timeout_s
        while not self._conn.connected:
            msg = self._next(deadline)
            if (
                isinstance(msg, ReaderEventNotification)
                and msg.connection_status is not None
                and msg.connection_status != CONNECTION_SUCCESS
            ):
                self._drop()
                status = msg.connection_status
                raise DeviceError("busy", f"{self.name}: reader refused, status {status}")
        # Factory reset drops ROSpecs another client may have left; ROSpec events tell us a
        # round has ended; the keepalive lets a dead link show up between rounds.
        self._request(
            SetReaderConfig(
                reset_to_factory_default=True,
                keepalive_period_ms=self.keepalive_ms,
                rospec_events=True,
                msg_id=self._conn.next_message_id(),
            ),
            deadline,
        )
        self.emit(StatusEvent(self.name, "online"))

    def _close(self) -> None:
        if self._sock is None:
            return
        try:
            self._request(CloseConnection(msg_id=self._conn.next_message_id()), time.monotonic() + 2.0)
        except DeviceError:
            pass  # closing anyway; the reader drops the session when the socket goes
        self._drop()

    def health(self) -> Health:
        if self._sock is None or self._conn.closed:
            return Health(False, "offline", self._last_error)
        return Health(True, "online", f"LLRP reader at {self.host}:{self.port}")

    # --- inventory ---

    def inventory(self, duration_ms: int = 1000) -> StockCount:
        """Run one round: every antenna for `duration_ms`, then count what was seen."""
        if self.state is not DeviceState.ENABLED:
            raise DeviceError("not_enabled", f"{self.name}: enable the reader before a round")
        spec = RoSpec(
            self.rospec_id,
            antennas=self.antennas,
            duration_ms=duration_ms,
            content_flags=CONTENT_FOR_STOCK_COUNT,
        )
        deadline = time.monotonic() + duration_ms / 1000 + self.timeout_s
        self._round = None
        self._rospec_done = False
        try:
            self._request(AddRospec(spec, msg_id=self._conn.next_message_id()), deadline)
            self._command(MsgType.ENABLE_ROSPEC, deadline)
            self._command(MsgType.START_ROSPEC, deadline)
            round_ = self._round = InventoryRound(self.rssi_floor)
            while not self._rospec_done:
                self._handle(self._next(deadline))
            # Reports still arriving before this answer belong to the round (see the rule above).
            self._command(MsgType.DELETE_ROSPEC, deadline)
            count = round_.count()
        finally:
            self._round = None
        self.emit(InventoryEvent(self.name, count))
        return count

    def stop(self) -> None:
        """End a running round early (another thread may call it)."""
        self._command(MsgType.STOP_ROSPEC, time.monotonic() + self.timeout_s)

    # --- plumbing ---

    def _command(self, kind: MsgType, deadline: float) -> None:
        self._request(RospecCommand(kind, self.rospec_id, msg_id=self._conn.next_message_id()), deadline)

    def _request(self, msg: Message, deadline: float) -> StatusResponse:
        self._write(self._conn.send(msg))
        while True:
            reply = self._next(deadline)
            if isinstance(reply, StatusResponse) and reply.msg_id == msg.msg_id:
                if not reply.status.ok:
                    self._fail(
                        "reader_status",
                        f"{reply.kind.name}: {reply.status.code} {reply.status.description}",
                    )
                return reply
            self._handle(reply)

    def _handle(self, msg: Message) -> None:
        if isinstance(msg, RoAccessReport):
            if self._round is not None:
                self._round.add(msg.tags)
            elif msg.tags:
                reads = sum(tag.seen_count for tag in msg.tags)
                self.emit(ErrorEvent(self.name, "late_report",
                                     f"{reads} tag reads arrived outside an inventory round;"
                                     " not counted: run the count again"))  # fmt: skip
        elif isinstance(msg, Keepalive):
            self._write(self._conn.send(KeepaliveAck(msg_id=msg.msg_id)))
        elif isinstance(msg, ReaderEventNotification):
            if msg.rospec_event == (ROSPEC_EVENT_END, self.rospec_id):
                self._rospec_done = True
            if msg.connection_closed:
                self._fail("link_lost", "reader closed the connection")
        elif isinstance(msg, MalformedMessage):
            self.emit(ErrorEvent(self.name, "malformed", msg.reason, msg.data[:64]))
        elif isinstance(msg, StatusResponse) and msg.kind == MsgType.ERROR_MESSAGE:
            self._fail("reader_error", f"{msg.status.code} {msg.status.description}")

    def _next(self, deadline: float) -> Message:
        while True:
            event = self._conn.next_event()
            if event is not NEED_DATA:
                assert isinstance(event, Message)
                return event
            if self._conn.closed:
                self._fail("link_lost", "reader closed the connection")
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._sock is None:
                self._fail("timeout", "reader did not answer in time")
            assert self._sock is not None
            self._sock.settimeout(remaining)
            try:
                data = self._sock.recv(262144)
            except TimeoutError:
                self._fail("timeout", "reader did not answer in time")
            except OSError as exc:
                self._fail("link_lost", str(exc))
            self._conn.receive_data(data)

    def _write(self, data: bytes) -> None:
        if self._sock is None:
            self._fail("link_lost", "not connected")
        assert self._sock is not None
        try:
            self._sock.sendall(data)
        except OSError as exc:
            self._fail("link_lost", str(exc))

    def _fail(self, code: str, message: str) -> None:
        self._last_error = message
        self.emit(ErrorEvent(self.name, code, message))
        raise DeviceError(code, f"{self.name}: {message}")

    def _drop(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
