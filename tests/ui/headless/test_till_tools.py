"""The cashier tools of issue 19 through the headless protocol, as the Qt till has them: subtotal
and the void approvals, the void after a partial tender, reasons, price check, tare, member codes
in `scan`, the X report's expected amounts, and `pos till --headless` selling only in a shift."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from edge.store_ops.demo_opening import seed_demo_opening
from edge.till.session import Till
from tests.edge.sale.sale_helpers import demo_gtins
from tests.ui.headless.headless_process import HeadlessTill
from ui.headless.protocol import TillProtocol

SUPERVISOR = {"staff": "2001", "pin": "5678"}


def protocol(conn: sqlite3.Connection) -> Any:
    from edge.config import StoreConfig

    seed_demo_opening(conn)
    till = TillProtocol(Till(conn, StoreConfig(), lane="till"))

    def send(request: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = json.loads(till.handle_line(json.dumps(request)))
        return answer
    assert send({"op": "login", "staff": "1001", "pin": "1234"})["ok"]
    assert send({"op": "shift_open", "float": "100.00"})["ok"]
    return send


def test_subtotal_then_void_needs_a_supervisor_and_records_the_reason(
        conn: sqlite3.Connection) -> None:
    send = protocol(conn)
    for gtin in demo_gtins(conn, 3):
        send({"op": "scan", "data": gtin})
    assert send({"op": "void_line", "line": 1, "reason": "扫错商品"})["ok"]   # before: the cashier
    assert send({"op": "subtotal"})["ok"]
    refused = send({"op": "void_line", "line": 2, "reason": "扫错商品"})
    assert refused["error"]["code"] == "permission_denied"
    assert len(refused.get("sale") or send({"op": "state"})["sale"]["lines"]) == 2
    assert send({"op": "void_line", "line": 2, "reason": "扫错商品", "override": SUPERVISOR})["ok"]
    bodies = [json.loads(r[0]) for r in conn.execute(
        "SELECT body FROM journal WHERE kind = 'line.voided' ORDER BY seq")]
    assert [(b["approved_by"], b["reason"]) for b in bodies] == [("1001", "扫错商品"),
                                                                ("2001", "扫错商品")]


def test_void_after_a_partial_tender(conn: sqlite3.Connection) -> None:
    send = protocol(conn)
    for gtin in demo_gtins(conn, 2):
        send({"op": "scan", "data": gtin})
    send({"op": "tender", "type": "cash", "amount": "1.00"})
    assert send({"op": "void_line", "line": 2})["error"]["code"] == "permission_denied"
    sale = send({"op": "void_line", "line": 2, "override": SUPERVISOR})["sale"]
    assert [t["amount"] for t in sale["tenders"]] == ["1.00"] and len(sale["lines"]) == 1


def test_reasons_price_check_tare_member_and_expected_cash(conn: sqlite3.Connection) -> None:
    send = protocol(conn)
    assert send({"op": "reasons", "kind": "no_sale"})["reasons"][0] == "找零兑换"
    assert send({"op": "reasons", "kind": "void", "locale": "en"})["reasons"][0] == \
        "Scanned by mistake"
    assert send({"op": "reasons", "kind": "refund"})["error"]["code"] == "bad_request"
    gtin = demo_gtins(conn, 1)[0]
    found = send({"op": "price_check", "data": gtin})
    assert found["ok"] and found["sale"] is None and found["product"]["promotions"] == []
    assert found["product"]["on_hand"] and "." in found["product"]["price"]
    sale = send({"op": "add", "plu": "1", "qty": "0.530", "tare": "0.030"})["sale"]
    assert sale["lines"][0]["qty"] == "0.5"
    assert send({"op": "scan", "data": "MQR-DEMO-0001"})["sale"]["member"] is not None
    assert send({"op": "add", "plu": "1", "qty": "0.010", "tare": 1.5})["ok"] is False
    send({"op": "tender", "type": "cash", "amount": "100.00"})
    report = send({"op": "report_x"})["report"]
    change = conn.execute("SELECT change FROM sale").fetchone()[0]
    assert report["expected"]["cash"] == 10_000 + 10_000 - change


def test_the_headless_till_sells_only_in_a_shift(db_path: Path) -> None:
    gtin = demo_gtins(sqlite3.connect(db_path), 1)[0]
    till = HeadlessTill(db_path)
    try:
        till.send({"op": "login", "staff": "1001", "pin": "1234"})
        assert till.send({"op": "scan", "data": gtin})["error"]["code"] == "no_shift"
        assert till.send({"op": "shift_open", "float": "0"})["ok"]
        assert till.send({"op": "scan", "data": gtin})["ok"]
    finally:
        till.close()
