"""A till starts only on a sound database and only once per terminal: a damaged file or a second
copy of the same terminal is refused with one clear line (and, on a display, a translated screen
instead of the login); every command that opens a database says so in one line."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from edge.ledger.lease import LeaseError, TerminalLease
from tests.ui.headless.headless_process import HeadlessTill


def pos(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


def damage(db: Path) -> None:
    """Overwrite the middle of a b-tree page, as a failing disk would."""
    with db.open("r+b") as f:
        f.seek(4096 * 3 + 8)
        f.write(b"\xde\xad\xbe\xef" * 64)


def test_a_file_that_is_not_a_database_is_one_line_for_every_command(tmp_path: Path) -> None:
    junk = tmp_path / "store.db"
    junk.write_bytes(b"this is a spreadsheet, not a database\n" * 200)
    for command in (["till", "--headless"], ["journal", "verify"], ["report", "x"],
                    ["stock", "onhand", "P00001"], ["member", "list"]):
        done = pos(*command, "--db", str(junk))
        assert done.returncode == 1, command
        assert done.stderr.startswith("pos: ") and len(done.stderr.strip().splitlines()) == 1, \
            (command, done.stderr)
        assert "restore the latest backup" in done.stderr
        assert "Traceback" not in done.stderr


def test_a_damaged_database_stops_the_till_before_the_login(db_path: Path) -> None:
    damage(db_path)
    done = pos("till", "--headless", "--db", str(db_path))
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("pos: ") and "restore the latest backup" in done.stderr


def test_integrity_check_on_request_also_runs(db_path: Path) -> None:
    till = subprocess.run([sys.executable, "-m", "cli.main", "till", "--headless",
                           "--integrity-check", "--db", str(db_path)],
                          input='{"op": "state"}\n', capture_output=True, text=True, timeout=60)
    assert till.returncode == 0 and '"ok": true' in till.stdout


def test_a_second_till_as_the_same_terminal_is_refused_until_the_first_dies(
        db_path: Path) -> None:
    first = HeadlessTill(db_path)
    assert first.send({"op": "state"})["ok"]
    second = pos("till", "--headless", "--db", str(db_path))
    assert second.returncode == 1
    assert "terminal T01 is already running on this database: pos till (pid" in second.stderr
    kiosk_config = db_path.with_name("store.toml")
    assert not kiosk_config.exists()  # both use the default terminal T01
    os.kill(first.proc.pid, signal.SIGKILL)  # a crash leaves no stale lease behind
    first.proc.wait(timeout=10)
    third = HeadlessTill(db_path)
    assert third.send({"op": "state"})["ok"]
    assert third.close() == 0


def test_the_lease_is_per_terminal(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    with TerminalLease(db, "T01", "till"):
        with pytest.raises(LeaseError):
            TerminalLease(db, "T01", "kiosk").acquire()
        with TerminalLease(db, "T02", "kiosk"):
            pass
    with TerminalLease(db, "T01", "kiosk"):
        pass


def test_a_journal_verify_on_a_damaged_copy_is_one_line(db_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    shutil.copyfile(db_path, copy)
    damage(copy)
    started = time.monotonic()
    done = pos("journal", "verify", "--db", str(copy))
    assert time.monotonic() - started < 60
    assert done.returncode == 1 and "Traceback" not in done.stderr

