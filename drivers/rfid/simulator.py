"""An LLRP reader simulator on real TCP: accepts a client, answers the ROSpec lifecycle and streams
RO_ACCESS_REPORTs for a configured tag population (each tag read N times, random RSSI and antenna).

It speaks through the same `LlrpConnection` core as the client, in the "reader" role, so the tests
exercise real bytes over a real socket.
"""

from __future__ import annotations

import random
import socket
import socketserver
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from drivers.rfid.epc import encode_sgtin96
from drivers.rfid.llrp import (
    CONNECTION_SUCCESS,
    NEED_DATA,
    ROSPEC_EVENT_END,
    AddRospec,
    CloseConnection,
    Keepalive,
    LlrpConnection,
    LlrpStatus,
    MalformedMessage,
    Message,
    MsgType,
    ReaderEventNotification,
    RoAccessReport,
    RoSpec,
    RospecCommand,
    SetReaderConfig,
    StatusResponse,
    TagReport,
    UnknownMessage,
)

# LLRP status codes the simulator answers with (LLRP 1.0.1 §14.2.3).
STATUS_PARAMETER_ERROR = 100
STATUS_FIELD_ERROR = 101
STATUS_UNSUPPORTED_MESSAGE = 108


def sgtin_population(
    quantities: dict[str, int], company_prefix_digits: int = 7, first_serial: int = 1
) -> list[bytes]:
    """EPCs for `quantities` (GTIN-14 → how many items), serials counted up from `first_serial`."""
    epcs: list[bytes] = []
    for gtin, qty in quantities.items():
        epcs.extend(encode_sgtin96(gtin, first_serial + i, company_prefix_digits) for i in range(qty))
    return epcs


@dataclass
class ReaderPopulation:
    """What the simulated antennas see: the EPCs, how often each is read, RSSI range in dBm."""

    epcs: Sequence[bytes]
    reads_per_tag: int = 5
    antennas: tuple[int, ...] = (1, 2, 3, 4)
    rssi_range: tuple[int, int] = (-75, -35)
    tags_per_report: int = 200
    seed: int = 0
    weak_epcs: Sequence[bytes] = field(default_factory=tuple)  # read only below `weak_rssi`
    weak_rssi: int = -90
    # When the last RO_ACCESS_REPORT of a round goes out. LLRP ties both the report (ROReportTrigger
    # "upon N tags or end of AISpec") and the ROSpecEvent End to the ROSpec's end without ordering
    # them: "before_end" (what readers usually do), "after_end", or "after_delete" (held until
    # DELETE_ROSPEC was answered: a reader that late).
    final_report: str = "before_end"


