"""The payment-code tender against the simulator over real HTTP, both providers: every branch of
pay → query → reverse ends final, and a sale completes exactly when (and once) the customer was
charged."""

from __future__ import annotations

import socket
import sqlite3

import pytest

from edge.payments.attempts import alerts, attempts_of_sale, open_attempts
from edge.payments.settings import PaymentSettings
from edge.payments.settle import settle_open_attempts
from edge.till.session import Till, TillError
from providers import simulator as s
from providers.simulator import Behaviour, ProviderSimulator
from tests.edge.payments.harness import CODES, FakeClock, adapters, paying_till
from tests.edge.sale.sale_helpers import demo_gtins

PROVIDERS = ("wechat", "alipay")


def till_with_sale(conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock,
                   timeout_s: float = 2.0) -> Till:
    till = paying_till(conn, adapters(sim.url, clock, timeout_s), clock)
    for gtin in demo_gtins(conn, 2):
        till.scan(gtin)
    return till


def completed_sales(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT s.id, s.total, t.type, t.amount, t.reference FROM sale s"
                        " JOIN sale_tender t ON t.sale_id = s.id WHERE s.status = 'completed'"
                        ).fetchall()


def requests(sim: ProviderSimulator, op: str) -> int:
    return sum(1 for r in sim.requests if r[2] == op)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_success_completes_the_sale_with_the_out_trade_no(conn: sqlite3.Connection,
                                                          sim: ProviderSimulator,
                                                          clock: FakeClock, provider: str) -> None:
    till = till_with_sale(conn, sim, clock)
    due = till.sale.remaining  # type: ignore[union-attr]
    sale = till.scan(CODES[provider])          # a payment code scanned while the sale is due
    assert sale.status == "completed" and till.sale is None
    [attempt] = attempts_of_sale(conn, sale.id)
    assert attempt.state == "paid" and attempt.provider == provider and attempt.amount == due
    assert attempt.out_trade_no.startswith("PS001T01") and attempt.transaction_id
    assert [tuple(r)[2:] for r in completed_sales(conn)] == [("mobile", due, attempt.out_trade_no)]
    assert sim.charged() == {attempt.out_trade_no: due}
    assert requests(sim, "pay") == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_userpaying_then_success_queries_every_few_seconds(conn: sqlite3.Connection,
                                                           sim: ProviderSimulator,
                                                           clock: FakeClock, provider: str) -> None:
    sim.behaviour = Behaviour(s.USERPAYING, paying_s=10)
    till = till_with_sale(conn, sim, clock)
    start = clock.now()
    sale = till.pay_code(CODES[provider])
    assert sale.status == "completed"
    assert 10 <= clock.now() - start <= 14      # found at the first query after the customer paid
    assert requests(sim, "query") == 3          # at 4, 8 and 12 s
    assert requests(sim, "reverse") + requests(sim, "cancel") == 0
    assert len(completed_sales(conn)) == 1 and sum(sim.charged().values()) == sale.total


@pytest.mark.parametrize("form", ["trade_state", "code"])
def test_either_form_of_wechat_userpaying_waits_for_the_customer(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock, form: str) -> None:
    sim.userpaying_form = form       # 202 {"trade_state": "USERPAYING"} or {"code": "USERPAYING"}
    sim.behaviour = Behaviour(s.USERPAYING, paying_s=6)
    till = till_with_sale(conn, sim, clock)
    sale = till.pay_code(CODES["wechat"])
    assert sale.status == "completed" and requests(sim, "query") == 2   # at 4 and 8 s
    assert requests(sim, "reverse") == 0 and len(completed_sales(conn)) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_userpaying_past_the_timeout_is_reversed_and_the_sale_stays_due(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock, provider: str) -> None:
    sim.behaviour = Behaviour(s.ABANDON, paying_s=40)
    till = till_with_sale(conn, sim, clock)
    start = clock.now()
    with pytest.raises(TillError) as refused:
        till.pay_code(CODES[provider])
    assert refused.value.code == "payment_reversed"
    assert 30 <= clock.now() - start < 35
    [attempt] = attempts_of_sale(conn, till.sale.id)  # type: ignore[union-attr]
    assert attempt.state == "reversed" and not attempt.charged_then_reversed
    assert till.sale is not None and till.sale.status == "open" and not till.sale.tenders
    assert sim.charged() == {} and completed_sales(conn) == []
    assert till.tender("cash", 10**6).status == "completed"    # the other tenders still work


