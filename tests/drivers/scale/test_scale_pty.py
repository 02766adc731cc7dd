"""The `Scale` driver through a real pty to the simulator, for both protocols."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from drivers.device import DeviceError, DeviceEvent, SerialSettings
from drivers.scale import dialog06
from drivers.scale.dialog06 import ChecksumRequest
from drivers.scale.events import MotionEvent, StableWeightEvent
from drivers.scale.scale import Scale
from drivers.scale.simulator import ScaleSimulator

Rig = tuple[ScaleSimulator, Scale]


def make_rig(protocol: str) -> Iterator[Rig]:
    simulator = ScaleSimulator(protocol)
    scale = Scale("deli", settings=SerialSettings(simulator.port), protocol=protocol,
                  reply_timeout=0.3)  # fmt: skip
    scale.open()
    scale.claim()
    scale.enable()
    yield simulator, scale
    scale.close()
    simulator.close()


@pytest.fixture(params=["toledo8217", "dialog06"])
def rig(request: pytest.FixtureRequest) -> Iterator[Rig]:
    yield from make_rig(request.param)


@pytest.fixture
def toledo() -> Iterator[Rig]:
    yield from make_rig("toledo8217")


def test_stable_weight_is_read_as_grams(rig: Rig) -> None:
    simulator, scale = rig
    simulator.weight_grams = 1234
    reading = scale.read_stable_weight(timeout=1.0, unit_price=1299)
    assert reading.grams == 1234
    if simulator.protocol == "dialog06":
        assert (reading.unit_price, reading.amount) == (1299, 1603)


def test_motion_until_timeout_raises_motion(rig: Rig) -> None:
    simulator, scale = rig
    simulator.weight_grams = 500
    simulator.motion = True
    with pytest.raises(DeviceError) as info:
        scale.read_stable_weight(timeout=0.4, unit_price=100)
    assert info.value.code == "motion"


def test_weight_settling_during_the_wait_is_returned(rig: Rig) -> None:
    simulator, scale = rig
    simulator.weight_grams = 750
    simulator.motion = True
    seen: list[DeviceEvent] = []
    scale.add_listener(seen.append)
    threading.Timer(0.2, lambda: setattr(simulator, "motion", False)).start()
    assert scale.read_stable_weight(timeout=2.0, unit_price=100).grams == 750
    assert any(isinstance(event, MotionEvent) for event in seen)
    assert isinstance(seen[-1], StableWeightEvent)


def test_over_capacity_raises(rig: Rig) -> None:
    simulator, scale = rig
    simulator.weight_grams = 40_000
    simulator.over_capacity = True
    with pytest.raises(DeviceError) as info:
        scale.read_stable_weight(timeout=0.3, unit_price=100)
    assert info.value.code == "over_capacity"


def test_silent_scale_raises_no_answer_and_fails_health(rig: Rig) -> None:
    simulator, scale = rig
    simulator.silent = True
    with pytest.raises(DeviceError) as info:
        scale.read_stable_weight(timeout=0.2, unit_price=100)
    assert info.value.code == "no_answer"
    assert not scale.health().ok


def test_health_ok_when_scale_answers(rig: Rig) -> None:
    assert rig[1].health().ok


def test_toledo_zero_command(toledo: Rig) -> None:
    simulator, scale = toledo
    simulator.weight_grams = 3
    scale.zero()
    assert simulator.received.endswith(b"Z")
    assert scale.read_stable_weight(timeout=0.5).grams == 0


def test_weighing_needs_an_enabled_scale() -> None:
    scale = Scale("off", settings=SerialSettings("/dev/null"))
    with pytest.raises(DeviceError) as info:
        scale.read_stable_weight(timeout=0.1)
    assert info.value.code == "not_enabled"


KEY = 0x1A2EB  # a made-up key polynomial: the real one is Mettler Toledo's, given under NDA


def dialog06_rig(scale_key: int | None, driver_key: int | None) -> tuple[ScaleSimulator, Scale]:
    simulator = ScaleSimulator("dialog06", dialog06_key=scale_key, seed=3)
    scale = Scale("deli", settings=SerialSettings(simulator.port), protocol="dialog06",
                  reply_timeout=0.3, dialog06_key=driver_key)  # fmt: skip
    scale.open()
    scale.claim()
    scale.enable()
    return simulator, scale


def test_dialog06_session_through_the_checksum_handshake_and_120_weighings() -> None:
    """A Mettler Toledo scale asks for record 10 at power-on and after every 50 weighings
    (Coop IT Easy hw_scale_toledo `_handle_weighing_answer`): the driver answers and weighs on."""
    simulator, scale = dialog06_rig(KEY, KEY)
    seen: list[DeviceEvent] = []
    scale.add_listener(seen.append)
    try:
        for i in range(120):
            simulator.weight_grams = 100 + i
            reading = scale.read_stable_weight(timeout=1.0, unit_price=1000)
            assert (reading.grams, reading.amount) == (100 + i, 100 + i)  # 10.00/kg × grams
    finally:
        scale.close()
        simulator.close()
    assert simulator.checksum_requests == 3  # power-on, after weighing 50, after weighing 100
    assert simulator.checksums_accepted == 3
    assert sum(isinstance(e, ChecksumRequest) for e in seen) == 3
    assert simulator.received.count(b"\x04\x0210\x1b") == 3


def test_dialog06_wrong_key_is_refused_at_once() -> None:
    simulator, scale = dialog06_rig(KEY, 0x18005)
    simulator.weight_grams = 500
    try:
        with pytest.raises(DeviceError) as info:
            scale.read_stable_weight(timeout=1.0, unit_price=100)
        assert info.value.code == "dialog06_checksum_refused"
        assert simulator.checksums_accepted == 0
    finally:
        scale.close()
        simulator.close()


def test_dialog06_scale_asking_for_a_checksum_without_a_key_configured() -> None:
    simulator, scale = dialog06_rig(KEY, None)
    try:
        with pytest.raises(DeviceError) as info:
            scale.read_stable_weight(timeout=1.0, unit_price=100)
        assert info.value.code == "dialog06_key_missing"
    finally:
        scale.close()
        simulator.close()


def test_dialog06_scale_asks_again_after_an_error() -> None:
    simulator, scale = dialog06_rig(KEY, KEY)
    simulator.weight_grams = 250
    try:
        assert scale.read_stable_weight(timeout=1.0, unit_price=100).grams == 250
        scale._exchange(b"\x04\x0299\x03")  # a record the scale does not know: an error
        assert scale.read_stable_weight(timeout=1.0, unit_price=100).grams == 250
    finally:
        scale.close()
        simulator.close()
    assert simulator.checksum_requests == simulator.checksums_accepted == 2


def test_toledo_tared_scale_answers_net_weight_marked_n() -> None:
    simulator = ScaleSimulator("toledo8217")
    scale = Scale("deli", settings=SerialSettings(simulator.port), reply_timeout=0.3)
    scale.open()
    scale.claim()
    scale.enable()
    try:
        simulator.weight_grams = 180  # the empty tray
        scale.tare()
        simulator.weight_grams = 180 + 1234
        reading = scale.read_stable_weight(timeout=1.0)
        assert (reading.grams, reading.net) == (1234, True)
        assert simulator.received.endswith(b"W")
    finally:
        scale.close()
        simulator.close()


def test_a_port_that_refuses_its_line_settings_is_open_failed_not_a_crash() -> None:
    # A Linux pty takes 7O1 once, then refuses it on the next open (termios.error, which is not
    # an OSError): `pos devices test` crashed with a traceback instead of a FAIL line.
    simulator = ScaleSimulator("dialog06")
    settings = SerialSettings(simulator.port, 9600, 7, "O", 1)
    try:
        for _ in range(2):
            scale = Scale("deli", settings=settings, protocol="dialog06")
            try:
                scale.open()
            except DeviceError as exc:
                assert exc.code == "open_failed"
            finally:
                scale.close()
    finally:
        simulator.close()


def test_read_weight_reports_each_reading_as_it_is_motion_included(rig: Rig) -> None:
    simulator, scale = rig
    simulator.weight_grams = 700
    simulator.motion = True
    assert isinstance(scale.read_weight(unit_price=1000), MotionEvent)
    simulator.motion = False
    reading = scale.read_weight(unit_price=1000)
    assert isinstance(reading, StableWeightEvent) and reading.grams == 700
    simulator.silent = True
    assert scale.read_weight(unit_price=1000) is None


def test_toledo_untared_scale_in_motion_is_healthy_and_reports_motion(toledo: Rig) -> None:
    # Issue 21: an untared scale in motion answers STX "?" 0x41 CR (DIVA Service Manual p. 45:
    # bit 6 always 1, bit 5 clear for gross). Doctor called it `garbled`; it is motion.
    simulator, scale = toledo
    simulator.weight_grams = 640
    simulator.motion = True
    seen: list[DeviceEvent] = []
    scale.add_listener(seen.append)
    health = scale.health()
    assert (health.ok, health.status) == (True, "online")
    assert health.detail.endswith("(motion)")
    assert isinstance(scale.read_weight(), MotionEvent)
    assert seen and all(isinstance(event, MotionEvent) for event in seen)


def test_toledo_status_after_a_tare_carries_the_net_bit(toledo: Rig) -> None:
    simulator, scale = toledo
    simulator.weight_grams = 180
    assert scale.tare() is not None
    simulator.motion = True
    simulator.received.clear()
    assert isinstance(scale.read_weight(), MotionEvent)
    assert simulator.received == bytearray(b"W")


def dialog06_unit_rig(unit: bytes, price_digits: int) -> tuple[ScaleSimulator, Scale]:
    simulator = ScaleSimulator("dialog06", dialog06_unit=unit, price_digits=price_digits)
    scale = Scale("deli", settings=SerialSettings(simulator.port), protocol="dialog06",
                  reply_timeout=0.3)  # fmt: skip
    scale.open()
    scale.claim()
    scale.enable()
    return simulator, scale


@pytest.mark.parametrize("price_digits", [5, 6])
def test_dialog06_pound_scale_weighs_in_grams_through_the_pty(price_digits: int) -> None:
    # DIVA Service Manual p. 54: unit code 32H, lb in 0.005 lb; the unit price in 5 or 6 digits.
    simulator, scale = dialog06_unit_rig(dialog06.LB_0005, price_digits)
    try:
        simulator.weight_grams = 454  # the scale shows 1.000 lb
        reading = scale.read_stable_weight(timeout=1.0, unit_price=299)
        assert (reading.grams, reading.unit, reading.milli_lb) == (454, "lb", 1000)
        assert (reading.unit_price, reading.amount) == (299, 299)
    finally:
        scale.close()
        simulator.close()


def test_dialog06_kg_scale_with_five_digit_prices_through_the_pty() -> None:
    simulator, scale = dialog06_unit_rig(dialog06.KG, 5)
    try:
        simulator.weight_grams = 1234
        reading = scale.read_stable_weight(timeout=1.0, unit_price=1299)
        assert (reading.grams, reading.unit, reading.amount) == (1234, "kg", 1603)
        with pytest.raises(DeviceError) as info:  # a price the 5-digit scale cannot show
            scale.read_stable_weight(timeout=0.5, unit_price=123_456)
        assert info.value.code == "dialog06_11"
    finally:
        scale.close()
        simulator.close()


def test_dialog06_scale_in_an_unread_unit_is_refused_not_read_as_kg() -> None:
    simulator, scale = dialog06_unit_rig(b"1", 6)  # lb in 0.01 lb
    try:
        simulator.weight_grams = 1000
        with pytest.raises(DeviceError) as info:
            scale.read_stable_weight(timeout=1.0, unit_price=100)
        assert info.value.code == "unsupported_unit"
        assert "lb in 0.01 lb" in str(info.value)
    finally:
        scale.close()
        simulator.close()
