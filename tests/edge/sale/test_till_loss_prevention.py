"""Loss prevention in the till core: void approvals by `till.void_approval`, the void after a
partial tender, reasons, member codes in the scan, price check, tare and the shift rule."""

from __future__ import annotations

import json
import sqlite3

import pytest

from edge.config import ConfigError, StoreConfig, config_from_dict
from edge.customers.members import register_member
from edge.store_ops.shifts import open_shift
from edge.till.reasons import reasons
from edge.till.session import Till, TillError
from tests.edge.sale.sale_helpers import SUPERVISOR, demo_gtins, price_of_gtin


def till_with(conn: sqlite3.Connection, lane: str | None = None, **till: object) -> Till:
    t = Till(conn, config_from_dict({"till": till} if till else {}), lane=lane)
    t.login("1001", "1234")
    return t


def voids(conn: sqlite3.Connection) -> list[dict[str, object]]:
    return [json.loads(body) for (body,) in conn.execute(
        "SELECT body FROM journal WHERE kind = 'line.voided' ORDER BY seq")]


@pytest.mark.parametrize(("mode", "before", "after"), [
    ("none", False, False), ("after_subtotal", False, True), ("always", True, True)])
def test_void_approval_by_mode(conn: sqlite3.Connection, mode: str, before: bool,
                               after: bool) -> None:
    till = till_with(conn, void_approval=mode)
    for gtin in demo_gtins(conn, 3):
        till.scan(gtin)
    assert till.sale is not None
    for line, subtotal, needs in ((1, False, before), (2, True, after)):
        if subtotal:
            till.subtotal()
        if needs:
            before_void = till.sale.copy()
            with pytest.raises(TillError) as refused:
                till.void_line(line, reason="Wrong quantity")
            assert refused.value.code == "permission_denied"
            assert till.sale.to_dict() == before_void.to_dict()     # nothing changed
            till.void_line(line, SUPERVISOR, "Wrong quantity")
        else:
            till.void_line(line, reason="Wrong quantity")
    approvers = [v["approved_by"] for v in voids(conn)]
    assert approvers == ["2001" if before else "1001", "2001" if after else "1001"]
    assert {v["reason"] for v in voids(conn)} == {"Wrong quantity"}


def test_void_after_a_partial_tender_keeps_the_tender_and_changes_the_balance(
        conn: sqlite3.Connection) -> None:
    till = till_with(conn, void_approval="none")
    a, b = demo_gtins(conn, 2)
    till.scan(a)
    till.scan(b)
    assert till.sale is not None
    cheap = min(price_of_gtin(conn, a), price_of_gtin(conn, b))
    till.tender("cash", cheap)
    with pytest.raises(TillError) as refused:        # money taken: a supervisor, in every mode
        till.void_line(2)
    assert refused.value.code == "permission_denied"
    line = 2 if price_of_gtin(conn, b) >= price_of_gtin(conn, a) else 1
    keep = till.sale.line(3 - line)
    assert keep is not None
    sale = till.void_line(line, SUPERVISOR, "Customer changed their mind")
    assert [t.amount for t in sale.tenders] == [cheap]
    assert sale.remaining == keep.total - cheap
    assert conn.execute("SELECT COUNT(*) FROM open_sale").fetchone()[0] == 1  # kept on disk


def test_a_void_that_would_refund_is_refused_and_changes_nothing(conn: sqlite3.Connection) -> None:
    till = till_with(conn)
    a, b = demo_gtins(conn, 2)
    till.scan(a)
    till.scan(b)
    assert till.sale is not None
    till.tender("cash", till.sale.total - 1)
    before = till.sale.to_dict()
    with pytest.raises(TillError) as refused:
        till.void_line(1, SUPERVISOR)
    assert refused.value.code == "would_refund"
    assert till.sale.to_dict() == before and voids(conn) == []


def test_bad_void_approval_is_refused_at_start() -> None:
    with pytest.raises(ConfigError, match="void_approval"):
        Till(sqlite3.connect(":memory:"), config_from_dict({"till": {"void_approval": "never"}}))


def test_reason_lists_default_in_both_languages_and_follow_store_toml() -> None:
    assert reasons(StoreConfig(locale="zh_CN"), "void")[0] == "扫错商品"
    assert reasons(StoreConfig(locale="en"), "no_sale")[0] == "Change for a customer"
    own = config_from_dict({"reasons": {"void": ["A"], "return": {"zh_CN": ["坏了"], "en": ["Bad"]}}})
    assert reasons(own, "void") == ["A"]
    assert reasons(own, "return", "en") == ["Bad"]
    assert reasons(own, "discount", "zh_CN")[0] == "商品瑕疵"
    with pytest.raises(ConfigError, match=r"reasons\.void"):
        Till(sqlite3.connect(":memory:"), config_from_dict({"reasons": {"void": []}}))


