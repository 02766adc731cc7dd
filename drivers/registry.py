"""Device kind → factory: how a `DeviceConfig` becomes a `Device`. Each factory is named by
"module:function" and imported only when used, so listing devices never loads USB or evdev.

To add a kind's driver, add one entry to `FACTORIES`; the function takes a `DeviceConfig` and
returns an unopened `Device`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from drivers.config import DeviceConfig
from drivers.device import Device, DeviceError

Factory = Callable[[DeviceConfig], Device]

FACTORIES: dict[str, str] = {
    "scanner": "drivers.registry:create_scanner",
    "scale": "drivers.registry:create_scale",
    "display": "drivers.registry:create_display",
}


def create_device(config: DeviceConfig) -> Device:
    target = FACTORIES.get(config.kind)
    if target is None:
        raise DeviceError("no_driver", f"{config.name}: no driver registered for {config.kind}")
    module_name, _, function = target.partition(":")
    factory: Factory = getattr(importlib.import_module(module_name), function)
    return factory(config)


def _frame_bytes(text: str) -> bytes:
    # Framing characters come from TOML strings ("\r\n", "\u0002"); they are single bytes.
    return text.encode("latin-1")


def create_scanner(config: DeviceConfig) -> Device:
    if config.transport == "hid":
        from drivers.scanner.hid import HidScanner

        return HidScanner(config.name, path=config.options["path"])
    from drivers.scanner.serial_scanner import SerialScanner

    suffix = config.options.get("suffix", "")
    return SerialScanner(
        config.name,
        settings=config.serial_settings(),
        prefix=_frame_bytes(config.options.get("prefix", "")),
        suffix=_frame_bytes(suffix) if suffix else None,
        aim_ids=config.options.get("aim_ids", True),
    )


def create_scale(config: DeviceConfig) -> Device:
    from drivers.scale.scale import Scale

    return Scale(config.name, settings=config.serial_settings(), protocol=config.options["protocol"])


def create_display(config: DeviceConfig) -> Device:
    from drivers.display.commands import PROFILES
    from drivers.display.display import CustomerDisplay

    profile = PROFILES[config.options.get("profile", "epson")]
    return CustomerDisplay(config.name, settings=config.serial_settings(), profile=profile)
