"""Device kind → factory: how a `DeviceConfig` becomes a `Device`, for every kind `store.toml` can
name, and the health check `pos devices test | doctor` runs on each. Each factory is named by
"module:function" and imported only when used, so listing devices never loads USB or evdev.

Rule: a device made for a check (`state_dir=None`) leaves nothing behind and touches nothing the
till owns: a printer gets an in-memory job queue (opening the till's queue file would print its
queued jobs a second time), shelf labels an in-memory outbox. A till passes its state directory,
where a printer's queue and an ESL outbox live unless `queue_db` / `database` say otherwise.
"""

from __future__ import annotations

import importlib
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from drivers.config import DeviceConfig
from drivers.device import Device, DeviceError, Health

Factory = Callable[[DeviceConfig, Path | None], Device]

FACTORIES: dict[str, str] = {
    "scanner": "drivers.registry:create_scanner",
    "scale": "drivers.registry:create_scale",
    "display": "drivers.registry:create_display",
    "printer": "drivers.registry:create_printer",
    "esl": "drivers.registry:create_esl",
    "rfid": "drivers.registry:create_rfid",
}
IN_MEMORY = ":memory:"
READY_TIMEOUT_S = 5.0  # how long a check waits for a device to learn its state


def create_device(config: DeviceConfig, state_dir: Path | None = None) -> Device:
    """An unopened device for `config`; `state_dir` None makes it for a check (see the rule)."""
    target = FACTORIES.get(config.kind)
    if target is None:
        raise DeviceError("no_driver", f"{config.name}: no driver registered for {config.kind}")
    module_name, _, function = target.partition(":")
    factory: Factory = getattr(importlib.import_module(module_name), function)
    return factory(config, state_dir)


def check(config: DeviceConfig) -> Health:
    """Open, claim, enable, ask for health, close: the whole life of a device, briefly."""
    device: Device | None = None
    try:
        device = create_device(config)
        device.open()
        device.claim()
        device.enable()
        device.wait_ready(READY_TIMEOUT_S)
        return device.health()
    except DeviceError as exc:
        return Health(False, exc.code, exc.message)
    finally:
        if device is not None:
            device.close()


@dataclass(frozen=True)
class Diagnosis:
    config: DeviceConfig
    health: Health | None  # None: disabled in the config, not checked

    @property
    def failed(self) -> bool:
        return self.health is not None and not self.health.ok

    def line(self) -> str:
        """One line for a person: verdict, name, kind, where, and what the device said."""
        c, health = self.config, self.health
        if health is None:
            return f"SKIP  {c.name:<16} {c.kind:<8} {c.address}  disabled in config"
        verdict = "OK  " if health.ok else "FAIL"
        detail = f"{health.status}: {health.detail}" if health.detail else health.status
        # A driver library's message may hold line breaks (python-escpos's does once libusb is
        # installed): one device, one line.
        detail = " ".join(detail.split())
        return f"{verdict}  {c.name:<16} {c.kind:<8} {c.address}  {detail}"


def diagnose(devices: Mapping[str, DeviceConfig]) -> list[Diagnosis]:
    """Every configured device with its state: checked when enabled, skipped when not."""
    return [Diagnosis(c, check(c) if c.enabled else None) for c in devices.values()]


def _frame_bytes(text: str) -> bytes:
    # Framing characters come from TOML strings ("\r\n", "\u0002"); they are single bytes.
    return text.encode("latin-1")


def _state_file(config: DeviceConfig, key: str, state_dir: Path | None, filename: str) -> str:
    if state_dir is None:
        return IN_MEMORY
    return str(config.options.get(key) or state_dir / filename)


def create_scanner(config: DeviceConfig, state_dir: Path | None = None) -> Device:
    if config.transport == "hid":
        from drivers.scanner.hid import HidScanner

        return HidScanner(config.name, path=config.options["path"],
                          keyboard_layout=config.options.get("keyboard_layout", "us"))  # fmt: skip
    from drivers.scanner.serial_scanner import SerialScanner

    suffix = config.options.get("suffix", "")
    return SerialScanner(
        config.name,
        settings=config.serial_settings(),
        prefix=_frame_bytes(config.options.get("prefix", "")),
        suffix=_frame_bytes(suffix) if suffix else None,
        aim_ids=config.options.get("aim_ids", True),
    )


def create_scale(config: DeviceConfig, state_dir: Path | None = None) -> Device:
    from drivers.scale.scale import SERIAL_DEFAULTS, Scale

    protocol = config.options["protocol"]
    key_file = config.options.get("dialog06_key_file")
    return Scale(
        config.name,
        settings=config.serial_settings(SERIAL_DEFAULTS[protocol]),
        protocol=protocol,
        dialog06_key=read_dialog06_key(config.name, key_file) if key_file else None,
    )


def read_dialog06_key(name: str, path: str) -> int:
    """The Dialog 06 key polynomial from its file: hex text, readable by its owner only (it is
    Mettler Toledo's secret, given to POS makers; DESIGN.md: secrets live in 0600 files)."""
    try:
        mode = os.stat(path).st_mode
        text = Path(path).read_text().strip()
    except OSError as exc:
        raise DeviceError("bad_config", f"{name}: cannot read dialog06_key_file {path}: {exc}") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise DeviceError("bad_config", f"{name}: {path} is open to others; chmod 600 it")
    try:
        return int(text, 16)
    except ValueError:
        raise DeviceError("bad_config", f"{name}: {path} does not hold a hex polynomial") from None


def create_display(config: DeviceConfig, state_dir: Path | None = None) -> Device:
    from drivers.display.commands import PROFILES
    from drivers.display.display import CustomerDisplay

    profile = PROFILES[config.options.get("profile", "epson")]
    return CustomerDisplay(config.name, settings=config.serial_settings(), profile=profile)


def create_printer(config: DeviceConfig, state_dir: Path | None = None) -> Device:
    from drivers.printer import create_printer as printer_factory

    options = {**config.options, "transport": config.transport}
    options["queue_db"] = _state_file(config, "queue_db", state_dir, f"print-{config.name}.sqlite")
    return printer_factory(config.name, options)


def create_esl(config: DeviceConfig, state_dir: Path | None = None) -> Device:
    from drivers.esl import create_esl as esl_factory

    options = dict(config.options)
    options["database"] = _state_file(config, "database", state_dir, f"esl-{config.name}.sqlite")
    return esl_factory(config.name, options)


def create_rfid(config: DeviceConfig, state_dir: Path | None = None) -> Device:
    from drivers.rfid import create_rfid_reader

    return create_rfid_reader(config.name, dict(config.options))
