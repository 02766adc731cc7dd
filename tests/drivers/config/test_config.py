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
from drivers.device import DeviceError
from drivers.registry import FACTORIES, create_device
from drivers.scale.scale import Scale
from drivers.scanner.hid import HidScanner
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
    assert scale.serial_settings().parity == "E" and scale.serial_settings().stopbits == 1
    assert devices["receipt"].address == "192.168.1.50:9100"
    assert devices["front_scanner"].options["suffix"] == "\r\n"


def test_factories_build_unopened_devices() -> None:
    devices = parse_devices(tomllib.loads(GOOD))
    scanner = create_device(devices["front_scanner"])
    assert isinstance(scanner, SerialScanner) and scanner.suffix == b"\r\n"
    scale = create_device(devices["deli_scale"])
    assert isinstance(scale, Scale) and scale.protocol == "dialog06"


EVERY_KIND = """
[devices.receipt]
kind = "printer"
transport = "tcp"
host = "192.168.1.50"
port = 9100
profile = "58mm"
encoding = "gbk"

[devices.kitchen]
kind = "printer"
transport = "serial"
port = "/dev/ttyUSB3"
baudrate = 38400
flow = "rtscts"

[devices.counter]
kind = "printer"
transport = "usb"
vendor_id = 0x04b8
product_id = 0x0202

[devices.labels]
kind = "esl"
transport = "http"
url = "http://192.168.1.60"
confirm_timeout_s = 900
check_base_s = 12.5

[devices.backroom]
kind = "rfid"
transport = "tcp"
host = "192.168.1.70"
port = 5084
antennas = [1, 2]
rssi_floor = -70

[devices.deli_scale]
kind = "scale"
transport = "serial"
port = "/dev/ttyUSB0"
protocol = "dialog06"

[devices.toledo]
kind = "scale"
transport = "serial"
port = "/dev/ttyUSB1"
protocol = "toledo8217"
parity = "E"
bytesize = 7
"""


def test_every_kind_is_made_from_store_toml(tmp_path: Path) -> None:
    from drivers.esl import ShelfLabels
    from drivers.printer import PrinterDevice
    from drivers.rfid import LlrpReader

    devices = parse_devices(tomllib.loads(EVERY_KIND))
    assert set(FACTORIES) == {"scanner", "scale", "display", "printer", "esl", "rfid"}
    receipt = create_device(devices["receipt"], tmp_path)
    assert isinstance(receipt, PrinterDevice)
    assert (receipt.profile.name, receipt.profile.encoding) == ("58mm", "gbk")
    assert isinstance(create_device(devices["kitchen"], tmp_path), PrinterDevice)
    assert isinstance(create_device(devices["counter"], tmp_path), PrinterDevice)
    labels = create_device(devices["labels"], tmp_path)
    assert isinstance(labels, ShelfLabels) and labels.confirm_timeout_s == 900
    assert (tmp_path / "esl-labels.sqlite").exists()  # the outbox beside the store database
    labels.outbox.close()  # never opened: close what the factory made
    reader = create_device(devices["backroom"])
    assert isinstance(reader, LlrpReader) and reader.antennas == (1, 2) and reader.rssi_floor == -70


def test_a_dialog06_scale_defaults_to_7o1_and_a_toledo_to_what_it_says() -> None:
    devices = parse_devices(tomllib.loads(EVERY_KIND))
    dialog = create_device(devices["deli_scale"])
    assert isinstance(dialog, Scale)
    assert (dialog.settings.baudrate, dialog.settings.bytesize, dialog.settings.parity,
            dialog.settings.stopbits) == (9600, 7, "O", 1)  # fmt: skip
    toledo = create_device(devices["toledo"])
    assert isinstance(toledo, Scale)
    assert (toledo.settings.bytesize, toledo.settings.parity) == (7, "E")


def test_the_dialog06_key_is_read_from_a_file_only_its_owner_can_read(tmp_path: Path) -> None:
    key = tmp_path / "dialog06.key"
    key.write_text("0x1A2EB\n")
    key.chmod(0o600)
    table = f'kind = "scale"\ntransport = "serial"\nport = "/dev/x"\nprotocol = "dialog06"\n' \
            f'dialog06_key_file = "{key}"'
    config = parse_devices(tomllib.loads("[devices.x]\n" + table))["x"]
    scale = create_device(config)
    assert isinstance(scale, Scale) and scale.dialog06_key == 0x1A2EB
    key.chmod(0o644)
    with pytest.raises(DeviceError, match="chmod 600"):
        create_device(config)
    key.chmod(0o600)
    key.write_text("not hex")
    with pytest.raises(DeviceError, match="hex"):
        create_device(config)


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
        (
            'kind = "rfid"\ntransport = "tcp"\nhost = "r"\nport = 5084\nantennas = [1, "2"]',
            "devices.x.antennas: must be a list of int",
        ),
        (
            'kind = "printer"\ntransport = "tcp"\nhost = "p"\nport = 9100\nencoding = "big5"',
            "devices.x.encoding: must be one of gb18030, gbk, gb2312",
        ),
        (
            'kind = "esl"\ntransport = "http"\nurl = "http://ap"\nconfirm_timeout_s = "soon"',
            "devices.x.confirm_timeout_s: must be int or float",
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


HID = """
[devices.hand_scanner]
kind = "scanner"
transport = "hid"
path = "/dev/input/by-id/usb-scanner-event-kbd"

[devices.kiosk_scanner]
kind = "scanner"
transport = "hid"
path = "/dev/input/event7"
keyboard_layout = "fr"
"""


def test_hid_scanners_type_the_store_layout_unless_they_say_otherwise() -> None:
    devices = parse_devices(tomllib.loads('[scanner]\nkeyboard_layout = "de"\n' + HID))
    assert devices["hand_scanner"].options["keyboard_layout"] == "de"
    assert devices["kiosk_scanner"].options["keyboard_layout"] == "fr"
    assert parse_devices(tomllib.loads(HID))["hand_scanner"].options["keyboard_layout"] == "us"
    scanner = create_device(devices["hand_scanner"])
    assert isinstance(scanner, HidScanner) and scanner.keyboard_layout == "de"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[scanner]\nkeyboard_layout = "dvorak"\n', "scanner.keyboard_layout: must be one of us, gb, de"),
        (HID.replace('"fr"', '"xx"'), "devices.kiosk_scanner.keyboard_layout: must be one of"),
        ('[scanner]\ndesktop_layout = "xx"\n', "scanner.desktop_layout: must be one of us, gb, de"),
    ],
)
def test_an_unknown_layout_is_named_in_the_error(toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_devices(tomllib.loads(toml))
    assert message in str(info.value)


def test_the_store_config_reads_the_scanner_layout() -> None:
    from edge.config import ConfigError as StoreConfigError
    from edge.config import config_from_dict

    assert config_from_dict({}).scanner_keyboard_layout == "us"
    assert config_from_dict({"scanner": {"keyboard_layout": "fr"}}).scanner_keyboard_layout == "fr"
    with pytest.raises(StoreConfigError, match=r"scanner\.keyboard_layout"):
        config_from_dict({"scanner": {"keyboard_layout": "French AZERTY"}})
