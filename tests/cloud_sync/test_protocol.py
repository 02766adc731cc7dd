"""Round trips of every wire message (build → bytes → parse → equal), topic parsing, and the
strictness that refuses unknown fields."""

from __future__ import annotations

import msgspec
import pytest

from cloud_sync.protocol import (
    Ack,
    BalanceLookup,
    Batch,
    CatalogItem,
    Document,
    ErrorReply,
    Event,
    Head,
    LookupReply,
    Presence,
    PriceItem,
    Rejection,
    Request,
    SaleLookup,
    Signed,
    SyncRequest,
    encode,
    events_topic,
    payload_digest,
    split_topic,
)

pytestmark = pytest.mark.dated

PAYLOAD = b'{"sku":"A1","delta_milli":-1000}'
MESSAGES = [
    Batch(v=1, store="S001", terminal="T01", first_seq=1, last_seq=1, acked=0,
          created_at="2026-11-22T02:00:00.000+00:00",
          events=[Event(seq=1, event_id="e1", type="stock.sale", created_at="t",
                        digest=payload_digest(PAYLOAD), payload=msgspec.Raw(PAYLOAD))]),
    Ack(v=1, store="S001", terminal="T01", acked_to=9, rejected=[Rejection(4, "bad")],
        gaps=[(11, 12)]),
    ErrorReply(v=1, code="unreadable", message="x"),
    Presence(v=1, online=False, at="t"),
    SyncRequest(v=1, stream="catalog", have=3, want_snapshot=True),
    SaleLookup(v=1, sale_id="s"),
    BalanceLookup(v=1, account_id="SV1"),
    LookupReply(v=1, found=True, body=msgspec.Raw(b'{"a":1}')),
    Signed(v=1, key_id="k", doc=b"\x00doc", sig=b"sig"),
    Head(v=1, stream="prices", version=7),
    Document(v=1, stream="catalog", store="S001", version=2, kind="delta", created_at="t",
             items=msgspec.Raw(encode([CatalogItem(sku="A", name_zh="苹果", name_en="Apple",
                                                   unit="kg", price=1299, tax_class="food")]))),
]


def _plain(value: object) -> object:
    return msgspec.json.decode(encode(value))


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: type(m).__name__)
def test_every_message_survives_a_round_trip(message: object) -> None:
    again = msgspec.json.decode(encode(message), type=type(message))
    assert _plain(again) == _plain(message)


def test_requests_decode_by_their_tag() -> None:
    for request in (SyncRequest(v=1, stream="catalog", have=0), SaleLookup(v=1, sale_id="s"),
                    BalanceLookup(v=1, account_id="c")):
        assert msgspec.json.decode(encode(request), type=Request) == request


def test_unknown_fields_and_wrong_types_are_refused() -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"v":1,"stream":"x","version":1,"extra":1}', type=Head)
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"sku":"A","price":"12.00"}', type=PriceItem)


def test_uplink_topics_parse_back_to_store_terminal_and_kind() -> None:
    assert split_topic(events_topic("S001", "T01")) == ("S001", "T01", "events")
    for bad in ("pos/v1/S001/T01/down/ack", "pos/v2/S001/T01/up/events", "x"):
        with pytest.raises(ValueError):
            split_topic(bad)
