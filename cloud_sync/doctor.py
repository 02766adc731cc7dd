"""The appliance's own checks behind `pos doctor`: disk, database, clock, broker and its TLS
certificate, sync backlog, the stock ledger's digest, last backup. Each returns a `Check` saying
what an operator should do.

Rule: a check never changes anything (the database is opened read-only) and never waits long (a
second or two per network probe), so a sick terminal answers as fast as a healthy one.
"""

from __future__ import annotations

import shutil
import socket
import sqlite3
import ssl
import struct
import subprocess
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from cloud_sync.health import Check, HealthReport, encode_report, health_topic
from cloud_sync.hq_clock import clock_is_off
from cloud_sync.mqtt_link import make_client
from cloud_sync.settings import AgentSettings, BrokerSettings, lookup_username
from cloud_sync.status import read_status
from edge.ledger.backup import list_backups
from edge.ledger.store import edge_migrations
from edge.store_ops.stock import ledger_digest

MB = 1024 * 1024
NTP_EPOCH_OFFSET = 2208988800          # seconds from 1900-01-01 (NTP) to 1970-01-01 (Unix)


def check_disk(path: Path, warn_free: int = 1024 * MB, fail_free: int = 200 * MB) -> Check:
    usage = shutil.disk_usage(path if path.is_dir() else path.parent)
    data = {"free_bytes": usage.free, "total_bytes": usage.total}
    free = f"{usage.free / MB:.0f} MB free of {usage.total / MB:.0f} MB"
    if usage.free < fail_free:
        return Check("disk", "fail", f"{free}: sales may fail to commit; free space now "
                                     "(old backups, logs)", data)
    if usage.free < warn_free:
        return Check("disk", "warn", f"{free}: getting low", data)
    return Check("disk", "ok", free, data)


def check_database(db: Path) -> Check:
    if not db.exists():
        return Check("database", "fail", f"no database at {db}")
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=2)
        try:
            result = [str(r[0]) for r in conn.execute("PRAGMA quick_check")]
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return Check("database", "fail", f"{db} cannot be read: {exc}")
    known = len(edge_migrations())
    data = {"schema": version, "known_schema": known}
    if result != ["ok"]:
        return Check("database", "fail", f"quick_check: {'; '.join(result[:3])}; restore the "
                                         "latest backup (pos restore)", data)
    if version > known:
        return Check("database", "fail", f"schema {version} is newer than this program ({known})",
                     data)
    return Check("database", "ok", f"quick_check ok, schema {version}", data)


def ntp_synchronized() -> bool | None:
    """systemd's view (timedatectl): True, False, or None when it cannot say."""
    if shutil.which("timedatectl") is None:
        return None
    try:
        out = subprocess.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"],
                             capture_output=True, text=True, timeout=2)
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = out.stdout.strip()
    return {"yes": True, "no": False}.get(value) if out.returncode == 0 else None


def sntp_offset(host: str, port: int = 123, timeout: float = 1.0,
                clock: Callable[[], float] = time.time) -> float:
    """This machine's clock minus the server's, in seconds (an SNTPv4 query, RFC 4330)."""
    request = b"\x23" + bytes(47)                 # LI 0, version 4, mode 3 (client)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        t1 = clock()
        sock.sendto(request, (host, port))
        reply, _ = sock.recvfrom(512)
        t4 = clock()
    if len(reply) < 48:
        raise OSError("short SNTP reply")
    secs, frac = struct.unpack("!II", reply[40:48])          # the server's transmit time
    t3: float = secs - NTP_EPOCH_OFFSET + frac / 2**32
    return (t1 + t4) / 2 - t3


def check_clock(synchronized: bool | None, offset_s: float | None, reference: str,
                warn_s: float = 2.0, fail_s: float = 60.0) -> Check:
    """Payment providers refuse requests more than 5 minutes off; act long before that."""
    data: dict[str, object] = {"ntp_synchronized": synchronized, "reference": reference}
    if offset_s is not None:
        data["offset_s"] = round(offset_s, 3)
        if abs(offset_s) >= fail_s:
            return Check("clock", "fail", f"{offset_s:+.1f} s against {reference}: payments and "
                                          "reports will be refused or wrong; fix time sync", data)
        if abs(offset_s) >= warn_s:
            return Check("clock", "warn", f"{offset_s:+.1f} s against {reference}", data)
    if synchronized is False:
        return Check("clock", "warn", "not synchronised by NTP (timedatectl); "
                                      f"offset {'unknown' if offset_s is None else f'{offset_s:+.1f} s'}",
                     data)
    if offset_s is None:
        return Check("clock", "warn" if synchronized is None else "ok",
                     f"NTP {'synchronised' if synchronized else 'status unknown'}; no reference "
                     f"answered ({reference})", data)
    return Check("clock", "ok", f"{round(offset_s, 3) or 0.0:+.3f} s against {reference}", data)


