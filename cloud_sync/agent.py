"""The store's sync agent (`pos sync`): its own process beside the till, sharing the SQLite file.
It publishes the outbox in seq order in batches, applies HQ's signed downlink, and keeps its status.

Rule: an event leaves the outbox only on HQ's application ack; after any reconnect or restart
everything not acknowledged is sent again from the first pending seq. One thread owns the
database connection and the MQTT client (paho's loop runs in it too). A credential is never read
only once: the agent reads its `password_file` again when the broker refuses it and on SIGHUP
(`request_credential_reload`), so a secret rotated at HQ is picked up without a restart.
"""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import paho.mqtt.client as mqtt

from cloud_sync.downlink import (
    Outcome,
    accept_rollover,
    applied_version,
    apply_signed,
    promote_due_prices,
)
from cloud_sync.hq_clock import clock_is_off, offset_from_ack
from cloud_sync.mqtt_link import make_client, session_properties
from cloud_sync.protocol import (
    SCHEMA_VERSION,
    STREAMS,
    Ack,
    Batch,
    ErrorReply,
    Event,
    Head,
    Presence,
    ResendRequest,
    SyncRequest,
    ack_topic,
    encode,
    events_topic,
    head_topic,
    keys_topic,
    payload_digest,
    presence_topic,
    reply_topic,
    request_topic,
    version_topic,
)
from cloud_sync.settings import AgentSettings, SettingsError, read_secret
from cloud_sync.signing import SignatureError, load_keyring
from cloud_sync.status import write_status
from edge.ledger.clock import utc_now_iso
from edge.ledger.journal import append_entry, journal_head
from edge.ledger.outbox import mark_acked, mark_for_resend, mark_rejected
from edge.ledger.store import open_store, write_transaction
from edge.orders.orders import expire_due
from edge.orders.settings import DEFAULT_GRACE

log = logging.getLogger("cloud_sync.agent")
# The ack topic carries HQ's acks and its requests to send dead-lettered seqs again.
_ack_decoder = msgspec.json.Decoder(Ack | ResendRequest)
_head_decoder = msgspec.json.Decoder(Head)
# CONNACK reasons that mean "this credential": MQTT 5 bad user name or password, not authorized;
# MQTT 3.1.1's return codes 4 and 5 as paho reports them.
_CREDENTIAL_REFUSED = {134, 135, 4, 5}


