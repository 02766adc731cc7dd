"""A scripted day through the headless protocol, then the Z report: every figure must match what
the database holds, computed here independently (by the ids of the day's facts, not by seq)."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from edge.customers.members import apply_hq_points
from edge.ledger.money import parse_amount
from tests.edge.store_ops.conftest import SUPERVISOR, Client

pytestmark = pytest.mark.dated


def pay_rest_cash(client: Client, extra: int = 0) -> dict[str, Any]:
    due = parse_amount(client.ok("state")["sale"]["due"]) + extra
    return client.ok("tender", type="cash", amount=f"{due // 100}.{due % 100:02d}")["sale"]


def one(conn: sqlite3.Connection, sql: str, ids: list[str]) -> int:
    marks = ",".join("?" * len(ids))
    return int(conn.execute(sql.replace("{ids}", marks), ids).fetchone()[0] or 0)


def grouped(conn: sqlite3.Connection, sql: str, ids: list[str]) -> dict[Any, int]:
    marks = ",".join("?" * len(ids))
    return {r[0]: r[1] for r in conn.execute(sql.replace("{ids}", marks), ids)}


def test_z_report_reconciles_with_the_database_after_a_scripted_day(
        client: Client, conn: sqlite3.Connection, member_id: str, card: str) -> None:
    # Day 1: one sale and a Z, which the second day's Z must not include.
    client.ok("shift_open", float="100.00")
    client.ok("add", sku="D001", qty="1")
    pay_rest_cash(client)
    client.ok("shift_close", count={"100": 1, "10": 1, "1": 2, "0.5": 1, "0.1": 4})
    z1 = client.ok("report_z", override=SUPERVISOR)["report"]
    assert z1["z_number"] == 1 and z1["sales"]["count"] == 1
    assert z1["over_short"]["over_short"] == 0

    # Day 2.
    apply_hq_points(conn, member_id, 2000)
    sales: list[str] = []
    client.ok("shift_open", float="500.00")
    client.ok("add", sku="A001", qty="3")
    client.ok("add", sku="B001", qty="7")
    sales.append(pay_rest_cash(client, extra=1000)["id"])                 # cash with change
    client.ok("add", sku="D001", qty="2")
    client.ok("tender", type="card", amount=client.ok("state")["sale"]["due"], approval_code="OK1",
              masked_pan="622202******4321")
    sales.append(client.ok("state")["sale"]["id"])
    client.ok("member_identify", token="MQR-77")                         # gold member
    client.ok("add", sku="D001", qty="1")
    client.ok("add", sku="C001", qty="1.234")
    client.ok("tender", type="points", amount="3.00")
    client.ok("tender", type="stored_value", card=card, amount="10.00")
    sales.append(pay_rest_cash(client)["id"])
    client.ok("add", sku="A001", qty="1")
    client.ok("add", sku="B001", qty="2")
    client.ok("void_line", line=1)                                        # a voided line
    client.ok("tender", type="mobile", amount=client.ok("state")["sale"]["due"])
    sales.append(client.ok("state")["sale"]["id"])
    client.ok("add", sku="D001", qty="3")
    cancelled = client.ok("cancel", override=SUPERVISOR)["sale"]["id"]
    returns = [client.ok("return", receipt=sales[0], lines=[{"line": 2, "qty": "2"}])["return"]["id"],
               client.ok("return", receipt=sales[2], lines=[{"line": 2, "qty": "1.234"}])["return"]["id"],
               client.ok("blind_return", lines=[{"sku": "A001", "qty": "1"}], reason="no receipt",
                         override=SUPERVISOR)["return"]["id"]]
    client.ok("cash_in", amount="100.00", reason="change from safe")
    client.ok("cash_out", amount="20.00", reason="window cleaner")
    client.ok("pickup", amount="300.00", reason="to safe")
    client.ok("stored_value_topup", card=card, amount="50.00", tender="cash")
    client.ok("no_sale", reason="customer change", override=SUPERVISOR)
    x = client.ok("report_x")["report"]
    closed = client.ok("shift_close", count={"100": 4, "5": 1})["shift"]
    z = client.ok("report_z", override=SUPERVISOR)["report"]

    assert z["z_number"] == 2
    assert z["from_seq"] == z1["to_seq"]
    assert x["sales"] == z["sales"] and x["returns"] == z["returns"]
    s, r = sales, returns
    assert z["sales"]["count"] == len(s)
    assert z["sales"]["total"] == one(conn, "SELECT SUM(total) FROM sale WHERE id IN ({ids})", s)
    assert z["sales"]["gross"] == one(conn, "SELECT SUM(subtotal) FROM sale WHERE id IN ({ids})", s)
    assert z["discounts"] == one(conn, "SELECT SUM(discount) FROM sale WHERE id IN ({ids})", s) > 0
    assert z["sales"]["tax"] == one(conn, "SELECT SUM(tax) FROM sale_line WHERE sale_id IN ({ids})", s)
    assert z["returns"]["count"] == 3
    assert z["returns"]["total"] == one(conn, "SELECT SUM(total) FROM sale_return WHERE id IN ({ids})", r)
    assert z["returns"]["by_kind"]["blind"]["count"] == 1
    assert z["net_sales"] == z["sales"]["total"] - z["returns"]["total"]
    assert z["voids"] == {"lines": 1, "gross": 333, "cancelled_sales": 1,
                          "cancelled_total": one(conn, "SELECT total FROM sale WHERE id IN ({ids})",
                                                 [cancelled])}

    tender_sales = grouped(conn, "SELECT type, SUM(amount) FROM sale_tender WHERE sale_id IN ({ids})"
                                 " GROUP BY type", s)
    tender_sales["cash"] -= one(conn, "SELECT SUM(change) FROM sale WHERE id IN ({ids})", s)
    refunds = grouped(conn, "SELECT type, SUM(amount) FROM return_tender WHERE return_id IN ({ids})"
                            " GROUP BY type", r)
    assert set(z["tenders"]) == {"cash", "card", "mobile", "points", "stored_value"}
    for kind, figures in z["tenders"].items():
        assert figures["sales"] == tender_sales.get(kind, 0), kind
        assert figures["refunds"] == refunds.get(kind, 0), kind
        assert figures["net"] == figures["sales"] - figures["refunds"]
    assert sum(f["net"] for f in z["tenders"].values()) == z["net_sales"] + z["sales"]["rounding"]

    by_rate = grouped(conn, "SELECT tax_rate_bp, SUM(total) FROM sale_line WHERE sale_id IN ({ids})"
                            " GROUP BY 1", s)
    ret_rate = grouped(conn, "SELECT tax_rate_bp, SUM(amount) FROM return_line"
                             " WHERE return_id IN ({ids}) GROUP BY 1", r)
    assert {int(k): v["sales"] for k, v in z["tax_rates"].items()} == by_rate
    assert {int(k): v["returns"] for k, v in z["tax_rates"].items() if v["returns"]} == ret_rate
    assert sum(v["net_tax"] for v in z["tax_rates"].values()) == (
        z["sales"]["tax"] - one(conn, "SELECT SUM(tax) FROM sale_return WHERE id IN ({ids})", r))

    by_category = grouped(conn, "SELECT p.category, SUM(l.total) FROM sale_line l JOIN product p"
                                " ON p.sku = l.sku WHERE l.sale_id IN ({ids}) GROUP BY 1", s)
    assert {k: v["sales"] for k, v in z["categories"].items() if v["sales"]} == by_category
    assert sum(v["net"] for v in z["categories"].values()) == z["net_sales"]
    assert z["cashiers"]["1001"]["sales"] == z["sales"]["total"]
    assert z["cashiers"]["1001"]["returns"] == z["returns"]["total"]

    assert z["cash"]["floats"] == 50000 and z["cash"]["cash_in"] == 10000
    assert z["cash"]["cash_out"] == 2000 and z["cash"]["pickups"] == 30000
    assert z["cash"]["stored_value_topups"] == {"cash": 5000}
    assert z["cash"]["no_sales"] == 1
    expected_cash = (50000 + tender_sales["cash"] - refunds["cash"] + 10000 - 2000 - 30000 + 5000)
    assert parse_amount(closed["expected"]) == expected_cash
    assert z["over_short"]["over_short"] == 40500 - expected_cash
    assert parse_amount(closed["over_short"].lstrip("-")) == abs(40500 - expected_cash)

    row = conn.execute("SELECT o.type, o.payload FROM z_report z JOIN outbox o ON o.seq = z.event_seq"
                       " WHERE z.z_number = 2").fetchone()
    assert row[0] == "shift.z_report"
    assert client("report_z", override=SUPERVISOR)["report"]["sales"]["count"] == 0


def test_z_report_is_refused_while_a_shift_is_open(client: Client, conn: sqlite3.Connection) -> None:
    client.ok("shift_open", float="100.00")
    answer = client("report_z", override=SUPERVISOR)
    assert answer["error"]["code"] == "shift_open"
    assert conn.execute("SELECT COUNT(*) FROM z_report").fetchone()[0] == 0
    assert client("report_z")["error"]["code"] == "permission_denied"
