"""Parsing and checking `[devices.NAME]` tables; every key documented in docs/devices.md."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from drivers.config import (
    COMMON_KEYS,
    KIND_KEYS,
    TRANSPORT_KEYS,
    ConfigError,
    load_devices,
    parse_devices,
)
from drivers.registry import FACTORIES, create_device
from drivers.scale.scale import Scale
from drivers.scanner.serial_scanner import SerialScanner

GOOD = """
[store]
name = "Shop 1"

[devices.front_scanner]
kind = "scanner"
transport = "serial"
port = "/dev/ttyACM0"
suffix = "\\r\\n"

[devices.deli_scale]
kind = "scale"
transport = "serial"
port = "/dev/ttyUSB0"
baudrate = 9600
bytesize = 7
parity = "E"
protocol = "dialog06"

[devices.pole]
kind = "display"
transport = "serial"
port = "/dev/ttyUSB1"
profile = "gb18030"

[devices.receipt]
kind = "printer"
transport = "tcp"
host = "192.168.1.50"
port = 9100
"""


def test_good_config_parses_with_defaults() -> None:
    devices = parse_devices(tomllib.loads(GOOD))
    assert list(devices) == ["front_scanner", "deli_scale", "pole", "receipt"]
    scale = devices["deli_scale"]
    assert scale.serial_settings().parity == "E" and scale.options["stopbits"] == 1
    assert devices["receipt"].address == "192.168.1.50:9100"
    assert devices["front_scanner"].options["suffix"] == "\r\n"


def test_factories_build_unopened_devices() -> None:
    devices = parse_devices(tomllib.loads(GOOD))
    scanner = create_device(devices["front_scanner"])
    assert isinstance(scanner, SerialScanner) and scanner.suffix == b"\r\n"
    scale = create_device(devices["deli_scale"])
    assert isinstance(scale, Scale) and scale.protocol == "dialog06"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('kind = "toaster"\ntransport = "serial"', "devices.x.kind: must be one of"),
        ('kind = "scale"\ntransport = "tcp"', "devices.x.transport: a scale uses serial"),
        ('kind = "scale"\ntransport = "serial"\nprotocol = "toledo8217"', "devices.x.port: required"),
        (
            'kind = "scale"\ntransport = "serial"\nport = "/dev/x"\nprotocol = "toledo8217"\n'
            'baudrate = "fast"',
            "devices.x.baudrate: must be int",
        ),
        (
            'kind = "scale"\ntransport = "serial"\nport = "/dev/x"\nprotocol = "dialog07"',
            "devices.x.protocol: must be one of toledo8217, dialog06",
        ),
        (
            'kind = "display"\ntransport = "serial"\nport = "/dev/x"\ncolour = "blue"',
            "devices.x.colour: unknown key",
        ),
        (
            'kind = "scanner"\ntransport = "serial"\nport = "/dev/x"\naim_ids = 1',
            "devices.x.aim_ids: must be bool",
        ),
    ],
)
def test_bad_key_is_named_in_the_error(table: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_devices(tomllib.loads("[devices.x]\n" + table))
    assert message in str(info.value)


def test_every_problem_is_reported_at_once() -> None:
    text = '[devices.a]\nkind = "nope"\n[devices.b]\nkind = "scale"\ntransport = "serial"\n'
    with pytest.raises(ConfigError) as info:
        parse_devices(tomllib.loads(text))
    assert "devices.a.kind" in str(info.value) and "devices.b.port" in str(info.value)


def test_missing_and_broken_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_devices(tmp_path / "absent.toml")
    broken = tmp_path / "store.toml"
    broken.write_text("[devices.x\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_devices(broken)


def test_no_devices_table_is_no_devices() -> None:
    assert parse_devices({"store": {}}) == {}


def test_every_config_key_and_kind_is_documented() -> None:
    doc = (Path(__file__).parents[3] / "docs" / "devices.md").read_text()
    keys = set(COMMON_KEYS)
    for table in (*TRANSPORT_KEYS.values(), *KIND_KEYS.values()):
        keys |= set(table)
    missing = sorted(key for key in keys if f"`{key}`" not in doc)
    assert missing == []
    assert all(f"`{kind}`" in doc for kind in (*KIND_KEYS, *FACTORIES))
