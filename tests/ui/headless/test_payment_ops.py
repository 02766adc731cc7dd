"""The payment-code ops of the headless protocol: through `pos till --headless` with store.toml
pointing at the simulator over real HTTP, and in-process with a fake clock for the waiting ones."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from providers import simulator as s
from providers.simulator import Behaviour, ProviderSimulator
from tests.edge.payments.harness import (
    CODES,
    FakeClock,
    adapters,
    configure,
    paying_till,
    simulator,
)
from tests.edge.sale.sale_helpers import demo_gtins
from tests.ui.headless.headless_process import HeadlessTill
from ui.headless.protocol import TillProtocol


@pytest.fixture
def live_sim() -> Iterator[ProviderSimulator]:
    sim = simulator()
    yield sim
    sim.stop()


def test_pay_code_through_the_headless_till(db_path: Path, live_sim: ProviderSimulator) -> None:
    conn = sqlite3.connect(db_path)
    gtins = [r[0].lstrip("0") for r in conn.execute(
        "SELECT g.gtin FROM product_gtin g JOIN product p USING (sku) WHERE p.age_restricted = 0"
        " ORDER BY p.sku LIMIT 2")]
    conn.close()
    configure(db_path, live_sim.url)
    till = HeadlessTill(db_path)
    try:
        assert till.send({"op": "login", "staff": "1001", "pin": "1234"})["ok"]
        assert till.send({"op": "shift_open", "float": "0"})["ok"]  # a till sells in a shift
        for gtin in gtins:
            assert till.send({"op": "scan", "data": gtin})["ok"]
        paid = till.send({"op": "pay_code", "code": CODES["wechat"]})
        assert paid["ok"], paid
        assert paid["sale"]["status"] == "completed" and paid["payment"]["state"] == "paid"
        assert paid["payment"]["out_trade_no"].startswith("PS001T01") and paid["receipt"]
        assert list(live_sim.charged().values()) == [int(paid["sale"]["total"].replace(".", ""))]
        # a return refunds its share to the payment by itself, confirmed by the provider
        returned = till.send({"op": "return", "receipt": paid["receipt_qr"],
                              "lines": [{"line": 1, "qty": "1"}]})
        assert returned["ok"], returned
        [refund] = returned["return"]["payment_refunds"]
        assert refund["state"] == "success" and refund["out_refund_no"].startswith("RS001T01")
        assert refund["out_trade_no"] == paid["payment"]["out_trade_no"]
        assert refund["amount"] == returned["return"]["total"]
        assert list(live_sim.charged().values()) == [
            int(paid["sale"]["total"].replace(".", "")) - int(refund["amount"].replace(".", ""))]

        live_sim.behaviour = Behaviour(s.DECLINE)
        assert till.send({"op": "scan", "data": gtins[0]})["ok"]
        declined = till.send({"op": "scan", "data": CODES["alipay"]})   # scanned like any code
        assert declined["error"]["code"] == "payment_declined"
        assert till.send({"op": "tender", "type": "cash", "amount": "100"})["sale"]["status"] \
            == "completed"
        alerts = till.send({"op": "payment_alerts"})
        assert alerts["alerts"] == [] and alerts["pending_refunds"] == []
    finally:
        assert till.close() == 0


def call(protocol: TillProtocol, request: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(protocol.handle_line(json.dumps(request)))
    return answer


def test_waiting_polling_and_refusing_a_second_code(conn: sqlite3.Connection) -> None:
    clock = FakeClock()
    sim = simulator(clock)
    try:
        sim.behaviour = Behaviour(s.USERPAYING, paying_s=7)
        till = paying_till(conn, adapters(sim.url, clock), clock)
        protocol = TillProtocol(till)
        for gtin in demo_gtins(conn, 2):
            call(protocol, {"op": "scan", "data": gtin})
        waiting = call(protocol, {"op": "pay_code", "code": CODES["alipay"], "wait": False})
        assert waiting["ok"] and waiting["payment"]["state"] == "waiting"
        again = call(protocol, {"op": "pay_code", "code": CODES["wechat"]})
        assert again["error"]["code"] == "payment_pending"
        assert call(protocol, {"op": "pay_code", "code": CODES["wechat"], "wait": "no"}
                    )["error"]["code"] == "bad_request"
        done = call(protocol, {"op": "pay_poll", "wait": True})
        assert done["ok"] and done["sale"]["status"] == "completed", done
        assert done["payment"]["state"] == "paid" and "receipt" in done
        assert call(protocol, {"op": "pay_cancel"})["error"]["code"] == "no_open_sale"
    finally:
        sim.stop()


def test_a_till_without_providers_says_so(conn: sqlite3.Connection) -> None:
    from edge.config import StoreConfig
    from edge.till.session import Till
    till = Till(conn, StoreConfig())
    till.login("1001", "1234")
    protocol = TillProtocol(till)
    gtin = demo_gtins(conn, 1)[0]
    call(protocol, {"op": "scan", "data": gtin})
    assert call(protocol, {"op": "pay_code", "code": CODES["wechat"]})["error"]["code"] == \
        "payment_not_configured"
    # without providers a scanned payment code is still refused as a product
    assert call(protocol, {"op": "scan", "data": CODES["wechat"]})["error"]["code"] == "payment_code"


def test_a_till_clock_a_minute_and_a_half_off_is_warned(conn: sqlite3.Connection) -> None:
    # Whole seconds: an HTTP Date header has no fractions, so a till clock at x.6 s would read
    # as 89 s behind.
    till_clock = FakeClock(float(int(FakeClock().now())))
    provider_clock = FakeClock(till_clock.now() + 90)        # the till is 90 s behind
    sim = simulator(provider_clock)
    try:
        till = paying_till(conn, adapters(sim.url, till_clock), till_clock)
        protocol = TillProtocol(till)
        assert call(protocol, {"op": "payment_alerts"})["clock_warning"] is None
        for gtin in demo_gtins(conn, 1):
            call(protocol, {"op": "scan", "data": gtin})
        assert call(protocol, {"op": "pay_code", "code": CODES["wechat"]})["ok"]
        warning = call(protocol, {"op": "payment_alerts"})["clock_warning"]
        assert warning is not None and "90 s behind" in warning
    finally:
        sim.stop()
