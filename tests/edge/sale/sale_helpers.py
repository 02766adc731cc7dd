"""Shared steps for sale tests: a logged-in till on the demo store and the demo's barcodes."""

from __future__ import annotations

import sqlite3

from edge.catalog.barcodes import gs1_check_digit
from edge.config import StoreConfig
from edge.till.session import Till


def logged_in_till(conn: sqlite3.Connection, config: StoreConfig, staff: str = "1001",
                   pin: str = "1234") -> Till:
    till = Till(conn, config)
    till.login(staff, pin)
    return till


def demo_gtins(conn: sqlite3.Connection, n: int = 3, age_restricted: bool = False) -> list[str]:
    return [r[0].lstrip("0") for r in conn.execute(
        "SELECT g.gtin FROM product_gtin g JOIN product p USING (sku) WHERE p.age_restricted = ?"
        " ORDER BY p.sku LIMIT ?", (int(age_restricted), n))]


def price_of_gtin(conn: sqlite3.Connection, gtin: str) -> int:
    return int(conn.execute("SELECT p.price FROM product_gtin g JOIN product p USING (sku)"
                            " WHERE g.gtin = ?", (gtin.zfill(14),)).fetchone()[0])


def scale_label(plu: int, price: int, grams: int) -> str:
    body = f"22{plu:05d}{price:05d}{grams:05d}"
    return body + str(gs1_check_digit(body))


SUPERVISOR = {"staff": "2001", "pin": "5678"}
