"""`pos recon import` reads within bounds: a zip bomb, a line of 2 GiB and a 200 KB CSV field are
each refused with one `FILE:LINE: reason` (no traceback), nothing imported, while the importing
process's peak memory stays under 200 MB (measured as the child's ru_maxrss, from a parent that
runs nothing else)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from providers.bill_files import WECHAT_HEADER
from providers.settlement import ACQUIRER_HEADER, MAX_LINE
from tests.cloud_sync.harness import ROOT, python_env

PEAK_MB = 200
# The parent's only child is the import; its ru_maxrss (KiB on Linux) is that child's peak.
MEASURE = ("import resource, subprocess, sys\n"
           "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
           "sys.stderr.write(done.stderr)\n"
           "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")


def recon_import(tmp: Path, path: Path, *extra: str) -> tuple[int, float, str]:
    """(exit status, peak RSS in MB, stderr) of `pos recon import` in its own process."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, sys.executable, "-m", "cli.main", "recon", "import",
         str(path), "--date", "2026-03-05", "--db", f"sqlite:///{tmp / 'hq.db'}", *extra],
        cwd=ROOT, env=python_env(), capture_output=True, text=True, timeout=110)
    status, peak_kib = done.stdout.split()
    return int(status), int(peak_kib) / 1024, done.stderr


def refused_once(stderr: str, where: str) -> str:
    """The one refusal line, checked: starts with FILE:LINE, no traceback, nothing imported."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 2 and "nothing of" in lines[1], stderr
    assert lines[0].startswith(f"pos: {where}: "), stderr
    return lines[0]


@pytest.mark.timeout(120)
def test_a_zip_bomb_is_refused_from_its_header_in_bounded_memory(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.csv.zip"
    zero = b"0" * (1 << 20)
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("2088_20260305_业务明细.csv".encode().decode("cp437"), "w",
                          force_zip64=True) as member:
            for _ in range(1024):                       # 1 GiB inflated, about 4 MB packed
                member.write(zero)
    assert bomb.stat().st_size < 8 << 20
    status, peak, err = recon_import(tmp_path, bomb, "--source", "alipay")
    print(f"zip bomb ({bomb.stat().st_size:,} bytes, 1 GiB inside): peak RSS {peak:.0f} MB")
    assert status == 1 and peak <= PEAK_MB
    assert "unpacks to 1,073,741,824 bytes" in refused_once(err, str(bomb))
    # Small enough to pass the size bound, but packed 1,000 times: refused by its ratio.
    dense = tmp_path / "dense.csv.zip"
    with zipfile.ZipFile(dense, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2088_20260305_业务明细.csv", b"0" * (32 << 20))
    status, peak, err = recon_import(tmp_path, dense, "--source", "alipay")
    assert status == 1 and peak <= PEAK_MB
    assert "times its packed size (at most 100): a zip bomb?" in refused_once(err, str(dense))


@pytest.mark.timeout(120)
def test_a_2_gib_line_is_refused_at_its_line_in_bounded_memory(tmp_path: Path) -> None:
    huge = tmp_path / "line.csv"
    try:
        with huge.open("wb") as out:
            out.write(WECHAT_HEADER.encode() + b"\n")
            out.truncate(out.tell() + (2 << 30))         # sparse: 2 GiB of one line, no disk
        assert huge.stat().st_size > 2 << 30
        status, peak, err = recon_import(tmp_path, huge, "--source", "wechat")
        print(f"2 GiB line: peak RSS {peak:.0f} MB")
        assert status == 1 and peak <= PEAK_MB
        assert f"a line longer than {MAX_LINE:,} bytes" in refused_once(err, f"{huge}:2")
    finally:
        huge.unlink(missing_ok=True)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("shape", "line", "reason"), [
    ("one line", 3, f"a line longer than {MAX_LINE:,} bytes"),
    ("quoted across lines", 3, "unreadable CSV: field larger than field limit"),
    ("10 KB", 3, "a field of 10,000 characters (at most 4,096)"),
])
def test_a_200_kb_csv_field_is_a_file_line_reason_not_a_traceback(
        tmp_path: Path, shape: str, line: int, reason: str) -> None:
    good = "2026-03-05,M1,T1,2026-03-05 10:00:00,SALE,REF1,,123456,622202******1234,20.00,0.10"
    if shape == "one line":
        bad = good.replace("REF1", "R" * 200_000)
    elif shape == "quoted across lines":
        bad = good.replace("REF1", '"' + "\n".join(["R" * 999] * 200) + '"')
    else:
        bad = good.replace("REF1", "R" * 10_000)
    path = tmp_path / "acquirer.csv"
    path.write_text(f"{ACQUIRER_HEADER}\n{good}\n{bad}\n")
    status, peak, err = recon_import(tmp_path, path, "--source", "acquirer")
    assert status == 1 and peak <= PEAK_MB
    assert reason in refused_once(err, f"{path}:{line}")


def test_a_long_line_inside_a_zip_member_names_the_member_and_its_line() -> None:
    import io

    from providers.settlement import parse_alipay_trade_bill

    packed = io.BytesIO()
    name = "2088_20260305_业务明细.csv"
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        # Alipay writes GBK names without the UTF-8 flag, which Python reads as cp437.
        archive.writestr(name.encode("gbk").decode("cp437"),
                         b"#\xd6\xa7\xb8\xb6\xb1\xa6\n" + b"A" * 100_000 + b"\n")
    assert parse_alipay_trade_bill(packed.getvalue()).problems == [
        (2, f"in {name}: a line longer than {MAX_LINE:,} bytes")]


@pytest.mark.timeout(60)
def test_the_tills_pos_payments_recon_reads_the_same_bounds(tmp_path: Path) -> None:
    """The store-side comparison (`pos payments recon`) reads bills through the same bounded
    reader: a 2 GiB line is refused at its line before the store database is even opened."""
    huge = tmp_path / "bill.csv"
    try:
        with huge.open("wb") as out:
            out.write(WECHAT_HEADER.encode() + b"\n")
            out.truncate(out.tell() + (2 << 30))
        done = subprocess.run(
            [sys.executable, "-c", MEASURE, sys.executable, "-m", "cli.main", "payments", "recon",
             str(huge), "--provider", "wechat", "--date", "2026-03-05",
             "--db", str(tmp_path / "store.db")],
            cwd=ROOT, env=python_env(), capture_output=True, text=True, timeout=50)
        status, peak_kib = (int(v) for v in done.stdout.split())
        assert status == 1 and peak_kib / 1024 <= PEAK_MB
        assert f"a line longer than {MAX_LINE:,} bytes" in refused_once(done.stderr, f"{huge}:2")
        assert "nothing of" in done.stderr and not (tmp_path / "store.db").exists()
    finally:
        huge.unlink(missing_ok=True)