class Agent:
    def __init__(self, settings: AgentSettings, db_path: str | Path,
                 discover: Callable[[], tuple[str, int] | None] | None = None,
                 wall: Callable[[], float] = time.time,
                 order_grace: timedelta = DEFAULT_GRACE) -> None:
        self.s = settings
        self.order_grace = order_grace  # online orders not picked up by slot end + this: released
        self.wall = wall  # this terminal's clock, measured against HQ's (cloud_sync/hq_clock.py)
        self.clock_off = False
        self.conn = open_store(db_path)
        self.key = load_keyring(Path(settings.hq_public_key)) if settings.hq_public_key else None
        # Per stream, after a refused version: no asking again before this time (exponential,
        # capped), so that a version this till cannot verify is reported once, never looped on.
        self.quiet_until: dict[str, float] = {}
        self.refusal_backoff: dict[str, float] = {}
        store, terminal = settings.store_id, settings.terminal_id
        self.client = make_client(
            f"{store}-{terminal}-agent", settings.broker,
            will=(presence_topic(store, terminal), _presence(False)))
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.discover = discover
        self.connected = False
        self.socket_open = False
        self.refused = False
        self.connect_started = 0.0
        self.acked = self._first_pending() - 1
        self.sent_up_to = self.acked
        self.last_progress = time.monotonic()
        self.next_attempt = 0.0
        self.backoff = settings.backoff_min
        self.offline_since = time.monotonic() - self._offline_before_start()
        self.was_offline_for = 0.0
        self.next_housekeeping = 0.0
        self.broker_label = ""
        self.credential_reload = threading.Event()  # set from a SIGHUP handler
        self.db_path = Path(db_path)
        # A version applied since the last health report: HQ's rollout waits for it (below).
        self.report_due = False
        self.reporting: threading.Thread | None = None
        # The clock measured by the last ack, not yet written: it rides with the next ack that
        # advances (in its transaction) or the next status write, never as a commit of its own.
        self.clock_status: dict[str, Any] = {}

    # ---- the loop -----------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        write_status(self.conn, connected=0, agent_pid=os.getpid())
        try:
            while not stop.is_set():
                try:
                    self.step()
                except sqlite3.OperationalError as exc:
                    # The till held the database longer than the busy timeout: wait, go on.
                    log.warning("store database busy: %s", exc)
                    time.sleep(0.5)
        finally:
            if self.socket_open:
                self.client.publish(presence_topic(self.s.store_id, self.s.terminal_id),
                                    _presence(False), qos=1)
                self.client.disconnect()
                self.client.loop(0.1)
            write_status(self.conn, connected=0, **self.clock_status)
            self.conn.close()

    def request_credential_reload(self) -> None:
        """Read the credential file again on the next turn of the loop (safe in a signal handler).
        A new secret serves the next connection: an open session stays (the broker ends it when
        it reloads its password file), and a till offline for its old secret tries at once."""
        self.credential_reload.set()

    def step(self) -> None:
        if self.credential_reload.is_set():
            self.credential_reload.clear()
            if self._reload_credential("SIGHUP") and not self.socket_open:
                self.backoff = self.s.backoff_min
                self.next_attempt = time.monotonic()
        now = time.monotonic()
        if not self.socket_open and now >= self.next_attempt:
            self._connect()
        if self.socket_open:
            self.client.loop(timeout=0.02)
            stalled = now - self.connect_started > 2 * self.s.broker.keepalive + 1
            if self.socket_open and not self.connected and stalled:
                # A CONNECT swallowed by a dead link: give up on this socket; the next connect()
                # closes it.
                self.socket_open = False
                self._failed(f"no answer from broker {self.broker_label}")
        else:
            time.sleep(0.05)
        if self.connected:
            self._check_ack_timeout()
            self._send()
        if now >= self.next_housekeeping:
            self.next_housekeeping = now + self.s.status_interval
            promote_due_prices(self.conn)
            expire_due(self.conn, datetime.now(UTC), self.order_grace)
            self._report_applied()
            write_status(self.conn, connected=int(self.connected), broker=self.broker_label,
                         **self.clock_status)
            self.clock_status = {}

    def _connect(self) -> None:
        b = self.s.broker
        host, port = b.host, b.port
        if self.discover is not None:
            found = self.discover()
            if found:
                host, port = found
        self.broker_label = f"{host}:{port}"
        if not b.tls:
            log.warning("connecting to %s in plaintext (insecure = true): credentials and events"
                        " cross the network unencrypted", self.broker_label)
        try:
            self.connect_started = time.monotonic()
            self.client.connect(host, port, b.keepalive, clean_start=True,
                                properties=session_properties())
            self.socket_open = True
        except OSError as exc:
            self._failed(f"cannot reach broker {self.broker_label}: {exc}")

    def _reload_credential(self, why: str) -> bool:
        """Take the secret in `password_file` if it changed; True when it did. The secret itself
        is never logged."""
        path = self.s.broker.password_file
        if not path:
            return False
        try:
            password = read_secret(Path(path))
        except SettingsError as exc:
            log.warning("credential not reloaded (%s): %s", why, exc)
            return False
        if password == self.s.broker.password:
            return False
        self.s = replace(self.s, broker=replace(self.s.broker, password=password))
        self.client.username_pw_set(self.s.broker.username or None, password or None)
        log.info("credential_reloaded from %s (%s)", path, why)
        return True

    def _failed(self, error: str) -> None:
        log.warning("%s", error)
        write_status(self.conn, connected=0, last_error=error, last_error_at=utc_now_iso())
        # Full jitter, so that a store's tills do not all come back in the same instant.
        self.next_attempt = time.monotonic() + random.uniform(self.s.backoff_min, self.backoff)
        self.backoff = min(self.backoff * 2, self.s.backoff_max)

    # ---- MQTT callbacks (run inside client.loop, on this thread) -------------------------------

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            self.refused = True
            self._failed(f"broker refused the connection: {reason}")
            if reason.value in _CREDENTIAL_REFUSED and self._reload_credential(str(reason)):
                # A rotated secret: try it now rather than after the back-off.
                self.backoff = self.s.backoff_min
                self.next_attempt = time.monotonic()
            return
        store, terminal = self.s.store_id, self.s.terminal_id
        self.connected = True
        self.backoff = self.s.backoff_min
        subs = [(ack_topic(store, terminal), 1), (reply_topic(store, terminal), 1)]
        if self.key is not None:
            subs += [(keys_topic(store), 1)]
            subs += [(version_topic(store, st), 1) for st in STREAMS]
            subs += [(head_topic(store, st), 1) for st in STREAMS]
        client.subscribe(subs)
        client.publish(presence_topic(store, terminal), _presence(True), qos=1)
        # Whatever was in flight may be lost with the old connection or the broker: send it all.
        self.acked = self._first_pending() - 1
        self.sent_up_to = self.acked
        self.last_progress = time.monotonic()
        self.was_offline_for = time.monotonic() - self.offline_since
        write_status(self.conn, connected=1, broker=self.broker_label)
        log.info("connected to %s; resending from seq %d", self.broker_label, self.acked + 1)

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if self.connected:
            self.offline_since = time.monotonic()
        self.connected = False
        self.socket_open = False
        if self.refused:  # the refusal is the error worth showing, and already scheduled a retry
            self.refused = False
            return
        self._failed(f"disconnected from {self.broker_label}: {reason}")

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        store, terminal = self.s.store_id, self.s.terminal_id
        if msg.topic == ack_topic(store, terminal):
            self._ack(bytes(msg.payload))
        elif msg.topic.endswith("/head"):
            self._head(bytes(msg.payload))
        elif msg.topic == keys_topic(store):
            self._rollover(bytes(msg.payload))
        elif msg.topic == reply_topic(store, terminal) or msg.topic.endswith("/v"):
            self._downlink(bytes(msg.payload))

    # ---- uplink -------------------------------------------------------------------------------

    def _offline_before_start(self) -> float:
        """Seconds since the agent last wrote its status (it writes every second while running),
        so that a restart after a long outage still asks for a snapshot."""
        row = self.conn.execute("SELECT updated_at FROM sync_status WHERE id = 1").fetchone()
        if not row or not row[0]:
            return 0.0
        last = datetime.fromisoformat(row[0])
        return max(0.0, (datetime.now(UTC) - last).total_seconds())

    def _first_pending(self) -> int:
        row = self.conn.execute("SELECT min(seq) FROM outbox_state WHERE state = 'pending'"
                                ).fetchone()
        if row[0] is not None:
            return int(row[0])
        top = self.conn.execute("SELECT coalesce(max(seq), 0) FROM outbox_state").fetchone()[0]
        return int(top) + 1

    def _send(self) -> None:
        window = self.s.window_batches * self.s.batch_size
        while self.sent_up_to - self.acked < window:
            # The payload as a BLOB: the bytes the outbox holds, never decoded and encoded again.
            rows = self.conn.execute(
                "SELECT s.seq, e.event_id, e.type, CAST(e.payload AS BLOB), e.created_at"
                " FROM outbox_state AS s JOIN outbox_event AS e ON e.seq = s.seq"
                " WHERE s.state = 'pending' AND s.seq > ? ORDER BY s.seq LIMIT ?",
                (self.sent_up_to, self.s.batch_size)).fetchall()
            if not rows:
                return
            rows = within_bytes(rows, BATCH_BYTES)
            if self.sent_up_to == self.acked:
                self.last_progress = time.monotonic()  # the ack clock starts with the first send
            self.client.publish(events_topic(self.s.store_id, self.s.terminal_id),
                                batch_bytes(self.s.store_id, self.s.terminal_id,
                                            self.acked, rows, journal_head(self.conn),
                                            sent_at=self.wall()), qos=1)
            self.sent_up_to = rows[-1][0]

    def _ack(self, raw: bytes) -> None:
        try:
            ack = _ack_decoder.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            write_status(self.conn, last_error=f"unreadable ack: {exc}",
                         last_error_at=utc_now_iso())
            return
        if isinstance(ack, ResendRequest):
            self._resend(ack)
            return
        offset = offset_from_ack(ack.sent_at, ack.hq_time, self.wall())
        if offset is not None:
            self.clock_status = {"clock_offset_s": round(offset, 3),
                                 "clock_checked_at": utc_now_iso()}
            if clock_is_off(offset) != self.clock_off:  # said once per change, not per ack
                self.clock_off = not self.clock_off
                if self.clock_off:
                    log.warning("clock_off offset_s=%+.1f against HQ: set the time (NTP)", offset)
                else:
                    log.info("clock_ok offset_s=%+.1f against HQ", offset)
        if ack.rejected or ack.acked_to > self.acked:
            # One status write per ack, in the ack's own transaction: in a backlog drain every
            # commit is paid for by the sales HQ's workers are waiting for.
            with write_transaction(self.conn):
                for rejection in ack.rejected:
                    if rejection.seq > self.acked:
                        mark_rejected(self.conn, rejection.seq, rejection.reason)
                mark_acked(self.conn, ack.acked_to)
                write_status(self.conn, last_ack_at=utc_now_iso(), last_acked_seq=ack.acked_to,
                             **self.clock_status)
            self.clock_status = {}
        if ack.acked_to > self.acked:
            self.acked = ack.acked_to
            self.sent_up_to = max(self.sent_up_to, self.acked)
            self.last_progress = time.monotonic()
        elif ack.gaps and time.monotonic() - self.last_progress > self.s.ack_timeout / 4:
            # HQ holds later events but not the next one: a batch was lost between the broker
            # and a commit. Resend from the first unacknowledged seq without dropping the link.
            log.info("HQ reports gaps %s; resending from %d", ack.gaps, self.acked + 1)
            self.sent_up_to = self.acked
            self.last_progress = time.monotonic()

    def _resend(self, request: ResendRequest) -> None:
        """HQ will take these dead-lettered seqs as new: the ones this outbox holds as rejected
        go back to pending (journaled) and are sent from the lowest one on, as after a
        reconnect. Any other seq (acked, pending, unknown, another terminal's) changes nothing."""
        if (request.store, request.terminal) != (self.s.store_id, self.s.terminal_id):
            return
        with write_transaction(self.conn):
            again = mark_for_resend(self.conn, request.seqs)
            if again:
                append_entry(self.conn, "sync.resend", None, {"seqs": again})
        if again:
            log.info("HQ asked for seqs %s again; resending them", again)
            self.acked = min(self.acked, again[0] - 1)
            self.sent_up_to = min(self.sent_up_to, self.acked)

    def _check_ack_timeout(self) -> None:
        if self.sent_up_to > self.acked and \
                time.monotonic() - self.last_progress > self.s.ack_timeout:
            error = f"no acknowledgement from HQ for {self.s.ack_timeout:.0f} s; reconnecting"
            log.warning(error)
            self.client.disconnect()  # on_disconnect schedules the reconnect, which resends all

    # ---- downlink -----------------------------------------------------------------------------

    def _head(self, raw: bytes) -> None:
        try:
            head = _head_decoder.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return
        have = applied_version(self.conn, head.stream)
        if head.version > have:
            long_outage = self.was_offline_for > self.s.snapshot_after
            self._ask(head.stream, have, want_snapshot=long_outage or have == 0)

    def _downlink(self, raw: bytes) -> None:
        if raw.startswith(b'{"type":'):  # a tagged reply (error or look-up), not a document
            try:
                reply = msgspec.json.decode(raw, type=ErrorReply)
                # HQ could not handle a batch (it comes again with the resend) or a request.
                write_status(self.conn, last_error=f"HQ: {reply.code}: {reply.message}",
                             last_error_at=utc_now_iso())
            except (msgspec.DecodeError, msgspec.ValidationError):
                pass
            return
        if self.key is None:
            return
        result = apply_signed(self.conn, self.key, raw, self.s.store_id)
        if result.outcome is Outcome.GAP:
            self._ask(result.stream, applied_version(self.conn, result.stream), False)
        elif result.outcome is Outcome.REFUSED:
            self._back_off(result.stream or "*", result.reason)
        elif result.outcome is Outcome.APPLIED:
            self.refusal_backoff.pop(result.stream, None)
            self.quiet_until.pop(result.stream, None)
            log.info("applied %s version %d", result.stream, result.version)
            self.report_due = self.s.report_on_apply

    def _report_applied(self) -> None:
        """After a version applied, publish the terminal's health report (its `downlink` check
        names the version) so HQ's rollout page sees it within seconds, not at the next
        pos-doctor.timer. In a thread of its own: the report's probes (NTP, broker) take up to
        a few seconds and the loop must not wait; one at a time, a burst of versions is one
        report (or two)."""
        if not self.report_due or (self.reporting is not None and self.reporting.is_alive()):
            return
        self.report_due = False
        self.reporting = threading.Thread(target=self._publish_health, daemon=True,
                                          name="agent-health")
        self.reporting.start()

    def _publish_health(self) -> None:
        from cloud_sync.doctor import appliance_report, esl_database, publish_report

        try:
            report = appliance_report(self.db_path, self.s, self.db_path.resolve().parent / "backups",
                                      esl_db=esl_database(self.db_path))
            publish_report(self.s, report)
        except (OSError, sqlite3.Error) as exc:
            log.warning("health report after applying a version not sent: %s", exc)

    def _back_off(self, stream: str, reason: str) -> None:
        """A refused version: report it, then stay quiet on that stream for a while, doubling
        up to `backoff_max` * 10, so that a version signed with an unknown key cannot loop."""
        now = time.monotonic()
        if now < self.quiet_until.get(stream, 0.0):
            return  # already reported; the back-off is running
        pause = min(self.refusal_backoff.get(stream, self.s.backoff_min / 2) * 2,
                    self.s.backoff_max * 10)
        self.refusal_backoff[stream] = pause
        self.quiet_until[stream] = now + pause
        log.warning("refused downlink (%s): %s; not asking again for %.0f s", stream, reason,
                    pause)
        write_status(self.conn, last_error=f"refused downlink: {reason}",
                     last_error_at=utc_now_iso())

    def _rollover(self, raw: bytes) -> None:
        if self.key is None:
            return
        try:
            new = accept_rollover(self.key, raw, Path(self.s.hq_public_key))
        except SignatureError as exc:
            self._back_off("keys", str(exc))
            return
        log.info("HQ key %s pinned by rollover", new)
        for stream in STREAMS:  # what was refused for an unknown key may verify now
            self.quiet_until.pop(stream, None)
            self.quiet_until.pop("*", None)
            self._ask(stream, applied_version(self.conn, stream), False)

    def _ask(self, stream: str, have: int, want_snapshot: bool) -> None:
        now = time.monotonic()
        if now < max(self.quiet_until.get(stream, 0.0), self.quiet_until.get("*", 0.0)):
            return
        request = SyncRequest(v=SCHEMA_VERSION, stream=stream, have=have,
                              want_snapshot=want_snapshot)
        self.client.publish(request_topic(self.s.store_id, self.s.terminal_id), encode(request),
                            qos=1)


