"""The sale through the till: build the basket, permissions, tenders, and the one transaction
that makes a finished sale a fact."""

from __future__ import annotations

import dataclasses
import json
import sqlite3

import pytest

from edge.catalog.barcodes import gs1_check_digit
from edge.config import CASH_ROUNDINGS, StoreConfig
from edge.ledger.journal import verify
from edge.till.session import Till, TillError
from tests.edge.sale.sale_helpers import SUPERVISOR, demo_gtins, logged_in_till, price_of_gtin, scale_label

pytestmark = pytest.mark.dated


def with_check(body: str) -> str:
    return body + str(gs1_check_digit(body))


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("sale", "sale_line", "sale_tender", "outbox", "journal", "suspended_sale",
                      "open_sale")}


def test_scan_builds_lines_and_a_repeat_scan_adds_quantity(conn: sqlite3.Connection,
                                                            config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    a, b = demo_gtins(conn, 2)
    till.scan(a)
    till.scan(b)
    sale = till.scan(a)
    assert [(ln.line_no, ln.qty_milli) for ln in sale.lines] == [(1, 2000), (2, 1000)]
    assert sale.total == 2 * price_of_gtin(conn, a) + price_of_gtin(conn, b)


def test_weighed_item_from_a_scale_label_keeps_the_label_price(conn: sqlite3.Connection,
                                                               config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    sale = till.scan(scale_label(1, 1579, 1234))
    line = sale.lines[0]
    assert (line.unit, line.qty_milli, line.total) == ("kg", 1234, 1579)


def test_weighed_item_needs_a_weight_and_takes_it_from_the_caller(conn: sqlite3.Connection,
                                                                  config: StoreConfig) -> None:
    conn.execute("INSERT INTO product_gtin (gtin, sku) VALUES ('06900000000014', 'F0002')")
    till = logged_in_till(conn, config)
    with pytest.raises(TillError) as err:
        till.scan("6900000000014")                 # bananas, sold by the kg: no weight given
    assert err.value.code == "weight_required"
    sale = till.scan("6900000000014", weight="0.856")
    assert (sale.lines[0].qty_milli, sale.lines[0].total) == (856, 597)  # 6.98 × 0.856 = 5.97488
    sale = till.add(plu="2", qty="0.5")
    assert sale.lines[1].qty_milli == 500


def test_price_embedded_label_for_a_piece_item(conn: sqlite3.Connection, config: StoreConfig) -> None:
    conn.execute("UPDATE product SET plu = '900' WHERE sku = 'P00001'")
    till = logged_in_till(conn, config)
    sale = till.scan(with_check("220090000599"))
    assert (sale.lines[0].qty_milli, sale.lines[0].total) == (1000, 599)


def test_errors_change_nothing(conn: sqlite3.Connection, config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    till.scan(demo_gtins(conn, 1)[0])
    before = json.dumps(till.sale.to_dict() if till.sale else None)
    for action in (lambda: till.scan("6901234567893"), lambda: till.scan("6900000000000"),
                   lambda: till.add(sku="NOPE"), lambda: till.set_qty(1, "-1"),
                   lambda: till.set_qty(1, "1.5"), lambda: till.set_qty(9, "1"),
                   lambda: till.void_line(9), lambda: till.override_price(1, 100, "x"),
                   lambda: till.tender("card", 100, approval_code="A1", masked_pan="6222021234567890123"),
                   lambda: till.tender("cash", 0), lambda: till.tender("bitcoin", 100),
                   lambda: till.tender("card", 10**9, approval_code="A1",
                                       masked_pan="622202******1234"),
                   lambda: till.cancel(), lambda: till.resume("nope"), lambda: till.logout()):
        with pytest.raises(TillError):
            action()
        assert json.dumps(till.sale.to_dict() if till.sale else None) == before


def test_cashier_needs_a_supervisor_for_price_override_and_it_is_journaled(
        conn: sqlite3.Connection, config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    till.scan(demo_gtins(conn, 1)[0])
    with pytest.raises(TillError) as err:
        till.override_price(1, 100, "damaged")
    assert err.value.code == "permission_denied"
    with pytest.raises(TillError) as err:
        till.override_price(1, 100, "damaged", {"staff": "1001", "pin": "1234"})   # a cashier
    assert err.value.code == "approver_not_allowed"
    sale = till.override_price(1, 100, "damaged", SUPERVISOR)
    assert sale.lines[0].unit_price == 100 and sale.total == 100
    entry = json.loads(conn.execute("SELECT body FROM journal WHERE kind = 'override'").fetchone()[0])
    assert (entry["staff_id"], entry["approved_by"], entry["action"]) == ("1001", "2001",
                                                                          "price_override")


def test_cancel_needs_a_supervisor_and_is_recorded_as_a_fact(conn: sqlite3.Connection,
                                                            config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    till.scan(demo_gtins(conn, 1)[0])
    with pytest.raises(TillError):
        till.cancel()
    sale = till.cancel(SUPERVISOR)
    assert sale.status == "cancelled"
    assert conn.execute("SELECT status FROM sale").fetchone()[0] == "cancelled"
    assert conn.execute("SELECT type FROM outbox").fetchone()[0] == "sale.cancelled"


def test_void_after_total_needs_a_supervisor(conn: sqlite3.Connection, config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    a, b = demo_gtins(conn, 2)
    till.scan(a)
    till.scan(b)
    till.void_line(2)                          # before payment: the cashier may
    till.scan(b)
    till.tender("cash", 100)                   # payment started
    with pytest.raises(TillError) as err:
        till.void_line(3)
    assert err.value.code == "permission_denied"
    sale = till.void_line(3, SUPERVISOR)
    assert [ln.line_no for ln in sale.lines] == [1] and len(sale.voided_lines) == 2


def test_split_tender_card_then_cash_with_change(conn: sqlite3.Connection,
                                                 config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    for gtin in demo_gtins(conn, 3):
        till.scan(gtin)
    total = till.sale.total if till.sale else 0
    till.tender("card", 500, approval_code="A1B2C3", masked_pan="622202******1234")
    assert conn.execute("SELECT count(*) FROM open_sale").fetchone()[0] == 1   # money taken: kept
    sale = till.tender("cash", 10000)
    assert sale.status == "completed"
    assert (sale.paid, sale.change) == (10500, 10500 - total)
    row = conn.execute("SELECT total, paid, change, rounding FROM sale").fetchone()
    assert tuple(row) == (total, 10500, 10500 - total, 0)
    pans = [r[0] for r in conn.execute("SELECT masked_pan FROM sale_tender")]
    assert pans == ["622202******1234", None]
    assert conn.execute("SELECT count(*) FROM open_sale").fetchone()[0] == 0


def test_a_full_card_number_is_refused(conn: sqlite3.Connection, config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    till.scan(demo_gtins(conn, 1)[0])
    with pytest.raises(TillError) as err:
        till.tender("card", 100, approval_code="A1", masked_pan="6222021234567890")
    assert err.value.code == "full_pan_refused"


@pytest.mark.parametrize("rule, handed, rounding, change", [
    ("none", 2000, 0, 2000 - 1234),
    ("down_0.10", 1230, -4, 0),            # 抹零: 12.34 → 12.30
    ("down_0.10", 2000, -4, 770),
    ("nearest_0.05", 1235, 1, 0),          # 12.34 → 12.35
])
def test_cash_rounding_applies_to_cash_only(conn: sqlite3.Connection, rule: str, handed: int,
                                            rounding: int, change: int) -> None:
    config = dataclasses.replace(StoreConfig(), cash_rounding=CASH_ROUNDINGS[rule])
    conn.execute("UPDATE product SET price = 1234 WHERE sku = 'P00001'")
    till = logged_in_till(conn, config)
    till.add(sku="P00001")
    sale = till.tender("cash", handed)
    assert (sale.status, sale.rounding, sale.change) == ("completed", rounding, change)


def test_cash_rounding_never_touches_a_card_payment(conn: sqlite3.Connection) -> None:
    config = dataclasses.replace(StoreConfig(), cash_rounding=CASH_ROUNDINGS["down_0.10"])
    conn.execute("UPDATE product SET price = 1234 WHERE sku = 'P00001'")
    till = logged_in_till(conn, config)
    till.add(sku="P00001")
    with pytest.raises(TillError):
        till.tender("card", 1230 + 10, approval_code="A1", masked_pan="622202******1234")
    sale = till.tender("card", 1234, approval_code="A1", masked_pan="622202******1234")
    assert (sale.rounding, sale.paid) == (0, 1234)


def test_age_restricted_items_need_an_age_check_before_payment(conn: sqlite3.Connection,
                                                               config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    till.scan(demo_gtins(conn, 1, age_restricted=True)[0])
    with pytest.raises(TillError) as err:
        till.tender("cash", 100000)
    assert err.value.code == "age_check_required"
    till.confirm_age()
    assert till.tender("cash", 100000).status == "completed"


def test_suspend_and_resume_on_another_till(conn: sqlite3.Connection, config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    for gtin in demo_gtins(conn, 2):
        till.scan(gtin)
    suspended = till.suspend()
    assert till.sale is None and suspended.status == "suspended"
    other = logged_in_till(conn, dataclasses.replace(config, terminal_id="T02"), "2001", "5678")
    resumed = other.resume(suspended.id)
    assert resumed.status == "open" and len(resumed.lines) == 2 and resumed.terminal_id == "T02"
    assert conn.execute("SELECT count(*) FROM suspended_sale").fetchone()[0] == 0
    with pytest.raises(TillError):
        till.resume(suspended.id)              # only once


def test_completion_writes_sale_lines_tenders_one_event_and_one_journal_entry(
        conn: sqlite3.Connection, config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    for gtin in demo_gtins(conn, 3):
        till.scan(gtin)
    before = counts(conn)
    sale = till.tender("cash", 100000)
    after = counts(conn)
    assert {k: after[k] - before[k] for k in after} == {
        "sale": 1, "sale_line": 3, "sale_tender": 1, "outbox": 1, "journal": 1,
        "suspended_sale": 0, "open_sale": 0}
    event = conn.execute("SELECT seq, event_id, type, payload FROM outbox").fetchone()
    payload = json.loads(event["payload"])
    assert event["type"] == "sale.completed" and payload["sale_id"] == sale.id
    assert payload["total"] == sale.total and len(payload["lines"]) == 3
    assert sale.event_seq == event["seq"] and len(event["event_id"]) == 36
    assert verify(conn) == []


def test_a_failed_commit_leaves_no_partial_sale(conn: sqlite3.Connection, config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    till.scan(demo_gtins(conn, 1)[0])
    before = counts(conn)
    conn.execute("CREATE TRIGGER fail BEFORE INSERT ON sale_tender BEGIN SELECT RAISE(ABORT, 'disk'); END")
    open_sale = till.sale.to_dict() if till.sale else None
    with pytest.raises(TillError) as refused:
        till.tender("cash", 100000)
    assert refused.value.code == "storage_error"
    assert counts(conn) == before
    assert till.sale is not None and till.sale.to_dict() == open_sale  # not "completed"
    conn.execute("DROP TRIGGER fail")
    assert till.tender("cash", 100000).status == "completed"  # the same action works again


def test_seqs_are_gapless_across_sales_and_cancels(conn: sqlite3.Connection,
                                                   config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    gtin = demo_gtins(conn, 1)[0]
    for i in range(6):
        till.scan(gtin)
        if i % 3 == 2:
            till.cancel(SUPERVISOR)
        else:
            till.tender("cash", 100000)
    assert [r[0] for r in conn.execute("SELECT seq FROM outbox ORDER BY seq")] == list(range(1, 7))


def test_a_paid_but_unfinished_sale_survives_a_restart(conn: sqlite3.Connection,
                                                       config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    till.scan(demo_gtins(conn, 1)[0])
    till.tender("card", 100, approval_code="A1", masked_pan="622202******1234")
    restarted = Till(conn, config)
    assert restarted.sale is not None and restarted.sale.paid == 100


def test_tax_exclusive_store_adds_tax_on_top(conn: sqlite3.Connection) -> None:
    config = dataclasses.replace(StoreConfig(), prices_include_tax=False)
    conn.execute("UPDATE product SET price = 1000, tax_class = 'standard' WHERE sku = 'P00001'")
    till = logged_in_till(conn, config)
    sale = till.add(sku="P00001", qty="3")
    assert (sale.subtotal, sale.tax, sale.total) == (3000, 390, 3390)


def test_nothing_works_before_login(conn: sqlite3.Connection, config: StoreConfig) -> None:
    till = Till(conn, config)
    with pytest.raises(TillError) as err:
        till.scan(demo_gtins(conn, 1)[0])
    assert err.value.code == "not_logged_in"
