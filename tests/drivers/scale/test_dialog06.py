"""Dialog 06 core on exact bytes. Golden vectors from the Dibal DPOS400 manual §4.39 "DIALOG 06
protocol" and the Cely PI100 manual §7.5 (record 01 unit price, EOT ENQ weight request, record 02
weight answer, record 08/09 status; EOT 04h STX 02h ETX 03h ENQ 05h ACK 06h NAK 15h ESC 1Bh).
Record 02's unit code and its 5- or 6-digit unit price follow METTLER TOLEDO's DIVA Service Manual
72191202 (05/2012) §6.1.8, p. 54 ("Record 02: Result of weighing": scale status 30H lb:oz 1/8 oz,
31H lb/0.01, 32H lb/0.005, 33H kg; weight 5 digits, unit price 5/6 digits, price to pay 6 digits).
Records 10 and 11 (the checksum handshake) follow Coop IT Easy's Dialog 06 driver for Mettler
Toledo scales (hw_scale_toledo/controllers/main.py: `send_record_10`, `_parse_checksums_request`,
`calculate_checksums`, `_get_kw_value`) and the DIVA manual p. 55 §6.1.8.4; the correction value is
checked here against plain GF(2) polynomial division.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.device import DeviceEvent, ErrorEvent
from drivers.scale import dialog06
from drivers.scale.dialog06 import Ack, ChecksumRequest, ChecksumVerdict, Dialog06Protocol, Nak
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


# DIVA Service Manual p. 54: unit code 33H is kg; the weight's 5 digits are grams (both public
# Dialog 06 drivers read weight / 1000).
@pytest.mark.parametrize(
    ("reply", "event"),
    [
        (b"\x0202\x1b3\x1b01234\x1b001299\x1b001603\x03", StableWeightEvent("sc", 1234, 1299, 1603)),
        # The same weighing from a scale set to 5-digit unit prices ("5/6 digits", p. 54).
        (b"\x0202\x1b3\x1b01234\x1b01299\x1b001603\x03", StableWeightEvent("sc", 1234, 1299, 1603)),
        (b"\x0202\x1b3\x1b00005\x1b99999\x1b000000\x03", StableWeightEvent("sc", 5, 99999, 0)),
    ],
)
def test_kg_record_with_five_or_six_digit_unit_price(reply: bytes, event: StableWeightEvent) -> None:
    assert parse(reply) == [event]


# DIVA Service Manual p. 54: unit code 32H is lb in 0.005 lb steps; the weight's 5 digits are then
# thousandths of a pound. Issue 21: `01000` was read as 10,000 g; it is 1.000 lb = 453.59237 g.
@pytest.mark.parametrize(
    ("weight", "grams"),
    [(b"01000", 454), (b"00005", 2), (b"02205", 1000), (b"30000", 13608), (b"00000", 0)],
)
def test_lb_record_is_pounds_converted_to_grams(weight: bytes, grams: int) -> None:
    reply = b"\x0202\x1b2\x1b" + weight + b"\x1b00299\x1b000299\x03"
    [event] = parse(reply)
    assert event == StableWeightEvent("sc", grams, 299, 299, unit="lb", milli_lb=int(weight))


def test_lb_to_grams_rounds_half_up_to_the_gram() -> None:
    # 0.005 lb = 2.26796185 g → 2 g; 1.000 lb = 453.59237 g → 454 g; exact by definition.
    assert dialog06.grams_from_milli_lb(5) == 2
    assert dialog06.grams_from_milli_lb(1000) == 454
    assert dialog06.grams_from_milli_lb(99995) == 45357  # 45,357.0690… g


def test_lb_weight_off_the_0005_step_is_garbage() -> None:
    [event] = parse(b"\x0202\x1b2\x1b01003\x1b00299\x1b000300\x03")
    assert isinstance(event, ErrorEvent) and event.code == "garbage"


@pytest.mark.parametrize(("unit", "text"), [(b"0", "1/8 oz"), (b"1", "0.01 lb")])
def test_other_manual_unit_codes_are_refused_with_a_clear_error(unit: bytes, text: str) -> None:
    # 30H (lb:oz) and 31H (lb/0.01) exist (p. 54) but the manual does not place their decimals:
    # refused by name, never read as kg.
    [event] = parse(b"\x0202\x1b" + unit + b"\x1b01000\x1b001299\x1b001299\x03")
    assert isinstance(event, ErrorEvent) and event.code == "unsupported_unit"
    assert text in event.message and "kg or lb" in event.message


@pytest.mark.parametrize("unit", [b"4", b"A", b" ", b"\x00"])
def test_unit_codes_outside_the_manual_are_garbage(unit: bytes) -> None:
    [event] = parse(b"\x0202\x1b" + unit + b"\x1b01234\x1b001299\x1b001603\x03")
    assert isinstance(event, ErrorEvent) and event.code == "garbage"


@pytest.mark.parametrize("price", [b"1299", b"0001299"])
def test_unit_price_of_other_lengths_is_garbage(price: bytes) -> None:
    [event] = parse(b"\x0202\x1b3\x1b01234\x1b" + price + b"\x1b001603\x03")
    assert isinstance(event, ErrorEvent) and event.code == "garbage"


def _gf2_mod(value: int, divisor: int) -> int:
    while value.bit_length() >= divisor.bit_length():
        value ^= divisor << (value.bit_length() - divisor.bit_length())
    return value


@pytest.mark.parametrize("key", [0x18005, 0x11021, 0x1A2EB, 0x10001])
@given(checksum=st.integers(0, 0xFFFF))
def test_correction_value_makes_a_crc_codeword(key: int, checksum: int) -> None:
    correction = dialog06.correction_value(checksum, key)
    assert 0 <= correction <= 0xFFFF
    assert correction == _gf2_mod(checksum << 16, key)
    assert _gf2_mod(checksum << 16 | correction, key) == 0


def test_correction_value_golden() -> None:
    # CS 0x1234 under the CRC-16 polynomial x^16+x^15+x^2+1 (0x18005): 0x1234·x^16 mod P, by plain
    # GF(2) long division (_gf2_mod), is 0xECBB.
    assert dialog06.correction_value(0x1234, 0x18005) == 0xECBB
    with pytest.raises(ValueError):
        dialog06.correction_value(0x1234, 0x3_0000_0001)


def test_record_10_rotates_checksum_left_by_z1_and_correction_right_by_z2() -> None:
    # Z = 0x31: CS 0x1234 rotated left 3 bits = 0x91A0; KW 0xECBB rotated right 1 bit = 0xF65D.
    assert dialog06.checksum_record(0x1234, 0xECBB, 0x31) == b"\x04\x0210\x1b91A0F65D\x03"
    assert dialog06.checksum_record(0x1234, 0xECBB, 0x00) == b"\x04\x0210\x1b1234ECBB\x03"


def test_record_11_request_and_verdicts() -> None:
    assert parse(b"\x0211\x1b2A7\x03") == [ChecksumRequest("sc", 0xA7)]
    assert parse(b"\x0211\x1b1\x03\x0211\x1b0\x03") == [
        ChecksumVerdict("sc", True),
        ChecksumVerdict("sc", False),
    ]
    assert dialog06.encode_checksum_request(0xA7) == b"\x0211\x1b2A7\x03"
    [event] = parse(b"\x0211\x1b2\x03")  # d0 "2" without Z
    assert isinstance(event, ErrorEvent) and event.code == "garbage"


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


@given(
    st.integers(0, 99_999), st.integers(0, 999_999), st.integers(0, 999_999), st.sampled_from([5, 6])
)
def test_weight_record_round_trips(grams: int, price: int, amount: int, digits: int) -> None:
    price %= 10**digits
    record = dialog06.encode_weight_record(grams, price, amount, price_digits=digits)
    assert parse(record) == [StableWeightEvent("sc", grams, price, amount)]


@given(st.integers(0, 19_999), st.integers(0, 99_999))
def test_lb_weight_record_round_trips(steps: int, price: int) -> None:
    record = dialog06.encode_weight_record(steps * 5, price, 0, dialog06.LB_0005, price_digits=5)
    [event] = parse(record)
    assert isinstance(event, StableWeightEvent) and (event.unit, event.milli_lb) == ("lb", steps * 5)


@given(st.binary(max_size=200))
def test_random_bytes_never_crash(data: bytes) -> None:
    for event in parse(data, timeout=True):
        assert isinstance(event, DeviceEvent)


@given(st.binary(min_size=1, max_size=30).filter(lambda b: not set(b) & {0x02, 0x06, 0x15}))
def test_garbage_gives_an_error_event(data: bytes) -> None:
    events = parse(data, timeout=True)
    assert events and all(isinstance(e, ErrorEvent) for e in events)
