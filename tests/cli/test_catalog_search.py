"""`pos catalog search`: what a manager types at the terminal to find a product."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_safe_start import pos


def test_catalog_search_from_the_command_line(db_path: Path) -> None:
    done = pos("catalog", "search", "nfsq", "--db", str(db_path))
    assert done.returncode == 0 and done.stdout.splitlines()[0].startswith("P00001\t农夫山泉")
    missing = pos("catalog", "search", "zzzzqqq", "--db", str(db_path))
    assert missing.returncode == 1 and "no product matches" in missing.stderr
