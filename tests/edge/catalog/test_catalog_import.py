"""`pos catalog import`: idempotent upsert, bad rows reported by line, strict all-or-nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from edge.catalog import products as catalog
from edge.catalog.importer import CatalogFileError, import_catalog
from edge.config import DEFAULT_TAX_CLASSES

pytestmark = pytest.mark.dated

HEADER = "sku,gtins,plu,name_zh,name_en,unit,price,tax_class,category,age_restricted,active\n"
GOOD = ("N1,6901234567892,,测试饮料,Test Drink,each,3.50,standard,饮料,0,1\n"
        "N2,96385074|036000291452,,测试零食,Test Snack,each,7.90,standard,零食,,\n"
        "N3,,301,测试苹果,Test Apple,kg,12.80,reduced,生鲜,0,1\n")


def write(tmp_path: Path, text: str | bytes, name: str = "c.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def snapshot(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return ([tuple(r) for r in conn.execute("SELECT * FROM product ORDER BY sku")]
            + [tuple(r) for r in conn.execute("SELECT * FROM product_gtin ORDER BY gtin")])


def test_import_then_again_changes_nothing_the_second_time(conn: sqlite3.Connection,
                                                            tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + GOOD)
    report = import_catalog(conn, path, DEFAULT_TAX_CLASSES)
    assert (report.imported, report.errors) == (3, [])
    first = snapshot(conn)
    import_catalog(conn, path, DEFAULT_TAX_CLASSES)
    assert snapshot(conn) == first
    product = catalog.by_gtin(conn, "00000096385074")
    assert product is not None and product.price == 790 and product.active
    assert catalog.by_plu(conn, "00301") is not None


def test_an_update_replaces_price_and_gtins(conn: sqlite3.Connection, tmp_path: Path) -> None:
    import_catalog(conn, write(tmp_path, HEADER + GOOD), DEFAULT_TAX_CLASSES)
    import_catalog(conn, write(tmp_path, HEADER + "N2,96385074,,测试零食,Test Snack,each,8.10,"
                               "standard,零食,0,1\n", "u.csv"), DEFAULT_TAX_CLASSES)
    assert catalog.gtins_of(conn, "N2") == ["00000096385074"]
    product = catalog.by_sku(conn, "N2")
    assert product is not None and product.price == 810


BAD_ROWS = [
    ("B1,6901234567893,,坏码,Bad,each,1.00,standard,x,0,1", "invalid GTIN"),
    ("B2,,,价格,Price,each,abc,standard,x,0,1", "price"),
    ("B3,,,单位,Unit,box,1.00,standard,x,0,1", "unit"),
    ("B4,,,税,Tax,each,1.00,luxury,x,0,1", "tax_class"),
    (",,,无编号,NoSku,each,1.00,standard,x,0,1", "sku"),
    ("B5,,,标记,Flag,each,1.00,standard,x,maybe,1", "age_restricted"),
    ("B6,,,多列,Extra,each,1.00,standard,x,0,1,surplus", "more fields"),
    ("B7,,,负价,Neg,each,-1.00,standard,x,0,1", "price"),
    ("B8,6901234567892,,抢码,Steal,each,1.00,standard,x,0,1", "already belongs"),
]


def test_bad_rows_are_reported_by_line_and_good_rows_imported(conn: sqlite3.Connection,
                                                               tmp_path: Path) -> None:
    text = HEADER + GOOD + "\n".join(row for row, _ in BAD_ROWS) + "\n"
    report = import_catalog(conn, write(tmp_path, text), DEFAULT_TAX_CLASSES)
    assert report.imported == 3
    assert [e.line for e in report.errors] == list(range(5, 5 + len(BAD_ROWS)))
    for error, (_, reason) in zip(report.errors, BAD_ROWS, strict=True):
        assert reason in error.reason
    assert catalog.by_sku(conn, "B8") is None


def test_strict_import_with_one_bad_row_imports_nothing(conn: sqlite3.Connection,
                                                        tmp_path: Path) -> None:
    before = snapshot(conn)
    report = import_catalog(conn, write(tmp_path, HEADER + GOOD + BAD_ROWS[0][0] + "\n"),
                            DEFAULT_TAX_CLASSES, strict=True)
    assert not report.committed and report.imported == 0 and len(report.errors) == 1
    assert snapshot(conn) == before


def test_strict_import_with_a_conflict_found_while_writing_imports_nothing(
        conn: sqlite3.Connection, tmp_path: Path) -> None:
    before = snapshot(conn)
    report = import_catalog(conn, write(tmp_path, HEADER + GOOD + BAD_ROWS[-1][0] + "\n"),
                            DEFAULT_TAX_CLASSES, strict=True)
    assert not report.committed and snapshot(conn) == before


def test_broken_encoding_is_reported_per_row(conn: sqlite3.Connection, tmp_path: Path) -> None:
    gbk_row = "E1,,,测试,Test,each,1.00,standard,x,0,1\n".encode("gbk")
    data = (HEADER + GOOD).encode() + gbk_row
    report = import_catalog(conn, write(tmp_path, data), DEFAULT_TAX_CLASSES)
    assert report.imported == 3
    assert len(report.errors) == 1 and "UTF-8" in report.errors[0].reason


def test_a_file_without_the_required_columns_is_refused(conn: sqlite3.Connection,
                                                         tmp_path: Path) -> None:
    with pytest.raises(CatalogFileError, match="missing columns"):
        import_catalog(conn, write(tmp_path, "a,b\n1,2\n"), DEFAULT_TAX_CLASSES)
    with pytest.raises(CatalogFileError, match="empty"):
        import_catalog(conn, write(tmp_path, ""), DEFAULT_TAX_CLASSES)


def test_a_utf8_bom_is_accepted(conn: sqlite3.Connection, tmp_path: Path) -> None:
    report = import_catalog(conn, write(tmp_path, b"\xef\xbb\xbf" + (HEADER + GOOD).encode()),
                            DEFAULT_TAX_CLASSES)
    assert report.imported == 3 and report.errors == []
