"""Finding a product without its barcode: by SKU, by pinyin initials (拼音码: 农夫山泉 → "nfsq",
the way Chinese cashiers type names) and by any part of its Chinese or English name.

Rule: the index is made when the catalog changes (`refresh_index`, after an import, a downlink
version or the demo seed), never while the cashier waits; a search reads only indexed columns,
so it stays within a few milliseconds over 100,000 products. Results come in that order: SKU
matches, then initials, then names; each product once.
"""

from __future__ import annotations

import functools
import re
import sqlite3

from edge.catalog.products import _COLUMNS, Product, _product

_NOT_INITIAL = re.compile(r"[^0-9a-z]")


def initials(name: str) -> str:
    """Pinyin first letters of the Chinese characters, other letters and digits as they are,
    lower case: "农夫山泉 550ml" → "nfsq550ml". Each character takes its most common reading
    (a per-character cache keeps a 100,000-product import fast; product names rarely hang on a
    rarer reading, and a cashier types the common one)."""
    letters = "".join(_char_initial(ch) if "\u3400" <= ch <= "\u9fff" else ch for ch in name)
    return _NOT_INITIAL.sub("", letters.lower())


@functools.cache
def _char_initial(ch: str) -> str:
    from pypinyin import Style, lazy_pinyin  # loaded only when the catalog changes

    return lazy_pinyin(ch, style=Style.FIRST_LETTER)[0]


def refresh_index(conn: sqlite3.Connection) -> int:
    """Bring the search index up to date with the product table; returns how many products were
    (re)indexed. Call inside the transaction that changed the catalog, or on its own.

    A product's name row in the trigram index has the rowid of its product_search row, so an
    update touches one row by key (the sku column there is not indexed)."""
    stale = conn.execute(
        "SELECT p.sku, p.name_zh, p.name_en, s.rowid FROM product p"
        " LEFT JOIN product_search s ON s.sku = p.sku"
        " WHERE s.sku IS NULL OR s.name_zh != p.name_zh OR s.name_en != p.name_en").fetchall()
    replaced = [(old,) for *_, old in stale if old is not None]
    conn.executemany("DELETE FROM product_name_fts WHERE rowid = ?", replaced)
    conn.executemany("DELETE FROM product_search WHERE rowid = ?", replaced)
    last = conn.execute("SELECT coalesce(max(rowid), 0) FROM product_search").fetchone()[0]
    conn.executemany("INSERT INTO product_search (sku, name_zh, name_en, initials)"
                     " VALUES (?, ?, ?, ?)",
                     [(sku, zh, en, initials(zh)) for sku, zh, en, _ in stale])
    # New rows take rowids above the last one: their names go to the trigram index in one step.
    conn.execute("INSERT INTO product_name_fts (rowid, sku, name_zh, name_en)"
                 " SELECT rowid, sku, name_zh, name_en FROM product_search WHERE rowid > ?",
                 (last,))
    # Rows of products deleted since (their product_search rows went with them, by cascade).
    conn.execute("DELETE FROM product_name_fts WHERE rowid NOT IN (SELECT rowid FROM product_search)")
    return len(stale)


def search(conn: sqlite3.Connection, text: str, limit: int = 20,
           active_only: bool = True) -> list[Product]:
    query = text.strip()
    if not query:
        return []
    where_active = " AND p.active = 1" if active_only else ""
    found: dict[str, Product] = {}

    def take(sql: str, *params: object) -> None:
        if len(found) >= limit:
            return
        for row in conn.execute(sql + where_active + f" LIMIT {int(limit)}", params):
            product = _product(row)
            if product is not None and product.sku not in found and len(found) < limit:
                found[product.sku] = product

    columns = ", ".join("p." + c.strip() for c in _COLUMNS.split(","))
    upper = query.upper()
    take(f"SELECT {columns} FROM product p WHERE p.sku >= ? AND p.sku < ?", upper,
         upper + "\U0010ffff")
    key = query.lower()
    if key.isascii() and key.isalnum():
        take(f"SELECT {columns} FROM product_search s JOIN product p ON p.sku = s.sku"
             " WHERE s.initials >= ? AND s.initials < ?", key, key + "\U0010ffff")
    if len(query) >= 3:  # the trigram index finds any part of three characters or more
        phrase = '"' + query.replace('"', '""') + '"'
        take(f"SELECT {columns} FROM product_name_fts f JOIN product p ON p.sku = f.sku"
             " WHERE product_name_fts MATCH ?", phrase)
    else:  # one or two characters (可乐): a scan that stops at `limit` matches
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        take(f"SELECT {columns} FROM product_search s JOIN product p ON p.sku = s.sku"
             " WHERE (s.name_zh LIKE ? ESCAPE '\\' OR s.name_en LIKE ? ESCAPE '\\')",
             pattern, pattern)
    return list(found.values())
