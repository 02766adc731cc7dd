"""Checking an uplink batch event by event, with no I/O: what HQ accepts and what it dead-letters.

Rule: an event is accepted only if its envelope and its payload pass their strict schemas
(hq/schemas.py), its digest matches its bytes and it is a fact of the terminal whose topic it came
on; anything else is refused with a reason, never dropped. One bad event never refuses its
neighbours: a batch whose events are all well formed is read in one pass, any other event by
event, and both readings give the same verdicts (tests/hq/test_validation.py).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Generic, TypeVar

import msgspec
from msgspec import Meta

from cloud_sync.protocol import SCHEMA_VERSION, Event, payload_digest
from hq.schemas import ACCEPTED_TYPES, INT8, MAX_MESSAGE, SALE_TYPES, decode_payload, redacted
from hq.storage.interface import Accepted, BatchIn, Refused, clean_text

_EVENT_TYPE = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")
# The accepted types pass the pattern; asking the set first spares a regex per event.
_WELL_FORMED_TYPES = frozenset(t for t in ACCEPTED_TYPES if len(t) <= 64 and _EVENT_TYPE.match(t))

E = TypeVar("E")


class _Envelope(msgspec.Struct, Generic[E], forbid_unknown_fields=True, tag="batch"):
    """The batch: its events either raw, so that one malformed event is refused alone, or read
    in the same pass (`Event`), when every one of them is well formed."""

    v: int
    store: str
    terminal: str
    first_seq: int
    last_seq: int
    acked: Annotated[int, Meta(ge=0, le=INT8)]
    created_at: str
    events: Annotated[list[E], Meta(max_length=10_000)]
    journal_seq: Annotated[int, Meta(ge=0, le=INT8)] = 0
    journal_hash: Annotated[str, Meta(pattern="^([0-9a-f]{64})?$")] = ""
    sent_at: Annotated[float, Meta(ge=0, le=1e11)] | None = None


class _Seq(msgspec.Struct):
    seq: Annotated[int, Meta(ge=1, le=INT8)]


_envelope_decoder = msgspec.json.Decoder(_Envelope[msgspec.Raw])
_whole_decoder = msgspec.json.Decoder(_Envelope[Event])
_event_decoder = msgspec.json.Decoder(Event)
_seq_decoder = msgspec.json.Decoder(_Seq, strict=True)


class BatchUnreadable(Exception):
    """Not even the seqs of the events can be read; the whole message is dead-lettered."""


def validate_batch(store: str, terminal: str, raw: bytes
                   ) -> tuple[list[Accepted], list[Refused], int]:
    """(accepted, refused, the terminal's ack watermark)."""
    batch = check_batch(store, terminal, raw)
    return batch.accepted, batch.refused, batch.since


def check_batch(store: str, terminal: str, raw: bytes) -> BatchIn:
    """The batch, event by event accepted or refused, with the terminal's journal head."""
    if len(raw) > MAX_MESSAGE:
        raise BatchUnreadable(f"message of {len(raw)} bytes exceeds {MAX_MESSAGE}")
    whole = _read_whole(raw)
    batch = whole or _read_envelope(raw)
    refuse_all = None
    if batch.v != SCHEMA_VERSION:
        refuse_all = f"unknown schema version {batch.v}"
    elif (batch.store, batch.terminal) != (store, terminal):
        refuse_all = (f"batch claims {batch.store[:64]}/{batch.terminal[:64]} on the topic of"
                      f" {store}/{terminal}")
    check = _EventCheck(store, terminal, refuse_all)
    if whole is not None:
        # A payload holds the cut marker only if the message does: one scan, not one per event,
        # and none past a memchr for its "<" when (as in every sale) there is no "<" at all.
        check.marked = b"<" in raw and _TOO_DEEP in raw
        for event in whole.events:
            check.take(event)
    else:
        _take_one_by_one(batch, check)
    head = (batch.journal_seq, batch.journal_hash) if batch.journal_hash and not refuse_all \
        else None
    return BatchIn(store, terminal, check.accepted, check.refused, batch.acked, head,
                   batch.sent_at)


def _read_whole(raw: bytes) -> _Envelope[Event] | None:
    """The batch with its events read in one pass, or None when one of them is malformed or
    its seq is out of range or repeated: the event-by-event reading then says which, and
    refuses it alone (with its bytes as sent). Either reading gives the same result."""
    try:
        batch = _whole_decoder.decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return None
    seqs = {event.seq for event in batch.events}
    if len(seqs) != len(batch.events) or (seqs and not (1 <= min(seqs) and max(seqs) <= INT8)):
        return None
    return batch


def _read_envelope(raw: bytes) -> _Envelope[msgspec.Raw]:
    try:
        return _envelope_decoder.decode(raw)
    except RecursionError:
        # Nesting deeper than the decoder goes: cut it, so that the event holding it is
        # refused alone and its neighbours are still read.
        try:
            return _envelope_decoder.decode(_cut_deep(raw))
        except (msgspec.ValidationError, msgspec.DecodeError, RecursionError) as exc:
            raise BatchUnreadable(f"malformed batch: {str(exc)[:200]}") from None
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise BatchUnreadable(f"malformed batch: {str(exc)[:200]}") from None


def _take_one_by_one(batch: _Envelope[msgspec.Raw], check: _EventCheck) -> None:
    seen: set[int] = set()
    for raw_event in batch.events:
        data = bytes(raw_event)
        try:
            event = _event_decoder.decode(data)
        except (msgspec.ValidationError, msgspec.DecodeError, RecursionError) as exc:
            seq = _readable_seq(data)
            if seq in seen:
                seq = None
            seen.add(seq or 0)
            check.refused.append(Refused(seq, "", "", f"malformed event: {str(exc)[:200]}",
                                         data))
            continue
        if not 1 <= event.seq <= INT8 or event.seq in seen:
            # No seq a terminal could own, or twice in one batch: dead-lettered, nothing marked.
            check.refused.append(Refused(None, "", "",
                                         "seq out of range or repeated in the batch", data))
            continue
        seen.add(event.seq)
        check.take(event)


class _EventCheck:
    """The checks of one well-formed event with its own seq, sorting it into accepted or
    refused."""

    def __init__(self, store: str, terminal: str, refuse_all: str | None) -> None:
        self.store, self.terminal, self.refuse_all = store, terminal, refuse_all
        self.marked = True  # whether a payload may hold the cut marker
        self.accepted: list[Accepted] = []
        self.refused: list[Refused] = []

    def take(self, event: Event) -> None:
        payload = bytes(event.payload)
        reason = self.refuse_all
        if reason is None and self.marked and _TOO_DEEP in payload:
            reason = f"nested deeper than {_CUT_DEPTH}"
        reason = reason or _check_envelope(event, payload)
        fact = None
        if reason is None:
            fact, reason = decode_payload(event.type, payload, self.store, self.terminal)
        kept = redacted(event.type, fact, payload)
        if reason is None:
            self.accepted.append(Accepted(
                event.seq, event.event_id, event.type, event.created_at, kept,
                fact if event.type in SALE_TYPES else None, fact))
        else:
            self.refused.append(Refused(event.seq, clean_text(event.event_id, 64),
                                        clean_text(event.type, 64), reason, kept))


def _check_envelope(event: Event, payload: bytes) -> str | None:
    if payload_digest(payload) != event.digest:
        return "digest does not match the payload (altered or truncated)"
    if event.type not in _WELL_FORMED_TYPES and (len(event.type) > 64
                                                 or not _EVENT_TYPE.match(event.type)):
        return f"malformed event type {event.type[:64]!r}"
    if len(event.event_id) > 64 or not event.event_id.isprintable() or not event.event_id:
        return "malformed event id"
    try:
        created = datetime.fromisoformat(event.created_at)
    except ValueError:
        return f"created_at {event.created_at[:40]!r} is not an ISO-8601 time"
    if created.tzinfo is None or not 2000 <= created.year <= 2200:
        return f"created_at {event.created_at[:40]!r} needs an offset and a plausible year"
    return None


_CUT_DEPTH = 64
_TOO_DEEP = b'"<nested too deep>"'


def _cut_deep(raw: bytes) -> bytes:
    """`raw` with every value nested deeper than _CUT_DEPTH replaced by a marker string. Only
    for a message the decoder could not read; byte by byte, strings and escapes respected."""
    out = bytearray()
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if depth <= _CUT_DEPTH:
                out.append(byte)
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
            continue
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth == _CUT_DEPTH + 1:
                out += _TOO_DEEP
                continue
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
            if depth == _CUT_DEPTH:
                continue
        elif byte == 0x22:
            in_string = True
        if depth <= _CUT_DEPTH:
            out.append(byte)
    return bytes(out)


def _readable_seq(data: bytes) -> int | None:
    try:
        return _seq_decoder.decode(data).seq
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return None
