"""The `pos member|promo|report|stock` commands over a real database file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from edge.ledger.store import open_store
from tests.edge.store_ops.conftest import seed

pytestmark = pytest.mark.dated


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "store.db"
    seed(open_store(path))
    return str(path)


def test_member_commands_mask_the_phone(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["member", "add", "--db", db, "--tier", "gold", "--card", "C1234",
                 "--phone", "13900001111", "--name", "李"]) == 0
    assert main(["member", "show", "--db", db, "13900001111"]) == 0
    out = capsys.readouterr().out
    assert "139****1111" in out and "13900001111" not in out
    assert main(["member", "show", "--db", db, "nobody"]) == 1


def test_promo_import_keeps_the_good_and_reports_the_bad(db: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "promos.json"
    file.write_text(json.dumps([{"id": "P1", "type": "percent_off",
                                 "name": {"zh": "九折", "en": "10% off"},
                                 "params": {"percent_bp": 1000}}, {"id": "BAD"}]), "utf-8")
    assert main(["promo", "import", "--db", db, "--strict", str(file)]) == 1
    assert main(["promo", "import", "--db", db, str(file)]) == 1
    assert "promotion BAD (#1)" in capsys.readouterr().err
    assert main(["promo", "list", "--db", db]) == 0
    assert capsys.readouterr().out.startswith("P1\tpercent_off")


def test_stock_and_report_commands(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stock", "receive", "--db", db, "A001=10", "B001=2.5", "--reference", "PO-9"]) == 1
    assert main(["stock", "receive", "--db", db, "A001=10", "--reference", "PO-9"]) == 0
    assert main(["stock", "onhand", "--db", db, "A001"]) == 0
    assert "A001\t10" in capsys.readouterr().out
    assert main(["report", "x", "--db", db]) == 0
    assert main(["report", "z", "--db", db, "--staff", "1001", "--pin", "1234"]) == 1
    assert main(["report", "z", "--db", db, "--staff", "2001", "--pin", "5678", "--json"]) == 0
    assert '"z_number": 1' in capsys.readouterr().out


def test_stock_counts_lists_open_and_approved_counts(db: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stock", "counts", "--db", db]) == 0
    assert "no stock counts yet" in capsys.readouterr().out
    assert main(["stock", "count-start", "--db", db, "--staff", "1001"]) == 0
    first = capsys.readouterr().out.split()[-1]
    assert main(["stock", "approve", "--db", db, first, "--staff", "2001", "--pin", "5678"]) == 0
    assert main(["stock", "count-start", "--db", db, "--category", "Dairy", "--staff", "1001"]) == 0
    capsys.readouterr()
    assert main(["stock", "counts", "--db", db]) == 0
    newest, oldest = capsys.readouterr().out.strip().splitlines()
    assert newest.endswith("open") and "\tDairy\t" in newest
    assert oldest.startswith(first) and oldest.endswith("approved by 2001") and "\tfull\t" in oldest
