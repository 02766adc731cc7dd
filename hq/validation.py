"""Checking an uplink batch event by event, with no I/O: what HQ accepts and what it dead-letters.

Rule: an event is accepted only if its digest matches its bytes, and a sale only if it decodes
strictly and adds up; anything else is refused with a reason, never dropped.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from cloud_sync.protocol import SALE_TYPES, SCHEMA_VERSION, Batch, Sale, check_sale, payload_digest
from hq.storage.interface import Accepted, Refused

_EVENT_TYPE = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")
_batch_decoder = msgspec.json.Decoder(Batch)
_sale_decoder = msgspec.json.Decoder(Sale)
_object_decoder = msgspec.json.Decoder(dict[str, Any])


class BatchUnreadable(Exception):
    """Not even the seqs of the events can be read; the whole message is dead-lettered."""


def validate_batch(store: str, terminal: str, raw: bytes
                   ) -> tuple[list[Accepted], list[Refused], int]:
    """(accepted, refused, the terminal's ack watermark)."""
    try:
        batch = _batch_decoder.decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        return [], _refuse_loosely(raw, f"malformed batch: {exc}"), 0
    if batch.v != SCHEMA_VERSION:
        return [], _refuse_loosely(raw, f"unknown schema version {batch.v}"), 0
    if (batch.store, batch.terminal) != (store, terminal):
        return [], _refuse_loosely(
            raw, f"batch claims {batch.store}/{batch.terminal} on the topic of {store}/{terminal}"), 0
    accepted: list[Accepted] = []
    refused: list[Refused] = []
    for event in batch.events:
        payload = bytes(event.payload)
        reason = _check(event.type, event.digest, payload)
        sale = None
        if reason is None and event.type in SALE_TYPES:
            try:
                sale = _sale_decoder.decode(payload)
                reason = check_sale(sale, event.type, store, terminal)
            except msgspec.ValidationError as exc:
                reason = f"invalid {event.type}: {exc}"
        if reason is None:
            accepted.append(Accepted(event.seq, event.event_id, event.type, event.created_at,
                                     payload, sale))
        else:
            refused.append(Refused(event.seq, event.event_id, event.type, reason, payload))
    return accepted, refused, batch.acked


def _check(event_type: str, digest: str, payload: bytes) -> str | None:
    if payload_digest(payload) != digest:
        return "digest does not match the payload (altered or truncated)"
    if not _EVENT_TYPE.match(event_type):
        return f"malformed event type {event_type!r}"
    if event_type not in SALE_TYPES:
        try:
            _object_decoder.decode(payload)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            return f"payload is not a JSON object: {exc}"
    return None


def _refuse_loosely(raw: bytes, reason: str) -> list[Refused]:
    """Refuse each event whose seq can still be read, so the terminal can mark it and go on."""
    try:
        body = msgspec.json.decode(raw)
        events = body["events"]
        found = [Refused(e["seq"], str(e.get("event_id", "")), str(e.get("type", "")), reason,
                         msgspec.json.encode(e))
                 for e in events if isinstance(e, dict) and type(e.get("seq")) is int]
    except (msgspec.DecodeError, KeyError, TypeError) as exc:
        raise BatchUnreadable(reason) from exc
    if not found:
        raise BatchUnreadable(reason)
    return found