class _ReaderSession(socketserver.BaseRequestHandler):
    server: _Server

    def setup(self) -> None:
        self.conn = LlrpConnection("reader")
        self.rospecs: dict[int, RoSpec] = {}
        self.enabled: set[int] = set()
        self.rospec_events = False
        self.keepalive_ms: int | None = None
        self.rng = random.Random(self.server.population.seed)
        self.held_report: RoAccessReport | None = None

    def _send(self, message: Message) -> None:
        self.request.sendall(self.conn.send(message))

    def _id(self) -> int:
        return self.conn.next_message_id()

    def handle(self) -> None:
        sock: socket.socket = self.request
        self._send(
            ReaderEventNotification(
                int(time.time() * 1e6), connection_status=CONNECTION_SUCCESS, msg_id=self._id()
            )
        )
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            self.conn.receive_data(data)
            while True:
                event = self.conn.next_event()
                if event is NEED_DATA:
                    break
                assert isinstance(event, Message)
                if not self._answer(event):
                    return
            if not data:
                return

    def _answer(self, msg: Message) -> bool:
        ok = LlrpStatus()
        mid = msg.msg_id
        if isinstance(msg, SetReaderConfig):
            if msg.reset_to_factory_default:
                self.rospecs.clear()
                self.enabled.clear()
            if msg.rospec_events is not None:
                self.rospec_events = msg.rospec_events
            if msg.keepalive_period_ms is not None:
                self.keepalive_ms = msg.keepalive_period_ms or None
            self._send(StatusResponse(MsgType.SET_READER_CONFIG_RESPONSE, ok, msg_id=mid))
        elif isinstance(msg, AddRospec):
            rid = msg.rospec.rospec_id
            status = ok
            if rid == 0 or rid in self.rospecs:
                status = LlrpStatus(STATUS_FIELD_ERROR, f"ROSpec {rid} invalid or exists")
            else:
                self.rospecs[rid] = msg.rospec
            self._send(StatusResponse(MsgType.ADD_ROSPEC_RESPONSE, status, msg_id=mid))
        elif isinstance(msg, RospecCommand):
            self._rospec_command(msg)
        elif isinstance(msg, CloseConnection):
            self._send(StatusResponse(MsgType.CLOSE_CONNECTION_RESPONSE, ok, msg_id=mid))
            return False
        elif isinstance(msg, MalformedMessage):
            status = LlrpStatus(STATUS_PARAMETER_ERROR, msg.reason)
            self._send(StatusResponse(MsgType.ERROR_MESSAGE, status, msg_id=mid))
        elif isinstance(msg, UnknownMessage):
            status = LlrpStatus(STATUS_UNSUPPORTED_MESSAGE, f"type {msg.msg_type}")
            self._send(StatusResponse(MsgType.ERROR_MESSAGE, status, msg_id=mid))
        return True

    def _rospec_command(self, msg: RospecCommand) -> None:
        response = {
            MsgType.ENABLE_ROSPEC: MsgType.ENABLE_ROSPEC_RESPONSE,
            MsgType.START_ROSPEC: MsgType.START_ROSPEC_RESPONSE,
            MsgType.STOP_ROSPEC: MsgType.STOP_ROSPEC_RESPONSE,
            MsgType.DELETE_ROSPEC: MsgType.DELETE_ROSPEC_RESPONSE,
        }[msg.kind]
        rid = msg.rospec_id
        known = rid in self.rospecs or (msg.kind == MsgType.DELETE_ROSPEC and rid == 0)
        if not known:
            status = LlrpStatus(STATUS_FIELD_ERROR, f"no ROSpec {rid}")
            self._send(StatusResponse(response, status, msg_id=msg.msg_id))
            return
        if msg.kind == MsgType.START_ROSPEC and rid not in self.enabled:
            status = LlrpStatus(STATUS_FIELD_ERROR, f"ROSpec {rid} not enabled")
            self._send(StatusResponse(response, status, msg_id=msg.msg_id))
            return
        if msg.kind == MsgType.ENABLE_ROSPEC:
            self.enabled.add(rid)
        elif msg.kind == MsgType.DELETE_ROSPEC:
            for gone in list(self.rospecs) if rid == 0 else [rid]:
                self.rospecs.pop(gone, None)
                self.enabled.discard(gone)
        self._send(StatusResponse(response, LlrpStatus(), msg_id=msg.msg_id))
        if msg.kind == MsgType.START_ROSPEC:
            self._run_rospec(self.rospecs[rid])
        elif msg.kind == MsgType.DELETE_ROSPEC and self.held_report is not None:
            self._send(self.held_report)
            self.held_report = None

    def _run_rospec(self, spec: RoSpec) -> None:
        """One inventory round, compressed in time: every read at once, then End_Of_ROSpec."""
        pop = self.server.population
        rng = self.rng
        antennas = pop.antennas if spec.antennas in ((), (0,)) else spec.antennas
        low, high = pop.rssi_range
        now = int(time.time() * 1e6)
        reads = [
            TagReport(
                epc,
                antenna=rng.choice(antennas),
                peak_rssi=rng.randint(low, high),
                first_seen_us=now + rng.randrange(1_000_000),
                rospec_id=spec.rospec_id,
            )
            for epc in pop.epcs
            for _ in range(pop.reads_per_tag)
        ]
        reads.extend(
            TagReport(epc, antenna=antennas[0], peak_rssi=pop.weak_rssi, first_seen_us=now)
            for epc in pop.weak_epcs
        )
        rng.shuffle(reads)
        if self.keepalive_ms:
            self._send(Keepalive(msg_id=self._id()))
        batch = spec.report_every_n_tags or pop.tags_per_report
        reports = [
            RoAccessReport(tuple(reads[i : i + batch]), msg_id=self._id())
            for i in range(0, len(reads), batch)
        ]
        last = reports.pop() if reports and pop.final_report != "before_end" else None
        for report in reports:
            self._send(report)
        if self.rospec_events:
            self._send(
                ReaderEventNotification(
                    int(time.time() * 1e6),
                    rospec_event=(ROSPEC_EVENT_END, spec.rospec_id),
                    msg_id=self._id(),
                )
            )
        if last is not None and pop.final_report == "after_end":
            self._send(last)
        elif last is not None:
            self.held_report = last


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, population: ReaderPopulation) -> None:
        self.population = population
        super().__init__(("127.0.0.1", 0), _ReaderSession)


class LlrpReaderSimulator:
    """Start with `start()`, connect to `address`, stop with `stop()` (or use as a context)."""

    def __init__(self, population: ReaderPopulation) -> None:
        self._server = _Server(population)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    @property
    def population(self) -> ReaderPopulation:
        return self._server.population

    def set_epcs(self, epcs: Iterable[bytes]) -> None:
        self._server.population.epcs = list(epcs)

    def start(self) -> LlrpReaderSimulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() would wait forever on a never-started server
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LlrpReaderSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
