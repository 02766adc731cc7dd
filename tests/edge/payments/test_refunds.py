"""Refunds of a payment-code sale to the original payment, over real HTTP to the simulator:
partial, twice, each with its own out_refund_no; a retry (also after a kill) reuses it and never
refunds twice; a refund that cannot reach the provider stays pending until a retry settles it."""

from __future__ import annotations

import socket
import sqlite3

import pytest

from edge.payments.attempts import (
    Refund,
    alerts,
    create_refund,
    get_attempt,
    get_refund,
    pending_refunds,
)
from edge.payments.provider import PaymentProvider, RefundRequest
from edge.payments.refunds import RefundError, refund_payment, retry_pending
from providers.simulator import ProviderSimulator
from tests.edge.payments.harness import CODES, FakeClock, adapters, paying_till
from tests.edge.sale.sale_helpers import demo_gtins


def paid_sale(conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock,
              provider: str) -> tuple[str, int]:
    till = paying_till(conn, adapters(sim.url, clock), clock)
    for gtin in demo_gtins(conn, 3):
        till.scan(gtin)
    sale = till.pay_code(CODES[provider])
    reference = sale.tenders[0].reference
    assert reference is not None
    return reference, sale.total


def refund(conn: sqlite3.Connection, providers: dict[str, PaymentProvider], out_trade_no: str,
           amount: int, return_id: str) -> Refund:
    return refund_payment(conn, providers, out_trade_no, amount, return_id=return_id,
                          staff_id="1001", store_id="S001", terminal_id="T01")


@pytest.mark.parametrize("provider", ["wechat", "alipay"])
def test_two_partial_refunds_each_confirmed_by_query(conn: sqlite3.Connection,
                                                     sim: ProviderSimulator, clock: FakeClock,
                                                     provider: str) -> None:
    out_trade_no, total = paid_sale(conn, sim, clock, provider)
    providers = adapters(sim.url, clock)
    first = refund(conn, providers, out_trade_no, 100, "RET-1")
    second = refund(conn, providers, out_trade_no, 50, "RET-2")
    assert (first.state, second.state) == ("success", "success")
    assert first.out_refund_no != second.out_refund_no
    assert sim.charged() == {out_trade_no: total - 150}
    assert sum(1 for r in sim.requests if r[2] == "refund_query") == 2
    with pytest.raises(RefundError) as refused:           # more than what is left
        refund(conn, providers, out_trade_no, total, "RET-3")
    assert refused.value.code == "refund_refused"
    assert sim.charged() == {out_trade_no: total - 150}


def test_the_same_return_asked_again_is_the_same_refund(conn: sqlite3.Connection,
                                                        sim: ProviderSimulator,
                                                        clock: FakeClock) -> None:
    out_trade_no, total = paid_sale(conn, sim, clock, "wechat")
    providers = adapters(sim.url, clock)
    once = refund(conn, providers, out_trade_no, 120, "RET-1")
    again = refund(conn, providers, out_trade_no, 120, "RET-1")
    assert again.out_refund_no == once.out_refund_no and again.state == "success"
    assert sim.charged() == {out_trade_no: total - 120}


def test_a_retry_after_a_kill_reuses_the_out_refund_no_and_refunds_once(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock) -> None:
    out_trade_no, total = paid_sale(conn, sim, clock, "alipay")
    attempt = get_attempt(conn, out_trade_no)
    assert attempt is not None
    providers = adapters(sim.url, clock)
    # the refund was recorded and sent, then the till died before it saw the answer
    pending = create_refund(conn, attempt, 200, "RET-9", "1001", "S001", "T01")
    providers["alipay"].refund(RefundRequest(out_trade_no, pending.out_refund_no, 200, total))
    assert sim.charged() == {out_trade_no: total - 200}
    assert retry_pending(conn, providers) == []              # the agent's retry, same number
    settled = get_refund(conn, pending.out_refund_no)
    assert settled is not None and settled.state == "success"
    assert sim.charged() == {out_trade_no: total - 200}     # refunded once, not twice


def test_an_unreachable_provider_leaves_the_refund_pending_until_a_retry(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock) -> None:
    out_trade_no, total = paid_sale(conn, sim, clock, "wechat")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = adapters(f"http://127.0.0.1:{probe.getsockname()[1]}", clock)
    waiting = refund(conn, dead, out_trade_no, 300, "RET-1")
    assert waiting.state == "pending" and pending_refunds(conn) == [waiting]
    assert sim.charged() == {out_trade_no: total}
    assert retry_pending(conn, dead) == [waiting]            # still unreachable: still pending
    assert retry_pending(conn, adapters(sim.url, clock)) == []
    assert sim.charged() == {out_trade_no: total - 300}
    assert alerts(conn) == []
