"""Toledo 8217 core on exact bytes. Golden vectors from the Toledo 8213 "demand" format (Transcell
PC-150 manual, appendix B.1.4, figures B-3/B-4), the Brecknell 67xxU service manual §7.6.3
"8213-SCP03", and METTLER TOLEDO's DIVA Service Manual 72191202 (05/2012) §6.1.4.2 "Command
Descriptions", p. 44, and §6.1.4.3 "Status Byte Format", p. 45, table "Scale Status Byte Bit
Definitions": bit 0 motion, 1 over capacity, 2 under zero, 3 outside zero capture range, 4 centre
of zero, 5 net (1) / gross (0), 6 always 1, 7 even parity. (The Brecknell table's "5 and 6 always
1" describes a scale that is always net; the DIVA table is the one an untared scale follows.)
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
    OVER_CAPACITY,
    StatusByte,
    Toledo8217Protocol,
    decode_status,
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
        # Issue 21's capture: an untared scale in motion. Bit 6 set, bit 5 clear (gross), bit 0.
        (b"\x02?\x41\r", MotionEvent("sc")),  # 0100 0001: gross, motion
        (b"\x02?\x61\r", MotionEvent("sc")),  # 0110 0001: net, motion
        (b"\x02?\x42\r", OverCapacityEvent("sc")),  # 0100 0010: gross, over capacity
        (b"\x02?\x44\r", UnderZeroEvent("sc")),  # 0100 0100: gross, under zero
        (b"\x02?\x50\r", ZeroEvent("sc")),  # 0101 0000: gross, centre of zero
        (b"\x02?\x70\r", ZeroEvent("sc")),  # 0111 0000: net, centre of zero
        (b"\x02?\xc1\r", MotionEvent("sc")),  # parity bit set: still motion
        (b"\x02?\x43\r", OverCapacityEvent("sc")),  # over capacity outranks motion
    ],
)
def test_status_record_bits(reply: bytes, event: DeviceEvent) -> None:
    assert parse(reply) == [event]


# Every one of the 256 bytes against the manual's table (p. 45), one bit at a time.
@pytest.mark.parametrize("byte", range(256))
def test_every_status_byte_decodes_as_the_manual_table_says(byte: int) -> None:
    bit = [bool(byte >> n & 1) for n in range(8)]
    status = decode_status(byte)
    events = parse(b"\x02?" + bytes([byte]) + b"\r", timeout=True)
    if byte in (0x02, 0x0D):  # STX and CR frame the record: it breaks, and says so
        assert events and all(isinstance(e, ErrorEvent) for e in events)
        return
    [event] = events
    if not bit[6]:  # "Always 1": a byte without it is not a status byte
        assert status is None
        assert isinstance(event, ErrorEvent) and event.code == "garbage"
        return
    assert status == StatusByte(
        motion=bit[0], over_capacity=bit[1], under_zero=bit[2], outside_zero_range=bit[3],
        center_of_zero=bit[4], net=bit[5],
    )  # fmt: skip
    # One event, the condition that most blocks a sale; bits 5 (net/gross) and 7 (parity) change
    # nothing; motion is reported as motion, never as garbage.
    if bit[1]:
        assert event == OverCapacityEvent("sc")
    elif bit[2]:
        assert event == UnderZeroEvent("sc")
    elif bit[0]:
        assert event == MotionEvent("sc")
    elif bit[4]:
        assert event == ZeroEvent("sc")
    else:
        assert isinstance(event, ErrorEvent)
        assert event.code == ("zero_range" if bit[3] else "no_weight")


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
    # The simulator's side: bit 6 always, bit 5 only when a tare makes the weight net (p. 45).
    assert encode_status(MOTION) == b"\x02?\x41\r"
    assert encode_status(MOTION, net=True) == b"\x02?\x61\r"
    assert encode_status(CENTER_OF_ZERO) == b"\x02?\x50\r"
    assert encode_status(OVER_CAPACITY | MOTION) == b"\x02?\x43\r"


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
