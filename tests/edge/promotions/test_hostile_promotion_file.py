"""Promotion import on hostile files: nesting 100,000 deep, a 5,000-digit number, a 200,000-character
name, control characters and lone surrogates are problems with a line number, never a traceback;
a UTF-8 BOM is accepted as catalog import accepts it; `pos promo import` says each failure in one
line. Promotions HQ sent with control characters load with them stripped."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from cli.main import main
from edge.ledger.store import write_transaction
from edge.promotions.local_table import stored_promotions
from edge.promotions.promotion_file import load_promotions, parse_promotions

GOOD = {"id": "P1", "type": "percent_off", "name": {"zh": "九折", "en": "10% off"},
        "params": {"percent_bp": 1000}}


def pretty(*items: object) -> str:
    return json.dumps(list(items), ensure_ascii=False, indent=2)


def file_problem(text: str) -> tuple[int, str]:
    good, problems = parse_promotions(text)
    assert good == [] and len(problems) == 1 and problems[0].index == -1
    return problems[0].line, problems[0].message


def test_nesting_100000_deep_is_refused_with_its_line() -> None:
    text = '[\n{"id": "P1",\n "x": ' + "[" * 100_000 + "]" * 100_000 + "}]"
    assert file_problem(text) == (3, "nested deeper than 32 levels")


def test_a_5000_digit_number_is_refused_with_its_line() -> None:
    text = pretty(GOOD).replace('"percent_bp": 1000', '"percent_bp": ' + "9" * 5000)
    line = text[:text.index("9" * 10)].count("\n") + 1
    assert file_problem(text) == (line, "a number of 5000 characters (at most 40)")


def test_numbers_inside_strings_are_text_not_numbers() -> None:
    item = {**GOOD, "coupon": "9" * 60}
    assert load_promotions(json.dumps([item]))[0].coupon == "9" * 60


def test_a_200000_character_name_is_a_problem_of_its_promotion() -> None:
    text = pretty(GOOD, {**GOOD, "id": "P2", "name": {"zh": "长" * 200_000, "en": "x"}})
    good, problems = parse_promotions(text)
    assert [p.id for p in good] == ["P1"]
    assert [(p.promotion_id, p.field, p.line) for p in problems] == [("P2", "name.zh", 13)]
    assert problems[0].message == "longer than 200 characters"


@pytest.mark.parametrize("name, control", [("a\x1bpb", "U+001B"), ("a\x00", "U+0000"),
                                           ("a\x9b", "U+009B"), ("a\ud800", "U+D800"),
                                           ("a\nb", "U+000A")])
def test_control_characters_and_lone_surrogates_are_refused(name: str, control: str) -> None:
    text = json.dumps([GOOD, {**GOOD, "id": "P2", "name": {"zh": name, "en": "x"}}])
    good, problems = parse_promotions(text)
    assert [p.id for p in good] == ["P1"]
    assert [(p.promotion_id, p.field) for p in problems] == [("P2", "name.zh")]
    assert problems[0].message == f"control character {control} is not allowed"


def test_control_characters_in_keys_and_lists_are_refused() -> None:
    item = {**GOOD, "target": {"skus": ["A\x1b"]}}
    assert parse_promotions(json.dumps([item]))[1][0].field == "target.skus[0]"
    item = {**GOOD, "\x1b[2J": 1}   # the field is shown escaped: messages reach terminals
    assert parse_promotions(json.dumps([item]))[1][0].field == "\\x1b[2J"


def test_a_bom_is_accepted() -> None:
    assert [p.id for p in load_promotions("\ufeff" + json.dumps([GOOD]))] == ["P1"]


@pytest.mark.parametrize("text, line, start", [
    ('[\n{"id": "P1"},\n oops]', 3, "not JSON: Expecting value"),
    ("[\n1,\n2", 3, "not JSON: expected , or ] after a promotion"),
    ('[1] [2]', 1, "not JSON: extra data after the list"),
    ('{"a": 1}', 1, "must be a JSON list of promotion objects"),
    ("", 1, "not JSON: Expecting value"),
])
def test_a_file_that_is_not_a_list_names_its_line(text: str, line: int, start: str) -> None:
    got_line, message = file_problem(text)
    assert got_line == line and message.startswith(start)


def test_an_empty_list_is_no_promotions() -> None:
    assert parse_promotions(" [ ] ") == ([], [])


def run_import(db: Path, path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["promo", "import", "--db", str(db), str(path)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("content, where, reason", [
    (b'[\n{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]", 2, "nested deeper than 32 levels"),
    (b'[\n{"priority": ' + b"7" * 5000 + b"}]", 2, "a number of 5000 characters (at most 40)"),
    (b'[\n"ok",\n"\xff"]', 3, "not UTF-8 (save the file as UTF-8)"),
    (b"[\n{,", 2, "not JSON: Expecting property name enclosed in double quotes (column 2)"),
])
def test_the_command_says_a_broken_file_in_one_pos_line(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes,
        where: int, reason: str) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(content)
    code, out, err = run_import(db_path, path, capsys)
    assert (code, out, err) == (1, "", f"pos: {path}:{where}: {reason}\n")


def test_the_command_reports_bad_promotions_by_line_and_imports_a_bom_file(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.json"
    bad = {**GOOD, "id": "P2", "name": {"zh": "坏\x1bp", "en": "=HYPERLINK(\"x\")"}}
    path.write_bytes(b"\xef\xbb\xbf" + pretty(GOOD, bad).encode())
    code, out, err = run_import(db_path, path, capsys)
    assert code == 1 and "imported 1 promotions, 1 bad" in out
    assert err == (f"{path}:13: promotion P2 (#1), name.zh: control character U+001B is not"
                   " allowed\n")


def test_formula_looking_names_are_kept_as_text(db_path: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{**GOOD, "name": {"zh": "=HYPERLINK(\"x\")", "en": "@x"}}]))
    assert run_import(db_path, path, capsys)[0] == 0
    assert main(["promo", "list", "--db", str(db_path)]) == 0
    assert '=HYPERLINK("x") @x' in capsys.readouterr().out


def test_promotions_from_hq_with_control_characters_load_stripped(
        conn: sqlite3.Connection) -> None:
    body = json.dumps({**GOOD, "name": {"zh": "九折\x1bp\x00", "en": "10%\x9b off"}})
    with write_transaction(conn):
        conn.execute("INSERT INTO sync_promotion (promotion_id, body, active, version)"
                     " VALUES ('P1', ?, 1, 1)", (body,))
    [promotion] = stored_promotions(conn)
    assert (promotion.name_zh, promotion.name_en) == ("九折p", "10% off")