# A batch message stays under half the brokers' and HQ's 4 MiB limit (hq/schemas.py MAX_MESSAGE,
# the packaged max_packet_size): a broker drops the connection of a client that publishes more,
# and the same batch would be sent again for ever. One event's payload is at most 256 KiB
# (hq/schemas.py MAX_PAYLOAD), so a batch always holds at least one.
BATCH_BYTES = 2 * 1024 * 1024
EVENT_ENVELOPE = 400  # bytes each event adds to its payload in a batch (ids, digest, times), at most


def within_bytes(rows: list[Any], limit: int) -> list[Any]:
    """The first of the outbox `rows` (seq, event_id, type, payload, created_at) whose batch
    stays under `limit` bytes; always the first row."""
    size = 0
    for n, row in enumerate(rows):
        size += len(row[3]) + EVENT_ENVELOPE
        if size > limit and n:
            return rows[:n]
    return rows


def batch_bytes(store: str, terminal: str, acked: int,
                rows: list[sqlite3.Row] | list[tuple[Any, ...]],
                journal: tuple[int, str] = (0, ""), sent_at: float | None = None) -> bytes:
    """A batch message from outbox rows (seq, event_id, type, payload, created_at), the payload
    as bytes or str; it travels as the exact bytes the outbox holds, so HQ can check the digest."""
    events = []
    for seq, event_id, event_type, payload, created_at in rows:
        data = payload if isinstance(payload, bytes) else payload.encode("utf-8")
        events.append(Event(seq=seq, event_id=event_id, type=event_type, created_at=created_at,
                            digest=payload_digest(data), payload=msgspec.Raw(data)))
    return encode(Batch(v=SCHEMA_VERSION, store=store, terminal=terminal,
                        first_seq=events[0].seq, last_seq=events[-1].seq, acked=acked,
                        created_at=utc_now_iso(), events=events, journal_seq=journal[0],
                        journal_hash=journal[1], sent_at=sent_at))


def _presence(online: bool) -> bytes:
    return encode(Presence(v=SCHEMA_VERSION, online=online, at=utc_now_iso()))

