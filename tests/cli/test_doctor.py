"""`pos doctor` on a healthy and on a sick terminal (full disk, clock 10 min off, printer out of
paper, broker unreachable): every check says what is wrong, exit 1, and --json for machines."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cli.main import main
from cloud_sync.doctor import check_broker
from cloud_sync.health import decode_report
from cloud_sync.settings import BrokerSettings
from tests.cli.doctor_scenes import terminal
from tests.cloud_sync.harness import Broker, make_tls
from tests.conftest import small_tmpfs


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs: a real disk that really fills up."""
    with small_tmpfs(tmp_path / "disk", "16m") as mount:
        yield mount


def test_a_healthy_terminal(tmp_path: Path, broker: Broker, capsys: pytest.CaptureFixture[str]) -> None:
    with terminal(tmp_path / "t", broker.port, hq_clock_offset_s=0.25) as args:
        status = main(args)
    out = capsys.readouterr().out
    lines = {line.split()[1]: line for line in out.splitlines()[1:-1]}
    assert status == 0, out
    assert out.splitlines()[-1] == "healthy" or "with warnings" in out
    for name in ("disk", "database", "clock", "broker", "backlog", "backup"):
        assert lines[name].startswith("OK"), out
    assert lines["device"].startswith("OK") and "printer" in lines["device"]
    assert "3 events not yet at HQ" in lines["backlog"]
    assert lines["hq"].startswith("OK    hq clock         +0.2 s against HQ"), out


def test_a_sick_terminal_says_what_is_wrong(small_disk: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with terminal(small_disk / "t", None, clock_skew_s=600, paper=False,
                  hq_clock_offset_s=-600.0) as args:
        ballast = small_disk / "ballast"
        ballast.write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - 256 * 1024))
        status = main(args)
        capsys.readouterr()
        assert main([*args, "--json"]) == 1
    out, report = capsys.readouterr().out, None
    report = decode_report(out.encode())
    assert status == 1 and report.status == "fail"
    by_name = {c.name: c for c in report.checks}
    assert by_name["disk"].status == "fail" and by_name["disk"].data["free_bytes"] < 1024 * 1024
    assert by_name["clock"].status == "fail" and -601 < by_name["clock"].data["offset_s"] < -599
    assert by_name["broker"].status == "fail" and "unreachable" in by_name["broker"].detail
    assert by_name["hq clock"].status == "fail" and by_name["hq clock"].data["offset_s"] == -600.0
    printer = by_name["device receipt"]
    assert printer.status == "fail" and printer.data["state"] == "paper_out"
    assert by_name["database"].status == "ok" and by_name["backup"].status == "ok"


def test_broker_check_verifies_tls_and_counts_the_certificates_days(tmp_path: Path) -> None:
    ca, cert, key = make_tls(tmp_path)
    tls_broker = Broker(tmp_path, f"cafile {ca}\ncertfile {cert}\nkeyfile {key}\nallow_anonymous true\n")
    try:
        settings = BrokerSettings(port=tls_broker.port, tls=True, ca_file=str(ca))
        # The test CA issues certificates valid for one day: fine only with no margin at all.
        healthy = check_broker(settings, warn_days=0, fail_days=0)
        assert healthy.status == "ok" and "TLS ok" in healthy.detail
        days = healthy.data["cert_days_left"]
        assert 0.9 < days <= 1.0
        assert check_broker(settings).status == "fail"                 # under 7 days left
        month = datetime.now(UTC) - timedelta(days=20)                # as if 21 days were left
        early = check_broker(settings, now=month)
        assert early.status == "warn" and "expires in 21.0 days" in early.detail
        (tmp_path / "other").mkdir()
        wrong_ca = check_broker(BrokerSettings(port=tls_broker.port, tls=True,
                                               ca_file=str(make_tls(tmp_path / "other")[0])))
        assert wrong_ca.status == "fail" and "TLS refused" in wrong_ca.detail
    finally:
        tls_broker.stop()
