"""Returns, blind returns and post-voids through the headless protocol, checked against the
database."""

from __future__ import annotations

import sqlite3

import pytest

from edge.customers.members import apply_hq_points
from edge.ledger.money import parse_amount
from edge.till.session import Till
from tests.edge.store_ops.conftest import SUPERVISOR, Client, on_hand, points

pytestmark = pytest.mark.dated


def discounted_basket(client: Client) -> dict[str, object]:
    """3 cola, 7 milk, 0.856 kg apples, 5.00 off the basket: line totals that do not split evenly.
    Paid 10.00 by card, the rest in cash with change."""
    client.ok("add", sku="A001", qty="3")
    client.ok("add", sku="B001", qty="7")
    client.ok("add", sku="C001", qty="0.856")
    client.ok("tender", type="card", amount="10.00", approval_code="A1", masked_pan="622202******1234")
    sale = client.ok("state")["sale"]
    due = parse_amount(sale["due"])
    answer = client.ok("tender", type="cash", amount=f"{due // 100 + 1}.00")
    assert answer["sale"]["status"] == "completed"
    return answer["sale"]


def refunded(answer: dict[str, object]) -> int:
    ret = answer["return"]
    assert isinstance(ret, dict)
    return parse_amount(ret["total"])


def test_partial_returns_of_a_discounted_basket_refund_exactly_what_was_paid(
        client: Client, conn: sqlite3.Connection) -> None:
    sale = discounted_basket(client)
    assert sale["discount"] == "5.00"
    receipt = f"https://r.example.com/r/S001/T01/{sale['id']}"
    parts = [[{"line": 1, "qty": "1"}], [{"line": 2, "qty": "3"}, {"line": 1, "qty": "1"}],
             [{"line": 3, "qty": "0.3"}], [{"line": 2, "qty": "4"}], [{"line": 1, "qty": "1"}],
             [{"line": 3, "qty": "0.556"}]]
    total = sum(refunded(client.ok("return", receipt=receipt, lines=p, reason="changed mind"))
                for p in parts)
    assert total == parse_amount(sale["total"])
    per_line = conn.execute(
        "SELECT l.line_no, l.total, SUM(rl.amount), l.tax, SUM(rl.tax) FROM sale_line l"
        " JOIN return_line rl ON rl.sale_line_no = l.line_no GROUP BY l.line_no").fetchall()
    assert all(r[1] == r[2] and r[3] == r[4] for r in per_line)
    refunds = dict(conn.execute("SELECT type, SUM(amount) FROM return_tender GROUP BY type"))
    assert refunds == {"card": 1000, "cash": parse_amount(sale["total"]) - 1000}


def test_partial_unit_share_is_floored_and_the_last_unit_takes_the_rest(client: Client) -> None:
    sale = discounted_basket(client)
    line = next(ln for ln in sale["lines"] if ln["line"] == 1)  # type: ignore[union-attr]
    total = parse_amount(line["total"])
    first = refunded(client.ok("return", receipt=sale["id"], lines=[{"line": 1, "qty": "1"}]))
    assert first == total * 1000 // 3000
    rest = refunded(client.ok("return", receipt=sale["id"], lines=[{"line": 1, "qty": "2"}]))
    assert first + rest == total


def test_nothing_can_be_returned_twice(client: Client, conn: sqlite3.Connection) -> None:
    sale = discounted_basket(client)
    client.ok("return", receipt=sale["id"], lines=[{"line": 2, "qty": "7"}])
    before = conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    again = client("return", receipt=sale["id"], lines=[{"line": 2, "qty": "1"}])
    assert again["error"]["code"] == "already_returned"
    more = client("return", receipt=sale["id"], lines=[{"line": 1, "qty": "4"}])
    assert more["error"]["code"] == "exceeds_sold"
    dup = client("return", receipt=sale["id"], lines=[{"line": 1, "qty": "1"}, {"line": 1, "qty": "1"}])
    assert dup["error"]["code"] == "bad_request"
    assert client("return", receipt="no-such-sale", lines=[{"line": 1}])["error"]["code"] == "not_found"
    assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == before
    left = client.ok("return_lookup", receipt=sale["id"])["returnable"]
    assert [x["left"] for x in left] == ["3", "0", "0.856"]


def test_a_return_is_one_fact_with_its_event_journal_entry_and_stock(
        client: Client, conn: sqlite3.Connection) -> None:
    sale = discounted_basket(client)
    stock_before = on_hand(conn, "B001")
    answer = client.ok("return", receipt=sale["id"], lines=[{"line": 2, "qty": "2"}])
    seq = answer["return"]["event_seq"]
    event = conn.execute("SELECT type FROM outbox WHERE seq = ?", (seq,)).fetchone()
    assert event[0] == "return.completed"
    assert conn.execute("SELECT COUNT(*) FROM journal WHERE kind = 'return.return'"
                        " AND json_extract(body, '$.event_seq') = ?", (seq,)).fetchone()[0] == 1
    assert on_hand(conn, "B001") == stock_before + 2000


def test_blind_return_needs_a_supervisor_and_respects_the_limit(
        client: Client, conn: sqlite3.Connection) -> None:
    assert client("blind_return", lines=[{"sku": "A001", "qty": "1"}],
                  reason="no receipt")["error"]["code"] == "permission_denied"
    over = client("blind_return", lines=[{"sku": "D001", "qty": "2"}], reason="no receipt",
                  override=SUPERVISOR)
    assert over["error"]["code"] == "blind_limit_exceeded"
    assert conn.execute("SELECT COUNT(*) FROM sale_return").fetchone()[0] == 0
    ok = client.ok("blind_return", lines=[{"data": "6901234567892", "qty": "2"}],
                   reason="no receipt", override=SUPERVISOR)
    assert ok["return"]["total"] == "6.66"
    assert ok["return"]["refund"] == [{"type": "cash", "amount": "6.66"}]
    row = conn.execute("SELECT kind, approved_by FROM sale_return").fetchone()
    assert tuple(row) == ("blind", "2001")
    assert on_hand(conn, "A001") == 2000


def test_post_void_reverses_stock_points_and_tenders(client: Client, conn: sqlite3.Connection,
                                                     member_id: str, till: Till) -> None:
    apply_hq_points(conn, member_id, 1000)
    client.ok("member_identify", token="13812341234")
    client.ok("add", sku="D001", qty="2")
    client.ok("tender", type="cash", amount="30.00")
    earned = points(conn, member_id)
    assert earned > 0
    client.ok("member_identify", token="M0001")
    client.ok("add", sku="A001", qty="6")
    client.ok("tender", type="points", amount="5.00")
    due = client.ok("state")["sale"]["due"]
    client.ok("tender", type="cash", amount=due)
    assert points(conn, member_id) == earned - 500 + (1998 - 500) // 100 * 150 // 100
    assert on_hand(conn, "A001") == -6000
    assert client("post_void", reason="wrong customer")["error"]["code"] == "permission_denied"
    answer = client.ok("post_void", reason="wrong customer", override=SUPERVISOR)
    assert answer["return"]["kind"] == "post_void"
    assert answer["return"]["total"] == "19.98"
    assert answer["return"]["refund"] == [{"type": "points", "amount": "5.00"},
                                          {"type": "cash", "amount": "14.98"}]
    assert on_hand(conn, "A001") == 0
    assert points(conn, member_id) == earned
    again = client("post_void", reason="twice", override=SUPERVISOR)
    assert again["error"]["code"] == "already_returned"
    assert till.last_sale is not None
