"""`pos payments settle ATTEMPT`: a manager settles one attempt now against the simulator over
HTTP, seeing the provider's answers; a reversal still refused says so (exit 1) and changes nothing
but the journal; a pay error the provider never recorded settles as not charged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cli.main import main
from edge.ledger.store import open_store
from edge.payments.attempts import get_attempt, open_attempts, set_reversing
from providers import simulator as s
from providers.simulator import Behaviour, ProviderSimulator
from tests.edge.payments.harness import CODES, FakeClock, adapters, configure, paying_till, simulator
from tests.edge.sale.sale_helpers import demo_gtins


@pytest.fixture
def sim() -> Iterator[ProviderSimulator]:
    sim = simulator()
    yield sim
    sim.stop()


def stuck_attempt(db_path: Path, sim: ProviderSimulator, code: str) -> str:
    """An attempt the till gave up on, its reversal not confirmed: left `reversing`."""
    conn = open_store(db_path)
    clock = FakeClock()
    till = paying_till(conn, adapters(sim.url, clock), clock)
    for gtin in demo_gtins(conn, 2):
        till.scan(gtin)
    till.pay_code(code, wait=False)
    [attempt] = open_attempts(conn)
    set_reversing(conn, attempt, None, "given up")
    # the pay request left a minute ago (a "no such order" is believed only 15 s after it)
    minute_ago = datetime.now(UTC) - timedelta(minutes=1)
    conn.execute("UPDATE payment_attempt SET created_at = ?",
                 (minute_ago.isoformat(timespec="milliseconds"),))
    conn.commit()
    conn.close()
    return attempt.out_trade_no


def settle(db_path: Path, out_trade_no: str, staff: str = "3001", pin: str = "9999") -> int:
    return main(["payments", "settle", out_trade_no, "--db", str(db_path), "--staff", staff,
                 "--pin", pin])


def test_a_manager_settles_a_refused_reversal_once_the_provider_lets_it(
        db_path: Path, sim: ProviderSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    sim.behaviour = Behaviour(s.REFUSE_REVERSAL, paying_s=3600)   # the customer still "paying"
    out_trade_no = stuck_attempt(db_path, sim, CODES["wechat"])
    configure(db_path, sim.url)
    assert settle(db_path, out_trade_no, "1001", "1234") == 1      # a cashier may not
    assert "needs a manager" in capsys.readouterr().err
    assert settle(db_path, out_trade_no) == 1
    out = capsys.readouterr().out
    assert "wechat said: reverse: RETRY (USERPAYING" in out and "reversing" in out
    assert "the customer may have been charged" in out
    order = sim.order("wechat", out_trade_no)
    assert order is not None
    order.behaviour = Behaviour(s.ABANDON)                         # the customer gives up
    assert settle(db_path, out_trade_no) == 0
    out = capsys.readouterr().out
    assert "wechat said: reverse: DONE" in out and "the customer was not charged" in out
    conn = open_store(db_path)
    attempt = get_attempt(conn, out_trade_no)
    assert attempt is not None and attempt.state == "reversed"
    asked = [json.loads(r[0]) for r in conn.execute(
        "SELECT body FROM journal WHERE kind = 'payment.settle_asked' AND staff_id = '3001'")]
    assert asked == [{"out_trade_no": out_trade_no}] * 2
    asked_before = len(sim.requests)
    assert settle(db_path, out_trade_no) == 0                      # final: nothing asked again
    assert len(sim.requests) == asked_before
    assert "wechat said: reverse: DONE" in capsys.readouterr().out  # the journaled answers
    assert sim.charged() == {}


@pytest.mark.parametrize("provider", ["wechat", "alipay"])
def test_settle_closes_an_order_the_provider_never_recorded(
        db_path: Path, sim: ProviderSimulator, capsys: pytest.CaptureFixture[str],
        provider: str) -> None:
    sim.behaviour = Behaviour(s.UNRECORDED_ERROR)
    out_trade_no = stuck_attempt(db_path, sim, CODES[provider])
    configure(db_path, sim.url)
    assert settle(db_path, out_trade_no) == 0
    out = capsys.readouterr().out
    assert f"{provider} said: reverse: NOT_FOUND" in out
    assert f"{provider} said: query: NOT_FOUND" in out
    assert "closed (NOT_FOUND): the customer was not charged" in out
    assert settle(db_path, "PNONE") != 0
    assert "no payment attempt PNONE" in capsys.readouterr().err
