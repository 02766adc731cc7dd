"""A terminal's health report on the wire: what `pos doctor` found, published (QoS 1, not
retained) on `pos/v1/{store}/{terminal}/up/health` beside its presence, and read by HQ's fleet view.

Rule: a report carries figures, never secrets or personal data (no passwords, no member ids); a
body that does not decode into `HealthReport` — bounds included: HQ stores what a store's
credential sends — is refused whole.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from cloud_sync.protocol import ROOT

Status = Literal["ok", "warn", "fail"]
_RANK = {"ok": 0, "warn": 1, "fail": 2}


MAX_REPORT = 64 * 1024          # bytes of one encoded report; a real one is about 2 KB
_Id = Annotated[str, Meta(pattern="^[A-Za-z0-9]{1,32}$")]   # as `pos hq enroll` allows
_Name = Annotated[str, Meta(min_length=1, max_length=64)]
_Text = Annotated[str, Meta(max_length=1000)]
# Figures for machines (free bytes, offset seconds, days left, ...): flat, numbers or text.
_Figure = _Text | int | float | bool | None


class Check(msgspec.Struct, forbid_unknown_fields=True):
    name: _Name
    status: Status
    detail: _Text
    data: Annotated[dict[_Name, _Figure], Meta(max_length=32)] = {}


class HealthReport(msgspec.Struct, forbid_unknown_fields=True):
    v: Annotated[int, Meta(ge=1, le=1000)]
    store: _Id
    terminal: _Id
    version: _Name
    at: Annotated[str, Meta(max_length=40)]
    checks: Annotated[list[Check], Meta(max_length=64)]

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