def check_broker(broker: BrokerSettings, timeout: float = 2.0,
                 now: datetime | None = None, warn_days: int = 30, fail_days: int = 7) -> Check:
    """TCP (and TLS, verified against the configured CA) to the broker; the certificate's days left."""
    where = f"{broker.host}:{broker.port}"
    data: dict[str, object] = {"broker": where, "tls": broker.tls}
    try:
        raw = socket.create_connection((broker.host, broker.port), timeout=timeout)
    except OSError as exc:
        return Check("broker", "fail", f"{where} unreachable ({exc.strerror or exc}); sales are "
                                       "kept and sent when it is back", data)
    with raw:
        if not broker.tls:
            return Check("broker", "ok", f"{where} reachable (plaintext)", data)
        context = ssl.create_default_context(cafile=broker.ca_file or None)
        try:
            with context.wrap_socket(raw, server_hostname=broker.host) as tls:
                cert = tls.getpeercert() or {}
        except (ssl.SSLError, OSError) as exc:
            return Check("broker", "fail", f"{where}: TLS refused ({exc})", data)
    not_after = datetime.fromtimestamp(ssl.cert_time_to_seconds(str(cert["notAfter"])), UTC)
    days = (not_after - (now or datetime.now(UTC))).total_seconds() / 86400
    data.update({"cert_not_after": not_after.isoformat(), "cert_days_left": round(days, 1)})
    if days < fail_days:
        return Check("broker", "fail", f"{where}: certificate expires in {days:.1f} days "
                                       f"({not_after:%Y-%m-%d}); renew it now", data)
    if days < warn_days:
        return Check("broker", "warn", f"{where}: certificate expires in {days:.1f} days", data)
    return Check("broker", "ok", f"{where} reachable, TLS ok, certificate {days:.0f} days left",
                 data)


def check_hq_clock(db: Path, now: datetime | None = None) -> Check:
    """This clock against HQ's, as the sync agent last measured it from HQ's acks
    (cloud_sync/hq_clock.py); beyond CLOCK_WARN_S payments are at risk."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=2)
        try:
            status = read_status(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return Check("hq clock", "warn", f"cannot read the sync status: {exc}")
    offset = status.clock_offset_s
    if offset is None or status.clock_checked_at is None:
        return Check("hq clock", "ok", "not measured yet (no ack from HQ with its time)")
    age = ((now or datetime.now(UTC)) - datetime.fromisoformat(status.clock_checked_at)
           ).total_seconds()
    data = {"offset_s": round(offset, 3), "measured_at": status.clock_checked_at,
            "age_s": round(age)}
    text = f"{offset:+.1f} s against HQ (measured {age / 60:.0f} min ago)"
    if clock_is_off(offset):
        return Check("hq clock", "fail", f"{text}: payments will be refused and reports wrong; "
                                         "fix time sync", data)
    return Check("hq clock", "ok", text, data)


def check_backlog(db: Path, warn_age_s: float = 900, fail_age_s: float = 4 * 3600) -> Check:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=2)
        try:
            status = read_status(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return Check("backlog", "fail", f"cannot read the outbox: {exc}")
    age = status.oldest_pending_age_s
    data = {"pending": status.pending, "oldest_pending_at": status.oldest_pending_at,
            "oldest_age_s": None if age is None else round(age), "rejected": status.rejected,
            "agent_connected": status.connected}
    text = (f"{status.pending} events not yet at HQ"
            + (f", oldest {age / 60:.0f} min" if age is not None else "")
            + f"; agent {'connected' if status.connected else 'not connected'}")
    if status.rejected:
        text += f"; {status.rejected} rejected by HQ (see pos sync status)"
    if age is not None and age >= fail_age_s:
        return Check("backlog", "fail", text, data)
    if (age is not None and age >= warn_age_s) or status.rejected:
        return Check("backlog", "warn", text, data)
    return Check("backlog", "ok", text, data)


def check_stock_ledger(db: Path) -> Check:
    """The terminal's stock ledger as a digest through its latest seq, for HQ to check its own copy
    against (`pos hq stock verify`); never a warning: a figure, not a judgement."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=2, isolation_level=None)
        try:
            d = ledger_digest(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return Check("stock", "warn", f"cannot read the stock ledger: {exc}")
    return Check("stock", "ok", f"{d.skus} SKUs in stock through seq {d.through_seq}",
                 {"through_seq": d.through_seq, "skus": d.skus, "sum_milli": d.sum_milli,
                  "digest": d.digest})


def check_backup(directory: Path, now: datetime | None = None, warn_age_s: float = 2 * 3600,
                 fail_age_s: float = 26 * 3600) -> Check:
    found = list_backups(directory)
    if not found:
        return Check("backup", "fail", f"no backup in {directory}; run pos backup (and enable "
                                       "pos-backup.timer)", {"directory": str(directory)})
    at, path = found[-1]
    age = ((now or datetime.now(UTC)) - at).total_seconds()
    data = {"last_backup_at": at.isoformat(), "age_s": round(age), "path": str(path)}
    text = f"last {at:%Y-%m-%d %H:%M} UTC ({age / 3600:.1f} h ago), {len(found)} kept"
    if age >= fail_age_s:
        return Check("backup", "fail", text, data)
    if age >= warn_age_s:
        return Check("backup", "warn", text, data)
    return Check("backup", "ok", text, data)


def publish_report(settings: AgentSettings, report: HealthReport, timeout: float = 3.0) -> None:
    """Publish `report` (QoS 1, not retained: HQ's broker keeps nothing a terminal leaves) on the
    terminal's health topic; OSError when the broker
    did not take it in time. As the terminal's look-up user and with a client id of its own:
    where the broker makes the username the client id, the agent's user would knock it off."""
    b = settings.broker
    if b.username:
        b = replace(b, username=lookup_username(b.username))
    client = make_client(f"{settings.store_id}-{settings.terminal_id}-doctor", b)
    try:
        client.connect(b.host, b.port, b.keepalive)
    except (OSError, ssl.SSLError) as exc:
        raise OSError(f"{b.host}:{b.port}: {exc}") from exc
    client.loop_start()
    try:
        info = client.publish(health_topic(report.store, report.terminal), encode_report(report),
                              qos=1)
        info.wait_for_publish(timeout)
        if not info.is_published():
            raise OSError(f"{b.host}:{b.port} did not acknowledge within {timeout:.0f} s")
    except RuntimeError as exc:                      # paho: not connected
        raise OSError(str(exc)) from exc
    finally:
        client.disconnect()
        client.loop_stop()
