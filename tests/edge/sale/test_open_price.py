"""Open-price items (无码商品): the till asks their price, sells each as its own line, and above
till.open_price_approval_above a supervisor approves (journaled with both ids); the flag comes
from the catalog file and goes back out with the export."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from edge.catalog import products as catalog
from edge.catalog.exporter import export_catalog
from edge.catalog.importer import import_catalog
from edge.config import StoreConfig
from edge.till.session import PriceRequired, Till, TillError
from tests.edge.sale.sale_helpers import SUPERVISOR, logged_in_till

OPEN_PLU = "90"   # the demo store's 无码商品


def test_an_open_price_item_needs_its_price_and_sells_at_it(conn: sqlite3.Connection,
                                                            config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    with pytest.raises(PriceRequired) as err:
        till.add(plu=OPEN_PLU)
    assert err.value.code == "price_required" and err.value.product.category
    assert till.sale is None                                  # nothing opened
    sale = till.add(plu=OPEN_PLU, price=1250)
    sale = till.add(plu=OPEN_PLU, price=300)
    assert [(ln.unit_price, ln.total, ln.open_price) for ln in sale.lines] == [
        (1250, 1250, True), (300, 300, True)]                 # two lines: never merged
    for bad in (0, -5):
        with pytest.raises(TillError) as refused:
            till.add(plu=OPEN_PLU, price=bad)
        assert refused.value.code == "invalid_amount"
    sku = conn.execute("SELECT sku FROM product WHERE open_price = 0 ORDER BY sku").fetchone()[0]
    with pytest.raises(TillError) as refused:                 # an ordinary item keeps its price
        till.add(sku=sku, price=1)
    assert refused.value.code == "bad_request"


def test_above_the_limit_a_supervisor_approves_and_it_is_journaled(
        conn: sqlite3.Connection) -> None:
    config = StoreConfig(extra={"till": {"open_price_approval_above": 5000}})
    till = logged_in_till(conn, config)
    till.add(plu=OPEN_PLU, price=5000)                        # at the limit: the cashier alone
    with pytest.raises(TillError) as err:
        till.add(plu=OPEN_PLU, price=5001)
    assert err.value.code == "permission_denied"
    assert till.sale is not None and len(till.sale.lines) == 1
    sale = till.add(plu=OPEN_PLU, price=5001, override=SUPERVISOR)
    assert sale.lines[-1].unit_price == 5001
    entries = [json.loads(b) for (b,) in conn.execute(
        "SELECT body FROM journal WHERE kind = 'override'")]
    assert [(e["action"], e["staff_id"], e["approved_by"], e["price"]) for e in entries] == [
        ("open_price", "1001", "2001", 5001)]
    done = till.tender("cash", sale.total)
    detail = json.loads(conn.execute("SELECT detail FROM sale_line WHERE sale_id = ? AND"
                                     " line_no = 2", (done.id,)).fetchone()[0])
    assert detail["open_price"] is True


def test_the_open_price_flag_round_trips_through_the_catalog_file(
        conn: sqlite3.Connection, config: StoreConfig, tmp_path: Path) -> None:
    exported = tmp_path / "catalog.csv"
    export_catalog(conn, exported)
    with exported.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert {r["sku"]: r["open_price"] for r in rows}["X0001"] == "1"
    source = tmp_path / "new.csv"
    source.write_text("sku,name_zh,unit,price,tax_class,category,open_price\n"
                      "X0002,散装糕点,each,0,standard,烘焙 Bakery,yes\n", "utf-8")
    report = import_catalog(conn, source, config.tax_classes)
    assert report.imported == 1 and not report.errors
    product = catalog.by_sku(conn, "X0002")
    assert product is not None and product.open_price
    till = Till(conn, config)
    till.login("1001", "1234")
    with pytest.raises(PriceRequired):
        till.add(sku="X0002")
