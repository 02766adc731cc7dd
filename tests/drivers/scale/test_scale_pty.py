"""The `Scale` driver through a real pty to the simulator, for both protocols."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from drivers.device import DeviceError, DeviceEvent, SerialSettings
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