def test_member_qr_and_configured_card_numbers_in_the_scan(conn: sqlite3.Connection) -> None:
    member = register_member(conn, "3001", "gold", "陈静", card_no="88000009",
                             qr_token="MQR-TEST-0009")
    till = Till(conn, config_from_dict(
        {"member_codes": [{"prefix": "MQR-", "min_length": 8, "max_length": 64},
                          {"prefix": "88", "min_length": 8, "max_length": 8}]}))
    till.login("1001", "1234")
    sale = till.scan("]Q1MQR-TEST-0009")
    assert sale.member_id == member.id and sale.member_tier == "gold" and not sale.lines
    till.set_member(None, None)
    assert till.scan("88000009").member_id == member.id
    with pytest.raises(TillError) as unknown:
        till.scan("MQR-NOBODY-1")
    assert unknown.value.code == "unknown_member"


def test_price_check_adds_nothing(conn: sqlite3.Connection) -> None:
    till = till_with(conn)
    gtin = demo_gtins(conn, 1)[0]
    answer = till.price_check(gtin)
    assert answer["price"] == price_of_gtin(conn, gtin) and answer["promotions"] == []
    assert isinstance(answer["on_hand_milli"], int)
    assert till.sale is None and till.price_check("1")["unit"] == "kg"
    with pytest.raises(TillError) as unknown:
        till.price_check("6900000000000")
    assert unknown.value.code in ("unknown_product", "invalid_barcode")


def test_tare_comes_off_a_weighed_item(conn: sqlite3.Connection) -> None:
    till = till_with(conn)
    sale = till.add(plu="1", qty="0.520", tare="0.015")
    assert sale.lines[0].qty_milli == 505
    with pytest.raises(TillError) as heavy:
        till.add(plu="1", qty="0.010", tare="0.015")
    assert heavy.value.code == "invalid_quantity" and len(till.sale.lines) == 1  # type: ignore[union-attr]
    with pytest.raises(TillError) as packaged:
        till.scan(demo_gtins(conn, 1)[0], tare="0.005")
    assert packaged.value.code == "bad_request"


def test_a_staffed_till_sells_only_in_a_shift_a_kiosk_without(conn: sqlite3.Connection) -> None:
    gtin = demo_gtins(conn, 1)[0]
    staffed = till_with(conn, lane="till")
    with pytest.raises(TillError) as refused:
        staffed.scan(gtin)
    assert refused.value.code == "no_shift" and staffed.sale is None
    assert till_with(conn, lane="kiosk").scan(gtin).lines
    assert till_with(conn, "till", require_shift=False).scan(gtin).lines
    open_shift(conn, StoreConfig(), "1001", 10_000)
    assert staffed.scan(gtin).lines


# ---- the facts HQ's loss prevention counts (line.voided, price.overridden, drawer.no_sale) ----

def events(conn: sqlite3.Connection, kind: str | None = None) -> list[tuple[str, dict[str, object]]]:
    return [(t, json.loads(p)) for t, p in conn.execute(
        "SELECT type, payload FROM outbox ORDER BY seq") if kind is None or t == kind]


def journal_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0])


def test_each_void_writes_one_line_voided_fact_with_its_journal_entry(
        conn: sqlite3.Connection) -> None:
    till = till_with(conn, void_approval="after_subtotal")
    for gtin in demo_gtins(conn, 3):
        till.scan(gtin)
    assert till.sale is not None
    first, second = till.sale.lines[0], till.sale.lines[1]
    till.void_line(1, reason="Wrong item")
    assert events(conn) == [("line.voided", {
        "sale_id": till.sale.id, "line_no": 1, "sku": first.sku, "qty_milli": first.qty_milli,
        "total": first.total, "staff_id": "1001", "approved_by": "1001",
        "after_subtotal": False, "reason": "Wrong item"})]
    till.subtotal()
    before = (events(conn), journal_count(conn))
    with pytest.raises(TillError) as refused:           # after the subtotal: a supervisor
        till.void_line(2, reason="Wrong item")
    assert refused.value.code == "permission_denied"
    with pytest.raises(TillError):                      # a wrong supervisor PIN
        till.void_line(2, {"staff": "2001", "pin": "0000"}, "Wrong item")
    assert (events(conn), journal_count(conn)) == before  # refused: nothing written
    till.void_line(2, SUPERVISOR, "  Customer changed their mind ")
    assert events(conn)[1:] == [("line.voided", {
        "sale_id": till.sale.id, "line_no": 2, "sku": second.sku,
        "qty_milli": second.qty_milli, "total": second.total, "staff_id": "1001",
        "approved_by": "2001", "after_subtotal": True, "reason": "Customer changed their mind"})]
    # Each fact sits in the transaction of its journal entry: one journal entry per fact.
    assert len(voids(conn)) == len(events(conn, "line.voided")) == 2


