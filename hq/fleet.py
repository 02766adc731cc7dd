"""HQ's fleet view: every terminal's latest health report, as the ingest workers kept it
(hq/terminal_health.py, table hq_terminal_health), with its presence: the figures an operator
acts on before a store calls (version, last seen, backlog, oldest unsynced sale, disk, clock
offset, devices, last backup).

Rule: "last seen" is HQ's clock (when the report arrived), never the terminal's; a terminal whose
last report is older than the stale limit is flagged stale, whatever that report said. A kept
report that does not decode any more is listed as such, never dropped.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from cloud_sync.health import HealthReport, decode_report
from cloud_sync.hq_clock import CLOCK_WARN_S, clock_is_off
from hq.storage.interface import HqStorage

STALE_AFTER_S = 15 * 60  # three missed reports of pos-doctor.timer (every 5 minutes)
log = logging.getLogger("hq.fleet")


@dataclass(frozen=True)
class FleetRow:
    store: str
    terminal: str
    status: str
    stale: bool
    version: str
    online: bool | None
    last_seen: str  # when HQ received the last report (HQ's clock)
    seen_age_s: float
    reported_at: str  # the terminal's clock in that report
    pending: int | None
    oldest_unsynced_age_s: float | None
    disk_free_mb: float | None
    clock_offset_s: float | None
    devices: dict[str, str] = field(default_factory=dict)
    last_backup_age_s: float | None = None
    problems: list[str] = field(default_factory=list)
    hq_clock_offset_s: float | None = None   # the terminal's clock minus HQ's, from HQ's acks
    applied: dict[str, int] = field(default_factory=dict)   # downlink stream → version applied

    @property
    def clock_off(self) -> bool:
        return clock_is_off(self.hq_clock_offset_s)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "clock_off": self.clock_off}


def fleet_row(report: HealthReport, received_at: datetime, now: datetime,
              online: bool | None = None, stale_after_s: float = STALE_AFTER_S) -> FleetRow:
    def figure(check: str, key: str) -> Any:
        found = report.check(check)
        return found.data.get(key) if found else None

    free = figure("disk", "free_bytes")
    devices = {c.name.removeprefix("device "): str(c.data.get("state", c.status))
               for c in report.checks if c.name.startswith("device ")}
    age = (now - received_at).total_seconds()
    return FleetRow(report.store, report.terminal, report.status, age > stale_after_s,
                    report.version, online, received_at.isoformat(timespec="seconds"), age,
                    report.at, figure("backlog", "pending"), figure("backlog", "oldest_age_s"),
                    None if free is None else free / 2**20, figure("clock", "offset_s"), devices,
                    figure("backup", "age_s"),
                    [f"{c.name}: {c.detail}" for c in report.checks if c.status != "ok"],
                    figure("hq clock", "offset_s"), applied_versions(report))


def applied_versions(report: HealthReport) -> dict[str, int]:
    """The downlink versions the terminal reported applied (its `downlink` check)."""
    found = report.check("downlink")
    if found is None:
        return {}
    return {k: v for k, v in found.data.items() if isinstance(v, int) and not isinstance(v, bool)}


@dataclass
class Fleet:
    rows: list[FleetRow]
    unreadable: list[str]


def fleet(storage: HqStorage, now: datetime, stale_after_s: float = STALE_AFTER_S) -> Fleet:
    """Every terminal HQ has a report of: failing first, then stale, then with warnings; a
    terminal whose clock is off HQ's is logged."""
    rows, bad = [], []
    for kept in storage.health():
        try:
            report = decode_report(kept.report)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            bad.append(f"{kept.store}/{kept.terminal}: {exc}")
            continue
        rows.append(fleet_row(report, kept.received_at, now, kept.online, stale_after_s))
    for row in rows:
        if row.clock_off:
            log.warning("clock_off store=%s terminal=%s offset_s=%+.1f: its clock is off HQ's "
                        "by more than %.0f s; payments will fail", row.store, row.terminal,
                        row.hq_clock_offset_s, CLOCK_WARN_S)
    rank = {"fail": 0, "warn": 2, "ok": 3}
    rows.sort(key=lambda r: (1 if r.stale and r.status != "fail" else rank[r.status],
                             r.store, r.terminal))
    return Fleet(rows, bad)
