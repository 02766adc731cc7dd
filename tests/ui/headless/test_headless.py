"""The headless till over real pipes: the JSON-lines contract of docs/headless.md."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.edge.sale.sale_helpers import scale_label
from tests.ui.headless.headless_process import HeadlessTill

pytestmark = pytest.mark.dated


@pytest.fixture
def till(db_path: Path) -> Iterator[HeadlessTill]:
    process = HeadlessTill(db_path)
    yield process
    assert process.close() == 0


def first_gtins(db_path: Path, n: int) -> list[str]:
    from edge.ledger.store import connect
    from tests.edge.sale.sale_helpers import demo_gtins
    return demo_gtins(connect(db_path), n)


def test_a_whole_sale_through_the_protocol(till: HeadlessTill, db_path: Path) -> None:
    a, b = first_gtins(db_path, 2)
    assert till.send({"op": "login", "staff": "1001", "pin": "1234"})["staff"]["role"] == "cashier"
    assert till.send({"op": "shift_open", "float": "0"})["ok"]  # a till sells in a shift
    answer = till.send({"op": "scan", "data": a})
    sale = answer["sale"]
    assert answer["ok"] and sale["status"] == "open" and sale["lines"][0]["qty"] == "1"
    assert set(sale["lines"][0]) >= {"line", "sku", "name", "qty", "unit_price", "discount", "total"}
    assert set(sale) >= {"id", "status", "lines", "subtotal", "discount", "tax", "total", "paid",
                         "change"}
    till.send({"op": "scan", "data": b})
    till.send({"op": "scan", "data": scale_label(1, 1579, 1234)})
    sale = till.send({"op": "set_qty", "line": 1, "qty": "3"})["sale"]
    assert sale["lines"][0]["qty"] == "3"
    sale = till.send({"op": "void_line", "line": 2})["sale"]
    assert [ln["line"] for ln in sale["lines"]] == [1, 3]
    assert sale["lines"][1]["qty"] == "1.234" and sale["lines"][1]["total"] == "15.79"
    answer = till.send({"op": "tender", "type": "card", "amount": "10.00", "approval_code": "X1",
                        "masked_pan": "622202******1234"})
    assert answer["sale"]["paid"] == "10.00"
    answer = till.send({"op": "tender", "type": "cash", "amount": "100"})
    assert answer["sale"]["status"] == "completed"
    assert "合计" in answer["receipt"]   # a zh_CN store prints zh receipts
    assert till.send({"op": "state"})["sale"]["status"] == "completed"
    assert till.send({"op": "receipt", "width": 48})["receipt"].count("\n") > 10


def test_suspend_resume_and_cancel(till: HeadlessTill, db_path: Path) -> None:
    (a,) = first_gtins(db_path, 1)
    till.send({"op": "login", "staff": "1001", "pin": "1234"})
    assert till.send({"op": "shift_open", "float": "0"})["ok"]  # a till sells in a shift
    till.send({"op": "scan", "data": a})
    suspended = till.send({"op": "suspend"})
    assert suspended["sale"] is None
    listed = till.send({"op": "suspended"})["suspended"]
    assert [s["id"] for s in listed] == [suspended["suspended_id"]]
    resumed = till.send({"op": "resume", "id": suspended["suspended_id"]})["sale"]
    assert resumed["status"] == "open" and len(resumed["lines"]) == 1
    denied = till.send({"op": "cancel"})
    assert denied["error"]["code"] == "permission_denied"
    cancelled = till.send({"op": "cancel", "override": {"staff": "2001", "pin": "5678"}})
    assert cancelled["sale"]["status"] == "cancelled"


def test_errors_have_the_documented_shape(till: HeadlessTill) -> None:
    answer = till.send({"op": "scan", "data": "6901234567892"})
    assert answer == {"ok": False, "error": {"code": "not_logged_in", "message": "log in first"}}


def test_training_login_sells_without_facts_and_marks_the_receipt(till: HeadlessTill,
                                                                  db_path: Path) -> None:
    import sqlite3

    gtin = first_gtins(db_path, 1)[0]
    sent = "SELECT count(*) FROM outbox WHERE type != 'training.sale'"  # who trained: for HQ
    outbox = sqlite3.connect(db_path).execute(sent).fetchone()[0]
    assert till.send({"op": "login", "staff": "1001", "pin": "1234", "training": True})["training"]
    assert till.send({"op": "scan", "data": gtin})["sale"]["training"] is True
    done = till.send({"op": "tender", "type": "cash", "amount": "100"})
    assert done["receipt"].startswith("*** 培训 ***")   # a zh_CN store: zh receipts
    assert till.send({"op": "shift_open", "float": "0"})["error"]["code"] == "training_mode"
    assert sqlite3.connect(db_path).execute(sent).fetchone()[0] == outbox


def test_line_and_order_discounts_within_role_limits(till: HeadlessTill, db_path: Path) -> None:
    a, b = first_gtins(db_path, 2)
    till.send({"op": "login", "staff": "1001", "pin": "1234"})
    assert till.send({"op": "shift_open", "float": "0"})["ok"]  # a till sells in a shift
    till.send({"op": "scan", "data": a})
    till.send({"op": "scan", "data": b})
    refused = till.send({"op": "discount_line", "line": 1, "percent": 25})
    assert refused["error"]["code"] == "permission_denied"
    sale = till.send({"op": "discount_line", "line": 1, "percent": 25, "reason": "dented",
                      "override": {"staff": "2001", "pin": "5678"}})["sale"]
    assert [p["id"] for p in sale["lines"][0]["promotions"]] == ["manual"]
    both = till.send({"op": "discount_order", "amount": "0.05"})["sale"]
    assert both["discount"] != sale["discount"]
    assert till.send({"op": "discount_order", "percent": 5, "amount": "1"})["error"]["code"] == \
        "bad_request"


def test_an_open_price_item_takes_its_typed_price(till: HeadlessTill) -> None:
    till.send({"op": "login", "staff": "1001", "pin": "1234"})
    assert till.send({"op": "shift_open", "float": "0"})["ok"]  # a till sells in a shift
    assert till.send({"op": "add", "plu": "90"})["error"]["code"] == "price_required"
    over = till.send({"op": "add", "plu": "90", "price": "150.00"})
    assert over["error"]["code"] == "permission_denied"
    sale = till.send({"op": "add", "plu": "90", "price": "150.00",
                      "override": {"staff": "2001", "pin": "5678"}})["sale"]
    assert sale["lines"][0]["unit_price"] == "150.00"