@pytest.mark.parametrize("provider", PROVIDERS)
def test_systemerror_then_query_finds_success(conn: sqlite3.Connection, sim: ProviderSimulator,
                                              clock: FakeClock, provider: str) -> None:
    sim.behaviour = Behaviour(s.SYSTEMERROR)
    till = till_with_sale(conn, sim, clock)
    sale = till.pay_code(CODES[provider])
    assert sale.status == "completed"
    assert requests(sim, "query") == 1 and len(completed_sales(conn)) == 1
    assert sum(sim.charged().values()) == sale.total


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("mode", [s.TIMEOUT, s.DROP])
def test_lost_answer_after_the_charge_completes_the_sale_once(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock, provider: str,
        mode: str) -> None:
    sim.behaviour = Behaviour(mode, hang_s=0.6)
    till = till_with_sale(conn, sim, clock, timeout_s=0.2)
    sale = till.pay_code(CODES[provider])
    assert sale.status == "completed"
    [row] = completed_sales(conn)
    assert sim.charged() == {row["reference"]: sale.total}
    assert requests(sim, "pay") == 1             # never paid twice: queried instead


@pytest.mark.parametrize("provider", PROVIDERS)
def test_reversal_refused_while_paying_is_retried_until_done(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock, provider: str) -> None:
    sim.behaviour = Behaviour(s.REFUSE_REVERSAL, paying_s=42)
    till = till_with_sale(conn, sim, clock)
    with pytest.raises(TillError) as refused:
        till.pay_code(CODES[provider])
    assert refused.value.code == "payment_reversed"
    assert requests(sim, "reverse") + requests(sim, "cancel") >= 3   # refused at 30, 35, 40 s
    [attempt] = attempts_of_sale(conn, till.sale.id)  # type: ignore[union-attr]
    assert attempt.state == "reversed" and sim.charged() == {}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_success_after_the_till_gave_up_is_reversed_and_reported(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock, provider: str) -> None:
    sim.behaviour = Behaviour(s.LATE_SUCCESS)
    till = till_with_sale(conn, sim, clock)
    with pytest.raises(TillError) as refused:
        till.pay_code(CODES[provider])
    assert refused.value.code == "payment_refunded"          # not "not charged": it was
    assert "charged and then reversed" in refused.value.message
    assert "returns the money" in refused.value.message
    [attempt] = attempts_of_sale(conn, till.sale.id)  # type: ignore[union-attr]
    assert attempt.state == "reversed" and attempt.charged_then_reversed
    assert [a.out_trade_no for a in alerts(conn)] == [attempt.out_trade_no]
    assert conn.execute("SELECT count(*) FROM journal WHERE kind = 'payment.reversed_after_charge'"
                        ).fetchone()[0] == 1
    order = sim.order(provider, attempt.out_trade_no)
    assert order is not None and order.charged and order.state == "REVOKED"
    assert sum(sim.charged().values()) == 0 and completed_sales(conn) == []


@pytest.mark.parametrize("provider", PROVIDERS)
def test_declined_code_charges_nothing(conn: sqlite3.Connection, sim: ProviderSimulator,
                                       clock: FakeClock, provider: str) -> None:
    sim.behaviour = Behaviour(s.DECLINE)
    till = till_with_sale(conn, sim, clock)
    with pytest.raises(TillError) as refused:
        till.pay_code(CODES[provider])
    assert refused.value.code == "payment_declined"
    [attempt] = attempts_of_sale(conn, till.sale.id)  # type: ignore[union-attr]
    assert attempt.state == "closed" and requests(sim, "query") == 0


