"""Device configuration: the `[devices.NAME]` tables of the store's TOML file, parsed and checked.

Rule: a wrong file gets one clear error listing every bad key by its full name
(`devices.deli_scale.baudrate: ...`) and nothing is opened. The accepted keys are data below;
a new device kind or option is a new entry in `KIND_KEYS` / `TRANSPORT_KEYS`, and
`docs/devices.md` documents each (a test checks that).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.device import SerialSettings


class ConfigError(ValueError):
    """The device configuration is wrong; the message names every bad key."""


@dataclass(frozen=True)
class Key:
    """One accepted key: its TOML type(s), whether it must be there, and its allowed values."""

    types: tuple[type, ...]
    required: bool = False
    choices: tuple[Any, ...] = ()
    default: Any = None


def _str(required: bool = False, choices: tuple[str, ...] = (), default: Any = None) -> Key:
    return Key((str,), required, choices, default)


def _int(required: bool = False, choices: tuple[int, ...] = (), default: Any = None) -> Key:
    return Key((int,), required, choices, default)


def _bool(default: bool) -> Key:
    return Key((bool,), False, (), default)


KINDS = ("scanner", "scale", "display", "printer", "esl", "rfid")

COMMON_KEYS: dict[str, Key] = {
    "kind": _str(required=True, choices=KINDS),
    "transport": _str(required=True),
    "enabled": _bool(True),
    "description": _str(default=""),
}

TRANSPORT_KEYS: dict[str, dict[str, Key]] = {
    "serial": {
        "port": _str(required=True),
        "baudrate": _int(default=9600),
        "bytesize": _int(choices=(7, 8), default=8),
        "parity": _str(choices=("N", "E", "O"), default="N"),
        "stopbits": _int(choices=(1, 2), default=1),
    },
    "hid": {"path": _str(required=True)},
    "usb": {"vendor_id": _int(required=True), "product_id": _int(required=True)},
    "tcp": {"host": _str(required=True), "port": _int(required=True)},
    "http": {"url": _str(required=True)},
}

# Per kind: the transports it can use and its own keys. Printer, ESL and RFID owners extend
# their entries here.
KIND_TRANSPORTS: dict[str, tuple[str, ...]] = {
    "scanner": ("serial", "hid"),
    "scale": ("serial",),
    "display": ("serial",),
    "printer": ("usb", "serial", "tcp"),
    "esl": ("http",),
    "rfid": ("tcp",),
}
KIND_KEYS: dict[str, dict[str, Key]] = {
    "scanner": {
        "prefix": _str(default=""),
        "suffix": _str(default=""),  # "" means CR, LF or CRLF
        "aim_ids": _bool(True),
    },
    "scale": {"protocol": _str(required=True, choices=("toledo8217", "dialog06"))},
    "display": {"profile": _str(choices=("epson", "epson-latin1", "gb18030"), default="epson")},
    "printer": {"profile": _str(default="")},
    "esl": {},
    "rfid": {},
}


@dataclass(frozen=True)
class DeviceConfig:
    """One configured device; `options` holds every key with defaults filled in."""

    name: str
    kind: str
    transport: str
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return bool(self.options.get("enabled", True))

    @property
    def address(self) -> str:
        """Where the device is, for listings: port, path, host:port, USB ids or URL."""
        o = self.options
        if self.transport == "tcp":
            return f"{o['host']}:{o['port']}"
        if self.transport == "usb":
            return f"usb {o['vendor_id']:04x}:{o['product_id']:04x}"
        return str(o.get("port") or o.get("path") or o.get("url") or "")

    def serial_settings(self) -> SerialSettings:
        o = self.options
        return SerialSettings(o["port"], o["baudrate"], o["bytesize"], o["parity"], o["stopbits"])


def parse_devices(config: Mapping[str, Any]) -> dict[str, DeviceConfig]:
    """The devices of a parsed TOML document (the whole file; only `devices` is read)."""
    devices = config.get("devices", {})
    if not isinstance(devices, Mapping):
        raise ConfigError("devices: must be a table of [devices.NAME] tables")
    problems: list[str] = []
    parsed: dict[str, DeviceConfig] = {}
    for name, table in devices.items():
        where = f"devices.{name}"
        if not isinstance(table, Mapping):
            problems.append(f"{where}: must be a table")
            continue
        device = _parse_one(name, table, problems)
        if device is not None:
            parsed[name] = device
    if problems:
        raise ConfigError("; ".join(problems))
    return parsed


def load_devices(path: str | Path) -> dict[str, DeviceConfig]:
    """Read and check the devices of a TOML file."""
    try:
        with open(path, "rb") as file:
            document = tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_devices(document)


def _parse_one(name: str, table: Mapping[str, Any], problems: list[str]) -> DeviceConfig | None:
    where = f"devices.{name}"
    before = len(problems)
    kind = table.get("kind")
    if kind not in KINDS:
        problems.append(f"{where}.kind: must be one of {', '.join(KINDS)} (got {kind!r})")
        return None
    transport = table.get("transport")
    if transport not in KIND_TRANSPORTS[kind]:
        allowed = ", ".join(KIND_TRANSPORTS[kind])
        problems.append(f"{where}.transport: a {kind} uses {allowed} (got {transport!r})")
        return None
    schema = {**COMMON_KEYS, **TRANSPORT_KEYS[transport], **KIND_KEYS[kind]}
    options: dict[str, Any] = {}
    for key, spec in schema.items():
        if key not in table:
            if spec.required:
                problems.append(f"{where}.{key}: required for a {transport} {kind}")
            elif spec.default is not None:
                options[key] = spec.default
            continue
        value = table[key]
        # TOML booleans are not integers here, though Python thinks bool is an int.
        if not isinstance(value, spec.types) or (isinstance(value, bool) and bool not in spec.types):
            wanted = " or ".join(t.__name__ for t in spec.types)
            problems.append(f"{where}.{key}: must be {wanted} (got {value!r})")
        elif spec.choices and value not in spec.choices:
            allowed = ", ".join(map(str, spec.choices))
            problems.append(f"{where}.{key}: must be one of {allowed} (got {value!r})")
        else:
            options[key] = value
    for key in table:
        if key not in schema:
            problems.append(f"{where}.{key}: unknown key for a {transport} {kind}")
    if len(problems) > before:
        return None
    return DeviceConfig(name, kind, transport, options)
