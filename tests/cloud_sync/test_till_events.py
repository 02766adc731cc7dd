"""The events the real till core writes pass HQ's strict validation: sales with cash rounding
(抹零), card sales, cancelled sales, loss prevention's voids, price overrides and no-sale drawer
opens, and the other event types kept generically."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from cloud_sync.agent import batch_bytes
from edge.config import CASH_ROUNDINGS, StoreConfig
from hq.validation import validate_batch
from tests.edge.sale.sale_helpers import SUPERVISOR, demo_gtins, logged_in_till

pytestmark = pytest.mark.dated


def test_events_of_the_real_till_are_accepted_by_hq(conn: sqlite3.Connection) -> None:
    config = dataclasses.replace(StoreConfig(), cash_rounding=CASH_ROUNDINGS["down_0.10"])
    conn.execute("UPDATE product SET price = 1234 WHERE sku = 'P00001'")
    till = logged_in_till(conn, config)
    till.add(sku="P00001")
    assert till.tender("cash", 1230).rounding == -4
    for gtin in demo_gtins(conn, 3):
        till.scan(gtin)
    sale = till.current
    assert sale is not None
    till.tender("card", sale.total, approval_code="A1", masked_pan="622202******7890")
    till.scan(demo_gtins(conn, 1)[0])
    till.cancel(SUPERVISOR)
    # Loss prevention's facts: a void before and one after the subtotal, a price override and
    # a no-sale drawer open.
    for gtin in demo_gtins(conn, 3):
        till.scan(gtin)
    till.void_line(3, reason="Wrong item")
    till.override_price(1, 50, "damaged", SUPERVISOR)
    till.subtotal()
    till.void_line(2, SUPERVISOR, "Customer changed their mind")
    sale = till.current
    assert sale is not None
    till.tender("cash", sale.total + 10)
    till.no_sale("Change for the next till", SUPERVISOR)
    rows = conn.execute("SELECT seq, event_id, type, payload, created_at FROM outbox"
                        " ORDER BY seq").fetchall()
    store, terminal = config.store_id, config.terminal_id
    accepted, refused, _ = validate_batch(store, terminal, batch_bytes(store, terminal, 0, rows))
    assert refused == []
    types = [e.type for e in accepted]
    assert types.count("sale.completed") == 3 and types.count("sale.cancelled") == 1
    assert all(e.sale is not None for e in accepted if e.type.startswith("sale."))
    assert (types.count("line.voided"), types.count("price.overridden"),
            types.count("drawer.no_sale")) == (2, 1, 1)
    voided = [e.fact for e in accepted if e.type == "line.voided"]
    assert [(v.line_no, v.after_subtotal, v.approved_by) for v in voided] == [
        (3, False, "1001"), (2, True, "2001")]
    [override] = [e.fact for e in accepted if e.type == "price.overridden"]
    assert (override.price, override.approved_by, override.sale_id) == (50, "2001",
                                                                         voided[0].sale_id)


def test_open_price_training_and_kiosk_alert_facts_of_the_real_till_are_accepted_by_hq(
        conn: sqlite3.Connection) -> None:
    config = StoreConfig()
    till = logged_in_till(conn, config)
    till.add(plu="90", price=888)
    till.tender("cash", 888)
    till.lane_alert("weight", "2026-12-06T10:00:00+00:00", "attendant", "2001")
    till.logout()
    till.login("1001", "1234", training=True)
    till.scan(demo_gtins(conn, 1)[0])
    till.tender("cash", 100_00)
    rows = conn.execute("SELECT seq, event_id, type, payload, created_at FROM outbox"
                        " ORDER BY seq").fetchall()
    store, terminal = config.store_id, config.terminal_id
    accepted, refused, _ = validate_batch(store, terminal, batch_bytes(store, terminal, 0, rows))
    assert refused == []
    assert [e.type for e in accepted] == ["sale.completed", "open_price.sold", "kiosk.alert",
                                          "training.sale"]
    opened, alert, training = (e.fact for e in accepted[1:])
    assert (opened.sale_id, [ln.unit_price for ln in opened.lines]) == (
        accepted[0].sale.sale_id, [888])
    assert (alert.terminal_id, alert.kind, alert.cleared_by) == (terminal, "weight", "2001")
    assert (training.staff_id, training.status, training.lines) == ("1001", "completed", 1)
    # Another terminal's lane is refused: a kiosk alert names the sender.
    _, refused, _ = validate_batch(store, "T99", batch_bytes(store, "T99", 0, rows[2:3]))
    assert "names terminal" in refused[0].reason
