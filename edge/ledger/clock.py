"""Wall-clock time as the store writes it: UTC ISO-8601 with milliseconds. Ordering of facts
never depends on it (seqs do); it is for people and reports.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
