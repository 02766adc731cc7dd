"""Every shipped systemd unit passes `systemd-analyze verify` (against a root holding the real
system units, with the package's executables in place), runs a real `pos` command, and keeps the
rules: notify + watchdog for long-running services, restart and start limits, hardening."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from cli.main import build_parser
from tests.packaging.units import instance_name, read_unit, unit_files

LONG_RUNNING = ["pos-till@.service", "pos-kiosk@.service", "pos-sync.service",
                "pos-hq-ingest@.service"]
WATCHED = ["pos-till@.service", "pos-kiosk@.service", "pos-sync.service"]


def analyze_root(tmp_path: Path) -> Path:
    """A root for `systemd-analyze verify --root`: the system's own units (targets, sockets the
    ours depend on), ours where the package puts them, and executables at the paths they name
    (stubs: the test is about the units, not about what is installed on this machine)."""
    root = tmp_path / "root"
    system = Path("/lib/systemd/system")
    if system.is_dir():
        shutil.copytree(system, root / "usr/lib/systemd/system", symlinks=True)
    ours = root / "etc/systemd/system"
    ours.mkdir(parents=True)
    for unit in unit_files():
        shutil.copy(unit, ours)
    for exe in ("opt/pos/current/venv/bin/pos", "usr/bin/cage", "bin/sh", "bin/kill"):
        path = root / exe
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    return root


def test_systemd_analyze_verify_passes_on_every_unit(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (bash packaging/setup.sh --dev installs it)")
    root = analyze_root(tmp_path)
    names = [instance_name(u) for u in unit_files()]
    assert len(names) >= 8
    done = subprocess.run(["systemd-analyze", "verify", f"--root={root}", *names],
                          capture_output=True, text=True, timeout=60)
    # verify only warns (exit 0) about unknown keys or bad values: any output is a failure.
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_a_broken_unit_is_caught(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    root = analyze_root(tmp_path)
    unit = root / "etc/systemd/system/pos-sync.service"
    unit.write_text(unit.read_text().replace("Restart=on-failure", "Restart=on-failur"))
    done = subprocess.run(["systemd-analyze", "verify", f"--root={root}", "pos-sync.service"],
                          capture_output=True, text=True, timeout=60)
    assert "restart specifier" in done.stderr


@pytest.mark.parametrize("name", [u.name for u in unit_files() if u.suffix == ".service"])
def test_each_service_runs_a_real_pos_command_with_hardening(name: str) -> None:
    unit = read_unit(Path(unit_files()[0].parent / name))
    service = unit["Service"]
    assert service["User"] == ["pos"] and service["Group"] == ["pos"]
    assert service["ProtectSystem"] == ["strict"] and service["NoNewPrivileges"] == ["yes"]
    assert "/var/lib/pos" in service["ReadWritePaths"][0].split()
    build_parser().parse_args(pos_arguments(service["ExecStart"][0]))


def pos_arguments(exec_start: str) -> list[str]:
    """The `pos` arguments of an ExecStart (under cage, or in a shell loop), with environment
    variables given sample values."""
    text = re.sub(r"\$POS_HQ_BROKER_OPTIONS", "", exec_start)       # word-split, may be empty
    text = re.sub(r'"?\$\{?stream\}?"?', "catalog", text)
    text = re.sub(r'"?\$\{?\w+\}?"?', "1", text)
    start = text.index("/opt/pos/current/venv/bin/pos ")
    return shlex.split(text[start:].split(";")[0])[1:]


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_long_running_services_notify_restart_and_kill_their_whole_group(name: str) -> None:
    unit = read_unit(unit_files()[0].parent / name)
    service = unit["Service"]
    assert service["Type"] == ["notify"]
    assert service["Restart"][0] in ("always", "on-failure")
    assert service["KillMode"] == ["control-group"]
    assert int(unit["Unit"]["StartLimitBurst"][0]) > 0
    if name in WATCHED:
        assert int(service["WatchdogSec"][0]) >= 10


@pytest.mark.parametrize("name", ["pos-till@.service", "pos-kiosk@.service"])
def test_kiosk_sessions_take_the_tty_from_getty_and_lock_the_vt(name: str) -> None:
    unit = read_unit(unit_files()[0].parent / name)
    assert unit["Unit"]["Conflicts"] == ["getty@%i.service"]
    service = unit["Service"]
    assert service["TTYPath"] == ["/dev/%I"] and service["PAMName"] == ["pos-kiosk"]
    assert service["NotifyAccess"] == ["all"]        # the app is cage's child, not the main pid
    # cage 0.1.4: -s *allows* VT switching; without it Ctrl+Alt+Fn cannot leave the session.
    assert shlex.split(service["ExecStart"][0])[:3] == ["/usr/bin/cage", "-d", "--"]
