"""HQ keeps each terminal's latest health report: checked with bounds (a store's credential sent
it), its known figures as columns and the whole report as JSON, in PostgreSQL and in the SQLite
demo store alike; a redelivered older report never replaces a newer one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from cloud_sync.health import Check, HealthReport, encode_report
from hq.storage import open_storage
from hq.storage.interface import HqStorage
from hq.terminal_health import HealthRefused, check_health

AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def report(terminal: str = "T05", when: datetime = AT, **extra: object) -> dict[str, object]:
    body = HealthReport(1, "S001", terminal, "0.1.0", when.isoformat(), [
        Check("disk", "ok", "75314 MB free", {"free_bytes": 78971584512, "total_bytes": 2**38}),
        Check("clock", "warn", "+3.0 s against ntp", {"offset_s": 3.0, "ntp_synchronized": None}),
        Check("backlog", "ok", "12 events", {"pending": 12, "oldest_age_s": 61.5}),
        Check("backup", "ok", "last 1 h ago", {"age_s": 3600, "path": "/var/lib/pos/b.db"}),
        Check("device receipt", "fail", "printer paper_out", {"kind": "printer",
                                                              "state": "paper_out"})])
    return {**json.loads(encode_report(body)), **extra}


LABEL = {"mac": "0000021EAF3B1234", "sku": "P00001", "state": "confirmed", "price": 250,
         "wanted": 250, "reason": ""}


def raw(body: dict[str, object]) -> bytes:
    return json.dumps(body).encode()


@pytest.fixture(params=["postgres", "sqlite"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HqStorage]:
    url = request.getfixturevalue("pg_url") if request.param == "postgres" \
        else f"sqlite:///{tmp_path / 'hq.db'}"
    kept = open_storage(url)
    yield kept
    kept.close()


def test_a_report_is_kept_with_its_figures_as_columns_and_whole(storage: HqStorage) -> None:
    health = check_health("S001", "T05", raw(report()), AT + timedelta(seconds=2))
    assert (health.status, health.pending, health.disk_free_bytes) == ("fail", 12, 78971584512)
    assert (health.clock_offset_s, health.oldest_unsynced_age_s, health.last_backup_age_s) == (
        3.0, 61.5, 3600)
    assert storage.keep_health(health)
    [kept] = storage.health()
    assert (kept.store, kept.terminal, kept.online) == ("S001", "T05", None)
    assert kept.received_at == AT + timedelta(seconds=2)
    assert json.loads(kept.report) == report()       # every field, known or not to the columns
    storage.presence("S001", "T05", True)
    assert storage.health()[0].online is True


def test_the_applied_versions_and_shelf_labels_travel_in_the_report_and_are_kept(
        storage: HqStorage) -> None:
    from hq.fleet import fleet

    body = report(labels=[LABEL, {**LABEL, "mac": "0000021EAF3B1235", "state": "failed",
                                  "price": None, "reason": "unknown_mac"}])
    body["checks"].append({"name": "downlink", "status": "ok", "detail": "",  # type: ignore[attr-defined]
                           "data": {"catalog": 3, "prices": 7, "promotions": 0}})
    assert storage.keep_health(check_health("S001", "T05", raw(body), AT))
    assert json.loads(storage.health()[0].report)["labels"][1]["reason"] == "unknown_mac"
    [row] = fleet(storage, AT).rows
    assert row.applied == {"catalog": 3, "prices": 7, "promotions": 0}


def test_a_redelivered_older_report_does_not_replace_the_newer(storage: HqStorage) -> None:
    newer = check_health("S001", "T05", raw(report(when=AT)), AT)
    older = check_health("S001", "T05", raw(report(when=AT - timedelta(minutes=5))),
                         AT + timedelta(seconds=1))
    assert storage.keep_health(newer) and not storage.keep_health(older)
    assert json.loads(storage.health()[0].report)["at"] == AT.isoformat()
    # The terminal's clock was put back (10 min): its next report, 5 min later by HQ's clock,
    # is older by its own clock, and is kept all the same.
    put_back = check_health("S001", "T05", raw(report(when=AT - timedelta(minutes=5))),
                            AT + timedelta(minutes=5))
    assert storage.keep_health(put_back)
    assert storage.health()[0].received_at == AT + timedelta(minutes=5)


@pytest.mark.parametrize(("body", "reason"), [
    (report(terminal="T06"), "claims S001/T06 on the topic of S001/T05"),
    (report(store="S00/1"), "malformed report"),
    (report(store="S+"), "malformed report"),
    (report(spare="x" * 270_000), "exceeds 262144"),
    (report(version="0.1\u0000"), "NUL or a control character"),
    (report(version="0.1\u001b[2J"), "NUL or a control character"),
    (report(unknown=1), "malformed report"),
    (report(at="yesterday"), "not an ISO-8601 time"),
    (report(at="2026-11-30T08:00:00"), "needs an offset"),
    (report(version="v" * 65), "malformed report"),
    (report(checks=[{"name": "disk", "status": "ok", "detail": "d" * 1001}]), "malformed report"),
    (report(checks=[{"name": "disk", "status": "ok", "detail": "",
                     "data": {f"k{i}": i for i in range(33)}}]), "malformed report"),
    (report(checks=[{"name": "disk", "status": "ok", "detail": "",
                     "data": {"free_bytes": {"nested": 1}}}]), "malformed report"),
    (report(checks=[{"name": "disk", "status": "sick", "detail": ""}]), "malformed report"),
    (report(checks=[{"name": "disk", "status": "ok", "detail": ""}] * 65), "malformed report"),
    (report(checks=[{"name": "disk", "status": "ok", "detail": ""}] * 2), "named twice"),
    (report(labels=[{**LABEL, "shown": 1}]), "malformed report"),
    (report(labels=[{**LABEL, "state": "delivered"}]), "malformed report"),
    (report(labels=[{**LABEL, "mac": "../../etc"}]), "malformed report"),
    (report(labels=[{**LABEL, "price": -1}]), "malformed report"),
    (report(labels=[{**LABEL, "reason": "r" * 65}]), "malformed report"),
    (report(labels=[LABEL] * 2001), "malformed report"),
])
def test_a_report_breaking_a_rule_is_refused_whole(body: dict[str, object], reason: str) -> None:
    with pytest.raises(HealthRefused, match=reason.replace("[", r"\[").replace("+", r"\+")):
        check_health("S001", "T05", raw(body), AT)


def test_figures_that_are_not_numbers_leave_their_columns_empty(pg_url: str) -> None:
    body = report()
    body["checks"][0]["data"]["free_bytes"] = "lots"                   # type: ignore[index]
    body["checks"][2]["data"]["pending"] = 2**70                        # type: ignore[index]
    health = check_health("S001", "T05", raw(body), AT)
    assert (health.disk_free_bytes, health.pending) == (None, None)
    storage = open_storage(pg_url)
    try:
        storage.keep_health(health)
    finally:
        storage.close()
    with psycopg.connect(pg_url) as conn:
        row = conn.execute("SELECT disk_free_bytes, pending, report->'checks'->0->'data'"
                           "->>'free_bytes' FROM hq_terminal_health").fetchone()
    assert row == (None, None, "lots")
