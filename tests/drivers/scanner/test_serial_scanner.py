"""The serial scanner driver through a real pty to the simulator."""

from __future__ import annotations

import queue
from collections.abc import Iterator

import pytest

from drivers.device import DeviceError, DeviceEvent, ErrorEvent, SerialSettings
from drivers.scanner import hid
from drivers.scanner.protocol import PaymentCodeEvent, ScanEvent
from drivers.scanner.serial_scanner import SerialScanner
from drivers.scanner.simulator import ScannerSimulator

Rig = tuple[ScannerSimulator, SerialScanner, "queue.Queue[DeviceEvent]"]


@pytest.fixture
def rig() -> Iterator[Rig]:
    simulator = ScannerSimulator(suffix=b"\r\n")
    scanner = SerialScanner("front", settings=SerialSettings(simulator.port), frame_gap=0.1)
    events: queue.Queue[DeviceEvent] = queue.Queue()
    scanner.add_listener(events.put)
    scanner.open()
    scanner.claim()
    scanner.enable()
    yield simulator, scanner, events
    scanner.close()
    simulator.close()


def test_scans_arrive_as_events_with_symbology(rig: Rig) -> None:
    simulator, scanner, events = rig
    simulator.scan("6901234567892", "]E0")
    simulator.scan("134567890123456789", "]Q1")
    assert events.get(timeout=2) == ScanEvent("front", "6901234567892", "]E0")
    assert events.get(timeout=2) == PaymentCodeEvent("front", "134567890123456789", "wechat", "]Q1")
    assert scanner.health().ok


def test_cut_off_scan_becomes_partial_read_error(rig: Rig) -> None:
    simulator, _, events = rig
    simulator.send_raw(b"]E069012")
    event = events.get(timeout=2)
    assert isinstance(event, ErrorEvent) and event.code == "partial_read"
    simulator.scan("4006381333931", "]E0")
    assert events.get(timeout=2) == ScanEvent("front", "4006381333931", "]E0")


def test_line_noise_becomes_garbage_error(rig: Rig) -> None:
    simulator, _, events = rig
    simulator.send_raw(b"\x00\x13\x88noise\r\n")
    event = events.get(timeout=2)
    assert isinstance(event, ErrorEvent) and event.code == "garbage"


def test_disabled_scanner_emits_nothing(rig: Rig) -> None:
    simulator, scanner, events = rig
    scanner.disable()
    simulator.scan("6901234567892", "]E0")
    with pytest.raises(queue.Empty):
        events.get(timeout=0.3)


def test_missing_port_is_a_device_error() -> None:
    scanner = SerialScanner("ghost", settings=SerialSettings("/dev/does-not-exist"))
    with pytest.raises(DeviceError) as info:
        scanner.open()
    assert info.value.code == "open_failed"


@pytest.mark.skipif(hid.HAVE_EVDEV, reason="evdev is installed")
def test_hid_scanner_without_evdev_fails_clearly() -> None:
    scanner = hid.HidScanner("wedge", path="/dev/input/event0")
    with pytest.raises(DeviceError) as info:
        scanner.open()
    assert info.value.code == "missing_dependency"
