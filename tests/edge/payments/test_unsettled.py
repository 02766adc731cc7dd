"""Every attempt settles and none blocks another, against the simulator over real HTTP:

- a pay request that fails before the provider records anything (WeChat codepay 500 SYSTEM_ERROR,
  then query 404 ORDER_NOT_EXIST, reverse 404 ORDER_NOT_EXIST; Alipay's equivalents) is closed as
  not charged, journaled with the provider's answers, and the cashier is told so;
- an attempt whose reversal stays refused is left to the background, and the till takes a second
  code (WeChat and Alipay) and other tenders at once, and starts without asking any provider;
- the sync agent's payment job settles it once the provider lets it, and warns while it cannot."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from pathlib import Path

import pytest

from cli._payment_job import PaymentJob
from edge.config import load_config
from edge.payments.attempts import alerts, attempts_of_sale, open_attempts
from edge.payments.settings import PaymentSettings
from edge.payments.settle import settle_open_attempts, unsettled
from edge.till.session import Till, TillError
from providers import simulator as s
from providers.simulator import Behaviour, ProviderSimulator
from tests.edge.payments.harness import CODES, FakeClock, adapters, configure, paying_till
from tests.edge.sale.sale_helpers import demo_gtins

PROVIDERS = ("wechat", "alipay")
# a reversal refused for 10 s is left to the background (the default keeps trying 90 s)
SHORT = PaymentSettings(reverse_for_s=10)


def selling(conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock,
            settings: PaymentSettings | None = None) -> Till:
    till = paying_till(conn, adapters(sim.url, clock), clock, settings)
    for gtin in demo_gtins(conn, 2):
        till.scan(gtin)
    return till


def journal(conn: sqlite3.Connection, kind: str) -> list[dict[str, object]]:
    return [json.loads(r[0]) for r in conn.execute("SELECT body FROM journal WHERE kind = ?"
                                                   " ORDER BY seq", (kind,))]


def ops(sim: ProviderSimulator) -> list[str]:
    return [r[2] for r in sim.requests]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_pay_error_before_the_provider_recorded_anything_settles_as_not_charged(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock,
        provider: str) -> None:
    sim.behaviour = Behaviour(s.UNRECORDED_ERROR)
    till = selling(conn, sim, clock)
    start = clock.now()
    with pytest.raises(TillError) as refused:
        till.pay_code(CODES[provider])
    assert refused.value.code == "payment_failed" and "not charged" in refused.value.message
    assert clock.now() - start <= 31          # the till's timeout, never the 90 s of reversing
    [attempt] = attempts_of_sale(conn, till.sale.id)  # type: ignore[union-attr]
    assert attempt.state == "closed" and attempt.provider_state == "NOT_FOUND"
    reverse = "reverse" if provider == "wechat" else "cancel"
    assert ops(sim)[0] == "pay" and ops(sim)[-2:] == [reverse, "query"]
    assert set(ops(sim)[1:-2]) == {"query"}   # queried until the timeout, all "no such order"
    [entry] = journal(conn, "payment.closed")
    answers = entry["answers"]
    assert isinstance(answers, list)
    not_found = "ORDER_NOT_EXIST" if provider == "wechat" else "ACQ.TRADE_NOT_EXIST"
    assert answers[0].startswith("pay: UNKNOWN") and "SYSTEM_ERROR" in answers[0]
    assert any(a.startswith("query: NOT_FOUND") and not_found in a for a in answers)
    assert answers[-2].startswith("reverse: NOT_FOUND") and answers[-1].startswith("query: NOT")
    assert open_attempts(conn) == [] and alerts(conn) == [] and sim.charged() == {}
    sim.behaviour = Behaviour(s.SUCCESS)
    assert till.pay_code(CODES[provider]).status == "completed"  # the next code: paid at once


@pytest.mark.parametrize("provider", PROVIDERS)
def test_no_such_order_is_believed_only_15_s_after_the_pay_request(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock,
        provider: str) -> None:
    sim.behaviour = Behaviour(s.UNRECORDED_ERROR)
    till = selling(conn, sim, clock)
    start = clock.now()
    till.pay_code(CODES[provider], wait=False)     # 500: the answer settles nothing
    clock.sleep(1)
    with pytest.raises(TillError) as refused:      # the cashier's cancel key, a second later
        till.payment_cancel()
    assert "not charged" in refused.value.message
    [attempt] = attempts_of_sale(conn, till.sale.id)  # type: ignore[union-attr]
    if provider == "wechat":                       # reversed again until the pay cannot be in flight
        assert refused.value.code == "payment_failed" and attempt.state == "closed"
        assert clock.now() - start >= 15 and ops(sim).count("reverse") >= 3
        assert ops(sim)[-1] == "query"
    else:    # Alipay's first cancel closed the number: the next one answers action=close
        assert refused.value.code == "payment_reversed" and attempt.state == "reversed"
        assert ops(sim).count("cancel") == 2
    assert sim.charged() == {}


@pytest.mark.parametrize("first", PROVIDERS)
def test_an_unsettled_attempt_blocks_no_code_no_tender_and_no_start(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock, first: str) -> None:
    # the customer keeps the password screen open for 200 s: the reversal is refused all along
    sim.behaviour = Behaviour(s.REFUSE_REVERSAL, paying_s=200)
    till = selling(conn, sim, clock, SHORT)
    with pytest.raises(TillError) as refused:
        till.pay_code(CODES[first])
    assert refused.value.code == "payment_unsettled"
    assert "if the customer was charged the money goes back" in refused.value.message
    [stuck] = open_attempts(conn)
    assert stuck.state == "reversing" and [a.out_trade_no for a in alerts(conn)] == \
        [stuck.out_trade_no]

    sim.behaviour = Behaviour(s.SUCCESS)
    for provider in PROVIDERS:                        # a second code, each provider, at once
        seen, at = len(sim.requests), clock.now()
        sale = till.pay_code(CODES[provider])
        assert sale.status == "completed" and clock.now() == at
        assert ops(sim)[seen:] == ["pay"]             # nothing asked about the stuck one
        for gtin in demo_gtins(conn, 1):
            till.scan(gtin)
    assert till.tender("cash", 10**6).status == "completed"        # and other tenders
    assert [a.state for a in open_attempts(conn)] == ["reversing"]

    seen = len(sim.requests)
    restarted = paying_till(conn, adapters(sim.url, clock), clock, SHORT)
    assert len(sim.requests) == seen                  # starting asked no provider anything
    for gtin in demo_gtins(conn, 1):
        restarted.scan(gtin)
    assert restarted.pay_code(CODES[first]).status == "completed"

    assert [x.attempt.out_trade_no for x in settle_open_attempts(conn, adapters(sim.url, clock),
                                                                 SHORT)] == [stuck.out_trade_no]
    clock.sleep(200)                                  # the customer closes the screen at last
    assert settle_open_attempts(conn, adapters(sim.url, clock), SHORT) == []
    assert open_attempts(conn) == [] and alerts(conn) == []
    order = sim.order(first, stuck.out_trade_no)
    assert order is not None and not order.charged
    paid = conn.execute("SELECT count(*), sum(amount) FROM payment_attempt WHERE state = 'paid'"
                        ).fetchone()
    assert paid[0] == 3 and sum(sim.charged().values()) == paid[1]


def test_the_payment_job_settles_in_the_background_and_warns_while_it_cannot(
        db_path: Path, conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock,
        caplog: pytest.LogCaptureFixture) -> None:
    sim.behaviour = Behaviour(s.REFUSE_REVERSAL, paying_s=200)
    till = selling(conn, sim, clock, SHORT)
    with pytest.raises(TillError):
        till.pay_code(CODES["wechat"])
    [stuck] = open_attempts(conn)
    configure(db_path, sim.url)
    job = PaymentJob(db_path, load_config(db_path.with_name("store.toml")),
                     adapters(sim.url, clock), threading.Event())
    with caplog.at_level(logging.WARNING, logger="pos.payments"):
        assert job.round() == 1
    assert stuck.out_trade_no in caplog.text and "USERPAYING" in caplog.text
    clock.sleep(200)
    assert job.round() == 0
    [done] = attempts_of_sale(conn, stuck.sale_id)
    assert done.state == "reversed" and not done.charged_then_reversed
    [entry] = journal(conn, "payment.reversed")
    assert entry["out_trade_no"] == stuck.out_trade_no and entry["answers"]


def test_a_pending_attempt_is_the_backgrounds_only_once_no_till_can_wait_for_it(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock) -> None:
    sim.behaviour = Behaviour(s.USERPAYING, paying_s=20)
    till = selling(conn, sim, clock)
    till.pay_code(CODES["alipay"], wait=False)
    [waiting] = open_attempts(conn)
    assert unsettled(conn) == []                      # a live till may still be waiting for it
    later = waiting.created_at.replace(waiting.created_at[:4], str(int(waiting.created_at[:4]) + 1))
    assert [a.out_trade_no for a in unsettled(conn, now_iso=later)] == [waiting.out_trade_no]
