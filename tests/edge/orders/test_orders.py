"""Online orders at the store: reserved on arrival from what is available, picked by scan (wrong
item refused, shortage, consented substitute, actual weight), handed over once, released at slot
end + grace or on cancellation — each a fact, and available = on hand − reserved throughout."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from edge.ledger.store import write_transaction
from edge.ops_error import OpsError
from edge.orders.orders import Order, OrderLine, apply_orders, expire_due, find_order, hand_over
from edge.orders.picking import finish_picking, pick_line
from edge.orders.reservations import available, reserved, reserved_conflict
from edge.store_ops import stock

SLOT_END = "2026-11-20T12:00:00+08:00"


def order(order_id: str, *lines: tuple[str, int, int], paid: bool = True, code: str = "123456",
          substitutions: bool = False, cancelled: bool = False) -> Order:
    return Order(order_id, "mini", code,
                 [OrderLine(i, sku, sku, qty, price) for i, (sku, qty, price) in enumerate(lines, 1)],
                 SLOT_END, paid, substitutions, None, cancelled)


def arrive(conn: sqlite3.Connection, *orders: Order, version: int = 1) -> None:
    with write_transaction(conn):
        apply_orders(conn, list(orders), snapshot=False, version=version)


def facts(conn: sqlite3.Connection, kind: str) -> list[dict]:
    return [json.loads(r[0]) for r in conn.execute(
        "SELECT payload FROM outbox WHERE type = ? ORDER BY seq", (kind,))]


def test_arrival_reserves_what_is_available_and_says_so(conn: sqlite3.Connection) -> None:
    stock.move(conn, "2001", "receipt", [("A001", 5000), ("B001", 2000)])
    arrive(conn, order("O1", ("A001", 3000, 333)), order("O2", ("A001", 3000, 333),
                                                         ("B001", 1000, 199), code="222222"),
           order("O3", ("D001", 1000, 1290), code="333333"))
    assert [f["result"] for f in facts(conn, "order.reserved")] == ["reserved", "partial",
                                                                     "declined"]
    assert facts(conn, "order.reserved")[1]["lines"][0] == {"line": 1, "sku": "A001",
                                                           "requested": 3000, "reserved": 2000}
    assert (reserved(conn, "A001"), available(conn, "A001")) == (5000, 0)
    assert reserved_conflict(conn, "A001", 1000) is not None
    assert reserved_conflict(conn, "B001", 1000) is None        # one milk still free
    arrive(conn, order("O1", ("A001", 3000, 333)), version=2)    # redelivered: changes nothing
    assert len(facts(conn, "order.reserved")) == 3 and reserved(conn, "A001") == 5000


def test_picking_refuses_the_wrong_item_weighs_and_substitutes_with_consent(
        conn: sqlite3.Connection) -> None:
    stock.move(conn, "2001", "receipt", [("A001", 5000), ("C001", 3000), ("D001", 2000)])
    arrive(conn, order("O1", ("A001", 2000, 333), ("C001", 1000, 1280)),
           order("O2", ("A001", 1000, 333), code="222222", substitutions=True))
    with pytest.raises(OpsError) as wrong:
        pick_line(conn, "O1", 1, "D001", 1000)
    assert wrong.value.code == "wrong_item"
    pick_line(conn, "O1", 1, "6901234567892", 1000)              # by barcode; one short
    assert pick_line(conn, "O1", 2, "C001", 1085) == ("C001", 1085, 1389)   # 1.085 kg × 12.80
    with pytest.raises(OpsError):
        pick_line(conn, "O1", 2, "C001", 1300)                   # beyond the weight tolerance
    finish_picking(conn, "2001", "O1")
    [picked] = facts(conn, "order.picked")
    assert picked["difference"] == (333 + 1389) - (666 + 1280)
    assert reserved(conn, "A001") == 1000 + 1000                # O1 now holds 1, O2 holds 1
    assert pick_line(conn, "O2", 1, "D001", 1000)[0] == "D001"  # consented substitute
    finish_picking(conn, "2001", "O2")
    assert (reserved(conn, "A001"), reserved(conn, "D001")) == (1000, 1000)


def test_handover_happens_once_and_moves_the_picked_stock(conn: sqlite3.Connection) -> None:
    stock.move(conn, "2001", "receipt", [("A001", 5000)])
    arrive(conn, order("O1", ("A001", 2000, 333)), order("O2", ("A001", 1000, 333), paid=False,
                                                         code="222222"))
    with pytest.raises(OpsError) as early:
        hand_over(conn, "1001", "123456")
    assert early.value.code == "not_picked"
    pick_line(conn, "O1", 1, "A001", 2000)
    finish_picking(conn, "2001", "O1")
    hand_over(conn, "1001", "123456")
    assert stock.on_hand(conn, "A001") == 3000 and reserved(conn, "A001") == 1000
    with pytest.raises(OpsError) as again:
        hand_over(conn, "1001", "PU:O1")
    assert again.value.code == "already_handed_over"
    pick_line(conn, "O2", 1, "A001", 1000)
    finish_picking(conn, "2001", "O2")
    assert find_order(conn, "222222").amount_due == 333
    with pytest.raises(OpsError) as unpaid:
        hand_over(conn, "1001", "222222")
    assert unpaid.value.code == "payment_required"
    hand_over(conn, "1001", "222222", sale_id="sale-1")          # the till sale moved its stock
    assert stock.on_hand(conn, "A001") == 3000 and reserved(conn, "A001") == 0
    assert [f["sale_id"] for f in facts(conn, "order.handed_over")] == [None, "sale-1"]


def test_slot_end_plus_grace_and_cancellation_release_the_stock(conn: sqlite3.Connection) -> None:
    stock.move(conn, "2001", "receipt", [("A001", 5000)])
    arrive(conn, order("O1", ("A001", 2000, 333)), order("O2", ("A001", 1000, 333),
                                                         code="222222"))
    end = datetime.fromisoformat(SLOT_END)
    assert expire_due(conn, end + timedelta(minutes=29), timedelta(minutes=30)) == []
    assert expire_due(conn, (end + timedelta(minutes=30)).astimezone(UTC),
                      timedelta(minutes=30)) == ["O1", "O2"]
    released = facts(conn, "order.released")
    assert {f["order_id"]: f["reason"] for f in released} == {"O1": "expired", "O2": "expired"}
    assert reserved(conn, "A001") == 0
    arrive(conn, order("O3", ("A001", 1000, 333), code="333333"), version=2)
    arrive(conn, order("O3", ("A001", 1000, 333), code="333333", cancelled=True), version=3)
    assert facts(conn, "order.released")[-1] == {"order_id": "O3", "reason": "cancelled",
                                                 "lines": [{"sku": "A001", "qty_milli": 1000}]}
    assert reserved(conn, "A001") == 0 and find_order(conn, "O3").state == "cancelled"


def test_orders_and_counter_sales_racing_at_the_store_never_share_a_unit(
        conn: sqlite3.Connection, tmp_path) -> None:
    """`reserved_stock = "refuse"`: orders arriving on the agent's connection while the till
    sells on its own; a unit is never both sold and reserved unnoticed (the sale reports it), and
    every order that got less says so."""
    import threading

    from edge.config import StoreConfig
    from edge.ledger.store import open_store
    from edge.till.session import Till, TillError

    stock.move(conn, "2001", "receipt", [("A001", 20_000)])
    till = Till(open_store(tmp_path / "store.db"),
                StoreConfig(extra={"orders": {"reserved_stock": "refuse"}}))
    till.login("1001", "1234")
    refused = []

    def sell() -> None:
        for _ in range(15):
            try:
                till.add(sku="A001")
                till.tender("cash", 1000)
            except TillError as exc:
                refused.append(exc.code)
                if till.current is not None:
                    till.cancel({"staff": "2001", "pin": "5678"})

    def arrive_all() -> None:
        agent = open_store(tmp_path / "store.db")
        for n in range(15):
            with write_transaction(agent):
                apply_orders(agent, [order(f"O{n}", ("A001", 1000, 333), code=f"{n:06d}")],
                             snapshot=False, version=n + 1)

    threads = [threading.Thread(target=sell), threading.Thread(target=arrive_all)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    sold = -sum(r[0] for r in conn.execute(
        "SELECT qty_milli FROM stock_movement WHERE kind = 'sale'"))
    results = [f["result"] for f in facts(conn, "order.reserved")]
    assert len(results) == 15 and set(refused) <= {"reserved_stock"}
    # A unit reserved while a basket holding it was open is the one the sale still takes: never
    # silently — its sale reports exactly the shortfall.
    reported = sum(f["short_milli"] for f in facts(conn, "order.conflict"))
    assert sold + reserved(conn, "A001") - 20_000 == reported == max(0, -available(conn, "A001"))
    declined = [f for f in facts(conn, "order.reserved") if f["result"] == "declined"]
    assert all(f["lines"][0]["reserved"] == 0 for f in declined)
