"""HQ's fleet view fed by 20 simulated terminals, each running `pos doctor --publish` with its own
credential through a real Mosquitto (the packaged ACL, one user per terminal), kept in PostgreSQL
by a real ingest worker and read back by `pos hq fleet`: every terminal listed with its figures,
the sick ones first; a terminal that goes silent is listed stale with its last figures; a report
forged for another terminal is refused (by the broker's ACL on another's topic, by HQ on its own)."""

from __future__ import annotations

import json
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import time_machine

from cli.main import main
from cloud_sync.health import Check, HealthReport, encode_report, health_topic
from cloud_sync.mqtt_link import make_client
from cloud_sync.settings import BrokerSettings
from hq.ingest import IngestOptions, IngestWorker
from tests.cli.doctor_scenes import terminal
from tests.cloud_sync.harness import Broker, Running, SecureSite, wait_until

pytestmark = pytest.mark.timeout(180)

TERMINALS = [(f"S00{1 + (n - 1) // 5}", f"T{n:02d}") for n in range(1, 21)]
HQ_CLOCK_OFFSETS = {"T01": 12.5, "T07": 600.0}  # what their agents measured against HQ's acks


def kept(pg_url: str) -> dict[str, tuple[datetime, dict[str, Any]]]:
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT terminal, received_at, report FROM hq_terminal_health"
                            ).fetchall()
    return {terminal: (received, report) for terminal, received, report in rows}


def dead_letters(pg_url: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(pg_url) as conn:
        return conn.execute("SELECT store, terminal, reason FROM hq_dead_letter ORDER BY id"
                            ).fetchall()


def fleet_json(pg_url: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["hq", "fleet", "--db", pg_url, "--json"]) == 0
    found: dict[str, Any] = json.loads(capsys.readouterr().out)
    return found


def test_fleet_view_of_20_terminals_kept_at_hq(tmp_path: Path, pg_url: str,
                                               capsys: pytest.CaptureFixture[str],
                                               caplog: pytest.LogCaptureFixture) -> None:
    site = SecureSite(tmp_path, TERMINALS)
    broker = Broker(tmp_path, site.broker_extra(tls=False))
    ingest = Running(IngestWorker(IngestOptions(pg_url, BrokerSettings(
        port=broker.port, tls=False, insecure=True, username="hq-ingest",
        password=site.passwords["hq-ingest"], keepalive=2))))
    try:
        with ExitStack() as stack:
            doctors = {}
            for n, (store, till) in enumerate(TERMINALS, start=1):
                credential = (f'username = "{store}-{till}"\n'
                              f'password_file = "{site.secrets / f"{store}-{till}.password"}"')
                doctors[till] = stack.enter_context(terminal(
                    tmp_path / till, broker.port, terminal_id=till, store=store, sales=n,
                    paper=n != 3, clock_skew_s=600 if n == 7 else 0.0, printer=n <= 4,
                    sync=credential, hq_clock_offset_s=HQ_CLOCK_OFFSETS.get(till)))
                main([*doctors[till], "--publish"])
            wait_until(lambda: len(kept(pg_url)) == 20, 20, "20 reports kept at HQ")
            capsys.readouterr()

            found = fleet_json(pg_url, capsys)
            rows = {r["terminal"]: r for r in found["terminals"]}
            assert len(rows) == 20 and found["unreadable"] == []
            assert [r["terminal"] for r in found["terminals"][:2]] == ["T03", "T07"]  # sick first
            assert rows["T03"]["devices"] == {"receipt": "paper_out"}
            assert rows["T01"]["devices"] == {"receipt": "online"} and rows["T05"]["devices"] == {}
            assert -601 < rows["T07"]["clock_offset_s"] < -599
            # the clock against HQ's acks: T07 is 10 min off (flagged and logged), T01 12.5 s
            assert (rows["T07"]["hq_clock_offset_s"], rows["T07"]["clock_off"]) == (600.0, True)
            assert (rows["T01"]["hq_clock_offset_s"], rows["T01"]["clock_off"]) == (12.5, False)
            assert (rows["T02"]["hq_clock_offset_s"], rows["T02"]["clock_off"]) == (None, False)
            assert any(p.startswith("hq clock") for p in rows["T07"]["problems"])
            assert [r.getMessage().split(":")[0] for r in caplog.records
                    if "clock_off" in r.getMessage()] == ["clock_off store=S002 terminal=T07 "
                                                         "offset_s=+600.0"]
            assert rows["T12"]["pending"] == 12 and rows["T12"]["store"] == "S003"
            assert all(r["version"] == rows["T01"]["version"] and r["disk_free_mb"] > 0
                       and r["last_backup_age_s"] is not None and not r["stale"]
                       for r in rows.values())

            forge_reports(site, broker.port, pg_url)

            # 20 minutes later: T20 has gone silent, the others reported again.
            later = datetime.now(UTC) + timedelta(minutes=20)
            with time_machine.travel(later, tick=True):
                for till, args in doctors.items():
                    if till != "T20":
                        main([*args, "--publish"])
                wait_until(lambda: sum(received > later - timedelta(minutes=1)
                                       for received, _ in kept(pg_url).values()) == 19,
                           20, "19 fresh reports")
                found = fleet_json(pg_url, capsys)
                capsys.readouterr()
                assert main(["hq", "fleet", "--db", pg_url]) == 0
                table = capsys.readouterr().out
    finally:
        ingest.stop()
        broker.stop()
    rows = {r["terminal"]: r for r in found["terminals"]}
    assert [t for t, r in rows.items() if r["stale"]] == ["T20"]
    assert 20 * 60 <= rows["T20"]["seen_age_s"] < 20 * 60 + 300   # + the test's own run
    assert rows["T20"]["pending"] == 20 and rows["T20"]["status"] == "ok"   # its last figures
    assert [r["terminal"] for r in found["terminals"][:3]] == ["T03", "T07", "T20"]
    assert "20 terminals, 2 sick, 1 stale" in table
    t20 = next(line for line in table.splitlines() if " T20 " in line)
    assert t20.split()[2] == "stale" and "no report for 20m" in t20
    assert "receipt=paper_out" in table
    t07, t01 = (next(line for line in table.splitlines() if f" {t} " in line) for t in ("T07", "T01"))
    assert "+600.0!" in t07 and "+12.5 " in t01 and "+12.5!" not in t01


def forge_reports(site: SecureSite, port: int, pg_url: str) -> None:
    """T05's stolen credential speaks for T06: on T06's topic the broker drops it (ACL); on
    T05's own topic HQ refuses a report that claims T06. T05's and T06's kept reports stay."""
    before = kept(pg_url)
    forged = encode_report(HealthReport(1, "S002", "T06", "6.6.6", datetime.now(UTC).isoformat(),
                                        [Check("disk", "ok", "fine", {"free_bytes": 1})]))
    settings = BrokerSettings(port=port, tls=False, insecure=True, username="S001-T05-lookup",
                              password=site.passwords["S001-T05-lookup"])
    client = make_client("evil", settings)
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        for topic in (health_topic("S002", "T06"), health_topic("S001", "T05")):
            client.publish(topic, forged, qos=1, retain=True).wait_for_publish(5)
        wait_until(lambda: dead_letters(pg_url), 10, "the forged report dead-lettered")
    finally:
        client.disconnect()
        client.loop_stop()
    assert dead_letters(pg_url) == [
        ("S001", "T05", "health: report claims S002/T06 on the topic of S001/T05")]
    after = kept(pg_url)
    assert after["T06"] == before["T06"] and after["T05"] == before["T05"]
    assert after["T06"][1]["version"] != "6.6.6"
