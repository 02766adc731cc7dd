"""Catalog import and export on hostile files: control characters, a 200,000-character field, a
5,000-digit number each refuse their own row with its line number and keep the good rows; the
`pos` command says every failure in one line; formula-looking text is stored as text and exported
neutralised (OWASP CSV injection), and export → import changes nothing."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from cli.main import main
from edge.catalog import products as catalog
from edge.catalog.exporter import export_catalog
from edge.catalog.importer import import_catalog
from edge.config import DEFAULT_TAX_CLASSES
from edge.ledger.store import open_store

HEADER = "sku,gtins,plu,name_zh,name_en,unit,price,tax_class,category,age_restricted,active\n"


def row(sku: str, name: str = "测试", price: str = "1.00", plu: str = "", category: str = "x") -> str:
    return f"{sku},,{plu},{name},Test,each,{price},standard,{category},0,1\n"


CONTROL_ROWS = [
    ("C1", "坏\x00名"), ("C2", "坏\x1bp\x00\x19名"), ("C3", "坏\x85名"), ("C4", "坏\x9b名"),
    ("C5", "坏\x7f名"), ("C6", '"坏\n名"'), ("C7", "坏\t名"), ("C8", "坏\u2028名"),
]


def write(tmp_path: Path, text: str, name: str = "c.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    return path


def test_control_characters_refuse_their_row_with_its_line(conn: sqlite3.Connection,
                                                           tmp_path: Path) -> None:
    text = HEADER + row("OK1") + "".join(row(sku, name) for sku, name in CONTROL_ROWS) + row("OK2")
    report = import_catalog(conn, write(tmp_path, text), DEFAULT_TAX_CLASSES)
    assert report.imported == 2
    # C6's quoted line break makes it two physical lines: the reader names the line it ends on
    assert [e.line for e in report.errors] == [3, 4, 5, 6, 7, 9, 10, 11]
    assert all("column name_zh: control character U+" in e.reason for e in report.errors)
    assert "U+001B" in report.errors[1].reason and "U+0085" in report.errors[2].reason
    assert all(catalog.by_sku(conn, sku) is None for sku, _ in CONTROL_ROWS)


def test_a_control_character_in_any_column_is_refused(conn: sqlite3.Connection,
                                                      tmp_path: Path) -> None:
    text = HEADER + row("K1", category="饮\x1b料") + "K\x002,,,n,n,each,1.00,standard,x,0,1\n"
    report = import_catalog(conn, write(tmp_path, text), DEFAULT_TAX_CLASSES)
    assert [(e.line, e.reason.split(":")[0]) for e in report.errors] == [
        (2, "column category"), (3, "column sku")]


def test_a_hostile_column_name_is_shown_escaped(conn: sqlite3.Connection, tmp_path: Path) -> None:
    text = HEADER.replace("\n", ",\x1b[2J\n") + row("K1").replace("\n", ",\x1b]0;x\x07\n")
    report = import_catalog(conn, write(tmp_path, text), DEFAULT_TAX_CLASSES)
    assert [e.reason for e in report.errors] == [
        "column \\x1b[2j: control character U+001B (tabs, line breaks and printer commands are"
        " not allowed in product data)"]


def test_huge_fields_and_numbers_refuse_their_row_and_the_rest_imports(
        conn: sqlite3.Connection, tmp_path: Path) -> None:
    text = (HEADER + row("H1", name="长" * 200_000) + row("H2", name="长" * 100_000)
            + row("H3", price="9" * 5000) + row("H4", plu="1" * 5000) + row("OK"))
    report = import_catalog(conn, write(tmp_path, text), DEFAULT_TAX_CLASSES)
    assert report.imported == 1 and catalog.by_sku(conn, "OK") is not None
    assert [e.line for e in report.errors] == [2, 3, 4, 5]
    reasons = [e.reason for e in report.errors]
    assert "field larger than field limit" in reasons[0]
    assert reasons[1] == "column name_zh: 100000 characters, at most 200"
    assert reasons[2] == "column price: 5000 characters, at most 20"
    assert reasons[3] == "column plu: 5000 characters, at most 32"


def test_the_command_reports_each_hostile_row_on_one_line(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (HEADER + row("H1", name="长" * 200_000) + row("H2", name="a\x1bp")
            + row("H3", price="9" * 5000) + row("OK"))
    path = write(tmp_path, text)
    assert main(["catalog", "import", "--db", str(db_path), str(path)]) == 1
    captured = capsys.readouterr()
    errors = captured.err.strip().splitlines()
    assert [e.split(":")[:2] for e in errors] == [[str(path), "2"], [str(path), "3"],
                                                  [str(path), "4"]]
    assert all(len(e) < 200 for e in errors)
    assert "imported 1 products, 3 bad rows" in captured.out


@pytest.mark.parametrize("content, reason", [
    (b"sku,name_zh\n", "missing columns"),
    (b"x" * 200_000 + b"\n", "line 1: the header cannot be read"),
])
def test_an_unreadable_file_is_one_pos_line(db_path: Path, tmp_path: Path, content: bytes,
                                             reason: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    assert main(["catalog", "import", "--db", str(db_path), str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"pos: {path}: ") and reason in err and err.count("\n") == 1


FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+2", "-2+3", "@SUM(A1:A2)",
            "=1+1", "'=already quoted"]


def test_formula_text_is_stored_as_text_and_exported_neutralised(
        conn: sqlite3.Connection, tmp_path: Path) -> None:
    lines = [f'F{i},,,"{name.replace(chr(34), chr(34) * 2)}",Plain,each,1.00,standard,'
             f'"{name.replace(chr(34), chr(34) * 2)}",0,1\n' for i, name in enumerate(FORMULAS)]
    report = import_catalog(conn, write(tmp_path, HEADER + "".join(lines)), DEFAULT_TAX_CLASSES)
    assert report.errors == [] and report.imported == len(FORMULAS)
    stored = [catalog.by_sku(conn, f"F{i}") for i in range(len(FORMULAS))]
    # the last one is what an export writes for "=already quoted": the quote comes off on import
    assert [p.name_zh for p in stored if p] == [*FORMULAS[:-1], "=already quoted"]
    out = tmp_path / "export.csv"
    assert export_catalog(conn, out) == conn.execute("SELECT COUNT(*) FROM product").fetchone()[0]
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = {r["sku"]: r for r in csv.DictReader(raw.decode("utf-8-sig").splitlines())}
    for i, name in enumerate([*FORMULAS[:-1], "=already quoted"]):
        assert rows[f"F{i}"]["name_zh"] == "'" + name
        assert rows[f"F{i}"]["category"] == "'" + (FORMULAS[i] if i < 5 else "=already quoted")
        assert rows[f"F{i}"]["name_en"] == "Plain"
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows.values()
                   for cell in r.values())


def test_export_then_import_changes_nothing(conn: sqlite3.Connection, tmp_path: Path) -> None:
    text = HEADER + "".join(f'F{i},,,"{n.replace(chr(34), chr(34) * 2)}",x,each,1.00,standard,'
                            f'c,0,1\n' for i, n in enumerate(FORMULAS[:-1]))
    import_catalog(conn, write(tmp_path, text), DEFAULT_TAX_CLASSES)
    before = [tuple(r) for r in conn.execute("SELECT * FROM product ORDER BY sku")]
    gtins = [tuple(r) for r in conn.execute("SELECT * FROM product_gtin ORDER BY gtin")]
    export_catalog(conn, tmp_path / "all.csv")
    fresh = open_store(tmp_path / "fresh.db")
    report = import_catalog(fresh, tmp_path / "all.csv", DEFAULT_TAX_CLASSES)
    assert report.errors == []
    assert [tuple(r) for r in fresh.execute("SELECT * FROM product ORDER BY sku")] == before
    assert [tuple(r) for r in fresh.execute("SELECT * FROM product_gtin ORDER BY gtin")] == gtins
    fresh.close()


def test_the_export_command(db_path: Path, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "catalog.csv"
    assert main(["catalog", "export", "--db", str(db_path), str(out)]) == 0
    assert capsys.readouterr().out.startswith("exported ")
    assert main(["catalog", "export", "--db", str(db_path), str(tmp_path / "no" / "x.csv")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("pos: ") and err.count("\n") == 1
