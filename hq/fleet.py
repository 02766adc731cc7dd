"""HQ's fleet view: every terminal's latest health report (published retained by `pos doctor
--publish` on pos/v1/{store}/{terminal}/up/health) and its presence, as the figures an operator
acts on before a store calls: version, last seen, backlog, oldest unsynced sale, disk, clock
offset, devices, last backup.

Rule: the broker's retained messages are the record (the last report of a terminal stays there
after it goes silent, which is what "last seen" needs); a report that does not decode is listed
as such, never dropped.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import msgspec
import paho.mqtt.client as mqtt

from cloud_sync.health import HEALTH_FILTER, HealthReport, decode_report
from cloud_sync.hq_clock import CLOCK_WARN_S, clock_is_off
from cloud_sync.mqtt_link import make_client
from cloud_sync.protocol import ROOT, Presence, split_topic
from cloud_sync.settings import BrokerSettings

PRESENCE_FILTER = f"{ROOT}/+/+/up/presence"
log = logging.getLogger("hq.fleet")


@dataclass(frozen=True)
class FleetRow:
    store: str
    terminal: str
    status: str
    version: str
    online: bool | None
    last_seen: str
    seen_age_s: float
    pending: int | None
    oldest_unsynced_age_s: float | None
    disk_free_mb: float | None
    clock_offset_s: float | None
    devices: dict[str, str] = field(default_factory=dict)
    last_backup_age_s: float | None = None
    problems: list[str] = field(default_factory=list)
    hq_clock_offset_s: float | None = None   # the terminal's clock minus HQ's, from HQ's acks

    @property
    def clock_off(self) -> bool:
        return clock_is_off(self.hq_clock_offset_s)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "clock_off": self.clock_off}


def fleet_row(report: HealthReport, now: datetime, online: bool | None = None) -> FleetRow:
    def figure(check: str, key: str) -> Any:
        found = report.check(check)
        return found.data.get(key) if found else None

    free = figure("disk", "free_bytes")
    devices = {c.name.removeprefix("device "): str(c.data.get("state", c.status))
               for c in report.checks if c.name.startswith("device ")}
    seen = datetime.fromisoformat(report.at)
    return FleetRow(report.store, report.terminal, report.status, report.version, online, report.at,
                    (now - seen).total_seconds(), figure("backlog", "pending"),
                    figure("backlog", "oldest_age_s"), None if free is None else free / 2**20,
                    figure("clock", "offset_s"), devices, figure("backup", "age_s"),
                    [f"{c.name}: {c.detail}" for c in report.checks if c.status != "ok"],
                    figure("hq clock", "offset_s"))


@dataclass
class Collected:
    reports: dict[tuple[str, str], HealthReport] = field(default_factory=dict)
    online: dict[tuple[str, str], bool] = field(default_factory=dict)
    bad: list[str] = field(default_factory=list)


def collect(broker: BrokerSettings, wait_s: float = 2.0, client_id: str = "hq-fleet") -> Collected:
    """Subscribe to every terminal's retained health and presence and gather what arrives in
    `wait_s` (retained messages come at once on subscribing). OSError if the broker is not there."""
    found = Collected()
    subscribed = threading.Event()

    def on_connect(client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if not reason.is_failure:
            client.subscribe([(HEALTH_FILTER, 1), (PRESENCE_FILTER, 1)])
            subscribed.set()

    def on_message(_c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        try:
            store, terminal, kind = split_topic(msg.topic)
            if kind == "health":
                report = decode_report(bytes(msg.payload))
                if (report.store, report.terminal) != (store, terminal):
                    raise ValueError(f"says it is {report.store}/{report.terminal}")
                found.reports[(store, terminal)] = report
            elif kind == "presence":
                found.online[(store, terminal)] = msgspec.json.decode(msg.payload, type=Presence).online
        except (ValueError, msgspec.ValidationError, msgspec.DecodeError) as exc:
            found.bad.append(f"{msg.topic}: {exc}")

    client = make_client(client_id, broker)
    client.on_connect = on_connect
    client.on_message = on_message
    client.connect(broker.host, broker.port, broker.keepalive)
    client.loop_start()
    try:
        if not subscribed.wait(max(wait_s, 2.0)):
            raise OSError(f"{broker.host}:{broker.port} did not accept the subscription")
        time.sleep(wait_s)
    finally:
        client.disconnect()
        client.loop_stop()
    return found


def fleet(found: Collected, now: datetime) -> list[FleetRow]:
    """Sick first, then by store and terminal; a terminal whose clock is off HQ's is logged."""
    rows = [fleet_row(r, now, found.online.get(key)) for key, r in found.reports.items()]
    for row in rows:
        if row.clock_off:
            log.warning("clock_off store=%s terminal=%s offset_s=%+.1f: its clock is off HQ's "
                        "by more than %.0f s; payments will fail", row.store, row.terminal,
                        row.hq_clock_offset_s, CLOCK_WARN_S)
    rank = {"fail": 0, "warn": 1, "ok": 2}
    return sorted(rows, key=lambda r: (rank[r.status], r.store, r.terminal))
