"""Returns in a store whose prices exclude VAT (`prices_include_tax = false`): each returned unit
takes back its share of the VAT paid on top, and any series of partial returns refunds exactly what
was paid, line by line and in total (rule RETURN_UNIT_SHARE in edge/store_ops/returns.py)."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.config import CASH_ROUNDINGS, StoreConfig
from edge.ledger.money import parse_amount
from edge.ledger.store import open_store, write_transaction
from edge.sale.pricing import NoPromotions
from edge.till.session import Till
from tests.edge.store_ops.conftest import SUPERVISOR, BasketDiscount, Client, seed

pytestmark = pytest.mark.dated


def exclusive_client(conn: sqlite3.Connection, config: StoreConfig, rounding: str = "none",
                     engine: object | None = None) -> Client:
    with write_transaction(conn):
        conn.execute("INSERT OR IGNORE INTO product (sku, name_zh, name_en, unit, price, tax_class,"
                     " category) VALUES ('WATER', '水 Water', 'Water', 'each', 200, 'standard',"
                     " 'Drinks')")
    config = dataclasses.replace(config, prices_include_tax=False,
                                 cash_rounding=CASH_ROUNDINGS[rounding], cash_rounding_name=rounding)
    till = Till(conn, config, engine or NoPromotions(),  # type: ignore[arg-type]
                clock=lambda: datetime(2026, 11, 20, 10, 30))
    till.login("1001", "1234")
    return Client(till)


def money(answer: dict[str, object], key: str) -> int:
    ret = answer["return"]
    assert isinstance(ret, dict)
    text = ret[key]
    return -parse_amount(text[1:]) if text.startswith("-") else parse_amount(text)


def line_sums(conn: sqlite3.Connection) -> list[tuple[int, int, int, int, int]]:
    return [tuple(r) for r in conn.execute(
        "SELECT l.line_no, l.total, COALESCE(SUM(rl.amount), 0), l.tax, COALESCE(SUM(rl.tax), 0)"
        " FROM sale_line l LEFT JOIN return_line rl ON rl.sale_line_no = l.line_no"
        " GROUP BY l.line_no ORDER BY l.line_no")]


def test_returning_one_of_three_refunds_its_vat_and_the_rest_refunds_the_remainder(
        conn: sqlite3.Connection, config: StoreConfig) -> None:
    client = exclusive_client(conn, config)
    client.ok("add", sku="WATER", qty="3")
    sale = client.ok("tender", type="cash", amount="6.78")["sale"]
    assert (sale["status"], sale["total"], sale["tax"]) == ("completed", "6.78", "0.78")
    first = client.ok("return", receipt=sale["id"], lines=[{"line": 1, "qty": "1"}])
    assert (money(first, "total"), money(first, "tax"), money(first, "rounding")) == (226, 26, 0)
    assert first["return"]["refund"] == [{"type": "cash", "amount": "2.26"}]
    rest = client.ok("return", receipt=sale["id"], lines=[{"line": 1, "qty": "2"}])
    assert (money(rest, "total"), money(rest, "tax"), money(rest, "rounding")) == (452, 52, 0)
    # return_line.amount mirrors sale_line.total (net), its tax mirrors sale_line.tax
    assert line_sums(conn) == [(1, 600, 600, 78, 78)]
    assert conn.execute("SELECT SUM(amount) FROM return_tender").fetchone()[0] == 678


def test_each_unit_returned_alone_refunds_what_was_paid_for_it(
        conn: sqlite3.Connection, config: StoreConfig) -> None:
    client = exclusive_client(conn, config)
    client.ok("add", sku="B001", qty="7")   # 7 × 1.99 = 13.93 + 9 % VAT 1.25 = 15.18
    sale = client.ok("tender", type="cash", amount="20.00")["sale"]
    assert (sale["total"], sale["tax"], sale["change"]) == ("15.18", "1.25", "4.82")
    refunds = [money(client.ok("return", receipt=sale["id"], lines=[{"line": 1, "qty": "1"}]),
                     "total") for _ in range(7)]
    assert refunds == [216] * 6 + [1518 - 6 * 216]
    assert line_sums(conn) == [(1, 1393, 1393, 125, 125)]


def test_a_discounted_tax_exclusive_basket_returned_in_parts_sums_to_what_was_paid(
        conn: sqlite3.Connection, config: StoreConfig) -> None:
    client = exclusive_client(conn, config, engine=BasketDiscount())
    client.ok("add", sku="A001", qty="3")
    client.ok("add", sku="B001", qty="7")
    client.ok("add", sku="C001", qty="0.856")
    client.ok("tender", type="card", amount="10.00", approval_code="A1",
              masked_pan="622202******1234")
    due = client.ok("state")["sale"]["due"]
    sale = client.ok("tender", type="cash", amount=due)["sale"]
    assert sale["status"] == "completed" and sale["discount"] == "5.00"
    parts = [[{"line": 1, "qty": "1"}], [{"line": 2, "qty": "3"}, {"line": 1, "qty": "1"}],
             [{"line": 3, "qty": "0.3"}], [{"line": 2, "qty": "4"}], [{"line": 1, "qty": "1"}],
             [{"line": 3, "qty": "0.556"}]]
    answers = [client.ok("return", receipt=sale["id"], lines=p) for p in parts]
    assert all(money(a, "rounding") == 0 for a in answers)
    assert sum(money(a, "total") for a in answers) == parse_amount(sale["total"])
    assert sum(money(a, "tax") for a in answers) == parse_amount(sale["tax"])
    assert all(r[1] == r[2] and r[3] == r[4] for r in line_sums(conn))
    refunds = dict(conn.execute("SELECT type, SUM(amount) FROM return_tender GROUP BY type"))
    assert refunds == {"card": 1000, "cash": parse_amount(sale["total"]) - 1000}


def test_a_rounded_down_cash_sale_shows_the_shortfall_as_negative_rounding_on_the_last_return(
        conn: sqlite3.Connection, config: StoreConfig) -> None:
    client = exclusive_client(conn, config, rounding="down_0.10")
    client.ok("add", sku="WATER", qty="3")
    sale = client.ok("tender", type="cash", amount="6.70")["sale"]
    assert (sale["status"], sale["total"], sale["rounding"]) == ("completed", "6.78", "-0.08")
    first = client.ok("return", receipt=sale["id"], lines=[{"line": 1, "qty": "1"}])
    assert (money(first, "total"), money(first, "rounding")) == (226, 0)
    rest = client.ok("return", receipt=sale["id"], lines=[{"line": 1, "qty": "2"}])
    assert (money(rest, "total"), money(rest, "rounding")) == (444, -8)
    assert money(first, "total") + money(rest, "total") == 670


def test_a_tax_exclusive_blind_return_refunds_the_shelf_price_with_its_vat(
        conn: sqlite3.Connection, config: StoreConfig) -> None:
    client = exclusive_client(conn, config)
    answer = client.ok("blind_return", lines=[{"sku": "WATER", "qty": "2"}], reason="no receipt",
                       override=SUPERVISOR)
    assert (money(answer, "total"), money(answer, "tax")) == (452, 52)
    assert answer["return"]["refund"] == [{"type": "cash", "amount": "4.52"}]
    assert tuple(conn.execute("SELECT amount, tax FROM return_line").fetchone()) == (400, 52)


def test_a_sale_made_before_the_store_switched_to_tax_inclusive_is_refunded_as_it_was_paid(
        conn: sqlite3.Connection, config: StoreConfig) -> None:
    client = exclusive_client(conn, config)
    client.ok("add", sku="WATER", qty="3")
    sale = client.ok("tender", type="cash", amount="6.78")["sale"]
    inclusive = Client(Till(conn, config, NoPromotions(),
                            clock=lambda: datetime(2026, 11, 21, 10, 0)))
    inclusive.protocol.till.login("1001", "1234")
    answer = inclusive.ok("return", receipt=sale["id"], lines=[{"line": 1, "qty": "1"}])
    assert money(answer, "total") == 226


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[sqlite3.Connection, Client]]:
    """One database and one logged-in till for every generated case: a login costs a scrypt."""
    conn = open_store(tmp_path_factory.mktemp("exclusive") / "store.db")
    seed(conn)
    yield conn, exclusive_client(conn, StoreConfig())
    conn.close()


@settings(max_examples=60, deadline=None)
@given(qty=st.integers(min_value=1, max_value=12), price=st.integers(min_value=1, max_value=9999),
       splits=st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=12))
def test_any_series_of_partial_returns_sums_exactly_to_what_was_paid(
        shared: tuple[sqlite3.Connection, Client], qty: int, price: int,
        splits: list[int]) -> None:
    conn, client = shared
    with write_transaction(conn):
        conn.execute("UPDATE product SET price = ? WHERE sku = 'A001'", (price,))
    client.ok("add", sku="A001", qty=str(qty))
    paid = client.ok("state")["sale"]["total"]
    sale = client.ok("tender", type="cash", amount=paid)["sale"]
    left, total, n = qty, 0, 0
    while left:
        take = min(splits[n % len(splits)], left)
        answer = client.ok("return", receipt=sale["id"], lines=[{"line": 1, "qty": str(take)}])
        assert money(answer, "rounding") == 0
        assert money(answer, "total") >= parse_amount(paid) // qty * take
        total += money(answer, "total")
        left -= take
        n += 1
    assert total == parse_amount(paid)
    line = conn.execute(
        "SELECT l.total, SUM(rl.amount), l.tax, SUM(rl.tax) FROM sale_line l JOIN return_line rl"
        " ON rl.sale_line_no = l.line_no JOIN sale_return r ON r.id = rl.return_id"
        " AND r.original_sale_id = l.sale_id WHERE l.sale_id = ?", (sale["id"],)).fetchone()
    assert line[0] == line[1] and line[2] == line[3]
