"""LLRP 1.0.1 codec: golden bytes built by hand from the spec, framing, and malformed input.

Numbers cited from EPCglobal LLRP 1.0.1 (and the LLRP Toolkit's llrp-1x0-def.xml, which the spec's
tables are generated into): message header §4.1 = Rsvd(3) Ver(3) Type(10) Length(32) ID(32);
TLV parameter header §4.2.2 = Rsvd(6) Type(10) Length(16); TV header = 1, Type(7).
Message types: SET_READER_CONFIG 3, CLOSE_CONNECTION_RESPONSE 4, SET_READER_CONFIG_RESPONSE 13,
CLOSE_CONNECTION 14, ADD_ROSPEC 20, DELETE_ROSPEC 21, START_ROSPEC 22, STOP_ROSPEC 23,
ENABLE_ROSPEC 24, ADD_ROSPEC_RESPONSE 30 … ENABLE_ROSPEC_RESPONSE 34, RO_ACCESS_REPORT 61,
KEEPALIVE 62, READER_EVENT_NOTIFICATION 63, KEEPALIVE_ACK 72, ERROR_MESSAGE 100.
Parameter types: TV AntennaID 1, FirstSeenTimestampUTC 2, PeakRSSI 6, EPC-96 13; TLV
UTCTimestamp 128, ROSpec 177, ROBoundarySpec 178, ROSpecStartTrigger 179, ROSpecStopTrigger 182,
AISpec 183, AISpecStopTrigger 184, InventoryParameterSpec 186, KeepaliveSpec 220, ROReportSpec 237,
TagReportContentSelector 238, TagReportData 240, EPCData 241, ReaderEventNotificationSpec 244,
EventNotificationState 245, ReaderEventNotificationData 246, ROSpecEvent 249,
ConnectionAttemptEvent 256, LLRPStatus 287.
"""

from __future__ import annotations

import pytest

from drivers.rfid.llrp import (
    CONTENT_FOR_STOCK_COUNT,
    NEED_DATA,
    AddRospec,
    CloseConnection,
    Keepalive,
    KeepaliveAck,
    LlrpConnection,
    LlrpStatus,
    MalformedMessage,
    Message,
    MsgType,
    ReaderEventNotification,
    RoAccessReport,
    RoSpec,
    RospecCommand,
    SetReaderConfig,
    StatusResponse,
    TagReport,
    UnknownMessage,
    decode,
    encode,
)

EPC = bytes.fromhex("3074257BF7194E4000001A85")

GOLDEN: list[tuple[str, Message, str]] = [
    # KEEPALIVE (62 = 0x3E): version 1 -> 0x04 in the first byte, no body, length 10.
    ("keepalive", Keepalive(msg_id=4), "043e 0000000a 00000004"),
    ("keepalive_ack", KeepaliveAck(msg_id=4), "0448 0000000a 00000004"),
    ("close_connection", CloseConnection(msg_id=1), "040e 0000000a 00000001"),
    # START_ROSPEC (22 = 0x16): u32 ROSpecID.
    (
        "start_rospec",
        RospecCommand(MsgType.START_ROSPEC, 7, msg_id=9),
        "0416 0000000e 00000009 00000007",
    ),
    (
        "delete_all_rospecs",
        RospecCommand(MsgType.DELETE_ROSPEC, 0, msg_id=2),
        "0415 0000000e 00000002 00000000",
    ),
    # ADD_ROSPEC_RESPONSE (30): LLRPStatus (287 = 0x11F), StatusCode 0 M_Success, empty text.
    (
        "add_rospec_response",
        StatusResponse(MsgType.ADD_ROSPEC_RESPONSE, LlrpStatus(0, ""), msg_id=3),
        "041e 00000012 00000003 011f 0008 0000 0000",
    ),
    # READER_EVENT_NOTIFICATION (63) > ReaderEventNotificationData (246 = 0xF6) >
    # UTCTimestamp (128) u64 microseconds, ConnectionAttemptEvent (256 = 0x100) u16 Success = 0.
    (
        "connection_attempt",
        ReaderEventNotification(1_700_000_000_000_000, connection_status=0, msg_id=0),
        "043f 00000020 00000000 00f6 0016 0080 000c 00060a24181e4000 0100 0006 0000",
    ),
    # SET_READER_CONFIG (3): ResetToFactoryDefault bit, ReaderEventNotificationSpec (244) >
    # EventNotificationState (245) u16 EventType 2 (ROSpec_Event) + enable bit;
    # KeepaliveSpec (220 = 0xDC) u8 type 1 (Periodic) + u32 period ms.
    (
        "set_reader_config",
        SetReaderConfig(
            reset_to_factory_default=True, keepalive_period_ms=1000, rospec_events=True, msg_id=2
        ),
        "0403 0000001f 00000002 80 00f4 000b 00f5 0007 0002 80 00dc 0009 01 000003e8",
    ),
]


