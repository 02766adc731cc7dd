"""The devices a till, kiosk or manager screen uses, opened from the store's `[devices.*]` tables
(or handed in by the demo and the tests, already pointing at simulators), with their events
bridged to the GUI thread.

Rule: a device that cannot be opened is shown as not connected; it never stops the app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.device import Device, DeviceError


@dataclass
class Devices:
    scanner: Device | None = None
    printer: Any = None          # drivers.printer.PrinterDevice
    scale: Any = None            # drivers.scale.scale.Scale
    rfid: Any = None             # drivers.rfid.LlrpReader
    esl: Any = None              # drivers.esl.ShelfLabels
    display: Any = None          # drivers.display.display.CustomerDisplay
    failures: dict[str, str] = field(default_factory=dict)

    def all(self) -> list[tuple[str, Device]]:
        named = (("scanner", self.scanner), ("printer", self.printer), ("scale", self.scale),
                 ("rfid", self.rfid), ("esl", self.esl), ("display", self.display))
        return [(kind, device) for kind, device in named if device is not None]

    def start(self) -> None:
        """Open, claim and enable each device; one that fails is dropped and remembered."""
        for kind, device in self.all():
            try:
                device.open()
                device.claim()
                device.enable()
            except DeviceError as exc:
                self.failures[device.name] = exc.message
                setattr(self, kind, None)

    def close(self) -> None:
        for _, device in self.all():
            try:
                device.close()
            except DeviceError:
                pass


def configured_devices(extra: dict[str, Any], state_dir: Path) -> Devices:
    """Devices from the store config's `[devices.*]` tables (StoreConfig.extra)."""
    from drivers.config import ConfigError, parse_devices

    devices = Devices()
    try:
        parsed = parse_devices(extra)
    except ConfigError as exc:
        devices.failures["config"] = str(exc)
        return devices
    from drivers.registry import create_device

    for name, dc in parsed.items():
        # One device per kind.
        if not dc.enabled or dc.kind not in _KINDS or getattr(devices, dc.kind) is not None:
            continue
        try:
            setattr(devices, dc.kind, create_device(dc, state_dir))
        except (DeviceError, KeyError, ValueError) as exc:
            devices.failures[name] = str(exc)
    return devices


_KINDS = ("scanner", "printer", "scale", "rfid", "esl", "display")
