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
    failures: dict[str, str] = field(default_factory=dict)

    def all(self) -> list[tuple[str, Device]]:
        named = (("scanner", self.scanner), ("printer", self.printer), ("scale", self.scale),
                 ("rfid", self.rfid), ("esl", self.esl))
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
    for name, dc in parsed.items():
        if not dc.enabled:
            continue
        try:
            if dc.kind in ("scanner", "scale") and devices.__dict__[dc.kind] is None:
                from drivers.registry import create_device

                setattr(devices, dc.kind, create_device(dc))
            elif dc.kind == "printer" and devices.printer is None:
                from drivers.printer import create_printer

                options = dict(dc.options)
                options.setdefault("transport", dc.transport)
                options.setdefault("queue_db", str(state_dir / f"print-{name}.sqlite"))
                if not options.get("profile"):
                    options["profile"] = "80mm"
                devices.printer = create_printer(name, options)
            elif dc.kind == "rfid" and devices.rfid is None:
                from drivers.rfid import create_rfid_reader

                devices.rfid = create_rfid_reader(name, dict(dc.options))
            elif dc.kind == "esl" and devices.esl is None:
                from drivers.esl import create_esl

                options = dict(dc.options)
                options.setdefault("database", str(state_dir / f"esl-{name}.sqlite"))
                devices.esl = create_esl(name, options)
        except (DeviceError, KeyError, ValueError) as exc:
            devices.failures[name] = str(exc)
    return devices