def test_a_price_override_writes_one_price_overridden_fact_and_a_refused_one_none(
        conn: sqlite3.Connection) -> None:
    till = till_with(conn)
    gtin = demo_gtins(conn, 1)[0]
    till.scan(gtin)
    assert till.sale is not None
    sku, price = till.sale.lines[0].sku, price_of_gtin(conn, gtin)
    before = (events(conn), journal_count(conn))
    for override, code in ((None, "permission_denied"),
                           ({"staff": "1001", "pin": "1234"}, "approver_not_allowed"),
                           ({"staff": "2001", "pin": "0000"}, "permission_denied")):
        with pytest.raises(TillError) as refused:
            till.override_price(1, 100, "damaged", override)
        assert refused.value.code == code
    for bad in (-1, "1.00", 10**9):
        with pytest.raises(TillError) as refused:
            till.override_price(1, bad, "damaged", SUPERVISOR)  # type: ignore[arg-type]
        assert refused.value.code == "invalid_amount"
    assert (events(conn), journal_count(conn)) == before
    assert till.sale.lines[0].unit_price == price
    till.override_price(1, 100, " damaged ", SUPERVISOR)
    till.override_price(1, 90, "still damaged", SUPERVISOR)     # original stays the catalog's
    assert events(conn) == [("price.overridden", {
        "sale_id": till.sale.id, "line_no": 1, "sku": sku, "original_price": price,
        "price": p, "staff_id": "1001", "approved_by": "2001", "reason": why})
        for p, why in ((100, "damaged"), (90, "still damaged"))]


def test_a_no_sale_writes_one_drawer_no_sale_fact_and_a_refused_one_none(
        conn: sqlite3.Connection) -> None:
    till = till_with(conn)
    before = (events(conn), journal_count(conn))
    with pytest.raises(TillError) as refused:
        till.no_sale("Change for the next till")
    assert refused.value.code == "permission_denied"
    with pytest.raises(TillError) as refused:
        till.no_sale(" ", SUPERVISOR)
    assert refused.value.code == "bad_request"
    assert (events(conn), journal_count(conn)) == before
    till.no_sale(" Change for the next till ", SUPERVISOR)
    assert events(conn) == [("drawer.no_sale", {"staff_id": "1001", "approved_by": "2001",
                                                "reason": "Change for the next till"})]
    assert journal_count(conn) == before[1] + 1


def test_training_journals_voids_overrides_and_no_sales_but_sends_hq_nothing(
        conn: sqlite3.Connection) -> None:
    till = Till(conn, StoreConfig())
    till.login("1001", "1234", training=True)
    for gtin in demo_gtins(conn, 2):
        till.scan(gtin)
    till.override_price(1, 100, "damaged", SUPERVISOR)
    till.void_line(2, reason="Wrong item")
    till.no_sale("Change", SUPERVISOR)
    assert events(conn) == []
    kinds = [k for (k,) in conn.execute("SELECT kind FROM journal ORDER BY seq")]
    assert kinds.count("line.voided") == 1 and kinds.count("drawer.no_sale") == 1
    assert kinds.count("override") == 1


