"""A real store database in a temp dir with a handful of products, a cashier, a supervisor, a
member or two and a stored-value card; a Till on it and its JSON-lines protocol."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from edge.config import StoreConfig
from edge.customers.members import register_member
from edge.customers.stored_value import apply_hq_balance
from edge.ledger.store import open_store, write_transaction
from edge.sale.pricing import LineDiscount, PricedLine, PricingContext
from edge.staff import add_staff
from edge.till.session import Till
from ui.headless.protocol import TillProtocol

PRODUCTS = [
    # sku, gtin13, name, unit, price (fen), tax class, category
    ("A001", "6901234567892", "可乐 Cola", "each", 333, "standard", "Drinks"),
    ("B001", "6901234567908", "牛奶 Milk", "each", 199, "reduced", "Dairy"),
    ("C001", None, "苹果 Apples", "kg", 1280, "reduced", "Fresh"),
    ("D001", "6901234567915", "纸巾 Tissues", "each", 1290, "standard", "Household"),
]


class BasketDiscount:
    """A fake engine at the pricing seam: `amount` fen off the basket once it reaches `threshold`,
    shared over the lines by gross (largest remainder to the last line); members get 10 % off D001
    at gold and above. Enough to make line totals that do not divide evenly."""

    def __init__(self, amount: int = 500, threshold: int = 2000) -> None:
        self.amount = amount
        self.threshold = threshold

    def apply(self, lines: Sequence[PricedLine], context: PricingContext) -> list[LineDiscount]:
        out: list[LineDiscount] = []
        if context.member_tier in ("gold", "diamond"):
            out += [LineDiscount(ln.line_no, "TIER", ln.gross // 10, "会员价 member price")
                    for ln in lines if ln.sku == "D001"]
        gross = sum(ln.gross for ln in lines)
        if gross < self.threshold or not lines:
            return out
        given = 0
        for i, ln in enumerate(lines):
            share = self.amount - given if i == len(lines) - 1 else self.amount * ln.gross // gross
            given += share
            if share:
                out.append(LineDiscount(ln.line_no, "BASKET", share, "满20减5"))
        return out


def seed(conn: sqlite3.Connection) -> None:
    with write_transaction(conn):
        for sku, gtin, name, unit, price, tax, category in PRODUCTS:
            conn.execute("INSERT INTO product (sku, plu, name_zh, name_en, unit, price, tax_class,"
                         " category) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (sku, "1" if sku == "C001" else None, name, name, unit, price, tax,
                          category))
            if gtin:
                conn.execute("INSERT INTO product_gtin (gtin, sku) VALUES (?, ?)",
                             (gtin.zfill(14), sku))
    add_staff(conn, "1001", "Wang Fang", "cashier", "1234")
    add_staff(conn, "2001", "Li Qiang", "supervisor", "5678")


SUPERVISOR = {"staff": "2001", "pin": "5678"}


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = open_store(tmp_path / "store.db")
    seed(connection)
    yield connection
    connection.close()


@pytest.fixture
def config() -> StoreConfig:
    return StoreConfig(extra={"stored_value": {"offline_card_limit": 5000,
                                               "offline_store_limit": 8000},
                              "returns": {"blind_max_amount": 2000}})


@pytest.fixture
def member_id(conn: sqlite3.Connection) -> str:
    return register_member(conn, "1001", "gold", "张三", card_no="M0001", phone="13812341234",
                           qr_token="MQR-77").id


@pytest.fixture
def card(conn: sqlite3.Connection) -> str:
    apply_hq_balance(conn, "SV0001", 30_000, 0, None)
    return "SV0001"


@pytest.fixture
def till(conn: sqlite3.Connection, config: StoreConfig) -> Till:
    t = Till(conn, config, BasketDiscount(), clock=lambda: datetime(2026, 11, 20, 10, 30))
    t.login("1001", "1234")
    return t


class Client:
    """Speaks the JSON-lines protocol to a TillProtocol and returns decoded answers."""

    def __init__(self, till: Till) -> None:
        self.protocol = TillProtocol(till)

    def __call__(self, op: str, **fields: Any) -> dict[str, Any]:
        answer: dict[str, Any] = json.loads(self.protocol.handle_line(json.dumps({"op": op,
                                                                                  **fields})))
        return answer

    def ok(self, op: str, **fields: Any) -> dict[str, Any]:
        answer = self(op, **fields)
        assert answer["ok"], answer
        return answer


@pytest.fixture
def client(till: Till) -> Client:
    return Client(till)


def on_hand(conn: sqlite3.Connection, sku: str) -> int:
    return int(conn.execute("SELECT COALESCE(SUM(qty_milli), 0) FROM stock_movement WHERE sku = ?",
                            (sku,)).fetchone()[0])


def points(conn: sqlite3.Connection, member: str) -> int:
    return int(conn.execute("SELECT COALESCE(SUM(points), 0) FROM points_movement"
                            " WHERE member_id = ?", (member,)).fetchone()[0])
