"""HQ's fleet view fed by 20 simulated terminals, each running `pos doctor --publish` against a
real Mosquitto: every terminal listed with its figures, the sick ones first and saying why; a
report that does not decode is listed as unreadable, not dropped."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

import paho.mqtt.publish as publish
import pytest

from cli.main import main
from tests.cli.doctor_scenes import terminal
from tests.cloud_sync.harness import Broker

pytestmark = pytest.mark.timeout(120)


def test_fleet_view_of_20_terminals(tmp_path: Path, broker: Broker,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    with ExitStack() as stack:
        for n in range(1, 21):
            store, till = f"S00{1 + (n - 1) // 5}", f"T{n:02d}"
            args = stack.enter_context(terminal(
                tmp_path / till, broker.port, terminal_id=till, store=store, sales=n,
                paper=n != 3, clock_skew_s=600 if n == 7 else 0.0, printer=n <= 4))
            main([*args, "--publish"])
    publish.single("pos/v1/S009/T99/up/health", b"{not json", qos=1, retain=True,
                   hostname="127.0.0.1", port=broker.port)
    capsys.readouterr()
    assert main(["hq", "fleet", "--insecure", "--port", str(broker.port), "--json", "--wait", "1"]) == 0
    found = json.loads(capsys.readouterr().out)
    rows = {r["terminal"]: r for r in found["terminals"]}
    assert len(rows) == 20
    assert [r["terminal"] for r in found["terminals"][:2]] == ["T03", "T07"]      # sick first
    assert rows["T03"]["devices"] == {"receipt": "paper_out"}
    assert rows["T01"]["devices"] == {"receipt": "online"} and rows["T05"]["devices"] == {}
    assert -601 < rows["T07"]["clock_offset_s"] < -599
    assert rows["T12"]["pending"] == 12 and rows["T12"]["store"] == "S003"
    assert all(r["version"] == rows["T01"]["version"] and r["disk_free_mb"] > 0 for r in rows.values())
    assert all(r["last_backup_age_s"] is not None for r in rows.values())
    assert found["unreadable"][0].startswith("pos/v1/S009/T99/up/health:")

    assert main(["hq", "fleet", "--insecure", "--port", str(broker.port), "--wait", "1"]) == 0
    table = capsys.readouterr().out
    assert "20 terminals, 2 sick" in table
    assert "receipt=paper_out" in table


def test_hq_flags_and_logs_a_terminal_whose_clock_is_off_its_own(
        tmp_path: Path, broker: Broker, capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    with ExitStack() as stack:
        for till, offset in (("T01", 12.5), ("T02", 600.0), ("T03", None)):
            args = stack.enter_context(terminal(tmp_path / till, broker.port, terminal_id=till,
                                                printer=False, hq_clock_offset_s=offset))
            main([*args, "--publish", "--no-devices"])
    capsys.readouterr()
    assert main(["hq", "fleet", "--insecure", "--port", str(broker.port), "--json", "--wait", "1"]) == 0
    rows = {r["terminal"]: r for r in json.loads(capsys.readouterr().out)["terminals"]}
    assert (rows["T01"]["hq_clock_offset_s"], rows["T01"]["clock_off"]) == (12.5, False)
    assert (rows["T02"]["hq_clock_offset_s"], rows["T02"]["clock_off"]) == (600.0, True)
    assert (rows["T03"]["hq_clock_offset_s"], rows["T03"]["clock_off"]) == (None, False)
    assert rows["T02"]["status"] == "fail" and any(p.startswith("hq clock") for p in rows["T02"]["problems"])
    assert [r.getMessage().split(":")[0] for r in caplog.records if "clock_off" in r.getMessage()] \
        == ["clock_off store=S001 terminal=T02 offset_s=+600.0"]

    assert main(["hq", "fleet", "--insecure", "--port", str(broker.port), "--wait", "1"]) == 0
    lines = {line.split()[1]: line for line in capsys.readouterr().out.splitlines()[1:4]}
    assert "+600.0!" in lines["T02"] and "+12.5 " in lines["T01"] and "!" not in lines["T01"]
