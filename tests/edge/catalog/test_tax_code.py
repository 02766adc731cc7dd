"""Rule TAX_CODE: a product's 税收分类编码 is 19 digits or empty, in the CSV import (bad rows by
line), the export (round trip), and HQ's signed catalog downlink (HQ refuses to publish a bad
one; a till refuses a version holding one)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec
import pytest

from cli.main import main
from cloud_sync.downlink import Outcome, apply_signed
from cloud_sync.protocol import CatalogItem, encode
from cloud_sync.signing import generate_keypair, load_private_key, load_public_key
from edge.catalog import products as catalog
from edge.catalog.exporter import export_catalog
from edge.catalog.importer import import_catalog
from edge.catalog.search import search
from edge.config import DEFAULT_TAX_CLASSES
from edge.ledger.store import open_store
from hq.publish import PublishError, publish_version, read_items
from hq.storage import open_storage

HEADER = "sku,name_zh,unit,price,tax_class,tax_code\n"
MILK = "1030201020000000000"


def write(tmp_path: Path, text: str, name: str = "c.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_import_keeps_good_codes_and_reports_bad_ones_by_line(
        conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + f"M1,牛奶,each,6.50,reduced,{MILK}\n"
                 "M2,面包,each,8.00,standard,\n"
                 "B1,坏码,each,1.00,standard,103020102000000000\n"      # 18 digits
                 "B2,坏码,each,1.00,standard,10302010200000000A0\n"
                 "B3,坏码,each,1.00,standard,１０３０２０１０２００００００００００\n")  # full-width
    report = import_catalog(conn, path, DEFAULT_TAX_CLASSES)
    assert report.imported == 2
    assert [e.line for e in report.errors] == [4, 5, 6]
    assert all("tax_code must be exactly 19 digits" in e.reason for e in report.errors)
    assert "(18 characters)" in report.errors[0].reason
    milk, bread = catalog.by_sku(conn, "M1"), catalog.by_sku(conn, "M2")
    assert milk is not None and milk.tax_code == MILK
    assert bread is not None and bread.tax_code == ""
    assert catalog.by_sku(conn, "B1") is None


def test_the_command_prints_file_and_line_for_a_bad_code(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, HEADER + f"M1,牛奶,each,6.50,reduced,{MILK}\n"
                 "B1,坏码,each,1.00,standard,12345\n")
    assert main(["catalog", "import", "--db", str(db_path), str(path)]) == 1
    [error] = capsys.readouterr().err.strip().splitlines()
    assert error.startswith(f"{path}:3: tax_code must be exactly 19 digits")


def test_export_writes_the_code_and_import_reads_it_back_unchanged(
        conn: sqlite3.Connection, tmp_path: Path) -> None:
    import_catalog(conn, write(tmp_path, HEADER + f"M1,牛奶,each,6.50,reduced,{MILK}\n"
                               "M2,面包,each,8.00,standard,\n"), DEFAULT_TAX_CLASSES)
    out = tmp_path / "out.csv"
    export_catalog(conn, out)
    lines = out.read_text("utf-8-sig").splitlines()
    assert lines[0].endswith(",tax_code,open_price")
    assert next(ln for ln in lines if ln.startswith("M1,")).endswith(f",{MILK},0")
    before = [tuple(r) for r in conn.execute("SELECT * FROM product ORDER BY sku")]
    assert import_catalog(conn, out, DEFAULT_TAX_CLASSES).errors == []
    assert [tuple(r) for r in conn.execute("SELECT * FROM product ORDER BY sku")] == before


def test_the_signed_catalog_carries_the_code_to_the_till(tmp_path: Path) -> None:
    generate_keypair(tmp_path / "hq.key", tmp_path / "hq.pub")
    key, pub = load_private_key(tmp_path / "hq.key"), load_public_key(tmp_path / "hq.pub")
    storage = open_storage(str(tmp_path / "hq.sqlite"))
    items = [CatalogItem(sku="M1", name_zh="牛奶", name_en="Milk", unit="each", price=650,
                         tax_class="reduced", tax_code=MILK),
             CatalogItem(sku="M2", name_zh="面包", name_en="Bread", unit="each", price=800,
                         tax_class="standard")]
    assert b"tax_code" not in encode(items[1])     # readable by tills from before the field
    signed = publish_version(storage, key, "catalog", items, "S001")[1]
    till = open_store(tmp_path / "till.db")
    assert apply_signed(till, pub, signed, "S001").outcome is Outcome.APPLIED
    milk, bread = catalog.by_sku(till, "M1"), catalog.by_sku(till, "M2")
    assert milk is not None and milk.tax_code == MILK
    assert bread is not None and bread.tax_code == ""


def test_the_signed_catalog_carries_the_open_price_flag(tmp_path: Path) -> None:
    generate_keypair(tmp_path / "hq.key", tmp_path / "hq.pub")
    key, pub = load_private_key(tmp_path / "hq.key"), load_public_key(tmp_path / "hq.pub")
    storage = open_storage(str(tmp_path / "hq.sqlite"))
    items = [CatalogItem(sku="O1", name_zh="无码商品", name_en="Open price", unit="each", price=0,
                         tax_class="standard", category="杂货", open_price=True),
             CatalogItem(sku="M2", name_zh="面包", name_en="Bread", unit="each", price=800,
                         tax_class="standard")]
    assert b"open_price" not in encode(items[1])   # readable by tills from before the field
    signed = publish_version(storage, key, "catalog", items, "S001")[1]
    till = open_store(tmp_path / "till.db")
    assert apply_signed(till, pub, signed, "S001").outcome is Outcome.APPLIED
    open_item, bread = catalog.by_sku(till, "O1"), catalog.by_sku(till, "M2")
    assert open_item is not None and open_item.open_price
    assert bread is not None and not bread.open_price
    # and what HQ sends is searchable at the till: name, pinyin initials
    assert [p.sku for p in search(till, "无码")] == ["O1"]
    assert [p.sku for p in search(till, "mb")] == ["M2"]          # 面包: mian bao


def test_hq_refuses_to_publish_a_bad_code_and_a_till_refuses_to_apply_one(
        tmp_path: Path) -> None:
    bad = [{"sku": "B1", "name_zh": "坏", "name_en": "Bad", "unit": "each", "price": 100,
            "tax_class": "standard", "tax_code": "12345"}]
    path = tmp_path / "catalog.json"
    path.write_bytes(msgspec.json.encode(bad))
    with pytest.raises(PublishError, match="B1: tax_code must be exactly 19 digits"):
        read_items("catalog", path)
    generate_keypair(tmp_path / "hq.key", tmp_path / "hq.pub")
    key, pub = load_private_key(tmp_path / "hq.key"), load_public_key(tmp_path / "hq.pub")
    storage = open_storage(str(tmp_path / "hq.sqlite"))
    signed = publish_version(storage, key, "catalog",
                             [msgspec.convert(bad[0], CatalogItem)], "S001")[1]
    till = open_store(tmp_path / "till.db")
    result = apply_signed(till, pub, signed, "S001")
    assert result.outcome is Outcome.REFUSED and "tax_code" in result.reason
    assert catalog.by_sku(till, "B1") is None
