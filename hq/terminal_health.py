"""A terminal's health report as HQ takes it in: checked before it is kept (hq/storage), and
turned into the figures the fleet view sorts by.

Rule: the report comes with a store's credential, so HQ believes it only about the terminal whose
topic it came on (the broker's ACL pins a credential to its topics); a report that claims another
terminal, is too big, holds NUL or a control character, or breaks the schema's bounds
(cloud_sync/health.py) is refused whole with a reason, and the kept report stays as it was.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import msgspec

from cloud_sync.health import MAX_REPORT, HealthReport, decode_report, encode_report
from hq.schemas import INT8, has_control
from hq.storage.interface import HealthIn, clean_text


class HealthRefused(ValueError):
    """A health report HQ does not keep; the message says why."""


def check_health(store: str, terminal: str, raw: bytes, received_at: datetime) -> HealthIn:
    """The report on `store`/`terminal`'s health topic, checked; HealthRefused otherwise."""
    if len(raw) > MAX_REPORT:
        raise HealthRefused(f"report of {len(raw)} bytes exceeds {MAX_REPORT}")
    if b"\\" in raw and has_control(raw):
        raise HealthRefused("a text holds NUL or a control character")
    try:
        report = decode_report(raw)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError) as exc:
        raise HealthRefused(f"malformed report: {clean_text(str(exc), 200)}") from None
    if (report.store, report.terminal) != (store, terminal):
        raise HealthRefused(f"report claims {report.store}/{report.terminal} on the topic of "
                            f"{store}/{terminal}")
    try:
        reported = datetime.fromisoformat(report.at)
    except ValueError:
        raise HealthRefused(f"at {clean_text(report.at, 40)!r} is not an ISO-8601 time") from None
    if reported.tzinfo is None or not 2000 <= reported.year <= 2200:
        raise HealthRefused(f"at {clean_text(report.at, 40)!r} needs an offset and a plausible year")
    names = [c.name for c in report.checks]
    if len(set(names)) != len(names):
        raise HealthRefused("a check is named twice")
    free = _figure(report, "disk", "free_bytes")
    pending = _figure(report, "backlog", "pending")
    return HealthIn(store, terminal, received_at.astimezone(UTC), reported.astimezone(UTC),
                    report.status, report.version,
                    None if pending is None else int(pending),
                    _figure(report, "backlog", "oldest_age_s"),
                    None if free is None else int(free),
                    _figure(report, "clock", "offset_s"),
                    _figure(report, "backup", "age_s"),
                    encode_report(report))


def _figure(report: HealthReport, check: str, key: str) -> float | None:
    """A check's figure for its column: a finite number within a BIGINT, or None (the report
    itself, kept whole, still holds whatever was sent)."""
    found = report.check(check)
    value = found.data.get(key) if found else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or abs(value) > INT8:
        return None
    return value
