"""A fleet of simulated terminals for the sustained-ingest benchmark, cheap enough that 1,000 of
them leave the machine to HQ.

Each terminal is its own MQTT 5 connection with its own client id, subscribed (QoS 1) to its ack
topic, publishing QoS 1 batches built by `cloud_sync.agent.batch_bytes` to its events topic, and
behaving like the agent (cloud_sync/agent.py): on every turn of its loop it sends, in batches of
at most `batch_size`, whatever is sold and not in flight, up to `window_batches` batches ahead of
HQ's cumulative ack; with no ack progress for `ack_timeout` it sends again from the first
unacknowledged seq (the agent reconnects to do that; here the connection stays), and an ack that
reports gaps with no progress for a quarter of that does the same.

What is not the agent's: no SQLite (every sale is prebuilt, with its own sale id, event id and
receipt number, before the clock starts) and no thread per terminal. All connections are driven
from one `selectors` loop with the few MQTT 5 packets a terminal needs (CONNECT, SUBSCRIBE,
PUBLISH and PUBACK both ways, PINGREQ, DISCONNECT) written below; a paho client costs a thread
and ~100 µs of Python per message, which 1,000 terminals at 2 sales/s cannot afford on the same
2 cores as the broker, the workers and PostgreSQL.
"""

from __future__ import annotations

import random
import selectors
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import msgspec

from cloud_sync.agent import batch_bytes
from cloud_sync.protocol import Ack, ResendRequest, ack_topic, events_topic
from cloud_sync.settings import AgentSettings
from edge.ledger.outbox import canonical_json
from tests.cloud_sync.sales import sale_payload

_ack_decoder = msgspec.json.Decoder(Ack | ResendRequest)
_AGENT = AgentSettings(store_id="S000", terminal_id="T000")
MAX_INFLIGHT = 10  # QoS 1 publishes awaiting PUBACK per connection (Mosquitto takes 20)
CREATED_AT = "2026-11-22T02:00:00.000+00:00"


# ---- the MQTT 5 packets a terminal needs (OASIS MQTT 5.0, section 3) -------------------------

