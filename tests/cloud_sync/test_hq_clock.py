"""The clock against HQ on the wire: a batch may carry the terminal's send time, HQ's ack then
echoes it with HQ's own time; older peers on either side keep working (an ack without the fields
parses; an ack to a batch without `sent_at` has no new field an older agent would refuse)."""

from __future__ import annotations

import msgspec
import pytest

from cloud_sync.agent import batch_bytes
from cloud_sync.hq_clock import MAX_ROUND_TRIP_S, clock_is_off, offset_from_ack
from cloud_sync.protocol import Ack, Rejection, encode
from hq.validation import BatchUnreadable, check_batch

ROWS = [(1, "e1", "stock.adjustment",
         '{"items":[{"sku":"SKU00001","qty_milli":-1000}],"reference":"","reason":"broken",'
         '"staff_id":"1001"}',
         "2026-11-22T02:00:00.000+00:00")]


class AckBeforeHqTime(msgspec.Struct, forbid_unknown_fields=True, tag="ack"):
    """The Ack as agents released before this change decode it."""

    v: int
    store: str
    terminal: str
    acked_to: int
    rejected: list[Rejection] = []
    gaps: list[tuple[int, int]] = []


def test_an_ack_without_hq_time_still_parses() -> None:
    ack = msgspec.json.decode(b'{"type":"ack","v":1,"store":"S001","terminal":"T01",'
                              b'"acked_to":3,"rejected":[],"gaps":[]}', type=Ack)
    assert (ack.acked_to, ack.sent_at, ack.hq_time) == (3, None, None)
    assert offset_from_ack(ack.sent_at, ack.hq_time, 1000.0) is None


def test_an_ack_to_a_batch_without_sent_at_is_read_by_an_older_agent() -> None:
    batch = check_batch("S001", "T01", batch_bytes("S001", "T01", 0, ROWS))
    assert batch.sent_at is None and len(batch.accepted) == 1
    raw = encode(Ack(v=1, store="S001", terminal="T01", acked_to=1, sent_at=batch.sent_at))
    assert msgspec.json.decode(raw, type=AckBeforeHqTime).acked_to == 1
    with pytest.raises(msgspec.ValidationError):  # why HQ answers with the fields only when asked
        msgspec.json.decode(encode(Ack(v=1, store="S001", terminal="T01", acked_to=1,
                                       sent_at=5.0, hq_time=6.0)), type=AckBeforeHqTime)


def test_hq_reads_sent_at_and_refuses_a_nonsense_one() -> None:
    assert check_batch("S001", "T01", batch_bytes("S001", "T01", 0, ROWS,
                                                  sent_at=1_790_000_000.25)).sent_at == 1_790_000_000.25
    raw = batch_bytes("S001", "T01", 0, ROWS, sent_at=1.0).replace(b'"sent_at":1.0',
                                                                   b'"sent_at":-5')
    with pytest.raises(BatchUnreadable, match="sent_at"):
        check_batch("S001", "T01", raw)


def test_the_offset_is_taken_at_the_middle_of_the_round_trip() -> None:
    # sent at 1000.0, HQ stamped 400.3 (its clock 600 s behind), back at 1000.6
    assert offset_from_ack(1000.0, 400.3, 1000.6) == pytest.approx(600.0)
    assert offset_from_ack(1000.0, 1600.1, 1000.2) == pytest.approx(-600.0)
    assert offset_from_ack(1000.0, 990.0, 1000.0 + MAX_ROUND_TRIP_S + 1) is None  # too slow to tell
    assert offset_from_ack(1000.0, 990.0, 999.0) is None                          # clock went back


def test_only_more_than_a_minute_is_off() -> None:
    assert [clock_is_off(x) for x in (None, 0.0, 60.0, -60.0, 60.5, -600.0)] == \
        [False, False, False, False, True, True]
