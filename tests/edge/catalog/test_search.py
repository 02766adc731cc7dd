"""Product search: SKU, pinyin initials and any part of a name, on the demo store's real index."""

from __future__ import annotations

import sqlite3

from edge.catalog.search import initials, refresh_index, search
from edge.ledger.store import write_transaction


def test_initials_are_the_pinyin_first_letters_then_letters_and_digits() -> None:
    assert initials("农夫山泉 550ml") == "nfsq550ml"
    assert initials("可口可乐") == "kkkl"
    assert initials("Cola 可乐") == "colakl"


def test_a_cashier_finds_by_initials_sku_and_part_of_a_name(conn: sqlite3.Connection) -> None:
    row = conn.execute("SELECT sku, name_zh, name_en FROM product WHERE name_zh LIKE '农夫山泉%'"
                       " ORDER BY sku LIMIT 1").fetchone()
    assert row is not None
    sku, _, name_en = row
    assert sku in [p.sku for p in search(conn, "nfsq")]
    assert sku in [p.sku for p in search(conn, "NFSQ")]
    assert search(conn, sku)[0].sku == sku
    assert sku in [p.sku for p in search(conn, "山泉", limit=50)]        # two characters
    assert sku in [p.sku for p in search(conn, "夫山泉", limit=50)]      # trigram
    assert sku in [p.sku for p in search(conn, name_en.split()[0], limit=300)]
    assert search(conn, "") == [] and search(conn, "zzzzqqq") == []
    assert len(search(conn, "a", limit=7)) <= 7


def test_hostile_search_text_is_text(conn: sqlite3.Connection) -> None:
    for text in ['"', "%", "_", "\\", "' OR 1=1 --", "NEAR(", "a* OR b", "\x00"]:
        assert isinstance(search(conn, text), list)


def test_the_index_follows_renames_and_deletions(conn: sqlite3.Connection) -> None:
    with write_transaction(conn):
        conn.execute("UPDATE product SET name_zh = '康师傅红烧牛肉面' WHERE sku = 'P00001'")
        assert refresh_index(conn) == 1
        assert refresh_index(conn) == 0
    assert [p.sku for p in search(conn, "ksfhsnrm")] == ["P00001"]
    with write_transaction(conn):
        conn.execute("DELETE FROM product_gtin WHERE sku = 'P00001'")
        conn.execute("DELETE FROM product WHERE sku = 'P00001'")
        refresh_index(conn)
    assert search(conn, "ksfhsnrm") == [] and search(conn, "红烧牛肉") == []
