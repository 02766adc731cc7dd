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
from drivers.scanner.layouts import LAYOUTS

DEFAULT_KEYBOARD_LAYOUT = "us"


class ConfigError(ValueError):
    """The device configuration is wrong; the message names every bad key."""


@dataclass(frozen=True)
class Key:
    """One accepted key: its TOML type(s), whether it must be there, its allowed values, and for
    an array the type of its items."""

    types: tuple[type, ...]
    required: bool = False
    choices: tuple[Any, ...] = ()
    default: Any = None
    items: type | None = None


def _str(required: bool = False, choices: tuple[str, ...] = (), default: Any = None) -> Key:
    return Key((str,), required, choices, default)


def _int(required: bool = False, choices: tuple[int, ...] = (), default: Any = None) -> Key:
    return Key((int,), required, choices, default)


def _bool(default: bool) -> Key:
    return Key((bool,), False, (), default)


def _seconds(default: float) -> Key:
    return Key((int, float), False, (), default)


def _ints(default: list[int]) -> Key:
    return Key((list,), False, (), default, items=int)


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
    # A keyboard-wedge scanner types in a keyboard layout (an xkb name); default: the store-wide
    # `[scanner] keyboard_layout`, else "us".
    "hid": {"path": _str(required=True), "keyboard_layout": _str(choices=tuple(LAYOUTS))},
    "usb": {"vendor_id": _int(required=True), "product_id": _int(required=True)},
    "tcp": {"host": _str(required=True), "port": _int(required=True)},
    "http": {"url": _str(required=True)},
}

# Per kind: the transports it can use and its own keys. A kind may re-declare a transport key to
# change its default (a scale's line settings default to what its protocol's scales use).
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
    "scale": {
        "protocol": _str(required=True, choices=("toledo8217", "dialog06")),
        "dialog06_key_file": _str(),  # the Dialog 06 checksum key polynomial, hex, mode 0600
        # None: the protocol's own (drivers/scale/scale.py SERIAL_DEFAULTS; Dialog 06 is 7O1)
        "baudrate": _int(),
        "bytesize": _int(choices=(7, 8)),
        "parity": _str(choices=("N", "E", "O")),
        "stopbits": _int(choices=(1, 2)),
    },
    "display": {"profile": _str(choices=("epson", "epson-latin1", "gb18030"), default="epson")},
    "printer": {
        "profile": _str(choices=("58mm", "80mm"), default="80mm"),
        "encoding": _str(choices=("gb18030", "gbk", "gb2312"), default="gb18030"),
        "queue_db": _str(),  # default: print-NAME.sqlite beside the store database
        "drawer_pin": _int(choices=(0, 1), default=0),
        "drawer_open_when_high": _bool(True),
        "flow": _str(choices=("dsrdtr", "rtscts", "none"), default="dsrdtr"),  # serial only
    },
    "esl": {
        "system": _str(choices=("openepaperlink",), default="openepaperlink"),
        "database": _str(),  # default: esl-NAME.sqlite beside the store database
        "batch_size": _int(default=50),
        "backoff_base_s": _seconds(2),
        "backoff_cap_s": _seconds(300),
        "check_base_s": _seconds(10),
        "confirm_timeout_s": _seconds(600),
        "timeout_s": _seconds(5),
    },
    "rfid": {
        "protocol": _str(choices=("llrp",), default="llrp"),
        "antennas": _ints([0]),  # [0]: every antenna
        "rssi_floor": _int(),  # dBm; reads weaker than this are ignored
        "timeout_s": _seconds(10),
        "keepalive_ms": _int(default=10_000),
    },
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

    def serial_settings(self, defaults: tuple[int, int, str, int] = (9600, 8, "N", 1)) -> SerialSettings:
        """The line settings; `defaults` (baudrate, bytesize, parity, stopbits) fill keys a kind
        leaves without a default."""
        o = self.options

        def pick(key: str, default: Any) -> Any:
            return default if o.get(key) is None else o[key]

        baudrate, bytesize, parity, stopbits = defaults
        return SerialSettings(
            o["port"], pick("baudrate", baudrate), pick("bytesize", bytesize), pick("parity", parity),
            pick("stopbits", stopbits),
        )  # fmt: skip


def _all_of(item_type: type, values: Any) -> bool:
    # TOML booleans are not integers here either.
    return all(isinstance(v, item_type) and not isinstance(v, bool) for v in values)


def parse_devices(config: Mapping[str, Any]) -> dict[str, DeviceConfig]:
    """The devices of a parsed TOML document (the whole file; only `devices` is read)."""
    devices = config.get("devices", {})
    if not isinstance(devices, Mapping):
        raise ConfigError("devices: must be a table of [devices.NAME] tables")
    problems: list[str] = []
    parsed: dict[str, DeviceConfig] = {}
    layout = _store_keyboard_layout(config, problems)
    for name, table in devices.items():
        where = f"devices.{name}"
        if not isinstance(table, Mapping):
            problems.append(f"{where}: must be a table")
            continue
        device = _parse_one(name, table, problems)
        if device is not None and device.transport == "hid" and "keyboard_layout" not in device.options:
            device = DeviceConfig(name, device.kind, device.transport,
                                  {**device.options, "keyboard_layout": layout})  # fmt: skip
        if device is not None:
            parsed[name] = device
    if problems:
        raise ConfigError("; ".join(problems))
    return parsed


def _store_keyboard_layout(config: Mapping[str, Any], problems: list[str]) -> str:
    """`[scanner] keyboard_layout`: the layout wedge scanners type unless a device says otherwise."""
    section = config.get("scanner", {})
    layout = section.get("keyboard_layout", DEFAULT_KEYBOARD_LAYOUT) if isinstance(section, Mapping) else None
    # The Qt apps read wedge scans from the desktop's layout (ui/hardware/wedge_filter.py).
    desktop = section.get("desktop_layout", DEFAULT_KEYBOARD_LAYOUT) if isinstance(section, Mapping) else None
    if desktop not in LAYOUTS:
        problems.append(f"scanner.desktop_layout: must be one of {', '.join(LAYOUTS)} (got {desktop!r})")
    if layout not in LAYOUTS:
        problems.append(f"scanner.keyboard_layout: must be one of {', '.join(LAYOUTS)} (got {layout!r})")
        return DEFAULT_KEYBOARD_LAYOUT
    return str(layout)


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
        elif spec.items is not None and not _all_of(spec.items, value):
            problems.append(f"{where}.{key}: must be a list of {spec.items.__name__} (got {value!r})")
        else:
            options[key] = value
    for key in table:
        if key not in schema:
            problems.append(f"{where}.{key}: unknown key for a {transport} {kind}")
    if len(problems) > before:
        return None
    return DeviceConfig(name, kind, transport, options)
