"""Products and their lookup by GTIN, SKU or PLU. Prices are fen per unit (per kg when weighed).

Rule TAX_CODE: a product's tax classification code (税收分类编码, from the State Taxation
Administration's 商品和服务税收分类编码表) is exactly 19 digits, or empty while unknown; an
e-invoice line carries it as `goodsCode` (docs/invoices.md)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from edge.catalog.barcodes import normalize_plu

_COLUMNS = ("sku, plu, name_zh, name_en, unit, price, tax_class, category, age_restricted, active,"
            " tax_code, open_price")
TAX_CODE_DIGITS = 19


@dataclass(frozen=True)
class Product:
    sku: str
    plu: str | None
    name_zh: str
    name_en: str
    unit: str
    price: int
    tax_class: str
    category: str
    age_restricted: bool
    active: bool
    tax_code: str = ""
    open_price: bool = False    # 无码商品: the cashier types the price (its `price` is unused)

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


def _product(row: sqlite3.Row | None) -> Product | None:
    if row is None:
        return None
    return Product(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7],
                   bool(row[8]), bool(row[9]), row[10], bool(row[11]))


def tax_code_error(code: str) -> str | None:
    """Why `code` cannot be a tax classification code (rule TAX_CODE), or None when it can."""
    if code == "" or (len(code) == TAX_CODE_DIGITS and code.isascii() and code.isdigit()):
        return None
    return (f"tax_code must be exactly {TAX_CODE_DIGITS} digits (税收分类编码) or empty, not "
            f"{code[:40]!r} ({len(code)} characters)")


def by_sku(conn: sqlite3.Connection, sku: str) -> Product | None:
    return _product(conn.execute(f"SELECT {_COLUMNS} FROM product WHERE sku = ?", (sku,))
                    .fetchone())


def by_plu(conn: sqlite3.Connection, plu: str) -> Product | None:
    return _product(conn.execute(f"SELECT {_COLUMNS} FROM product WHERE plu = ?",
                                 (normalize_plu(plu),)).fetchone())


def by_gtin(conn: sqlite3.Connection, gtin14: str) -> Product | None:
    return _product(conn.execute(
        f"SELECT {', '.join('p.' + c.strip() for c in _COLUMNS.split(','))} FROM product_gtin g"
        " JOIN product p ON p.sku = g.sku WHERE g.gtin = ?", (gtin14,)).fetchone())


def gtins_of(conn: sqlite3.Connection, sku: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT gtin FROM product_gtin WHERE sku = ? ORDER BY gtin",
                                       (sku,))]


def product_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM product").fetchone()[0])
