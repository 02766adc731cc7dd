"""An HQ ingest worker: takes uplink messages from the shared subscription, writes each batch in
one transaction, and answers with a cumulative acknowledgement; also answers terminal requests,
and keeps each terminal's presence and latest health report.

Rule: the ack is published only after the commit; a database outage stalls the worker (it retries)
but never produces an ack for something not committed.

A worker may write through several lanes (`writers`): a thread and a database connection each,
every store always in the same lane. A store's rows (its terminals, its rollups, its on-hand) are
then only ever written by one connection of the worker, so lanes never wait on each other's locks,
and the round trips of one lane overlap with another's. Two worker processes, by contrast, share
every store through the shared subscription, and a group of one sometimes waits for the other's
commit on the same rollup and terminal rows; each still brings its own GIL (measured in
tests/bench/test_sync_bench.py, docs/performance.md).
"""

from __future__ import annotations

import functools
import gc
import logging
import os
import queue
import threading
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from cloud_sync.health import MAX_REPORT
from cloud_sync.mqtt_link import make_client, session_properties
from cloud_sync.protocol import (
    INGEST_FILTERS,
    INGEST_SHARE,
    SCHEMA_VERSION,
    BalanceLookup,
    CouponLookup,
    ErrorReply,
    LookupReply,
    PointsLookup,
    Presence,
    Request,
    SaleLookup,
    SyncRequest,
    ack_topic,
    encode,
    reply_topic,
    split_topic,
)
from cloud_sync.settings import BrokerSettings
from cloud_sync.signing import load_private_key
from hq.loyalty.ledger import Loyalty
from hq.ownership import GRANT_LIFE, check_table, enforce
from hq.publish import snapshot
from hq.storage import open_storage
from hq.storage.interface import (
    DEFAULT_TIMEZONE,
    BatchIn,
    HqStorage,
    IngestResult,
    StorageUnavailable,
    clean_text,
)
from hq.terminal_health import HealthRefused, check_health
from hq.validation import BatchUnreadable, check_batch

log = logging.getLogger("hq.ingest")
WORKER_STALE_S = 10.0  # a worker whose loop has not turned for this long is hung
Heartbeat = Callable[[], None]
MAX_DELTAS = 50  # further behind than this, a store gets a snapshot instead of the deltas
_request_decoder = msgspec.json.Decoder(Request)
_reply_decoder = msgspec.json.Decoder(LookupReply | ErrorReply)
LOOKUP_RATE = 5.0  # requests a second per terminal and worker, after a burst of
LOOKUP_BURST = 20.0


@dataclass(frozen=True)
class IngestOptions:
    db_url: str
    broker: BrokerSettings
    signing_key: str = ""
    timezone: str = DEFAULT_TIMEZONE
    queue_size: int = 256
    group_size: int = 64  # batches written in one transaction at most
    writers: int = 1  # lanes: writer threads, each with its own connection and its own stores
    lock_hours: float = 24.0  # an offline spend locks a card for other terminals this long at most


class Lane:
    """One writer of a worker: the messages of its stores, its database connection, and when its
    loop last turned."""

    def __init__(self, queue_size: int) -> None:
        self.inbox: queue.Queue[mqtt.MQTTMessage] = queue.Queue(queue_size)
        self.storage: HqStorage | None = None
        self.beat = time.monotonic()

    def touch(self) -> None:
        self.beat = time.monotonic()


def lane_of(topic: str, lanes: int) -> int:
    """The lane of the store a topic names (`pos/v1/{store}/...`); lane 0 for anything else."""
    parts = topic.split("/", 3)
    return zlib.crc32(parts[2].encode("utf-8")) % lanes if len(parts) > 3 else 0


