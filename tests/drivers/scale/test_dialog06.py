"""Dialog 06 core on exact bytes. Golden vectors from the Dibal DPOS400 manual §4.39 "DIALOG 06
protocol" and the Cely PI100 manual §7.5 (record 01 unit price, EOT ENQ weight request, record 02
weight answer, record 08/09 status; EOT 04h STX 02h ETX 03h ENQ 05h ACK 06h NAK 15h ESC 1Bh).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.device import DeviceEvent, ErrorEvent
from drivers.scale import dialog06
from drivers.scale.dialog06 import Ack, Dialog06Protocol, Nak
from drivers.scale.events import MotionEvent, OverCapacityEvent, StableWeightEvent, ZeroEvent


def parse(data: bytes, timeout: bool = False) -> list[DeviceEvent]:
    protocol = Dialog06Protocol("sc")
    protocol.receive_data(data)
    if timeout:
        protocol.timeout()
    events: list[DeviceEvent] = []
    while (event := protocol.next_event()) is not None:
        events.append(event)
    return events


def test_host_records_exact_bytes() -> None:
    assert dialog06.set_unit_price(1299) == b"\x04\x0201\x1b001299\x1b\x03"
    assert dialog06.REQUEST_WEIGHT == b"\x04\x05"
    assert dialog06.REQUEST_STATUS == b"\x04\x0208\x03"


def test_unit_price_must_fit_six_digits() -> None:
    with pytest.raises(ValueError):
        dialog06.set_unit_price(1_000_000)


def test_weight_record_gives_grams_price_and_amount() -> None:
    reply = b"\x0202\x1b3\x1b01234\x1b001299\x1b001603\x03"
    assert parse(reply) == [StableWeightEvent("sc", 1234, 1299, 1603)]


def test_two_decimal_kg_record_scales_to_grams() -> None:
    assert parse(b"\x0202\x1b4\x1b00123\x1b000100\x1b000123\x03")[0] == StableWeightEvent(
        "sc", 1230, 100, 123
    )


def test_pound_record_is_refused() -> None:
    [event] = parse(b"\x0202\x1b1\x1b01234\x1b001299\x1b001603\x03")
    assert isinstance(event, ErrorEvent) and event.code == "unsupported_unit"


def test_ack_and_nak() -> None:
    assert parse(b"\x06\x15") == [Ack("sc"), Nak("sc")]


@pytest.mark.parametrize(
    ("code", "event"),
    [("20", MotionEvent("sc")), ("30", ZeroEvent("sc")), ("32", OverCapacityEvent("sc"))],
)
def test_status_record_conditions(code: str, event: DeviceEvent) -> None:
    assert parse(b"\x0209\x1b" + code.encode() + b"\x03") == [event]


def test_other_status_codes_are_errors_with_their_text() -> None:
    [event] = parse(b"\x0209\x1b11\x03")
    assert isinstance(event, ErrorEvent) and event.code == "dialog06_11"
    assert "unit price" in event.message


@given(st.integers(0, 99_999), st.integers(0, 999_999), st.integers(0, 999_999))
def test_weight_record_round_trips(grams: int, price: int, amount: int) -> None:
    record = dialog06.encode_weight_record(grams, price, amount)
    assert parse(record) == [StableWeightEvent("sc", grams, price, amount)]


@given(st.binary(max_size=200))
def test_random_bytes_never_crash(data: bytes) -> None:
    for event in parse(data, timeout=True):
        assert isinstance(event, DeviceEvent)


@given(st.binary(min_size=1, max_size=30).filter(lambda b: not set(b) & {0x02, 0x06, 0x15}))
def test_garbage_gives_an_error_event(data: bytes) -> None:
    events = parse(data, timeout=True)
    assert events and all(isinstance(e, ErrorEvent) for e in events)
