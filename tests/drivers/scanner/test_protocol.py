"""Scanner framing core on exact bytes. AIM identifiers per the Datalogic Magellan 800i / QuickScan
Product Reference Guides, "AIM ID" section (ISO/IEC 15424): "]" + code character + modifier,
E = UPC/EAN, C = Code 128 (C1 = GS1-128), Q = QR Code, d = DataMatrix.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from drivers.device import ErrorEvent
from drivers.scanner.protocol import PaymentCodeEvent, ScanEvent, ScannerProtocol, encode_scan


def drain(protocol: ScannerProtocol) -> list[object]:
    events: list[object] = []
    while (event := protocol.next_event()) is not None:
        events.append(event)
    return events


def test_ean13_with_aim_id_and_cr_gives_scan_with_symbology() -> None:
    protocol = ScannerProtocol("s1")
    protocol.receive_data(b"]E06901234567892\r")
    assert drain(protocol) == [ScanEvent("s1", "6901234567892", "]E0")]


def test_crlf_terminator_does_not_make_an_empty_scan() -> None:
    protocol = ScannerProtocol("s1")
    protocol.receive_data(b"]E06901234567892\r\n]E06901234567892\r\n")
    assert drain(protocol) == [ScanEvent("s1", "6901234567892", "]E0")] * 2


def test_frame_split_across_reads_is_joined() -> None:
    protocol = ScannerProtocol("s1")
    protocol.receive_data(b"]Q1hel")
    assert drain(protocol) == []
    protocol.receive_data(b"lo\r")
    assert drain(protocol) == [ScanEvent("s1", "hello", "]Q1")]


def test_gs1_128_keeps_group_separator() -> None:
    protocol = ScannerProtocol("s1")
    protocol.receive_data(b"]C10109501101530003\x1d10ABC123\r")
    assert drain(protocol) == [ScanEvent("s1", "0109501101530003\x1d10ABC123", "]C1")]


def test_configured_prefix_and_suffix_are_stripped() -> None:
    protocol = ScannerProtocol("s1", prefix=b"\x02", suffix=b"\x03")
    protocol.receive_data(b"\x02]E04006381333931\x03")
    assert drain(protocol) == [ScanEvent("s1", "4006381333931", "]E0")]


def test_missing_prefix_is_an_error() -> None:
    protocol = ScannerProtocol("s1", prefix=b"\x02", suffix=b"\x03")
    protocol.receive_data(b"4006381333931\x03")
    [event] = drain(protocol)
    assert isinstance(event, ErrorEvent) and event.code == "bad_prefix"


def test_scan_without_aim_id_has_empty_symbology() -> None:
    protocol = ScannerProtocol("s1")
    protocol.receive_data(b"4006381333931\r")
    assert drain(protocol) == [ScanEvent("s1", "4006381333931", "")]


def test_partial_read_on_timeout_is_an_error_not_a_scan() -> None:
    protocol = ScannerProtocol("s1")
    protocol.receive_data(b"]E0690123")
    protocol.timeout()
    assert drain(protocol) == [
        ErrorEvent("s1", "partial_read", "scan ended without its terminator", b"]E0690123")
    ]


def test_control_bytes_other_than_gs_are_garbage() -> None:
    protocol = ScannerProtocol("s1")
    protocol.receive_data(b"69012\x0734567\r")
    [event] = drain(protocol)
    assert isinstance(event, ErrorEvent) and event.code == "garbage"
    assert event.data == b"69012\x0734567"


def test_invalid_utf8_is_garbage() -> None:
    protocol = ScannerProtocol("s1")
    protocol.receive_data(b"\xff\xfe\r")
    [event] = drain(protocol)
    assert isinstance(event, ErrorEvent) and event.code == "garbage"


def test_overlong_frame_is_an_error() -> None:
    protocol = ScannerProtocol("s1", max_length=8)
    protocol.receive_data(b"123456789\r")
    events = drain(protocol)
    assert isinstance(events[0], ErrorEvent) and events[0].code == "overlong"


def test_chinese_qr_text_is_a_scan() -> None:
    protocol = ScannerProtocol("s1")
    protocol.receive_data("]Q1会员:12345\r".encode())
    assert drain(protocol) == [ScanEvent("s1", "会员:12345", "]Q1")]


def test_wechat_payment_code_becomes_payment_event() -> None:
    protocol = ScannerProtocol("s1")
    protocol.receive_data(b"]C0134567890123456789\r")
    assert drain(protocol) == [PaymentCodeEvent("s1", "134567890123456789", "wechat", "]C0")]


def test_alipay_payment_code_in_qr_becomes_payment_event() -> None:
    protocol = ScannerProtocol("s1")
    protocol.receive_data(b"]Q1289431869362714645\r")
    assert drain(protocol) == [PaymentCodeEvent("s1", "289431869362714645", "alipay", "]Q1")]


def test_encode_scan_round_trips() -> None:
    protocol = ScannerProtocol("s1")
    protocol.receive_data(encode_scan("0109501101530003\x1d10AB", "]C1"))
    assert drain(protocol) == [ScanEvent("s1", "0109501101530003\x1d10AB", "]C1")]


@given(st.binary(max_size=300), st.booleans())
def test_random_bytes_never_crash_and_give_only_known_events(data: bytes, cut: bool) -> None:
    protocol = ScannerProtocol("s1", max_length=64)
    protocol.receive_data(data)
    if cut:
        protocol.timeout()
    for event in drain(protocol):
        assert isinstance(event, ScanEvent | PaymentCodeEvent | ErrorEvent)
        if isinstance(event, ScanEvent):
            assert all(ord(c) >= 0x20 or c == "\x1d" for c in event.data)


@given(
    st.binary(min_size=1, max_size=40).filter(
        lambda b: any(x < 0x20 and x not in (0x0D, 0x0A, 0x1D) for x in b)
    )
)
def test_frames_with_control_bytes_give_an_error_event(body: bytes) -> None:
    protocol = ScannerProtocol("s1", suffix=b"\r\n")
    protocol.receive_data(body.replace(b"\r\n", b"") + b"\r\n")
    events = drain(protocol)
    assert events and any(isinstance(e, ErrorEvent) for e in events)