class IngestWorker:
    def __init__(self, options: IngestOptions,
                 clock: Callable[[], float] = time.time) -> None:
        check_table()  # an accepted event type without an ownership row: refuse to start
        self.options = options
        self.limits = RequestLimits()
        self.clock = clock  # HQ's time in acks: terminals measure their clocks against it
        self.key = load_private_key(Path(options.signing_key)) if options.signing_key else None
        self.lanes = [Lane(options.queue_size) for _ in range(max(1, options.writers))]
        self.inbox = self.lanes[0].inbox  # the only one with one writer
        self.client = make_client(f"hq-ingest-{os.getpid()}-{uuid.uuid4().hex[:6]}",
                                  options.broker)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._route
        self.client.reconnect_delay_set(1, 5)
        self.batches = 0
        self.heartbeat: Heartbeat = lambda: None

    @property
    def storage(self) -> HqStorage | None:
        """Lane 0's connection (the only one with one writer)."""
        return self.lanes[0].storage

    def _route(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        lanes = self.lanes
        lanes[lane_of(msg.topic, len(lanes)) if len(lanes) > 1 else 0].inbox.put(msg)

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            log.warning("broker refused the connection: %s", reason)
            return
        client.subscribe([(f"{INGEST_SHARE}/{f}", 1) for f in INGEST_FILTERS])

    def run(self, stop: threading.Event, heartbeat: Heartbeat = lambda: None) -> None:
        """Ingest until `stop`; `heartbeat` is called on every turn of the loop (at least every
        0.2 s, also while waiting for the database), so a supervisor's watchdog vouches for it.
        With several lanes, this thread calls it only while every lane's loop has turned within
        WORKER_STALE_S: one hung lane stops the pings."""
        self.heartbeat = heartbeat
        b = self.options.broker
        if not b.tls:
            log.warning("connecting to %s:%d in plaintext (--insecure)", b.host, b.port)
        self.client.connect_async(b.host, b.port, b.keepalive, clean_start=True,
                                  properties=session_properties())
        self.client.loop_start()
        try:
            if len(self.lanes) == 1:
                self._write_lane(self.lanes[0], stop, heartbeat)
            else:
                self._run_lanes(stop, heartbeat)
        finally:
            self.client.disconnect()
            self.client.loop_stop()
            for lane in self.lanes:
                if lane.storage:
                    lane.storage.close()

    def _run_lanes(self, stop: threading.Event, heartbeat: Heartbeat) -> None:
        threads = [threading.Thread(target=self._write_lane, args=(lane, stop, lane.touch),
                                    name=f"ingest-lane-{i}", daemon=True)
                   for i, lane in enumerate(self.lanes)]
        for thread in threads:
            thread.start()
        try:
            while not stop.is_set():
                now = time.monotonic()
                if all(t.is_alive() for t in threads) and \
                        all(now - lane.beat < WORKER_STALE_S for lane in self.lanes):
                    heartbeat()
                stop.wait(0.2)
        finally:
            stop.set()
            for thread in threads:
                thread.join(10)

    def _write_lane(self, lane: Lane, stop: threading.Event, heartbeat: Heartbeat) -> None:
        while not stop.is_set():
            heartbeat()
            try:
                first = lane.inbox.get(timeout=0.2)
            except queue.Empty:
                continue
            # Whatever else is already waiting goes into the same transaction: with many
            # terminals sending small batches, commits, not rows, are what limits HQ.
            group = [first]
            while len(group) < self.options.group_size:
                try:
                    group.append(lane.inbox.get_nowait())
                except queue.Empty:
                    break
            self._with_storage(functools.partial(self.handle_group, group=group), stop, lane,
                               heartbeat)

    def _with_storage(self, work: Any, stop: threading.Event, lane: Lane | None = None,
                      heartbeat: Heartbeat | None = None) -> None:
        lane = lane or self.lanes[0]
        beat = heartbeat or self.heartbeat
        pause = 0.1
        while not stop.is_set():
            try:
                if lane.storage is None:
                    lane.storage = open_storage(self.options.db_url, self.options.timezone,
                                                self.options.lock_hours)
                work(lane.storage)
                return
            except StorageUnavailable as exc:
                log.warning("HQ database unavailable, retrying: %s", exc)
                beat()    # waiting for the database is not a hang: a restart won't help
                time.sleep(pause)
                pause = min(pause * 2, 2.0)
            except Exception:
                # handle_group answers every message itself; this is the last guard of the
                # worker's loop, which must go on.
                log.exception("failed to handle messages")
                return

    def handle(self, storage: HqStorage, msg: mqtt.MQTTMessage) -> None:
        self.handle_group(storage, [msg])

    def handle_group(self, storage: HqStorage, group: list[mqtt.MQTTMessage]) -> None:
        """Write the event batches of `group` in one transaction, then ack each; presence and
        requests are answered as they come. Nothing is dropped: a message that cannot be handled
        is dead-lettered and answered with an ErrorReply, and the rest are still written."""
        batches: list[BatchIn] = []
        for msg in group:
            try:
                store, terminal, kind = split_topic(msg.topic)
            except ValueError:
                log.warning("ignored message on %s", clean_text(msg.topic, 200))
                continue
            try:
                if kind == "events":
                    batch = self._validate(storage, store, terminal, bytes(msg.payload))
                    if batch is not None:
                        batches.append(batch)
                elif kind == "presence":
                    try:
                        presence = msgspec.json.decode(msg.payload, type=Presence)
                    except (msgspec.DecodeError, msgspec.ValidationError):
                        continue
                    storage.presence(store, terminal, presence.online)
                elif kind == "request":
                    self._request(storage, store, terminal, msg)
                elif kind == "health":
                    self._health(storage, store, terminal, bytes(msg.payload))
            except StorageUnavailable:
                raise
            except Exception as exc:  # a bug: answer it, never lose the rest of the group
                log.exception("failed to handle a message of %s/%s", store, terminal)
                self._error(store, terminal, "internal", type(exc).__name__)
        if not batches:
            return
        # The ownership rule, for the whole group before any effect is written.
        batches = enforce(batches, storage.ownership_view)
        try:
            results = storage.ingest_many(batches)
        except StorageUnavailable:
            raise
        except Exception:
            log.exception("a group of %d batches failed; writing them one by one", len(batches))
            self._one_by_one(storage, batches)
            return
        self.batches += len(batches)
        for batch, result in zip(batches, results, strict=True):
            self._ack(result, batch.sent_at)

    def _one_by_one(self, storage: HqStorage, batches: list[BatchIn]) -> None:
        """Each batch alone: ack what is written, an ErrorReply for what is not (it comes again)."""
        for batch in batches:
            try:
                [result] = storage.ingest_many([batch])
            except StorageUnavailable:
                raise
            except Exception as exc:
                log.exception("batch of %s/%s failed", batch.store, batch.terminal)
                self._error(batch.store, batch.terminal, "storage_failed", type(exc).__name__)
                continue
            self.batches += 1
            self._ack(result, batch.sent_at)

    def _ack(self, result: IngestResult, sent_at: float | None) -> None:
        ack = result.ack
        if sent_at is not None:  # the terminal reads these fields: its batch carried sent_at
            ack = msgspec.structs.replace(ack, sent_at=sent_at, hq_time=self.clock())
        if result.gaps:
            log.info("%s/%s: acked to %d, gaps %s", ack.store, ack.terminal, ack.acked_to,
                     result.gaps)
        self._publish(ack_topic(ack.store, ack.terminal), encode(ack))

    def _error(self, store: str, terminal: str, code: str, message: str) -> None:
        self._publish(reply_topic(store, terminal),
                      encode(ErrorReply(v=SCHEMA_VERSION, code=code, message=message)))

    def _validate(self, storage: HqStorage, store: str, terminal: str,
                  raw: bytes) -> BatchIn | None:
        try:
            return check_batch(store, terminal, raw)
        except BatchUnreadable as exc:
            reason = clean_text(str(exc), 300)
            storage.dead_letter(store, terminal, reason, raw)
            self._error(store, terminal, "unreadable", reason)
            return None

    def _health(self, storage: HqStorage, store: str, terminal: str, raw: bytes) -> None:
        """Keep the terminal's health report for the fleet view, or dead-letter it (its first
        MAX_REPORT bytes: what a refused report holds is bounded too)."""
        try:
            health = check_health(store, terminal, raw, datetime.now(UTC))
        except HealthRefused as exc:
            reason = clean_text(str(exc), 300)
            log.warning("health report of %s/%s refused: %s", store, terminal, reason,
                        extra={"store": store, "terminal": terminal})
            storage.dead_letter(store, terminal, f"health: {reason}", raw[:MAX_REPORT])
            return
        storage.keep_health(health)

    def _request(self, storage: HqStorage, store: str, terminal: str,
                 msg: mqtt.MQTTMessage) -> None:
        """Answer a terminal's request on its own reply topic, derived from the topic it came on
        (the broker's ACL ties that to its credential): a ResponseTopic in the request is never
        used, a reply is never answered, and each terminal gets LOOKUP_BURST requests at once and
        LOOKUP_RATE a second after that; beyond, requests are dropped unanswered."""
        if not self.limits.allow((store, terminal), time.monotonic()):
            return
        topic = reply_topic(store, terminal)
        correlation = getattr(getattr(msg, "properties", None), "CorrelationData", None) or b""
        try:
            request = _request_decoder.decode(msg.payload)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            if _is_reply(bytes(msg.payload)):
                return
            self._publish(topic, encode(ErrorReply(v=SCHEMA_VERSION, code="bad_request",
                                                   message=str(exc)[:200])), correlation)
            return
        if isinstance(request, SyncRequest):
            for body in self._catch_up(storage, store, request):
                self._publish(topic, body, correlation)
        elif isinstance(request, SaleLookup):
            found = storage.find_sale(request.sale_id, store)
            if found is not None:
                sale = msgspec.json.decode(found)
                self._grant(storage, store, terminal, "sale", request.sale_id,
                            int(sale.get("total") or 0))
            reply = LookupReply(v=SCHEMA_VERSION, found=found is not None,
                                body=msgspec.Raw(found or b"null"))
            self._publish(topic, encode(reply), correlation)
        elif isinstance(request, BalanceLookup):
            card = storage.card_balance(request.account_id, store, terminal)
            if card is not None:
                balance = int(msgspec.json.decode(card).get("balance") or 0)
                self._grant(storage, store, terminal, "card", request.account_id, balance)
            self._publish(topic, encode(LookupReply(v=SCHEMA_VERSION, found=card is not None,
                                                    body=msgspec.Raw(card or b"null"))),
                          correlation)
        elif isinstance(request, PointsLookup | CouponLookup):
            self._publish(topic, self._loyalty(storage, store, terminal, request), correlation)

    def _loyalty(self, storage: HqStorage, store: str, terminal: str,
                 request: PointsLookup | CouponLookup) -> bytes:
        """A member's points (held for the asker) or a coupon (held for the asker), from HQ's
        ledgers (hq/loyalty/ledger.py). Points of another store's member grant the asker that
        member, so the sale's member.points passes the ownership rule."""
        now = datetime.fromtimestamp(self.clock(), UTC)
        if isinstance(request, PointsLookup):
            if not 0 <= request.hold <= 10**9 or len(request.member_id) > 64:
                return encode(ErrorReply(v=SCHEMA_VERSION, code="bad_request",
                                         message="member_id of 1-64, hold of 0-10^9 points"))
            found = storage.loyalty(lambda cur, pg: Loyalty(cur, pg).points_for(
                request.member_id, store, terminal, request.hold, now))
            if found is not None:
                self._grant(storage, store, terminal, "member", request.member_id, 0)
        else:
            found = storage.loyalty(lambda cur, pg: Loyalty(cur, pg).coupon_for(
                request.code[:64], store, terminal, now))
        body = msgspec.json.encode(found) if found is not None else b"null"
        return encode(LookupReply(v=SCHEMA_VERSION, found=found is not None,
                                  body=msgspec.Raw(body)))

    def _grant(self, storage: HqStorage, store: str, terminal: str, kind: str, object_id: str,
               amount: int) -> None:
        """A look-up that hands a terminal another store's object grants it (hq/ownership.py)."""
        now = datetime.fromtimestamp(self.clock(), UTC)
        if storage.grant(store, terminal, kind, object_id, amount, now, now + GRANT_LIFE):
            log.info("%s/%s granted %s %s up to %d", store, terminal, kind,
                     clean_text(object_id, 64), amount)

    def _catch_up(self, storage: HqStorage, store: str, request: SyncRequest) -> list[bytes]:
        head = storage.head(store, request.stream)
        if head <= request.have and not request.want_snapshot:
            return []
        wants_snapshot = request.want_snapshot or head - request.have > MAX_DELTAS
        if wants_snapshot and self.key is not None:
            return [snapshot(storage, self.key, store, request.stream)]
        return storage.versions_after(store, request.stream, request.have, MAX_DELTAS)

    def _publish(self, topic: str, body: bytes, correlation: bytes = b"") -> None:
        props = None
        if correlation:  # never a ResponseTopic: a reply asks for no answer
            props = Properties(PacketTypes.PUBLISH)
            props.CorrelationData = correlation
        self.client.publish(topic, body, qos=1, properties=props)


def _is_reply(payload: bytes) -> bool:
    """A reply (HQ's own, or one made to look like it) published as a request: never answered."""
    try:
        _reply_decoder.decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return False
    return True


class RequestLimits:
    """A token bucket per terminal: `burst` requests at once, then `rate` a second."""

    def __init__(self, rate: float = LOOKUP_RATE, burst: float = LOOKUP_BURST) -> None:
        self.rate, self.burst = rate, burst
        self.buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self.dropped = 0

    def allow(self, who: tuple[str, str], now: float) -> bool:
        tokens, last = self.buckets.get(who, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self.buckets[who] = (tokens, now)
            self.dropped += 1
            if self.dropped % 1000 == 1:
                log.warning("%s/%s: look-ups beyond %g a second dropped (%d so far)",
                            who[0], who[1], self.rate, self.dropped)
            return False
        self.buckets[who] = (tokens - 1, now)
        return True


def run_workers(options: IngestOptions, workers: int, stop: threading.Event,
                heartbeat: Heartbeat = lambda: None) -> None:
    """Run `workers` ingest workers, each its own process with its own connections.
    `heartbeat` (systemd's watchdog) is called from the ingest loop itself with one worker; with
    several, from the parent's loop only while every worker's loop has beaten within
    WORKER_STALE_S, so one hung worker stops the pings and the whole unit is restarted."""
    if workers <= 1:
        _fewer_collections()
        IngestWorker(options).run(stop, heartbeat)
        return
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    parent = os.getpid()
    beats = ctx.Array("d", [time.monotonic()] * workers, lock=False)  # CLOCK_MONOTONIC: one per host

    def start(i: int) -> Any:
        beats[i] = time.monotonic()
        proc = ctx.Process(target=_worker_main, args=(options, parent, beats, i), daemon=True)
        proc.start()
        return proc

    procs = [start(i) for i in range(workers)]
    try:
        while not stop.is_set():
            for i, proc in enumerate(procs):
                if not proc.is_alive():  # a crashed worker is replaced; its batches are resent
                    procs[i] = start(i)
            if all(time.monotonic() - beat < WORKER_STALE_S for beat in beats):
                heartbeat()
            stop.wait(0.5)
    finally:
        for proc in procs:
            proc.terminate()
            proc.join(5)


def _worker_main(options: IngestOptions, parent: int, beats: Any, index: int) -> None:
    _die_with_parent(parent)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()

    def beat() -> None:
        beats[index] = time.monotonic()

    _fewer_collections()
    try:
        IngestWorker(options).run(stop, beat)
    except KeyboardInterrupt:
        pass


def _fewer_collections() -> None:
    """A worker makes many small objects that live for one transaction (a batch's events and
    rows) and no reference cycles of its own: the cyclic collector's default threshold (700
    allocations) ran it every few batches for nothing, 3–4 µs a sale. Reference counting still
    frees everything at once; the collector still runs, 140 times less often."""
    gc.set_threshold(100_000, 50, 100)


def _die_with_parent(parent: int) -> None:
    """Ask the kernel for SIGTERM when the parent dies (prctl PR_SET_PDEATHSIG), SIGKILL included:
    a supervisor restarting `pos hq ingest` must never find the old workers still running."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    if os.getppid() != parent:          # the parent died before the request took effect
        os._exit(0)
