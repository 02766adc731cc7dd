"""Stock: the ledger written with sales, counts cut by seq watermarks, receipts, alerts."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

import pytest

from edge.ops_config import StoreOpsConfig
from edge.store_ops.stock import set_level, suggestions
from tests.edge.store_ops.conftest import SUPERVISOR, Client, on_hand

pytestmark = pytest.mark.dated


def sell(client: Client, sku: str, qty: str) -> None:
    client.ok("add", sku=sku, qty=qty)
    client.ok("tender", type="cash", amount="500.00")


def test_sales_write_their_movements_in_the_sale_transaction(client: Client,
                                                             conn: sqlite3.Connection) -> None:
    sell(client, "A001", "2")
    row = conn.execute("SELECT m.kind, m.qty_milli, o.type FROM stock_movement m"
                       " JOIN outbox o ON o.seq = m.event_seq").fetchone()
    assert tuple(row) == ("sale", -2000, "sale.completed")
    alerts = client.ok("stock_alerts")
    assert alerts["negative"] == [{"sku": "A001", "on_hand": "-2"}]


def test_sales_during_an_open_count_do_not_distort_its_variance(client: Client,
                                                                conn: sqlite3.Connection) -> None:
    client.ok("stock_receive", items=[{"sku": "A001", "qty": "10"}, {"sku": "B001", "qty": "20"},
                                      {"sku": "D001", "qty": "5"}], reference="PO-1")
    count = client.ok("stock_count_start")["count"]
    sell(client, "A001", "2")                            # before A001 is counted: shelf shows 8
    client.ok("stock_count", count=count, data="6901234567892", qty="5")
    client.ok("stock_count", count=count, sku="A001", qty="3")      # scans add up: 8
    client.ok("stock_count", count=count, sku="B001", qty="19")     # one milk missing
    sell(client, "B001", "4")                            # after B001 is counted
    sell(client, "D001", "1")                            # D001 is never counted
    client.ok("stock_count", count=count, sku="A001", qty="1")
    client.ok("stock_recount", count=count, sku="A001", qty="8")    # a recount replaces: 8
    variance = {v["sku"]: v for v in client.ok("stock_variance", count=count)["variance"]}
    assert variance["A001"]["expected"] == "8" and variance["A001"]["variance"] == "0"
    assert variance["B001"]["expected"] == "20" and variance["B001"]["variance"] == "-1"
    assert variance["B001"]["value"] == "-1.99"
    assert variance["D001"]["counted"] is None
    assert client("stock_approve", count=count)["error"]["code"] == "permission_denied"
    client.ok("stock_approve", count=count, override=SUPERVISOR)
    assert on_hand(conn, "A001") == 8000
    assert on_hand(conn, "B001") == 15000                # 20 − 1 missing − 4 sold after the scan
    assert on_hand(conn, "D001") == 4000                 # not counted: untouched
    kinds = conn.execute("SELECT sku, qty_milli FROM stock_movement WHERE kind = 'count'").fetchall()
    assert [tuple(k) for k in kinds] == [("B001", -1000)]
    assert client("stock_count", count=count, sku="A001")["error"]["code"] == "count_closed"
    assert client("stock_approve", count=count,
                  override=SUPERVISOR)["error"]["code"] == "count_closed"


def test_a_category_count_refuses_items_outside_it(client: Client) -> None:
    count = client.ok("stock_count_start", category="Dairy")["count"]
    assert client("stock_count", count=count, sku="A001")["error"]["code"] == "out_of_scope"
    assert client("stock_recount", count=count, sku="B001",
                  qty="2")["error"]["code"] == "not_counted"
    client.ok("stock_count", count=count, sku="B001", qty="2")
    variance = client.ok("stock_variance", count=count)["variance"]
    assert [v["sku"] for v in variance] == ["B001"]


def test_low_stock_suggests_an_order_from_sales_velocity(client: Client,
                                                         conn: sqlite3.Connection) -> None:
    client.ok("stock_receive", items=[{"sku": "A001", "qty": "60"}])
    sell(client, "A001", "56")                          # 56 in 28 days: 2 a day
    set_level(conn, "A001", 5000, 40000, lead_time_days=3)
    [s] = suggestions(conn, StoreOpsConfig(), datetime.now(UTC))
    # target = min 5 + 2/day × (3 lead + 7 review) = 25; on hand 4 → order 21
    assert (s.on_hand, s.daily_velocity, s.order_qty) == (4000, 2000, 21000)
    assert client.ok("stock_alerts")["reorder"] == [{"sku": "A001", "on_hand": "4", "order": "21"}]


def test_approving_with_uncounted_set_to_zero_posts_their_stock_away_in_the_same_fact(
        client: Client, conn: sqlite3.Connection) -> None:
    from edge.store_ops.stock import approval_summary

    client.ok("stock_receive", items=[{"sku": "A001", "qty": "10"}, {"sku": "B001", "qty": "20"},
                                      {"sku": "D001", "qty": "5"}], reference="PO-2")
    count = client.ok("stock_count_start")["count"]
    client.ok("stock_count", count=count, sku="A001", qty="9")
    summary = approval_summary(conn, count)
    assert summary.items_counted == 1
    assert {ln.sku for ln in summary.uncounted} == {"B001", "D001"}
    price = {sku: p for sku, p in conn.execute("SELECT sku, price FROM product")}
    assert summary.variance_value == -price["A001"]
    assert summary.uncounted_value == 20 * price["B001"] + 5 * price["D001"]

    journal_before = conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    bad = client("stock_approve", count=count, override=SUPERVISOR, uncounted="drop")
    assert bad["error"]["code"] == "bad_request"
    assert conn.execute("SELECT count(*) FROM journal").fetchone()[0] == journal_before
    assert on_hand(conn, "B001") == 20000

    posted = client.ok("stock_approve", count=count, override=SUPERVISOR, uncounted="zero")
    by_sku = {v["sku"]: v for v in posted["variance"]}
    assert by_sku["D001"]["counted"] == "0" and by_sku["D001"]["variance"] == "-5"
    assert on_hand(conn, "A001") == 9000 and on_hand(conn, "B001") == 0
    assert on_hand(conn, "D001") == 0
    moves = conn.execute("SELECT sku, qty_milli, event_seq FROM stock_movement"
                         " WHERE kind = 'count' ORDER BY sku").fetchall()
    assert [tuple(m[:2]) for m in moves] == [("A001", -1000), ("B001", -20000), ("D001", -5000)]
    assert len({m[2] for m in moves}) == 1   # one fact
    entry = conn.execute("SELECT kind, body FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    body = json.loads(entry[1])
    assert entry[0] == "stock.count_approved"
    assert body["uncounted"] == "zero" and body["zeroed"] == 2


def test_approving_leaves_uncounted_items_alone_by_default(client: Client,
                                                          conn: sqlite3.Connection) -> None:
    client.ok("stock_receive", items=[{"sku": "A001", "qty": "10"}, {"sku": "B001", "qty": "3"}],
              reference="PO-3")
    count = client.ok("stock_count_start")["count"]
    client.ok("stock_count", count=count, sku="A001", qty="10")
    client.ok("stock_approve", count=count, override=SUPERVISOR)
    assert on_hand(conn, "B001") == 3000
    assert conn.execute("SELECT count(*) FROM stock_movement WHERE kind = 'count'"
                        ).fetchone()[0] == 0
