"""The demo store's first day: members in every tier with points, a stored-value card with a
balance, opening stock for every product; written through the ordinary calls and only once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from edge.catalog.demo_store import seed_demo_store
from edge.customers.members import identify, points_balance
from edge.customers.stored_value import balance
from edge.ledger.journal import verify
from edge.ledger.store import open_store
from edge.ops_config import TIERS
from edge.store_ops.demo_opening import DEMO_MEMBERS, seed_demo_opening
from edge.store_ops.stock import negative_stock, on_hand


def demo_db(tmp_path: Path) -> sqlite3.Connection:
    conn = open_store(tmp_path / "store.db")
    seed_demo_store(conn)
    seed_demo_opening(conn)
    return conn


def test_demo_members_cover_every_tier_with_points_and_a_stored_value_card(tmp_path: Path) -> None:
    conn = demo_db(tmp_path)
    members = [identify(conn, qr) for _, _, qr, _, _, _ in DEMO_MEMBERS]
    assert {m.tier for m in members} == set(TIERS)
    assert [points_balance(conn, m.id) for m in members] == [p for *_, p in DEMO_MEMBERS]
    card = balance(conn, "SV88000001")
    assert card.balance == 20000
    kinds = [r[0] for r in conn.execute("SELECT kind FROM journal")]
    assert kinds.count("member.registered") == 3 and "stored_value.issued" in kinds


def test_every_product_opens_with_stock_so_the_first_sales_do_not_go_negative(
        tmp_path: Path) -> None:
    conn = demo_db(tmp_path)
    assert on_hand(conn, "P00001") == 24_000 and on_hand(conn, "F0001") == 30_000
    products = conn.execute("SELECT count(*) FROM product WHERE active = 1").fetchone()[0]
    stocked = conn.execute("SELECT count(DISTINCT sku) FROM stock_movement").fetchone()[0]
    assert stocked == products and negative_stock(conn) == []
    facts = conn.execute("SELECT count(DISTINCT event_seq) FROM stock_movement").fetchone()[0]
    assert facts == 1   # one receipt fact


def test_the_demo_store_has_a_line_discount_and_a_basket_threshold_the_till_applies(
        tmp_path: Path) -> None:
    from edge.config import StoreConfig
    from edge.promotions.local_table import engine_for
    from edge.till.session import Till

    conn = demo_db(tmp_path)
    till = Till(conn, StoreConfig(), engine_for(conn, StoreConfig()))
    till.login("1001", "1234")
    drink = conn.execute("SELECT g.gtin FROM product_gtin g JOIN product p USING (sku)"
                         " WHERE p.category = '饮料 Drinks' LIMIT 1").fetchone()[0].lstrip("0")
    sale = till.scan(drink)
    assert sale.lines[0].discount > 0                 # 饮料九折 on the line
    till.add(plu="7", qty="2.000")                    # pork belly, ¥59.80: over ¥50
    sale = till.sale
    assert sale is not None
    applied = {d.promotion_id for ln in sale.lines for d in ln.discounts}
    assert applied == {"DEMO-DRINKS-10", "DEMO-MJ-50-5"}


def test_seeding_the_opening_twice_changes_nothing(tmp_path: Path) -> None:
    conn = demo_db(tmp_path)
    journal = conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    movements = conn.execute("SELECT count(*) FROM stock_movement").fetchone()[0]
    promotions = conn.execute("SELECT promotion_id, imported_at FROM local_promotion").fetchall()
    seed_demo_opening(conn)
    assert conn.execute("SELECT promotion_id, imported_at FROM local_promotion").fetchall() \
        == promotions and len(promotions) == 2
    assert conn.execute("SELECT count(*) FROM journal").fetchone()[0] == journal
    assert conn.execute("SELECT count(*) FROM stock_movement").fetchone()[0] == movements
    assert verify(conn) == []