def test_a_fact_that_cannot_be_written_leaves_no_journal_entry_and_no_change(
        conn: sqlite3.Connection) -> None:
    """The fact and its journal entry are one transaction: the outbox refusing the fact (a
    storage error) rolls the journal entry back, and the action simply works again after."""
    till = till_with(conn)
    for gtin in demo_gtins(conn, 2):
        till.scan(gtin)
    assert till.sale is not None
    conn.execute("CREATE TEMP TRIGGER refuse_fact BEFORE INSERT ON outbox_event"
                 " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    before = (till.sale.to_dict(), journal_count(conn))
    for action in (lambda: till.void_line(1, reason="Wrong item"),
                   lambda: till.override_price(1, 100, "damaged", SUPERVISOR),
                   lambda: till.no_sale("Change", SUPERVISOR)):
        with pytest.raises(TillError) as failed:
            action()
        assert failed.value.code.startswith("storage_")
        assert (till.sale.to_dict(), journal_count(conn)) == before
    conn.execute("DROP TRIGGER refuse_fact")
    till.override_price(1, 100, "damaged", SUPERVISOR)
    till.void_line(1, reason="Wrong item")
    till.no_sale("Change", SUPERVISOR)
    assert [t for t, _ in events(conn)] == ["price.overridden", "line.voided", "drawer.no_sale"]


def test_a_reason_with_control_characters_reaches_hq_without_them(
        conn: sqlite3.Connection) -> None:
    """HQ refuses text holding control characters (hq/schemas.py); the till's facts leave
    them out, so a reason typed through a library call still makes a fact HQ takes."""
    till = till_with(conn)
    for gtin in demo_gtins(conn, 2):
        till.scan(gtin)
    till.void_line(2, reason="wrong\titem")
    till.override_price(1, 100, "\x1b\n", SUPERVISOR)
    till.no_sale("change\x00", SUPERVISOR)
    assert [p["reason"] for _, p in events(conn)] == ["wrongitem", "-", "change"]


# ---- open prices, kiosk alerts: the last loss-prevention facts HQ counts ------------------------

def test_a_sale_with_open_prices_sends_its_open_price_fact_in_the_sales_own_transaction(
        conn: sqlite3.Connection) -> None:
    till = till_with(conn)
    [gtin] = demo_gtins(conn, 1)
    till.scan(gtin)
    till.add(plu="90", price=1250)
    till.add(plu="90", qty="2", price=300)
    assert till.sale is not None
    conn.execute("CREATE TEMP TRIGGER refuse_fact BEFORE INSERT ON outbox_event"
                 " WHEN NEW.type = 'open_price.sold'"
                 " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    with pytest.raises(TillError) as failed:
        till.tender("cash", till.sale.total)
    assert failed.value.code.startswith("storage_")
    assert conn.execute("SELECT count(*) FROM sale").fetchone()[0] == 0   # the sale with it
    assert events(conn) == []
    conn.execute("DROP TRIGGER refuse_fact")
    done = till.tender("cash", till.sale.total)
    sent = events(conn)
    assert [t for t, _ in sent] == ["sale.completed", "open_price.sold"]
    assert sent[1][1] == {"sale_id": done.id, "staff_id": "1001", "lines": [
        {"line_no": 2, "sku": "X0001", "qty_milli": 1000, "unit_price": 1250, "total": 1250},
        {"line_no": 3, "sku": "X0001", "qty_milli": 2000, "unit_price": 300, "total": 600}]}
    seqs = [s for (s,) in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
    assert seqs[1] == seqs[0] + 1 and done.event_seq == seqs[0]
    # A sale without open prices, a cancelled one with them, and training: no such fact.
    till.scan(gtin)
    till.tender("cash", 100_00)
    till.add(plu="90", price=500)
    till.cancel(SUPERVISOR)
    trainee = Till(conn, StoreConfig())
    trainee.login("1001", "1234", training=True)
    trainee.add(plu="90", price=500)
    trainee.tender("cash", 500)
    assert [t for t, _ in events(conn)].count("open_price.sold") == 1


def test_a_kiosk_alert_is_one_fact_with_its_journal_entry_and_only_journaled_in_training(
        conn: sqlite3.Connection) -> None:
    till = till_with(conn, lane="kiosk")
    [gtin] = demo_gtins(conn, 1)
    till.scan(gtin)
    assert till.sale is not None
    before = journal_count(conn)
    for bad in (("theft", "2026-12-06T10:00:00+00:00", "attendant"),
                ("age", "yesterday", "attendant"), ("age", "2026-12-06T10:00:00", "attendant"),
                ("weight", "2026-12-06T10:00:00+00:00", "shrugged")):
        with pytest.raises(TillError) as refused:
            till.lane_alert(*bad)
        assert refused.value.code == "bad_request"
    conn.execute("CREATE TEMP TRIGGER refuse_fact BEFORE INSERT ON outbox_event"
                 " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    with pytest.raises(TillError):
        till.lane_alert("age", "2026-12-06T10:00:00+00:00", "age_approved", "2001")
    assert (events(conn), journal_count(conn)) == ([], before)       # neither without the other
    conn.execute("DROP TRIGGER refuse_fact")
    till.lane_alert("age", "2026-12-06T10:00:00+00:00", "age_approved", "2001")
    till.lane_alert("weight", "2999-01-01T00:00:00+00:00", "resolved")   # a clock stepped back
    [(_, age), (_, weight)] = events(conn, "kiosk.alert")
    assert age == {"terminal_id": "T01", "kind": "age", "raised_at": "2026-12-06T10:00:00+00:00",
                   "cleared_at": age["cleared_at"], "cleared": "age_approved",
                   "cleared_by": "2001", "sale_id": till.sale.id}
    assert weight["cleared_at"] == weight["raised_at"] and weight["cleared_by"] is None
    assert journal_count(conn) == before + 2
    trainee = Till(conn, StoreConfig())
    trainee.login("1001", "1234", training=True)
    trainee.lane_alert("weight", "2026-12-06T10:00:00+00:00", "attendant", "1001")
    assert len(events(conn, "kiosk.alert")) == 2 and journal_count(conn) == before + 3
