"""A terminal's health report on the wire: what `pos doctor` found, published retained (QoS 1)
on `pos/v1/{store}/{terminal}/up/health` beside its presence, and read by HQ's fleet view.

Rule: a report carries figures, never secrets or personal data (no passwords, no member ids); a
body that does not decode into `HealthReport` is refused whole.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from cloud_sync.protocol import ROOT

Status = Literal["ok", "warn", "fail"]
_RANK = {"ok": 0, "warn": 1, "fail": 2}


class Check(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    status: Status
    detail: str
    # Figures for machines (free bytes, offset seconds, days left, ...): flat, numbers or text.
    data: dict[str, Any] = {}


class HealthReport(msgspec.Struct, forbid_unknown_fields=True):
    v: int
    store: str
    terminal: str
    version: str
    at: str
    checks: list[Check]

    @property
    def status(self) -> Status:
        return worst(c.status for c in self.checks)

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)


def worst(statuses: Any) -> Status:
    found: Status = "ok"
    for status in statuses:
        if _RANK[status] > _RANK[found]:
            found = status
    return found


def health_topic(store: str, terminal: str) -> str:
    return f"{ROOT}/{store}/{terminal}/up/health"


HEALTH_FILTER = f"{ROOT}/+/+/up/health"

_decoder = msgspec.json.Decoder(HealthReport)


def encode_report(report: HealthReport) -> bytes:
    return msgspec.json.encode(report)


def decode_report(raw: bytes) -> HealthReport:
    """msgspec.ValidationError / DecodeError for anything that is not a report."""
    return _decoder.decode(raw)
