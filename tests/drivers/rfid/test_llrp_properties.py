"""Property tests of the LLRP core: no input crashes it, and what we build parses back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.rfid.llrp import (
    NEED_DATA,
    LlrpConnection,
    Message,
    RoAccessReport,
    TagReport,
    encode,
)


@settings(max_examples=400)
@given(chunks=st.lists(st.binary(max_size=64), max_size=8))
def test_random_bytes_never_crash_the_parser(chunks: list[bytes]) -> None:
    conn = LlrpConnection()
    for chunk in chunks:
        conn.receive_data(chunk)
        for _ in range(100):
            event = conn.next_event()
            if event is NEED_DATA:
                break
            assert isinstance(event, Message)


@settings(max_examples=300)
@given(
    header=st.sampled_from([b"\x04\x3d", b"\x04\x3f", b"\x04\x03", b"\x04\x14", b"\x04\x1e"]),
    body=st.binary(max_size=80),
)
def test_random_bodies_of_known_types_become_events_not_exceptions(header: bytes, body: bytes) -> None:
    conn = LlrpConnection()
    conn.receive_data(header + (10 + len(body)).to_bytes(4, "big") + b"\0\0\0\1" + body)
    assert isinstance(conn.next_event(), Message)
    assert conn.next_event() is NEED_DATA


tag_reports = st.builds(
    TagReport,
    epc=st.binary(min_size=0, max_size=62),
    antenna=st.none() | st.integers(0, 0xFFFF),
    peak_rssi=st.none() | st.integers(-128, 127),
    first_seen_us=st.none() | st.integers(0, 2**64 - 1),
    last_seen_us=st.none() | st.integers(0, 2**64 - 1),
    seen_count=st.integers(1, 0xFFFF),
    rospec_id=st.none() | st.integers(0, 2**32 - 1),
)


@given(tags=st.lists(tag_reports, max_size=20), msg_id=st.integers(0, 2**32 - 1))
def test_ro_access_report_round_trips(tags: list[TagReport], msg_id: int) -> None:
    report = RoAccessReport(tuple(tags), msg_id=msg_id)
    conn = LlrpConnection()
    conn.receive_data(encode(report))
    assert conn.next_event() == report
