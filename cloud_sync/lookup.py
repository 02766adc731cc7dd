"""Look-ups a till asks HQ while online (the original sale of a return made at another till, a
stored-value balance, a member's points, a coupon), as MQTT 5 request/response on the terminal's
own topics.

Rule: a look-up never blocks a sale for long: it has a short timeout and None means "ask the
customer or the supervisor", never an error that stops the till.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import msgspec
import paho.mqtt.client as mqtt

from cloud_sync.mqtt_link import make_client, reply_properties
from cloud_sync.protocol import (
    SCHEMA_VERSION,
    BalanceLookup,
    CouponLookup,
    ErrorReply,
    LookupReply,
    PointsLookup,
    SaleLookup,
    encode,
    reply_topic,
    request_topic,
)
from cloud_sync.settings import (
    BrokerSettings,
    SettingsError,
    load_agent_settings,
    lookup_username,
)
from edge.customers.coupons import CouponAnswer, PointsAnswer

_reply_decoder = msgspec.json.Decoder(LookupReply | ErrorReply)


class LookupFailed(Exception):
    """HQ could not be asked, did not answer in time, or answered with an error."""


def lookup_sale(broker: BrokerSettings, store: str, terminal: str, sale_id: str,
                timeout: float = 3.0) -> dict[str, Any] | None:
    """The sale as HQ holds it (with its lines), or None if HQ does not know it."""
    reply = _ask(broker, store, terminal, encode(SaleLookup(v=SCHEMA_VERSION, sale_id=sale_id)),
                 timeout)
    return msgspec.json.decode(reply.body) if reply.found else None


def lookup_balance(broker: BrokerSettings, store: str, terminal: str, account_id: str,
                   timeout: float = 3.0) -> dict[str, Any] | None:
    reply = _ask(broker, store, terminal,
                 encode(BalanceLookup(v=SCHEMA_VERSION, account_id=account_id)), timeout)
    return msgspec.json.decode(reply.body) if reply.found else None


def lookup_points(broker: BrokerSettings, store: str, terminal: str, member_id: str, hold: int,
                  timeout: float = 3.0) -> PointsAnswer | None:
    """The member's points at HQ for this terminal, `hold` of them held for it if they are there;
    None when HQ knows no such member."""
    reply = _ask(broker, store, terminal,
                 encode(PointsLookup(v=SCHEMA_VERSION, member_id=member_id, hold=hold)), timeout)
    if not reply.found:
        return None
    body = msgspec.json.decode(reply.body)
    return PointsAnswer(int(body["balance"]), int(body["through_seq"]), int(body["held"]))


def lookup_coupon(broker: BrokerSettings, store: str, terminal: str, code: str,
                  timeout: float = 3.0) -> CouponAnswer:
    """An HQ coupon's state for this terminal (held for it when `ok`)."""
    reply = _ask(broker, store, terminal, encode(CouponLookup(v=SCHEMA_VERSION, code=code)),
                 timeout)
    if not reply.found:
        return CouponAnswer("unknown")
    body = msgspec.json.decode(reply.body)
    return CouponAnswer(str(body["state"]), int(body["value"]), body.get("member_id"))


class HqLookups:
    """The till's questions to HQ (edge.customers.coupons.HqLookups) over the broker; None when
    HQ cannot be asked or does not answer in time, or knows no such member yet (registered here
    and not synced): the till then keeps its offline rules."""

    def __init__(self, broker: BrokerSettings, store: str, terminal: str,
                 timeout: float = 2.0) -> None:
        self.broker, self.store, self.terminal, self.timeout = broker, store, terminal, timeout

    def points(self, member_id: str, hold: int) -> PointsAnswer | None:
        try:
            return lookup_points(self.broker, self.store, self.terminal, member_id, hold,
                                 self.timeout)
        except LookupFailed:
            return None

    def coupon(self, code: str) -> CouponAnswer | None:
        try:
            return lookup_coupon(self.broker, self.store, self.terminal, code, self.timeout)
        except LookupFailed:
            return None


def hq_lookups_for(config: Path) -> HqLookups | None:
    """The till's HqLookups from the store's TOML (`[store]`, `[sync]`, as the agent reads it);
    None when the file names no usable broker: the till then keeps its offline rules."""
    try:
        settings = load_agent_settings(config)
    except SettingsError:
        return None
    return HqLookups(settings.broker, settings.store_id, settings.terminal_id)


def _ask(broker: BrokerSettings, store: str, terminal: str, body: bytes,
         timeout: float) -> LookupReply:
    correlation = uuid.uuid4().bytes
    topic = reply_topic(store, terminal)
    answer: list[LookupReply | ErrorReply] = []
    done = threading.Event()
    subscribed = threading.Event()
    # Its own user beside the agent's: brokers make the username the client id, and the agent
    # must not be pushed off its session by a look-up.
    if broker.username:
        broker = replace(broker, username=lookup_username(broker.username))
    client = make_client(f"{store}-{terminal}-lookup-{uuid.uuid4().hex[:6]}", broker)

    def on_message(_c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        if getattr(msg.properties, "CorrelationData", None) != correlation:
            return  # somebody else's answer on the same topic
        try:
            answer.append(_reply_decoder.decode(msg.payload))
        except (msgspec.DecodeError, msgspec.ValidationError):
            return
        done.set()

    client.on_message = on_message
    client.on_subscribe = lambda *_: subscribed.set()
    client.on_connect = lambda c, *_: c.subscribe(topic, qos=1)
    try:
        client.connect(broker.host, broker.port, broker.keepalive)
    except OSError as exc:
        raise LookupFailed(f"HQ unreachable: {exc}") from None
    client.loop_start()
    try:
        if not subscribed.wait(timeout):
            raise LookupFailed("HQ unreachable: no subscription")
        client.publish(request_topic(store, terminal), body, qos=1,
                       properties=reply_properties(topic, correlation))
        if not done.wait(timeout):
            raise LookupFailed(f"no answer from HQ within {timeout} s")
    finally:
        client.disconnect()
        client.loop_stop()
    reply = answer[0]
    if isinstance(reply, ErrorReply):
        raise LookupFailed(f"HQ: {reply.code}: {reply.message}")
    return reply
