"""Toledo 8217 core on exact bytes. Golden vectors from the Toledo 8213 "demand" format (Transcell
PC-150 manual, appendix B.1.4, figures B-3/B-4) and the Brecknell 67xxU service manual §7.6.3
"8213-SCP03", table 7.5 (status bits: 0 motion, 1 over capacity, 2 under zero, 3 outside zero
capture range, 4 centre of zero, 5 and 6 always 1, 7 parity).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.device import DeviceEvent, ErrorEvent
from drivers.scale.events import (
    MotionEvent,
    OverCapacityEvent,
    StableWeightEvent,
    UnderZeroEvent,
    ZeroEvent,
)
from drivers.scale.toledo8217 import (
    CENTER_OF_ZERO,
    MOTION,
    Toledo8217Protocol,
    encode_status,
    encode_weight,
)


def parse(data: bytes, timeout: bool = False) -> list[DeviceEvent]:
    protocol = Toledo8217Protocol("sc")
    protocol.receive_data(data)
    if timeout:
        protocol.timeout()
    events: list[DeviceEvent] = []
    while (event := protocol.next_event()) is not None:
        events.append(event)
    return events


def test_commands_are_single_ascii_bytes() -> None:
    protocol = Toledo8217Protocol("sc")
    assert (protocol.request_weight(), protocol.request_zero(), protocol.request_tare()) == (
        b"W",
        b"Z",
        b"T",
    )


@pytest.mark.parametrize(
    ("reply", "grams"),
    [(b"\x0201.234\r", 1234), (b"\x0200.000\r", 0), (b"\x0215.00\r", 15000), (b"\x020.5\r", 500)],
)
def test_weight_record_is_integer_grams(reply: bytes, grams: int) -> None:
    assert parse(reply) == [StableWeightEvent("sc", grams)]


@pytest.mark.parametrize(
    ("reply", "event"),
    [
        # A tared scale: space-padded field, net weight marked "N" (issue 12's captured reply).
        (b"\x02 1.234N\r", StableWeightEvent("sc", 1234, net=True)),
        (b"\x02  0.050N\r", StableWeightEvent("sc", 50, net=True)),
        (b"\x02 12.5\r", StableWeightEvent("sc", 12500)),
        (b"\x02 -0.120N\r", UnderZeroEvent("sc")),
    ],
)
def test_padded_and_net_weight_records(reply: bytes, event: DeviceEvent) -> None:
    assert parse(reply) == [event]


@pytest.mark.parametrize("reply", [b"\x02 1.234X\r", b"\x021.2 34\r", b"\x02N\r", b"\x021.234NN\r"])
def test_other_suffixes_and_inner_spaces_are_garbage(reply: bytes) -> None:
    [event] = parse(reply)
    assert isinstance(event, ErrorEvent) and event.code == "garbage"


@pytest.mark.parametrize(
    ("reply", "event"),
    [
        (b"\x02?\x61\r", MotionEvent("sc")),  # 0110 0001: motion
        (b"\x02?\x62\r", OverCapacityEvent("sc")),  # 0110 0010: over capacity
        (b"\x02?\x64\r", UnderZeroEvent("sc")),  # 0110 0100: under zero
        (b"\x02?\x70\r", ZeroEvent("sc")),  # 0111 0000: centre of zero
        (b"\x02?\xe1\r", MotionEvent("sc")),  # parity bit set: still motion
        (b"\x02?\x63\r", OverCapacityEvent("sc")),  # over capacity outranks motion
    ],
)
def test_status_record_bits(reply: bytes, event: DeviceEvent) -> None:
    assert parse(reply) == [event]


def test_status_without_fixed_bits_is_garbage() -> None:
    [event] = parse(b"\x02?\x01\r")
    assert isinstance(event, ErrorEvent) and event.code == "garbage"


def test_bytes_outside_frame_are_reported_then_frame_parses() -> None:
    events = parse(b"xx\x0201.000\r")
    assert isinstance(events[0], ErrorEvent) and events[0].data == b"xx"
    assert events[1] == StableWeightEvent("sc", 1000)


def test_cut_reply_is_partial_read() -> None:
    [event] = parse(b"\x0201.2", timeout=True)
    assert isinstance(event, ErrorEvent) and event.code == "partial_read"


@given(st.integers(0, 99_999), st.booleans())
def test_weight_round_trips(grams: int, net: bool) -> None:
    assert parse(encode_weight(grams, net)) == [StableWeightEvent("sc", grams, net=net)]


def test_status_encoding_matches_manual_bytes() -> None:
    assert encode_status(MOTION) == b"\x02?\x61\r"
    assert encode_status(CENTER_OF_ZERO) == b"\x02?\x70\r"


@given(st.binary(max_size=200))
def test_random_bytes_never_crash(data: bytes) -> None:
    for event in parse(data, timeout=True):
        assert isinstance(event, DeviceEvent)
        if isinstance(event, StableWeightEvent):
            assert isinstance(event.grams, int)


@given(st.binary(min_size=1, max_size=30).filter(lambda b: 0x02 not in b and 0x0D not in b))
def test_garbage_gives_an_error_event(data: bytes) -> None:
    events = parse(data, timeout=True)
    assert events and all(isinstance(e, ErrorEvent) for e in events)