def test_offline_says_so_at_once_and_the_other_tenders_work(conn: sqlite3.Connection,
                                                           clock: FakeClock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"     # nothing listens there
    till = paying_till(conn, adapters(dead, clock), clock)
    for gtin in demo_gtins(conn, 2):
        till.scan(gtin)
    start = clock.now()
    with pytest.raises(TillError) as refused:
        till.pay_code(CODES["wechat"])
    assert refused.value.code == "payment_offline" and clock.now() == start
    [attempt] = attempts_of_sale(conn, till.sale.id)  # type: ignore[union-attr]
    assert attempt.state == "closed" and attempt.provider_state == "UNREACHABLE"
    assert till.tender("cash", 10**6).status == "completed"
    assert [r["type"] for r in completed_sales(conn)] == ["cash"]


def test_a_new_code_and_other_actions_are_refused_while_an_attempt_waits(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock) -> None:
    sim.behaviour = Behaviour(s.USERPAYING, paying_s=6)
    till = till_with_sale(conn, sim, clock)
    waiting = till.pay_code(CODES["wechat"], wait=False)
    assert waiting.status == "open" and till.payments and till.payments.waiting is not None
    for action in (lambda: till.pay_code(CODES["alipay"]), lambda: till.tender("cash", 10**6),
                   lambda: till.scan(demo_gtins(conn, 1)[0]), till.logout):
        with pytest.raises(TillError) as refused:
            action()
        assert refused.value.code == "payment_pending"
    assert requests(sim, "pay") == 1
    while till.sale is not None:                  # the UI's timer: poll when due
        clock.sleep(till.payments.flow.wait_time(till.payments.waiting.out_trade_no))  # type: ignore[union-attr]
        till.payment_poll()
    assert till.last_sale is not None and till.last_sale.status == "completed"


def test_the_cancel_key_reverses_a_waiting_attempt(conn: sqlite3.Connection,
                                                   sim: ProviderSimulator, clock: FakeClock) -> None:
    sim.behaviour = Behaviour(s.ABANDON, paying_s=20)
    till = till_with_sale(conn, sim, clock)
    till.pay_code(CODES["alipay"], wait=False)
    with pytest.raises(TillError) as refused:
        till.payment_cancel()
    assert refused.value.code == "payment_reversed"
    assert till.payments is not None and till.payments.waiting is None
    assert till.sale is not None and not till.sale.tenders and sim.charged() == {}


def test_a_partial_payment_leaves_the_rest_due(conn: sqlite3.Connection, sim: ProviderSimulator,
                                               clock: FakeClock) -> None:
    till = till_with_sale(conn, sim, clock)
    due = till.sale.remaining  # type: ignore[union-attr]
    sale = till.pay_code(CODES["wechat"], amount=100)
    assert sale.status == "open" and sale.remaining == due - 100
    assert till.tender("cash", 10**6).status == "completed"
    assert sorted(r["type"] for r in completed_sales(conn)) == ["cash", "mobile"]


def test_a_crash_while_waiting_leaves_the_attempt_to_the_background_and_keeps_the_basket(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock) -> None:
    sim.behaviour = Behaviour(s.USERPAYING, paying_s=5)
    till = till_with_sale(conn, sim, clock)
    sale = till.pay_code(CODES["wechat"], wait=False)
    del till                                   # the till dies while the customer is paying
    clock.sleep(8)                             # ... and the customer pays meanwhile
    seen = len(sim.requests)
    restarted = paying_till(conn, adapters(sim.url, clock), clock, login=False)
    assert len(sim.requests) == seen           # starting asked no provider anything
    assert restarted.sale is not None and restarted.sale.id == sale.id and restarted.sale.lines
    [left] = open_attempts(conn)
    assert left.state == "reversing"           # never applied to a sale any more
    [settled] = settle_open_attempts(conn, adapters(sim.url, clock)) or [None]
    assert settled is None                     # the payment job's round: reversed, money back
    [attempt] = attempts_of_sale(conn, sale.id)
    assert attempt.state == "reversed" and attempt.charged_then_reversed
    assert sum(sim.charged().values()) == 0 and completed_sales(conn) == []
    restarted.login("1001", "1234")
    assert restarted.tender("cash", 10**6).status == "completed"


def test_a_crash_before_the_customer_paid_reverses_and_keeps_the_basket(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock) -> None:
    sim.behaviour = Behaviour(s.ABANDON, paying_s=20)
    till = till_with_sale(conn, sim, clock)
    sale = till.pay_code(CODES["alipay"], wait=False)
    del till
    restarted = paying_till(conn, adapters(sim.url, clock), clock, login=False)
    assert settle_open_attempts(conn, adapters(sim.url, clock)) == []
    assert open_attempts(conn) == [] and sim.charged() == {}
    assert [a.state for a in attempts_of_sale(conn, sale.id)] == ["reversed"]
    assert restarted.sale is not None and restarted.sale.id == sale.id and restarted.sale.lines


def test_settings_are_read_and_checked() -> None:
    from edge.config import ConfigError, StoreConfig
    from edge.payments.settings import payment_settings
    assert payment_settings(StoreConfig()) == PaymentSettings()
    assert payment_settings(StoreConfig(extra={"payments": {"timeout_s": 20}})).timeout_s == 20
    for bad in ({"timeout_s": 60}, {"query_interval_s": 1}, {"nope": 1}, {"timeout_s": "x"}):
        with pytest.raises(ConfigError):
            payment_settings(StoreConfig(extra={"payments": bad}))


def test_an_outage_mid_payment_blocks_neither_the_next_code_nor_other_tenders(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock) -> None:
    sim.behaviour = Behaviour(s.ABANDON, paying_s=40)
    till = till_with_sale(conn, sim, clock)
    port = int(sim.url.rsplit(":", 1)[1])
    till.pay_code(CODES["wechat"], wait=False)
    sim.stop()                                      # the network goes down while waiting
    start = clock.now()
    with pytest.raises(TillError) as refused:
        till.payment_poll(wait=True)
    assert refused.value.code == "payment_unsettled"
    assert "reversed in the background" in refused.value.message
    assert clock.now() - start <= 30                # nobody waits for the outage to end
    [left] = open_attempts(conn)
    assert left.state == "reversing"
    assert till.tender("cash", 10**6).status == "completed"   # other tenders work meanwhile
    for gtin in demo_gtins(conn, 1):
        till.scan(gtin)
    with pytest.raises(TillError) as again:         # still down: this code is offline, at once
        till.pay_code(CODES["alipay"])
    assert again.value.code == "payment_offline"
    sim.start(port)                                 # back: the new code is taken at once
    sim.behaviour = Behaviour(s.SUCCESS)
    assert till.pay_code(CODES["alipay"]).status == "completed"
    assert [a.state for a in attempts_of_sale(conn, left.sale_id)] == ["reversing"]
    assert settle_open_attempts(conn, adapters(sim.url, clock)) == []   # the payment job
    assert open_attempts(conn) == []
    assert [a.state for a in attempts_of_sale(conn, left.sale_id)] == ["reversed"]
    assert sum(sim.charged().values()) == till.last_sale.total  # type: ignore[union-attr]


def test_a_typed_in_mobile_tender_is_refused_when_a_provider_is_configured(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock) -> None:
    till = till_with_sale(conn, sim, clock)
    with pytest.raises(TillError) as refused:
        till.tender("mobile", 100)
    assert refused.value.code == "use_payment_code" and not till.sale.tenders  # type: ignore[union-attr]
