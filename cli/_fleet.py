"""`pos hq fleet`: every terminal's health as HQ keeps it (hq/fleet.py), one line each or --json.
Kept apart from cli/hq.py, which only hooks it in."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cli.main import CommandError


def add_fleet_command(sub: Any, db_option: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = sub.add_parser("fleet", help="every terminal: version, last seen, backlog, disk, "
                                          "clock, devices, last backup")
    db_option(parser)
    parser.add_argument("--stale-after", type=float, default=15.0, metavar="MINUTES",
                        help="flag a terminal stale when its last report is older than this "
                             "(default 15: three missed reports)")
    parser.add_argument("--json", action="store_true", help="every figure as JSON")
    parser.set_defaults(run=run_fleet)


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    if seconds < 172800:
        return f"{seconds / 3600:.0f}h"
    return f"{seconds / 86400:.0f}d"


def run_fleet(args: argparse.Namespace) -> int:
    from hq.fleet import fleet
    from hq.storage import open_storage
    from hq.storage.interface import StorageUnavailable

    if args.stale_after <= 0:
        raise CommandError("--stale-after must be a positive number of minutes")
    try:
        storage = open_storage(args.db)
    except StorageUnavailable as exc:
        raise CommandError(f"cannot read the fleet: HQ database unavailable ({exc})") from None
    try:
        found = fleet(storage, datetime.now(UTC), args.stale_after * 60)
    finally:
        storage.close()
    if args.json:
        print(json.dumps({"terminals": [r.as_dict() for r in found.rows],
                          "unreadable": found.unreadable}, ensure_ascii=False, indent=2))
        return 0
    print(f"{'store':<6} {'till':<5} {'state':<5} {'version':<8} {'online':<6} {'seen':>5} "
          f"{'backlog':>7} {'oldest':>6} {'disk MB':>8} {'clock s':>8} {'backup':>6} {'vs HQ s':>8}"
          "  devices / problems")
    for r in found.rows:
        online = "-" if r.online is None else ("yes" if r.online else "no")
        clock = "-" if r.clock_offset_s is None else f"{round(r.clock_offset_s, 1) or 0.0:+.1f}"
        disk = "-" if r.disk_free_mb is None else f"{r.disk_free_mb:.0f}"
        vs_hq = "-" if r.hq_clock_offset_s is None else \
            f"{round(r.hq_clock_offset_s, 1) or 0.0:+.1f}{'!' if r.clock_off else ''}"
        devices = " ".join(f"{name}={state}" for name, state in sorted(r.devices.items()))
        problems = [p.split(":")[0] for p in r.problems]
        if r.stale:
            problems.insert(0, f"stale: no report for {_age(r.seen_age_s)}, figures as of then")
        state = "stale" if r.stale and r.status != "fail" else r.status
        print(f"{r.store:<6} {r.terminal:<5} {state:<5} {r.version:<8} {online:<6} "
              f"{_age(r.seen_age_s):>5} {'-' if r.pending is None else r.pending:>7} "
              f"{_age(r.oldest_unsynced_age_s):>6} {disk:>8} {clock:>8} "
              f"{_age(r.last_backup_age_s):>6} {vs_hq:>8}  "
              + "  ".join(filter(None, [devices, "! " + "; ".join(problems) if problems else ""])))
    for bad in found.unreadable:
        print(f"unreadable: {bad}")
    rows = found.rows
    print(f"{len(rows)} terminals, {sum(r.status == 'fail' for r in rows)} sick, "
          f"{sum(r.stale for r in rows)} stale, {sum(r.status == 'warn' for r in rows)} with warnings")
    return 0
