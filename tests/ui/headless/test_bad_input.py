"""Bad input never crashes the headless till or the importer, always gets an error with a code,
and changes nothing in the database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.edge.sale.sale_helpers import demo_gtins
from tests.ui.headless.headless_process import HeadlessTill

pytestmark = pytest.mark.dated

# (raw request line, expected error code)
BAD_LINES: list[tuple[bytes, str]] = [
    (b'{"op": "scan", "data": "69012', "bad_json"),                    # truncated JSON
    (b'{"op": "scan"', "bad_json"),
    (b"not json at all", "bad_json"),
    (b"[1, 2, 3]", "bad_request"),
    (b'"just a string"', "bad_request"),
    (b"{}", "unknown_op"),
    (b'{"op": "explode"}', "unknown_op"),
    (b'{"op": 42}', "unknown_op"),
    (b'{"op": "scan", "data": 6901234567892}', "bad_request"),          # wrong type
    (b'{"op": "scan"}', "bad_request"),
    (b'{"op": "scan", "data": "6901234567893"}', "invalid_barcode"),    # bad check digit
    (b'{"op": "scan", "data": "6900000000007"}', "unknown_product"),
    (b'{"op": "add", "sku": "NO-SUCH-SKU"}', "unknown_product"),
    (b'{"op": "add", "sku": "\'; DROP TABLE sale; --"}', "unknown_product"),  # SQL-looking
    (b'{"op": "add", "sku": "P00001", "qty": "-1"}', "invalid_quantity"),
    (b'{"op": "add", "sku": "P00001", "qty": "0"}', "invalid_quantity"),
    (b'{"op": "add", "sku": "P00001", "qty": "99999999999"}', "invalid_quantity"),
    (b'{"op": "add", "sku": "P00001", "qty": 1.5}', "invalid_quantity"),
    (b'{"op": "add", "sku": ["P00001"]}', "bad_request"),
    (b'{"op": "set_qty", "line": "1", "qty": "2"}', "bad_request"),
    (b'{"op": "set_qty", "line": 99, "qty": "2"}', "unknown_line"),
    (b'{"op": "set_qty", "line": 1, "qty": "1e9"}', "invalid_quantity"),
    (b'{"op": "void_line", "line": true}', "bad_request"),
    (b'{"op": "tender", "type": "cash", "amount": "abc"}', "invalid_amount"),
    (b'{"op": "tender", "type": "cash", "amount": 10}', "invalid_amount"),
    (b'{"op": "tender", "type": "cash", "amount": "1e5"}', "invalid_amount"),
    (b'{"op": "tender", "type": "cash", "amount": "-5.00"}', "invalid_amount"),
    (b'{"op": "tender", "type": "cash", "amount": "99999999999999999999"}', "invalid_amount"),
    (b'{"op": "tender", "type": "card", "amount": "1.00", "approval_code": "A1",'
     b' "masked_pan": "6222021234567890"}', "full_pan_refused"),
    (b'{"op": "tender", "type": "card", "amount": "99999.00", "approval_code": "A1",'
     b' "masked_pan": "622202******1234"}', "overpayment"),
    (b'{"op": "tender", "type": "gold", "amount": "1.00"}', "bad_request"),
    (b'{"op": "override_price", "line": 1, "price": "0.01", "reason": "x"}', "permission_denied"),
    (b'{"op": "resume", "id": "nope"}', "sale_open"),
    (b'{"op": "login", "staff": {"$ne": null}, "pin": "1234"}', "bad_request"),
    (b'{"op": "scan", "data": "\xff\xfe"}', "bad_json"),                  # not UTF-8
    (b'{"op": "scan", "data": "' + b"9" * (1024 * 1024) + b'"}', "line_too_long"),   # 1 MB
    (b"[" * 30_000, "bad_json"),                                           # deep nesting
    (b'{"op": "add", "sku": "P00001", "qty": 1' + b"0" * 5000 + b"}", "bad_json"),  # int limit
    (b'{"op": "state", "x": ' + b"[" * 40 + b"]" * 40 + b"}", "bad_request"),     # valid, deep
    (b'{"op": "coupon", "code": "\\ud800"}', "bad_request"),             # lone surrogates
    (b'{"op": "resume", "id": "\\udfff"}', "bad_request"),
    (b'{"op": "stock_count", "count": "\\ud800x", "code": "1"}', "bad_request"),
    (b'{"op": "\\ud800"}', "bad_request"),
    (b'{"op": "add", "sku": "P0\\u001bp0001"}', "bad_request"),            # ESC p: drawer kick
    (b'{"op": "add", "sku": "P00001\\u0000"}', "bad_request"),             # NUL
    (b'{"op": "coupon", "code": "A\xc2\x85B"}', "bad_request"),              # C1 NEL, raw UTF-8
    (b'{"op": "no_sale", "reason": "x\\ny"}', "bad_request"),                # no field is multi-line
    (b'{"op": "no_sale", "reason": "4111111111111111"}', "full_pan_refused"),
    (b'{"op": "tender", "type": "other", "amount": "1.00", "reference": "4111 1111 1111 1111"}',
     "full_pan_refused"),
    (b'{"op": "tender", "type": "card", "amount": "1.00", "approval_code": "6222020200112233446",'
     b' "masked_pan": "622202******1234"}', "full_pan_refused"),
    (b'{"op": "cash_in", "amount": "1.00", "reason": "card 5500-0000-0000-0004"}', "full_pan_refused"),
    (b'{"op": "blind_return", "sku": "P00001", "qty": "1", "reason": "4111111111111111",'
     b' "override": {"staff": "2001", "pin": "5678"}}', "full_pan_refused"),
    (b'{"op": "return", "receipt": "1", "note": "pan 4111111111111111"}', "full_pan_refused"),
    (b'{"op": "state", "name": "4111111111111111"}', "full_pan_refused"),
]


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    data = {t: sorted(tuple(r) for r in conn.execute(f"SELECT * FROM {t}")) for t in tables}
    conn.close()
    return data


def test_every_bad_line_gets_its_error_and_the_till_and_database_are_unchanged(db_path: Path) -> None:
    gtin = demo_gtins(sqlite3.connect(db_path), 1)[0]
    till = HeadlessTill(db_path)
    till.send({"op": "login", "staff": "1001", "pin": "1234"})
    assert till.send({"op": "shift_open", "float": "0"})["ok"]  # a till sells in a shift
    till.send({"op": "scan", "data": gtin})
    before_state = till.send({"op": "state"})
    before_db = snapshot(db_path)
    for raw, code in BAD_LINES:
        answer = till.send_raw(raw + b"\n")
        assert till.last_line.decode("utf-8")  # every answer is valid UTF-8
        assert answer["ok"] is False, raw[:60]
        assert answer["error"]["code"] == code, (raw[:60], answer)
        assert answer["error"]["message"]
    assert till.send({"op": "state"}) == before_state       # the sale is as it was
    assert snapshot(db_path) == before_db                   # and so is the database
    assert till.send({"op": "tender", "type": "cash", "amount": "100"})["sale"]["status"] == "completed"
    assert till.close() == 0


def test_importer_with_only_bad_rows_reports_them_and_changes_nothing(db_path: Path,
                                                                      tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        b"sku,gtins,plu,name_zh,name_en,unit,price,tax_class,category,age_restricted,active\n"
        b"X1,6901234567893,,\xe5\x9d\x8f,Bad,each,1.00,standard,x,0,1\n"      # invalid GTIN
        b"X2,,,\xb2\xe2\xca\xd4,GBK,each,1.00,standard,x,0,1\n"                 # GBK, not UTF-8
        b"X3,,,n,n,each,NaN,standard,x,0,1\n"                                    # bad price
        b"X4,,,n,n,each,1.00,standard,x,0,1,extra\n"                             # extra field
        b"X5,,,n,n,each,99999999999999.00,standard,x,0,1\n"                      # huge price
        b"'; DROP TABLE product; --,,,n,n,each,1,bogus,x,0,1\n")                 # SQL-looking
    before = snapshot(db_path)
    result = subprocess.run([sys.executable, "-m", "cli.main", "catalog", "import", str(bad),
                             "--db", str(db_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert [line.split(":")[1] for line in result.stderr.strip().splitlines()] == [
        "2", "3", "4", "5", "6", "7"]
    assert "imported 0 products, 6 bad rows" in result.stdout
    assert snapshot(db_path) == before


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary", b"a;b;c\n1;2;3\n"])
def test_importer_refuses_a_file_that_is_not_a_catalog(db_path: Path, tmp_path: Path,
                                                       content: bytes) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    result = subprocess.run([sys.executable, "-m", "cli.main", "catalog", "import", str(path),
                             "--db", str(db_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stderr.startswith("pos: ")
