"""Shifts and the drawer: one open shift per till, cash moves need a reason, a blind close by
denomination; refused requests change nothing. Coupons reach the sale."""

from __future__ import annotations

import sqlite3

import pytest

from tests.edge.store_ops.conftest import Client

pytestmark = pytest.mark.dated


def facts(conn: sqlite3.Connection) -> tuple[int, int]:
    return (conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0],
            conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0])


def test_refused_shift_requests_change_nothing(client: Client, conn: sqlite3.Connection) -> None:
    assert client("cash_in", amount="10.00", reason="x")["error"]["code"] == "no_shift"
    assert client("shift_close", count={"100": 1})["error"]["code"] == "no_shift"
    client.ok("shift_open", float="200.00")
    before = facts(conn)
    assert client("shift_open", float="1.00")["error"]["code"] == "shift_open"
    assert client("cash_out", amount="10.00", reason=" ")["error"]["code"] == "bad_request"
    assert client("pickup", amount="-1", reason="safe")["error"]["code"] == "invalid_amount"
    assert client("shift_close", count={"30": 1})["error"]["code"] == "bad_denomination"
    assert client("shift_close", count={"100": -1})["error"]["code"] == "bad_request"
    assert client("shift_close", count=[1, 2])["error"]["code"] == "bad_request"
    assert facts(conn) == before


def test_blind_close_reports_over_and_short(client: Client, conn: sqlite3.Connection) -> None:
    client.ok("shift_open", float="200.00")
    client.ok("add", sku="A001", qty="1")
    client.ok("tender", type="cash", amount="10.00")              # 3.33 in the drawer
    client.ok("pickup", amount="100.00", reason="to safe")
    closed = client.ok("shift_close", count={"100": 1, "1": 3, "0.1": 3})["shift"]
    assert closed == {"id": closed["id"], "counted": "103.30", "expected": "103.33",
                      "over_short": "-0.03"}
    row = conn.execute("SELECT over_short, denominations FROM shift_close").fetchone()
    assert row[0] == -3 and '"0.1": 3' in row[1]


def test_coupon_codes_reach_the_sale_and_its_record(client: Client, conn: sqlite3.Connection) -> None:
    assert client("coupon", code="SAVE5")["error"]["code"] == "no_open_sale"
    client.ok("add", sku="A001", qty="1")
    assert client.ok("coupon", code="SAVE5")["coupons"] == ["SAVE5"]
    assert client("coupon", code="")["error"]["code"] == "bad_request"
    sale = client.ok("tender", type="cash", amount="5.00")["sale"]
    assert conn.execute("SELECT code FROM sale_coupon WHERE sale_id = ?",
                        (sale["id"],)).fetchone()[0] == "SAVE5"
