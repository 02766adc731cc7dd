"""`pos devices list | test | doctor` against simulators on real ptys."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.main import main
from drivers.display.simulator import DisplaySimulator
from drivers.scale.simulator import ScaleSimulator
from drivers.scanner.simulator import ScannerSimulator


@pytest.fixture
def store_toml(tmp_path: Path) -> Iterator[Path]:
    scale, display, scanner = ScaleSimulator("toledo8217"), DisplaySimulator(), ScannerSimulator()
    scale.weight_grams = 250
    path = tmp_path / "store.toml"
    path.write_text(
        f"""
[devices.deli_scale]
kind = "scale"
transport = "serial"
port = "{scale.port}"
protocol = "toledo8217"

[devices.pole]
kind = "display"
transport = "serial"
port = "{display.port}"

[devices.front_scanner]
kind = "scanner"
transport = "serial"
port = "{scanner.port}"

[devices.unplugged]
kind = "scale"
transport = "serial"
port = "{tmp_path / "ttyUSB9"}"
protocol = "dialog06"

[devices.spare]
kind = "display"
transport = "serial"
port = "/dev/ttyUSB7"
enabled = false
"""
    )
    yield path
    for simulator in (scale, display, scanner):
        simulator.close()


def test_doctor_prints_one_line_per_device_and_fails_if_any_fails(
    store_toml: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["devices", "doctor", "--config", str(store_toml)]) == 1
    lines = {line.split()[1]: line for line in capsys.readouterr().out.splitlines()}
    assert lines["deli_scale"].startswith("OK")
    assert lines["pole"].startswith("OK")
    assert lines["front_scanner"].startswith("OK")
    assert lines["unplugged"].startswith("FAIL") and "open_failed" in lines["unplugged"]
    assert lines["spare"].startswith("SKIP")


def test_test_one_device(store_toml: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["devices", "test", "deli_scale", "--config", str(store_toml)]) == 0
    assert "toledo8217" in capsys.readouterr().out
    assert main(["devices", "test", "unplugged", "--config", str(store_toml)]) == 1


def test_test_unknown_name_is_a_clear_error(store_toml: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["devices", "test", "nope", "--config", str(store_toml)]) == 1
    assert "no device called 'nope'" in capsys.readouterr().err


def test_list_shows_configured_devices(store_toml: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["devices", "list", "--browse", "0", "--config", str(store_toml)]) == 0
    out = capsys.readouterr().out
    assert "deli_scale" in out and "(disabled)" in out


def test_bad_config_names_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "store.toml"
    path.write_text('[devices.x]\nkind = "scale"\ntransport = "serial"\nprotocol = "dialog06"\n')
    assert main(["devices", "doctor", "--config", str(path)]) == 1
    assert "devices.x.port" in capsys.readouterr().err


@pytest.fixture
def every_kind_toml(every_kind: str, tmp_path: Path) -> Path:
    path = tmp_path / "every-kind.toml"
    path.write_text(every_kind)
    return path


SIMULATED = ("front_scanner", "deli_scale", "veg_scale", "pole", "receipt", "shelf_labels", "backroom")


def test_doctor_checks_every_kind_against_the_simulators(
    every_kind_toml: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["devices", "doctor", "--config", str(every_kind_toml)]) == 1  # the USB printer
    lines = {line.split()[1]: line for line in capsys.readouterr().out.splitlines()}
    assert len(lines) == 9
    for name in SIMULATED:
        assert lines[name].startswith("OK  "), lines[name]
    assert lines["counter_printer"].startswith("FAIL") and "usb 04b8:0e15" in lines["counter_printer"]
    assert lines["spare_labels"].startswith("SKIP")


def test_test_works_for_every_kind(every_kind_toml: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in SIMULATED:
        assert main(["devices", "test", name, "--config", str(every_kind_toml)]) == 0, name
        [line] = capsys.readouterr().out.splitlines()
        assert line.startswith("OK  ") and name in line


def test_doctor_says_so_when_no_device_is_configured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "store.toml"
    path.write_text('[store]\nname = "Shop 1"\n')
    assert main(["devices", "doctor", "--config", str(path)]) == 1
    assert "no devices configured" in capsys.readouterr().out


PROBE = 'QAZWY1-/."^'


@pytest.mark.parametrize(
    ("typed_in", "configured", "ok"), [("de", "de", True), ("fr", "fr", True), ("de", "us", False),
                                       ("us", "us", True), ("fr", "us", False)],
)  # fmt: skip
def test_test_scanner_names_the_layout_the_scanner_types(
    typed_in: str, configured: str, ok: bool, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from drivers.scanner.keymap import decode_keys, key_events_for

    config = tmp_path / "store.toml"
    config.write_text(f'[scanner]\nkeyboard_layout = "{configured}"\n')
    # The scanner types the probe in its layout; this terminal reads the keys as US.
    typed = decode_keys(key_events_for(PROBE, layout=typed_in), "us").replace("\r", "\n")
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    assert main(["devices", "test", "scanner", "--config", str(config)]) == (0 if ok else 1)
    verdict = capsys.readouterr().out.splitlines()[-1]
    assert verdict.startswith("OK" if ok else "FAIL") and f"types the {typed_in} layout" in verdict
    if not ok:
        assert f'keyboard_layout = "{typed_in}"' in verdict


def test_test_scanner_says_when_no_layout_fits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("6901234567892\n"))
    assert main(["devices", "test", "scanner", "--config", str(tmp_path / "none.toml")]) == 1
    assert "no known layout" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("^()!@#$%^&*(@\n"))
    args = ["devices", "test", "scanner", "--expect", "6901234567892", "--config", str(tmp_path / "x")]
    assert main(args) == 1
    assert "types the fr or be layout" in capsys.readouterr().out