@pytest.mark.parametrize(("name", "message", "hexbytes"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_bytes_encode_and_decode_back(name: str, message: Message, hexbytes: str) -> None:
    wire = bytes.fromhex(hexbytes)
    assert encode(message) == wire
    assert decode(wire) == message


def test_add_rospec_golden_bytes_follow_the_spec_nesting() -> None:
    spec = RoSpec(
        7, antennas=(1, 2), duration_ms=500, report_every_n_tags=100,
        content_flags=CONTENT_FOR_STOCK_COUNT,
    )  # fmt: skip
    wire = bytes.fromhex(
        "0414 0000004d 00000003"  # ADD_ROSPEC (20)
        "00b1 0043 00000007 00 00"  # ROSpec: id 7, priority 0, state Disabled
        "00b2 0012"  # ROBoundarySpec
        "00b3 0005 00"  # ROSpecStartTrigger: Null (START_ROSPEC starts it)
        "00b6 0009 01 000001f4"  # ROSpecStopTrigger: Duration, 500 ms
        "00b7 001a 0002 0001 0002"  # AISpec: 2 antennas, ids 1 and 2
        "00b8 0009 00 00000000"  # AISpecStopTrigger: Null
        "00ba 0007 0001 01"  # InventoryParameterSpec: id 1, protocol 1 = EPCGlobalClass1Gen2
        "00ed 000d 01 0064"  # ROReportSpec: upon N tags or end of AISpec, N = 100
        "00ee 0006 1680"  # TagReportContentSelector: AntennaID, PeakRSSI, FirstSeen, SeenCount
    )
    message = AddRospec(spec, msg_id=3)
    assert encode(message) == wire
    assert decode(wire) == message


def test_ro_access_report_golden_bytes_with_epc96_and_epcdata() -> None:
    wire = bytes.fromhex(
        "043d 0000004e 00000005"  # RO_ACCESS_REPORT (61)
        "00f0 001f"  # TagReportData (240), 31 bytes
        "8d 3074257bf7194e4000001a85"  # EPC-96 TV (13 | 0x80)
        "81 0001"  # AntennaID TV (1)
        "86 ce"  # PeakRSSI TV (6), s8 -50
        "82 000000000000007b"  # FirstSeenTimestampUTC TV (2), u64 µs
        "00f0 001b"  # a second TagReportData, EPC as EPCData TLV
        "00f1 0012 0060 3074257bf7194e4000001a86"  # EPCData (241): 96 bits
        "81 0002 86 d8"
        "00f0 000a 00f1 0006 0000"  # a zero-length EPC is still an EPC
    )
    message = decode(wire)
    assert isinstance(message, RoAccessReport)
    assert message.tags == (
        TagReport(EPC, antenna=1, peak_rssi=-50, first_seen_us=123),
        TagReport(bytes.fromhex("3074257bf7194e4000001a86"), antenna=2, peak_rssi=-40),
        TagReport(b""),
    )


def test_partial_frames_are_buffered_until_complete() -> None:
    wire = encode(Keepalive(msg_id=1)) + encode(
        RoAccessReport((TagReport(EPC, antenna=3, peak_rssi=-60),), msg_id=2)
    )
    conn = LlrpConnection()
    events = []
    for i in range(len(wire)):
        conn.receive_data(wire[i : i + 1])
        event = conn.next_event()
        if event is not NEED_DATA:
            events.append(event)
    assert events == [
        Keepalive(msg_id=1),
        RoAccessReport((TagReport(EPC, antenna=3, peak_rssi=-60),), msg_id=2),
    ]
    assert conn.next_event() is NEED_DATA


def test_bad_body_is_an_error_event_and_the_stream_goes_on() -> None:
    # A TagReportData whose EPC-96 is cut short, then a good KEEPALIVE.
    broken = bytes.fromhex("043d 00000014 00000007 00f0 000a 8d 3074257bf7")
    conn = LlrpConnection()
    conn.receive_data(broken + encode(Keepalive(msg_id=8)))
    first = conn.next_event()
    assert isinstance(first, MalformedMessage)
    assert first.msg_id == 7
    assert first.data == broken
    assert conn.next_event() == Keepalive(msg_id=8)


def test_impossible_length_drops_the_buffer_with_an_error_event() -> None:
    conn = LlrpConnection()
    conn.receive_data(bytes.fromhex("043e 00000003 00000001 ffff"))
    event = conn.next_event()
    assert isinstance(event, MalformedMessage)
    assert "length" in event.reason
    assert conn.next_event() is NEED_DATA


def test_wrong_version_and_unknown_types_are_reported_not_raised() -> None:
    conn = LlrpConnection()
    conn.receive_data(bytes.fromhex("083e 0000000a 00000001"))  # version 2
    conn.receive_data(bytes.fromhex("0401 0000000c 00000002 abcd"))  # type 1
    bad = conn.next_event()
    assert isinstance(bad, MalformedMessage)
    assert "version" in bad.reason
    assert conn.next_event() == UnknownMessage(1, b"\xab\xcd", msg_id=2)


def test_eof_inside_a_message_is_an_error_and_closes() -> None:
    conn = LlrpConnection()
    conn.receive_data(encode(Keepalive(msg_id=1))[:7])
    conn.receive_data(b"")
    assert isinstance(conn.next_event(), MalformedMessage)
    assert conn.closed


def test_client_becomes_connected_on_successful_connection_attempt() -> None:
    conn = LlrpConnection("client")
    assert not conn.connected
    conn.receive_data(encode(ReaderEventNotification(1, connection_status=0)))
    conn.next_event()
    assert conn.connected
    conn.receive_data(encode(StatusResponse(MsgType.CLOSE_CONNECTION_RESPONSE)))
    conn.next_event()
    assert conn.closed


def test_a_report_mixing_tag_layouts_decodes_every_tag_exactly() -> None:
    # The decoder compiles the first layout and unpacks the rest in bulk; one odd tag in the
    # middle (no RSSI, an EPCData TLV) must send it back to the generic walk, not garble tags.
    same = [TagReport(EPC, antenna=i % 4 + 1, peak_rssi=-40 - i, first_seen_us=i) for i in range(6)]
    odd = TagReport(EPC[:8], antenna=2)
    tags = (*same[:3], odd, *same[3:])
    assert decode(encode(RoAccessReport(tags, msg_id=1))) == RoAccessReport(tags, msg_id=1)
