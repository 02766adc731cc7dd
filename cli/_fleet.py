"""`pos hq fleet`: every terminal's health as HQ sees it (hq/fleet.py), one line each or --json.
Kept apart from cli/hq.py, which only hooks it in."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cli.main import CommandError


def add_fleet_command(sub: Any, broker_options: Callable[[argparse.ArgumentParser], None],
                      broker_settings: Callable[[argparse.Namespace], Any]) -> None:
    parser = sub.add_parser("fleet", help="every terminal: version, last seen, backlog, disk, "
                                          "clock, devices, last backup")
    broker_options(parser)
    parser.add_argument("--wait", type=float, default=2.0, help="seconds to gather reports")
    parser.add_argument("--json", action="store_true", help="print the fleet as JSON")
    parser.set_defaults(run=run_fleet, broker_settings=broker_settings)


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
    from hq.fleet import collect, fleet

    try:
        found = collect(args.broker_settings(args), args.wait)
    except OSError as exc:
        raise CommandError(f"cannot read the fleet from {args.host}:{args.port}: {exc}") from None
    rows = fleet(found, datetime.now(UTC))
    if args.json:
        print(json.dumps({"terminals": [r.as_dict() for r in rows], "unreadable": found.bad},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"{'store':<6} {'till':<5} {'state':<5} {'version':<8} {'online':<6} {'seen':>5} "
          f"{'backlog':>7} {'oldest':>6} {'disk MB':>8} {'clock s':>8} {'backup':>6}  devices / problems")
    for r in rows:
        online = "-" if r.online is None else ("yes" if r.online else "no")
        clock = "-" if r.clock_offset_s is None else f"{round(r.clock_offset_s, 1) or 0.0:+.1f}"
        disk = "-" if r.disk_free_mb is None else f"{r.disk_free_mb:.0f}"
        devices = " ".join(f"{name}={state}" for name, state in sorted(r.devices.items()))
        problems = "; ".join(p.split(":")[0] for p in r.problems)
        print(f"{r.store:<6} {r.terminal:<5} {r.status:<5} {r.version:<8} {online:<6} "
              f"{_age(r.seen_age_s):>5} {'-' if r.pending is None else r.pending:>7} "
              f"{_age(r.oldest_unsynced_age_s):>6} {disk:>8} {clock:>8} "
              f"{_age(r.last_backup_age_s):>6}  {devices}{'  ! ' + problems if problems else ''}")
    for bad in found.bad:
        print(f"unreadable: {bad}")
    sick = sum(r.status == "fail" for r in rows)
    print(f"{len(rows)} terminals, {sick} sick, {sum(r.status == 'warn' for r in rows)} with warnings")
    return 0
