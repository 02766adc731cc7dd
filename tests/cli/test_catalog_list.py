"""`pos catalog list`: the catalog a page at a time with filters; and the import's progress bar
(rich), drawn only on a terminal."""

from __future__ import annotations

import os
import pty
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from tests.cli.test_safe_start import pos


def product_count(db_path: Path) -> int:
    with sqlite3.connect(db_path) as conn:
        count: int = conn.execute("SELECT count(*) FROM product").fetchone()[0]
    return count


def listed(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[list[str], str]:
    assert main(["catalog", "list", *args]) == 0
    out = capsys.readouterr()
    return out.out.splitlines(), out.err.strip()


def test_pages_are_stable_and_cover_the_catalog(db_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", str(db_path)]
    total = product_count(db_path)   # the demo store: 300 products and an open-price item
    pages = -(-total // 100)
    first, footer = listed(capsys, *db, "--per-page", "100")
    assert len(first) == 100 and first[0].startswith("F0001\t红富士苹果")
    assert footer == f"page 1 of {pages}: 100 of {total} products"
    seen = [ln.split("\t")[0] for page in range(1, pages + 1)
            for ln in listed(capsys, *db, "--per-page", "100", "--page", str(page))[0]]
    assert len(seen) == len(set(seen)) == total and seen == sorted(seen)
    beyond, footer = listed(capsys, *db, "--per-page", "100", "--page", str(pages + 1))
    assert beyond == [] and footer == f"page {pages + 1} of {pages}: 0 of {total} products"


def test_filters_by_category_unit_status_and_age(db_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", str(db_path)]
    weighed, footer = listed(capsys, *db, "--unit", "kg")
    assert len(weighed) == 10 and all(ln.endswith("/kg") for ln in weighed)
    drinks, _ = listed(capsys, *db, "--category", "drinks", "--per-page", "1000")
    same, _ = listed(capsys, *db, "--category", "饮料", "--per-page", "1000")
    assert drinks == same and drinks and all("饮料 Drinks" in ln for ln in drinks)
    adult, _ = listed(capsys, *db, "--age-restricted", "--per-page", "1000")
    assert adult and all(ln.endswith("18+") for ln in adult)
    rest, footer = listed(capsys, *db, "--no-age-restricted", "--per-page", "1")
    assert len(rest) == 1 and not rest[0].endswith("18+")
    assert footer.endswith(f"of {product_count(db_path) - len(adult)} products")
    inactive, footer = listed(capsys, *db, "--status", "inactive")
    assert inactive == [] and footer == "page 1 of 1: 0 of 0 products"


def test_a_bad_page_is_refused_with_its_reason(db_path: Path) -> None:
    done = pos("catalog", "list", "--db", str(db_path), "--page", "0")
    assert done.returncode != 0 and "page starts at 1" in done.stderr
    assert done.stdout == ""


def test_the_import_draws_a_progress_bar_on_a_terminal_only(db_path: Path,
                                                            tmp_path: Path) -> None:
    csv = tmp_path / "products.csv"
    assert pos("catalog", "export", str(csv), "--db", str(db_path)).returncode == 0
    piped = pos("catalog", "import", str(csv), "--db", str(db_path))
    assert piped.returncode == 0 and piped.stderr == ""
    assert piped.stdout.strip() == f"imported {product_count(db_path)} products, 0 bad rows"

    controller, terminal = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    run = subprocess.run([sys.executable, "-m", "cli.main", "catalog", "import", str(csv),
                          "--db", str(db_path)], stdout=subprocess.PIPE, stderr=terminal,
                         stdin=subprocess.DEVNULL, text=True, timeout=60, env=env)
    os.close(terminal)
    drawn = b""
    try:
        while chunk := os.read(controller, 65536):
            drawn += chunk
    except OSError:  # the pty is closed once everything was read
        pass
    os.close(controller)
    assert run.returncode == 0 and f"imported {product_count(db_path)} products" in run.stdout
    assert b"100%" in drawn and "━".encode() in drawn
