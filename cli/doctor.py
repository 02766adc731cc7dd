"""`pos doctor`: the whole appliance in one look (disk, database, clock, broker and its
certificate, each device, sync backlog, last backup); exit 1 when anything fails, `--json` for
machines, `--publish` to send the report to HQ's fleet view. Thin over cloud_sync.doctor."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from cli._options import add_store_options, config_path
from cloud_sync.health import Check, HealthReport

LABEL = {"ok": "OK  ", "warn": "WARN", "fail": "FAIL"}


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("doctor", help="check the appliance: disk, database, clock, broker, "
                                                "devices, backlog, last backup")
    add_store_options(parser)
    parser.add_argument("--backup-dir", default=os.environ.get("POS_BACKUP_DIR", ""),
                        help="where `pos backup` writes (default: $POS_BACKUP_DIR or backups/ "
                             "beside the database)")
    parser.add_argument("--time-server", default=os.environ.get("POS_TIME_SERVER", ""),
                        metavar="HOST[:PORT]",
                        help="an NTP server to measure the clock against (default: the broker's "
                             "host; the store server serves time to its tills)")
    parser.add_argument("--no-devices", action="store_true",
                        help="do not open the devices (while the till holds them: two readers on "
                             "one serial port steal each other's bytes)")
    parser.add_argument("--json", action="store_true", help="the report as JSON")
    parser.add_argument("--publish", action="store_true",
                        help="also publish the report for HQ's fleet view")
    parser.set_defaults(run=run_doctor)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("store-edge-pos")
    except PackageNotFoundError:
        return "unknown"


def _device_checks(config: Path) -> list[Check]:
    """The devices the till would open (ui.hardware.devices, the same wiring), each asked for its health;
    a printer is given a moment to report its first status (paper, cover)."""
    import tempfile
    import time

    from edge.config import ConfigError, load_config
    from ui.hardware.devices import configured_devices

    try:
        extra = load_config(config).extra
    except ConfigError as exc:
        return [Check("devices", "fail", str(exc))]
    checks = []
    with tempfile.TemporaryDirectory(prefix="pos-doctor-") as state:
        devices = configured_devices(extra, Path(state))
        devices.start()
        try:
            deadline = time.monotonic() + 2.0
            for kind, device in devices.all():
                health = device.health()
                while not health.ok and kind == "printer" and time.monotonic() < deadline \
                        and health.status in ("closed", "connecting", "unknown"):
                    time.sleep(0.05)
                    health = device.health()
                detail = f"{kind} {health.status}" + (f": {health.detail}" if health.detail else "")
                checks.append(Check(f"device {device.name}", "ok" if health.ok else "fail", detail,
                                    {"kind": kind, "state": health.status}))
        finally:
            devices.close()
    checks += [Check(f"device {name}", "fail", f"cannot be opened: {reason}", {"state": "offline"})
               for name, reason in devices.failures.items()]
    return checks


def _clock_check(host: str) -> Check:
    from cloud_sync.doctor import check_clock, ntp_synchronized, sntp_offset

    name, _, port = host.partition(":")
    try:
        offset: float | None = sntp_offset(name, int(port or 123))
    except (OSError, ValueError):
        offset = None
    return check_clock(ntp_synchronized(), offset, f"ntp {host}")


def run_doctor(args: argparse.Namespace) -> int:
    from cloud_sync.doctor import (
        check_backlog,
        check_backup,
        check_broker,
        check_database,
        check_disk,
        check_hq_clock,
        check_stock_ledger,
    )
    from cloud_sync.settings import SettingsError, load_agent_settings

    db, config = Path(args.db), config_path(args)
    backups = Path(args.backup_dir) if args.backup_dir else db.resolve().parent / "backups"
    checks = [check_disk(db), check_database(db)]
    store = terminal = "?"
    try:
        settings = load_agent_settings(config)
    except SettingsError as exc:
        settings = None
        checks.append(Check("broker", "fail", f"no sync settings: {exc}"))
    if settings is not None:
        store, terminal = settings.store_id, settings.terminal_id
        checks.append(_clock_check(args.time_server or settings.broker.host))
        if db.exists():
            checks.append(check_hq_clock(db))
        checks.append(check_broker(settings.broker))
    if not args.no_devices:
        checks += _device_checks(config)
    if db.exists():
        checks.append(check_backlog(db))
        checks.append(check_stock_ledger(db))
    checks.append(check_backup(backups))
    report = HealthReport(1, store, terminal, _version(),
                          datetime.now(UTC).isoformat(timespec="seconds"), checks)
    if args.json:
        from cloud_sync.health import encode_report

        sys.stdout.write(encode_report(report).decode() + "\n")
    else:
        print(f"pos doctor: store {store} terminal {terminal}, version {report.version}, {report.at}")
        for c in checks:
            print(f"{LABEL[c.status]}  {c.name:<16} {c.detail}")
        fails = sum(c.status == "fail" for c in checks)
        warns = sum(c.status == "warn" for c in checks)
        print("healthy" if not fails and not warns else
              f"{'SICK' if fails else 'healthy, with warnings'}: {fails} failing, {warns} warnings")
    if args.publish and settings is not None:
        from cloud_sync.doctor import publish_report

        try:
            publish_report(settings, report)
        except OSError as exc:
            print(f"pos: report not published ({exc}); HQ sees the last one it got", file=sys.stderr)
    return 1 if report.status == "fail" else 0
