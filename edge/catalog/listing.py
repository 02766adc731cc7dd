"""The catalog a page at a time, filtered (`pos catalog list`): by category (part of its name,
either language), unit, active or not, age-restricted or not; ordered by SKU so pages are stable.

Rule: a page past the end is empty, never an error; the total counts every matching product.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from edge.catalog.products import Product, by_sku

STATUSES = ("active", "inactive", "all")
UNITS = ("each", "kg")


class ListingError(ValueError):
    """A filter or page that cannot be asked for."""


@dataclass(frozen=True)
class ProductPage:
    products: list[Product]
    total: int          # matching products, all pages
    page: int           # 1-based
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_products(conn: sqlite3.Connection, *, category: str | None = None,
                  unit: str | None = None, status: str = "all",
                  age_restricted: bool | None = None, page: int = 1,
                  per_page: int = 50) -> ProductPage:
    if status not in STATUSES:
        raise ListingError(f"status must be one of {', '.join(STATUSES)}")
    if unit is not None and unit not in UNITS:
        raise ListingError(f"unit must be one of {', '.join(UNITS)}")
    if page < 1 or not 1 <= per_page <= 1000:
        raise ListingError("page starts at 1; per page is 1 to 1000")
    where: list[str] = ["1 = 1"]
    params: list[str | int] = []
    if category:
        where.append("instr(lower(category), lower(?)) > 0")
        params.append(category)
    if unit is not None:
        where.append("unit = ?")
        params.append(unit)
    if status != "all":
        where.append("active = ?")
        params.append(int(status == "active"))
    if age_restricted is not None:
        where.append("age_restricted = ?")
        params.append(int(age_restricted))
    condition = " AND ".join(where)
    total = int(conn.execute(f"SELECT count(*) FROM product WHERE {condition}",
                             params).fetchone()[0])
    skus = [r[0] for r in conn.execute(
        f"SELECT sku FROM product WHERE {condition} ORDER BY sku LIMIT ? OFFSET ?",
        [*params, per_page, (page - 1) * per_page])]
    products = [p for p in (by_sku(conn, sku) for sku in skus) if p is not None]
    return ProductPage(products, total, page, per_page)
