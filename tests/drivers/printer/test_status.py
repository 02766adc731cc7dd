"""Real-time status: query bytes, and every reply bit the driver reads.

Bit tables, Epson ESC/POS Command Reference, "DLE EOT n: Transmit real-time status" (as printed in
the TM-T88III/TM-L60II technical references, and identically in the Bixolon SRP-350 manual):
  n=1 printer status:   bit 1, 4 fixed on; bit 2 drawer kick-out connector pin 3 HIGH;
                        bit 3 offline
  n=2 offline cause:    bit 2 cover open; bit 3 paper fed by feed button;
                        bit 5 printing stopped by paper end; bit 6 error occurred
  n=3 error cause:      bit 3 autocutter error; bit 5 unrecoverable; bit 6 auto-recoverable
  n=4 roll paper sensor: bits 2,3 (0x0C) near end; bits 5,6 (0x60) paper not present
Epson "Identification of send status": DLE EOT replies are 0xx1xx10b; GS r replies 0xx0xxxxb.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.printer.status import (
    PAPER_ACK_QUERY,
    STATUS_POLL,
    AckReply,
    PrinterStatus,
    RealtimeReply,
    StatusError,
    StatusParser,
    realtime_queries_in,
    realtime_query,
)

IDLE = 0x12  # the fixed bits alone: bit 1 on, bit 4 on


def status(printer: int = IDLE, offline: int = IDLE, error: int = IDLE, paper: int = IDLE,
           **kw: bool) -> PrinterStatus:  # fmt: skip
    return PrinterStatus.from_replies(printer, offline, error, paper, **kw)


def test_dle_eot_queries_are_10_04_n() -> None:
    assert [realtime_query(n) for n in (1, 2, 3, 4)] == [
        b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x03", b"\x10\x04\x04"
    ]  # fmt: skip
    assert STATUS_POLL == b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"
    assert PAPER_ACK_QUERY == b"\x1d\x72\x01"
    with pytest.raises(ValueError):
        realtime_query(5)


def test_all_fixed_bits_only_means_online_and_ready() -> None:
    s = status()
    assert s.online and s.ready and s.condition == "online"
    assert not (s.cover_open or s.paper_end or s.paper_near_end or s.error or s.drawer_open)


def test_n1_bit3_is_offline() -> None:
    assert not status(printer=IDLE | 0x08).online
    assert status(printer=IDLE | 0x08).condition == "offline"


def test_n1_bit2_is_drawer_pin_3_high_and_its_meaning_is_configurable() -> None:
    assert status(printer=IDLE | 0x04).drawer_open
    assert not status(printer=IDLE).drawer_open
    assert not status(printer=IDLE | 0x04, drawer_open_when_high=False).drawer_open
    assert status(printer=IDLE, drawer_open_when_high=False).drawer_open


def test_n2_bit2_is_cover_open() -> None:
    s = status(printer=IDLE | 0x08, offline=IDLE | 0x04)
    assert s.cover_open and not s.ready and s.condition == "cover_open"


def test_n2_bit5_is_printing_stopped_by_paper_end() -> None:
    s = status(offline=IDLE | 0x20)
    assert s.paper_end and s.condition == "paper_out"


def test_n2_bit6_is_an_error() -> None:
    assert status(offline=IDLE | 0x40).error


@pytest.mark.parametrize("bit", [0x08, 0x20, 0x40], ids=["autocutter", "unrecoverable", "auto"])
def test_n3_error_cause_bits_are_errors(bit: int) -> None:
    s = status(error=IDLE | bit)
    assert s.error and not s.ready and s.condition == "error"


def test_n4_bits_2_3_are_near_end_a_warning_not_a_stop() -> None:
    s = status(paper=IDLE | 0x0C)
    assert s.paper_near_end and s.ready and s.condition == "paper_near_end"


def test_n4_bits_5_6_are_paper_end() -> None:
    s = status(paper=IDLE | 0x60)
    assert s.paper_end and not s.ready


def test_a_printer_out_of_paper_reads_as_the_published_example() -> None:
    # Replies of a printer out of paper: DLE EOT 1 = 0x1A, 2 = 0x32, 4 = 0x7E (docs.rs,
    # hardless_http_dialects::PrinterStatus::from_dle_eot example).
    s = status(printer=0x1A, offline=0x32, paper=0x7E)
    assert s.paper_end and s.paper_near_end and not s.online


@pytest.mark.parametrize("byte", [0x00, 0x13, 0x10, 0x92, 0xFF])
def test_a_byte_without_the_fixed_bits_is_not_a_status(byte: int) -> None:
    with pytest.raises(StatusError):
        status(printer=byte)


def test_parser_matches_realtime_replies_to_queries_in_order_and_acks_apart() -> None:
    parser = StatusParser()
    parser.sent(PAPER_ACK_QUERY)
    parser.sent(STATUS_POLL)
    # GS r answer (bit 4 off) arrives between the DLE EOT answers: told apart by the fixed bits.
    replies = parser.feed(bytes([0x16, 0x12, 0x00, 0x12, 0x1E]))
    assert replies == [
        RealtimeReply(1, 0x16), RealtimeReply(2, 0x12), AckReply(0x00), RealtimeReply(3, 0x12),
        RealtimeReply(4, 0x1E),
    ]  # fmt: skip
    assert parser.outstanding == 0


def test_ack_reply_reports_paper_end_from_gs_r_bits_2_3() -> None:
    assert AckReply(0x0C).paper_end and not AckReply(0x03).paper_end


def test_a_gs_r_reply_nobody_asked_for_is_a_status_error() -> None:
    parser = StatusParser()
    parser.sent(realtime_query(1))
    with pytest.raises(StatusError):
        parser.feed(b"\x00")  # an ack-shaped byte while only a DLE EOT is outstanding


def test_a_dle_eot_reply_nobody_asked_for_is_tolerated_and_counted() -> None:
    parser = StatusParser()
    assert parser.feed(b"\x12\x16") == []
    assert parser.stray == 2


def test_dle_eot_spelled_inside_data_is_found_wherever_it_is() -> None:
    # DLE EOT n, n = 1..4 (Epson ESC/POS reference, DLE EOT: "Transmit real-time status").
    data = b"\x1dv0\x00\x02\x00\x02\x00\x10\x04\x01\xff\x10\x04\x09\x10\x04\x04"
    assert realtime_queries_in(data) == [1, 4]
    assert realtime_queries_in(b"\x10\x04\x10\x04\x02") == [2]
    assert realtime_queries_in(b"\x10\x04") == []


def test_answers_to_dle_eot_inside_data_are_dropped_and_the_poll_still_reads_right() -> None:
    # An image chunk spelling DLE EOT 1, then GS r 1, then a status poll: the printer answers the
    # image's DLE EOT on receipt (0x16, drawer open), then the poll and the GS r.
    parser = StatusParser()
    parser.expect_realtime([1], asked=False)
    parser.expect_ack()
    parser.sent(STATUS_POLL)
    replies = parser.feed(bytes([0x16, 0x12, 0x12, 0x12, 0x12, 0x00]))
    assert replies == [
        RealtimeReply(1, 0x12), RealtimeReply(2, 0x12), RealtimeReply(3, 0x12),
        RealtimeReply(4, 0x12), AckReply(0x00),
    ]  # fmt: skip
    assert parser.unasked_answered == 1 and parser.outstanding == 0


def test_an_unanswered_dle_eot_inside_data_is_forgotten_once_a_later_gs_r_is_answered() -> None:
    # A printer that ignores real-time commands inside data: its GS r answer comes, so the
    # DLE EOT sent before it never will; the next poll's answers must not shift by one.
    parser = StatusParser()
    parser.expect_realtime([1], asked=False)
    parser.expect_ack()
    assert parser.feed(b"\x00") == [AckReply(0x00)]
    parser.sent(STATUS_POLL)
    replies = parser.feed(bytes([0x16, 0x12, 0x12, 0x1E]))
    assert replies == [RealtimeReply(1, 0x16), RealtimeReply(2, 0x12), RealtimeReply(3, 0x12),
                       RealtimeReply(4, 0x1E)]  # fmt: skip


def test_parser_refuses_to_be_told_about_bytes_that_are_not_queries() -> None:
    with pytest.raises(ValueError):
        StatusParser().sent(b"hello")


@given(st.binary(max_size=64), st.lists(st.sampled_from([1, 2, 3, 4, 0]), max_size=16))
def test_random_reply_bytes_never_crash_the_parser(data: bytes, queries: list[int]) -> None:
    parser = StatusParser()
    for q in queries:
        parser.sent(PAPER_ACK_QUERY if q == 0 else realtime_query(q))
    try:
        replies = parser.feed(data)
    except StatusError:
        return
    assert len(replies) + parser.stray + parser.unasked_answered == len(data)


@given(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))
def test_random_reply_quadruples_give_a_status_or_a_status_error(a: int, b: int, c: int,
                                                                 d: int) -> None:  # fmt: skip
    try:
        s = PrinterStatus.from_replies(a, b, c, d)
    except StatusError:
        return
    assert s.raw == bytes([a, b, c, d])
    assert s.ready == (s.condition in ("online", "paper_near_end"))