def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        n, digit = n >> 7, n & 0x7F
        out.append(digit | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _string(s: str) -> bytes:
    data = s.encode("utf-8")
    return struct.pack("!H", len(data)) + data


def _packet(first: int, body: bytes) -> bytes:
    return bytes((first,)) + _varint(len(body)) + body


def connect_packet(client_id: str, keepalive: int) -> bytes:
    # protocol name, level 5, flags: clean start; keepalive; no properties; the client id
    return _packet(0x10, _string("MQTT") + bytes((5, 0x02)) + struct.pack("!H", keepalive)
                   + b"\x00" + _string(client_id))


def subscribe_packet(packet_id: int, topic: str) -> bytes:
    # packet id, no properties, one filter with options: QoS 1
    return _packet(0x82, struct.pack("!H", packet_id) + b"\x00" + _string(topic) + b"\x01")


def publish_header(topic: str) -> bytes:
    """The part of a QoS 1 PUBLISH's variable header before its packet id."""
    return _string(topic)


def publish_packet(header: bytes, packet_id: int, payload: bytes) -> bytes:
    body_len = len(header) + 3 + len(payload)  # packet id (2) and empty properties (1)
    return b"".join((b"\x32", _varint(body_len), header, struct.pack("!H", packet_id), b"\x00",
                     payload))


def puback_packet(packet_id: int) -> bytes:
    return b"\x40\x02" + struct.pack("!H", packet_id)  # reason 0 (success) left out


PINGREQ = b"\xc0\x00"
DISCONNECT = b"\xe0\x00"


def split_packets(buf: bytearray) -> list[tuple[int, memoryview]]:
    """Take every whole packet off the front of `buf`: (first byte, body) each."""
    out: list[tuple[int, memoryview]] = []
    data = bytes(buf)
    view = memoryview(data)
    pos, end = 0, len(data)
    while end - pos >= 2:
        length, shift, i, whole = 0, 0, pos + 1, False
        while i < end and i < pos + 5:  # the remaining length: 1 to 4 bytes
            digit = data[i]
            i += 1
            length |= (digit & 0x7F) << shift
            shift += 7
            if not digit & 0x80:
                whole = True
                break
        if not whole or i + length > end:
            break
        out.append((data[pos], view[i:i + length]))
        pos = i + length
    del buf[:pos]
    return out


def read_publish(first: int, body: memoryview) -> tuple[str, int, bytes]:
    """A PUBLISH's topic, packet id (0 at QoS 0) and payload."""
    (tlen,) = struct.unpack_from("!H", body, 0)
    topic = bytes(body[2:2 + tlen]).decode("utf-8")
    pos, packet_id = 2 + tlen, 0
    if (first >> 1) & 3:
        (packet_id,) = struct.unpack_from("!H", body, pos)
        pos += 2
    plen, mult = 0, 1
    while True:
        digit = body[pos]
        pos += 1
        plen += (digit & 0x7F) * mult
        mult <<= 7
        if not digit & 0x80:
            break
    return topic, packet_id, bytes(body[pos + plen:])


# ---- the fleet -----------------------------------------------------------------------------

class FleetError(Exception):
    """The broker refused or dropped a terminal, or refused one of its messages."""


@dataclass(eq=False)  # hashed by identity: terminals go into sets
class Terminal:
    n: int
    store: str
    terminal: str
    client_id: str
    rows: list[tuple[int, str, str, str, str]] = field(default_factory=list)  # seq i+1 at i
    sock: socket.socket | None = None
    inbox: bytearray = field(default_factory=bytearray)
    outbox: bytearray = field(default_factory=bytearray)
    connected: bool = False
    subscribed: bool = False
    next_packet_id: int = 0
    inflight: int = 0
    seq: int = 0         # sold
    sent_up_to: int = 0
    acked: int = 0
    progress: float = 0.0
    resends: int = 0
    sent_at: dict[int, float] = field(default_factory=dict)
    topic_header: bytes = b""

    def packet_id(self) -> int:
        self.next_packet_id = self.next_packet_id % 65535 + 1
        return self.next_packet_id


@dataclass
class FleetResult:
    sold: int
    seconds: float            # load time
    drained_after: float      # from the last sale to every terminal fully acknowledged
    latencies: list[float]    # send → ack, seconds, one per sale
    resends: int
    cpu_s: float              # this process's CPU during load and drain
    per_terminal: dict[tuple[str, str], tuple[int, int]]  # (sold, acked)

    def percentile(self, q: float) -> float:
        s = sorted(self.latencies)
        return s[min(len(s) - 1, int(len(s) * q))]


class Fleet:
    """`count` terminals, four to a store (S000/T00..T03, S000/T01, ...), on one selector loop."""

    def __init__(self, port: int, count: int, host: str = "127.0.0.1", tick: float = 0.02,
                 settings: AgentSettings = _AGENT, keepalive: int = 60,
                 wall: Callable[[], float] = time.time) -> None:
        self.host, self.port, self.tick, self.keepalive = host, port, tick, keepalive
        self.s = settings
        self.wall = wall
        self.sel = selectors.DefaultSelector()
        self.terminals = [Terminal(n, f"S{n // 4:03d}", f"T{n % 4:02d}", f"fleet-{n}")
                          for n in range(count)]
        self.by_fd: dict[int, Terminal] = {}
        self.latencies: list[float] = []
        self.rejected = 0
        self.warm = 0

    # ---- before the clock starts ----

    def prebuild(self, rate: float, seconds: float, rng: random.Random,
                 warm_up: int = 1) -> list[int]:
        """Every sale of the run, made now: `warm_up` for each terminal first (see `warm_up`),
        then `rate` × `seconds` more; returns which terminal sells each of those, in order.
        50 sale templates; each sale gets its own sale id, event id and receipt number."""
        templates = []
        for _ in range(50):
            p = sale_payload("S000", "T000", 424242, rng, at=CREATED_AT)
            body = canonical_json(p)
            for old, mark in ((p["sale_id"], "\x00A"), ('"S000"', "\x00B"),
                              ('"T000"', "\x00C"), ("424242", "\x00D")):
                assert body.count(old) == 1, old
                body = body.replace(old, mark)
            templates.append(body)
        picks = [rng.randrange(len(self.terminals)) for _ in range(int(rate * seconds))]
        for i in [n for n in range(len(self.terminals)) for _ in range(warm_up)] + picks:
            t = self.terminals[i]
            seq = len(t.rows) + 1
            body = templates[seq % len(templates)]
            sale_id = f"{t.n:08x}-0000-4000-8000-{seq:012x}"
            event_id = f"{t.n:08x}-0000-4000-9000-{seq:012x}"
            body = (body.replace("\x00A", sale_id).replace("\x00B", f'"{t.store}"')
                    .replace("\x00C", f'"{t.terminal}"').replace("\x00D", str(seq)))
            t.rows.append((seq, event_id, "sale.completed", body, CREATED_AT))
        self.warm = warm_up
        return picks

    def connect(self, timeout: float = 60.0) -> None:
        """Every terminal connected and subscribed to its ack topic (CONNECT and SUBSCRIBE sent
        back to back, as MQTT 5 allows)."""
        for t in self.terminals:
            sock = socket.create_connection((self.host, self.port), timeout=10)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setblocking(False)
            t.sock = sock
            t.topic_header = publish_header(events_topic(t.store, t.terminal))
            self.by_fd[sock.fileno()] = t
            self.sel.register(sock, selectors.EVENT_READ, t)
            self._write(t, connect_packet(t.client_id, self.keepalive)
                        + subscribe_packet(t.packet_id(), ack_topic(t.store, t.terminal)))
        deadline = time.monotonic() + timeout
        while not all(t.subscribed for t in self.terminals):
            if time.monotonic() > deadline:
                raise FleetError(f"{sum(not t.subscribed for t in self.terminals)} terminals "
                                 "not subscribed")
            self._poll(0.05)

    # ---- the loop ----

    def warm_up(self, timeout: float = 120.0) -> None:
        """Each terminal sells its warm-up sales and waits for their ack: HQ knows every
        terminal and has its connections open before the clock starts."""
        dirty = set(self.terminals)
        for t in self.terminals:
            t.seq = self.warm
        deadline = time.monotonic() + timeout
        while not all(t.acked == t.seq for t in self.terminals):
            if time.monotonic() > deadline:
                raise FleetError("warm-up sales not acknowledged")
            now = time.perf_counter()
            self._turn(dirty, now)
            self._poll_until(now + self.tick)
        self.latencies.clear()

    def run(self, picks: list[int], rate: float, seconds: float,
             drain_timeout: float = 120.0) -> FleetResult:
        """Sell `picks` at `rate` a second, each terminal turning its loop every `tick`; then go
        on until every terminal is acknowledged up to its last sale."""
        cpu0 = time.process_time()
        started = time.perf_counter()
        sold = 0
        dirty: set[Terminal] = set()
        next_ping = next_check = started
        while sold < len(picks):
            now = time.perf_counter()
            due = min(len(picks), int((now - started) * rate)) - sold
            for i in picks[sold:sold + due]:
                t = self.terminals[i]
                t.seq += 1
                dirty.add(t)
            sold += due
            self._turn(dirty, now)
            if now >= next_check:  # terminals with something in flight: any timed out?
                next_check = now + 0.5
                dirty.update(t for t in self.terminals if t.sent_up_to > t.acked)
            if now >= next_ping:
                next_ping = now + self.keepalive / 2
                for t in self.terminals:
                    self._write(t, PINGREQ)
            self._poll_until(now + self.tick)
        load_end = time.perf_counter()
        deadline = load_end + drain_timeout
        while not all(t.acked == t.seq for t in self.terminals):
            now = time.perf_counter()
            if now > deadline:
                behind = sum(t.seq - t.acked for t in self.terminals)
                raise FleetError(f"{behind} sales unacknowledged {drain_timeout:.0f} s after "
                                 "the load stopped")
            dirty.update(t for t in self.terminals if t.sent_up_to > t.acked
                         or t.seq > t.sent_up_to)
            self._turn(dirty, now)
            self._poll_until(now + self.tick)
        done = time.perf_counter()
        return FleetResult(
            sold=sold, seconds=load_end - started, drained_after=done - load_end,
            latencies=self.latencies, resends=sum(t.resends for t in self.terminals),
            cpu_s=time.process_time() - cpu0,
            per_terminal={(t.store, t.terminal): (t.seq, t.acked) for t in self.terminals})

    def _turn(self, dirty: set[Terminal], now: float) -> None:
        """One turn of the loop of each terminal in `dirty`; those left with nothing to send
        leave it."""
        for t in list(dirty):
            self._send(t, now)
            if t.seq == t.sent_up_to:
                dirty.discard(t)

    def _send(self, t: Terminal, now: float) -> None:
        """The agent's _check_ack_timeout and _send, with the outbox in memory."""
        if t.sent_up_to > t.acked and now - t.progress > self.s.ack_timeout:
            t.sent_up_to = t.acked
            t.resends += 1
        window = self.s.window_batches * self.s.batch_size
        while t.sent_up_to < t.seq and t.sent_up_to - t.acked < window \
                and t.inflight < MAX_INFLIGHT:
            if t.sent_up_to == t.acked:
                t.progress = now  # the ack clock starts with the first send
            rows = t.rows[t.sent_up_to:min(t.seq, t.sent_up_to + self.s.batch_size)]
            payload = batch_bytes(t.store, t.terminal, t.acked, rows, sent_at=self.wall())
            for r in rows:
                t.sent_at.setdefault(r[0], now)
            t.inflight += 1
            self._write(t, publish_packet(t.topic_header, t.packet_id(), payload))
            t.sent_up_to = rows[-1][0]

    def _on_ack(self, t: Terminal, payload: bytes) -> None:
        ack = _ack_decoder.decode(payload)
        if isinstance(ack, ResendRequest):
            return  # no dead letters here to send again
        now = time.perf_counter()
        self.rejected += len(ack.rejected)
        if ack.acked_to > t.acked:
            for seq in range(t.acked + 1, ack.acked_to + 1):
                self.latencies.append(now - t.sent_at.pop(seq))
            t.acked = ack.acked_to
            t.sent_up_to = max(t.sent_up_to, t.acked)
            t.progress = now
        elif ack.gaps and now - t.progress > self.s.ack_timeout / 4:
            t.sent_up_to = t.acked  # HQ holds later seqs but not the next: send again
            t.progress = now
            t.resends += 1

    # ---- I/O ----

    def _write(self, t: Terminal, data: bytes) -> None:
        assert t.sock is not None
        if t.outbox:
            t.outbox += data
            return
        try:
            sent = t.sock.send(data)
        except BlockingIOError:
            sent = 0
        if sent < len(data):
            t.outbox += data[sent:]
            self.sel.modify(t.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, t)

    def _flush(self, t: Terminal) -> None:
        assert t.sock is not None
        try:
            sent = t.sock.send(t.outbox)
        except BlockingIOError:
            return
        del t.outbox[:sent]
        if not t.outbox:
            self.sel.modify(t.sock, selectors.EVENT_READ, t)

    def _poll_until(self, until: float) -> None:
        while (left := until - time.perf_counter()) > 0:
            self._poll(left)

    def _poll(self, timeout: float) -> None:
        for key, events in self.sel.select(timeout):
            t: Terminal = key.data
            if events & selectors.EVENT_WRITE:
                self._flush(t)
            if events & selectors.EVENT_READ:
                self._read(t)

    def _read(self, t: Terminal) -> None:
        assert t.sock is not None
        try:
            data = t.sock.recv(65536)
        except BlockingIOError:
            return
        if not data:
            raise FleetError(f"broker closed the connection of {t.client_id}")
        t.inbox += data
        for first, body in split_packets(t.inbox):
            kind = first >> 4
            if kind == 3:       # PUBLISH: an ack (or a resend request) from HQ
                _topic, packet_id, payload = read_publish(first, body)
                if packet_id:
                    self._write(t, puback_packet(packet_id))
                self._on_ack(t, payload)
            elif kind == 4:     # PUBACK of one of our batches
                t.inflight -= 1
                if len(body) > 2 and body[2] >= 0x80:
                    raise FleetError(f"broker refused a batch of {t.client_id}: "
                                     f"reason {body[2]:#x}")
            elif kind == 2:     # CONNACK
                if body[1] != 0:
                    raise FleetError(f"broker refused {t.client_id}: reason {body[1]:#x}")
                t.connected = True
            elif kind == 9:     # SUBACK
                if body[-1] >= 0x80:
                    raise FleetError(f"subscription of {t.client_id} refused: {body[-1]:#x}")
                t.subscribed = True
            elif kind == 14:    # DISCONNECT from the broker
                raise FleetError(f"broker disconnected {t.client_id}: reason "
                                 f"{body[0] if body else 0:#x}")

    def close(self) -> None:
        for t in self.terminals:
            if t.sock is not None:
                try:
                    t.sock.setblocking(True)
                    t.sock.sendall(DISCONNECT)
                except OSError:
                    pass
                self.sel.unregister(t.sock)
                t.sock.close()
                t.sock = None
        self.sel.close()
