"""The `CustomerDisplay` driver through a real pty to the simulator's 2×20 screen buffer."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from drivers.device import DeviceError, SerialSettings
from drivers.display.commands import PROFILES
from drivers.display.display import CustomerDisplay
from drivers.display.simulator import DisplaySimulator

Rig = tuple[DisplaySimulator, CustomerDisplay]


def settle(simulator: DisplaySimulator) -> None:
    """Wait (bounded) until the simulator has taken all bytes sent so far."""
    last, deadline = -1, time.monotonic() + 2
    while time.monotonic() < deadline:
        now = simulator.received
        if now == last and now > 0:
            return
        last = now
        time.sleep(0.1)


def make_rig(profile: str) -> Iterator[Rig]:
    simulator = DisplaySimulator()
    display = CustomerDisplay("pole", settings=SerialSettings(simulator.port), profile=PROFILES[profile])
    display.open()
    display.claim()
    display.enable()
    yield simulator, display
    display.close()
    simulator.close()


@pytest.fixture
def rig() -> Iterator[Rig]:
    yield from make_rig("epson")


@pytest.fixture
def chinese_rig() -> Iterator[Rig]:
    yield from make_rig("gb18030")


def test_item_then_total_then_change_then_idle(rig: Rig) -> None:
    simulator, display = rig
    display.show_item("Milk 1L", "12.50")
    settle(simulator)
    assert simulator.text() == ["Milk 1L             ", "               12.50"]
    display.show_total("88.00")
    settle(simulator)
    assert simulator.text() == ["TOTAL               ", "               88.00"]
    display.show_change("100.00", "12.00")
    settle(simulator)
    assert simulator.text() == ["PAID          100.00", "CHANGE         12.00"]
    display.show_idle("Welcome")
    settle(simulator)
    assert simulator.text() == ["      Welcome       ", "                    "]
    assert simulator.screen.errors == []
    assert display.health().ok


def test_chinese_name_on_a_latin_display_shows_english(rig: Rig) -> None:
    simulator, display = rig
    display.show_item("鲜牛奶", "12.50", english_name="Fresh milk")
    settle(simulator)
    assert simulator.text()[0] == "Fresh milk          "


def test_chinese_display_shows_chinese(chinese_rig: Rig) -> None:
    simulator, display = chinese_rig
    display.show_item("鲜牛奶", "￥12.50", english_name="Fresh milk")
    settle(simulator)
    assert simulator.text("gb18030") == ["鲜牛奶              ", "             ￥12.50"]
    display.show_total("￥88.00", label="合计")
    settle(simulator)
    assert simulator.text("gb18030") == ["合计                ", "             ￥88.00"]


def test_showing_needs_an_enabled_display(rig: Rig) -> None:
    _, display = rig
    display.disable()
    with pytest.raises(DeviceError):
        display.show_idle("closed")
