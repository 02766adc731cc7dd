"""Manual line and order discounts: after promotions, exact in fen, within role limits (above them
a supervisor approves, journaled with both ids), and carried into the sale's fact and receipt."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Sequence

import msgspec
import pytest

from edge.config import ConfigError, StoreConfig
from edge.ledger.money import div_half_up
from edge.sale.manual_discounts import ManualDiscount, percent_of, spread_order_discount
from edge.sale.pricing import LineDiscount, PricedLine, PricingContext
from edge.sale.receipt import build_receipt, render_text
from edge.till.session import Till, TillError
from edge.till.settings import till_settings
from hq.schemas import Sale as HqSale
from hq.schemas import check_sale
from tests.edge.sale.sale_helpers import SUPERVISOR, demo_gtins, price_of_gtin

MANAGER = {"staff": "3001", "pin": "9999"}


class TenPercentOffLineOne:
    """A promotion engine with one rule: 10 % off line 1 (the seam edge/sale/pricing.py)."""

    def apply(self, lines: Sequence[PricedLine], context: PricingContext) -> list[LineDiscount]:
        return [LineDiscount(ln.line_no, "p10", div_half_up(ln.gross, 10), "promo 10%")
                for ln in lines if ln.line_no == 1]


def cashier_till(conn: sqlite3.Connection, config: StoreConfig, **kw: object) -> Till:
    till = Till(conn, config, **kw)  # type: ignore[arg-type]
    till.login("1001", "1234")
    return till


def override_entries(conn: sqlite3.Connection) -> list[dict[str, object]]:
    return [json.loads(body) for (body,) in conn.execute(
        "SELECT body FROM journal WHERE kind = 'override' ORDER BY seq")]


def test_a_line_discount_within_the_cashier_limit_applies_after_promotions(
        conn: sqlite3.Connection, config: StoreConfig) -> None:
    till = cashier_till(conn, config, engine=TenPercentOffLineOne())
    a, b = demo_gtins(conn, 2)
    till.scan(a, qty="3")
    till.scan(b)
    gross = 3 * price_of_gtin(conn, a)
    promo = div_half_up(gross, 10)
    sale = till.discount_line(1, "percent", 10, "dented")
    line = sale.lines[0]
    manual = div_half_up((gross - promo) * 10, 100)       # 10 % of what is left after the promo
    assert [d.promotion_id for d in line.discounts] == ["p10", "manual"]
    assert line.discount == promo + manual and line.total == gross - promo - manual
    assert sale.total == line.total + price_of_gtin(conn, b)
    assert sale.tax == sum(ln.tax for ln in sale.lines)
    [entry] = override_entries(conn)
    assert (entry["action"], entry["staff_id"], entry["approved_by"]) == ("line_discount", "1001",
                                                                         "1001")


def test_above_the_cashier_limit_a_supervisor_approves_and_both_ids_are_journaled(
        conn: sqlite3.Connection, config: StoreConfig) -> None:
    till = cashier_till(conn, config)
    [a] = demo_gtins(conn, 1)
    till.scan(a)
    before = till.sale
    with pytest.raises(TillError) as err:
        till.discount_line(1, "percent", 20)
    assert err.value.code == "permission_denied" and till.sale is before
    assert before is not None and before.lines[0].manual_discount is None
    sale = till.discount_line(1, "percent", 20, override=SUPERVISOR)
    assert sale.lines[0].manual_discount == ManualDiscount("percent", 20, "1001", "2001", "")
    [entry] = override_entries(conn)
    assert (entry["staff_id"], entry["approved_by"], entry["value"]) == ("1001", "2001", 20)
    with pytest.raises(TillError) as err:                 # above the supervisor's 50 %
        till.discount_line(1, "percent", 60, override=SUPERVISOR)
    assert err.value.code == "approver_not_allowed"
    assert till.discount_line(1, "percent", 60, override=MANAGER).lines[0].manual_discount


def test_an_amount_is_checked_against_the_limit_as_a_share_of_the_line(
        conn: sqlite3.Connection, config: StoreConfig) -> None:
    till = cashier_till(conn, config)
    [a] = demo_gtins(conn, 1)
    price = price_of_gtin(conn, a)
    till.scan(a)
    allowed = price * 10 // 100                           # exactly 10 %: the cashier alone
    assert till.discount_line(1, "amount", allowed).lines[0].total == price - allowed
    with pytest.raises(TillError) as err:
        till.discount_line(1, "amount", allowed + 1)       # a fen more than 10 %
    assert err.value.code == "permission_denied"
    with pytest.raises(TillError) as err:
        till.discount_line(1, "amount", price + 1, override=MANAGER)
    assert err.value.code == "discount_too_large"
    with pytest.raises(TillError) as err:                 # nothing left to pay
        till.discount_line(1, "percent", 100, override=MANAGER)
    assert err.value.code == "discount_too_large"
    assert till.discount_line(1, "amount", 0).lines[0].discount == 0   # 0 removes it


def test_an_order_discount_is_spread_over_the_lines_exactly(conn: sqlite3.Connection,
                                                            config: StoreConfig) -> None:
    till = cashier_till(conn, config, engine=TenPercentOffLineOne())
    gtins = demo_gtins(conn, 3)
    for g in gtins:
        till.scan(g)
    till.discount_line(2, "amount", 10)
    before = till.sale
    assert before is not None
    base = before.total
    sale = till.discount_order("percent", 7)
    order_shares = [d.amount for ln in sale.lines for d in ln.discounts
                    if d.promotion_id == "manual-order"]
    assert sum(order_shares) == div_half_up(base * 7, 100)
    assert sale.total == base - sum(order_shares)
    assert sum(ln.total for ln in sale.lines) == sale.subtotal - sale.discount
    sale = till.discount_order("amount", base // 20)
    assert sale.total == base - base // 20                       # a new order discount replaces the old


def test_discounts_reach_the_sale_event_hq_accepts_and_the_receipt(
        conn: sqlite3.Connection, config: StoreConfig) -> None:
    till = cashier_till(conn, config)
    a, b = demo_gtins(conn, 2)
    till.scan(a)
    till.scan(b)
    till.discount_line(1, "percent", 30, "damaged box", override=SUPERVISOR)
    assert till.sale is not None
    order_off = till.sale.total // 20
    till.discount_order("amount", order_off)
    sale = till.sale
    assert sale is not None
    done = till.tender("cash", sale.total + 1000)
    (payload,) = conn.execute("SELECT payload FROM outbox WHERE type = 'sale.completed'").fetchone()
    event = json.loads(payload)
    assert [(d["line_no"], d["kind"], d["by"], d["approved_by"]) for d in
            event["manual_discounts"]] == [(1, "percent", "1001", "2001"), (None, "amount", "1001",
                                                                             "1001")]
    assert event["manual_discounts"][1]["amount"] == order_off
    decoded = msgspec.json.decode(payload, type=HqSale)
    assert check_sale(decoded, "sale.completed", config.store_id, config.terminal_id) is None
    assert [(d.kind, d.percent, d.reason) for d in done.lines[0].discounts] == [
        ("line", 30, "damaged box"), ("order", None, "")]   # figures, never a built label
    text = render_text(build_receipt(done, config, "x"), 48)   # a zh store prints zh
    assert "折扣 30% damaged box" in text and "整单折扣" in text and "Discount" not in text
    both = dataclasses.replace(config, extra={"receipt": {"language": "both"}})
    text = render_text(build_receipt(done, both, "x"), 48)
    assert "折扣 Discount 30% damaged box" in text and "整单折扣 Order discount" in text


def test_no_discount_once_payment_started(conn: sqlite3.Connection, config: StoreConfig) -> None:
    till = cashier_till(conn, config)
    a, b = demo_gtins(conn, 2)
    till.scan(a)
    till.scan(b)
    till.tender("card", 1, approval_code="A1", masked_pan="622202******1234")
    for call in (lambda: till.discount_line(1, "percent", 5),
                 lambda: till.discount_order("percent", 5)):
        with pytest.raises(TillError) as err:
            call()
        assert err.value.code == "sale_totalled"


def test_a_discounted_line_is_not_merged_with_a_new_scan(conn: sqlite3.Connection,
                                                         config: StoreConfig) -> None:
    till = cashier_till(conn, config)
    [a] = demo_gtins(conn, 1)
    till.scan(a)
    till.discount_line(1, "percent", 10)
    assert len(till.scan(a).lines) == 2   # the approved discount covers the piece it was given on


def test_role_limits_come_from_store_toml_and_bad_ones_are_refused() -> None:
    settings = till_settings(StoreConfig(extra={"till": {"discount_limit_percent": {
        "cashier": 5}}}))
    assert settings.discount_limit("cashier") == 5 and settings.discount_limit("supervisor") == 50
    for bad in ({"cashier": 101}, {"boss": 10}, 10, {"cashier": True}):
        with pytest.raises(ConfigError):
            till_settings(StoreConfig(extra={"till": {"discount_limit_percent": bad}}))


def test_a_draft_keeps_its_discounts_through_a_restart(conn: sqlite3.Connection,
                                                        config: StoreConfig) -> None:
    till = cashier_till(conn, config)
    a, b = demo_gtins(conn, 2)
    till.scan(a)
    till.scan(b)
    till.discount_line(1, "percent", 10)
    till.discount_order("percent", 5)
    till.tender("card", 1, approval_code="A1", masked_pan="622202******1234")
    again = Till(conn, config)
    assert again.sale is not None and till.sale is not None
    assert dataclasses.asdict(again.sale) == dataclasses.asdict(till.sale)


def test_percent_of_rounds_up_and_the_order_spread_adds_up() -> None:
    assert percent_of(1001, 10_000) == 11 and percent_of(1000, 10_000) == 10
    shares = spread_order_discount(ManualDiscount("amount", 100, "a", "a"),
                                   [(1, 333), (2, 333), (3, 334)])
    assert sum(shares.values()) == 100 and shares == {1: 33, 2: 33, 3: 34}


def test_a_void_that_would_leave_nothing_to_pay_after_an_order_discount_is_refused(
        conn: sqlite3.Connection, config: StoreConfig) -> None:
    till = cashier_till(conn, config)
    a, b = demo_gtins(conn, 2)
    till.scan(a)
    till.scan(b)
    assert till.sale is not None
    dearer = max(price_of_gtin(conn, a), price_of_gtin(conn, b))
    till.discount_order("amount", dearer + 1, override=MANAGER)   # more than either line alone
    before = till.sale
    with pytest.raises(TillError) as err:
        till.void_line(1)
    assert err.value.code == "discount_too_large" and till.sale is before
    till.discount_order("amount", 0)                  # without the discount the void goes through
    assert len(till.void_line(1).lines) == 1
