"""A return of a payment-code sale refunds the returned share to the original payment by itself,
over real HTTP to the simulator: two partial returns, each its own out_refund_no, confirmed by
query and sent to HQ as `payment.refunded`; an unreachable provider leaves the refund pending on
the X report until the agent's job settles it; a till SIGKILLed after the return, after the
refund row is written, or after the request left, is settled by the job with the same
out_refund_no, and the customer is refunded exactly once."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from edge.config import StoreConfig
from edge.payments.attempts import pending_refunds
from edge.payments.return_refunds import (
    refund_return,
    settle_return_refunds,
    unrequested_shares,
)
from edge.store_ops.reports import x_report
from edge.store_ops.returns import return_sale_items
from providers.simulator import ProviderSimulator
from tests.edge.payments.harness import CODES, FakeClock, adapters, configure, paying_till
from tests.edge.sale.sale_helpers import demo_gtins

ROOT = Path(__file__).resolve().parents[3]


def paid_sale(conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock,
              provider: str) -> tuple[str, str, int]:
    """(sale id, out_trade_no, total) of a three-line sale paid in full by payment code."""
    till = paying_till(conn, adapters(sim.url, clock), clock)
    for gtin in demo_gtins(conn, 3):
        till.scan(gtin)
    sale = till.pay_code(CODES[provider])
    reference = sale.tenders[0].reference
    assert reference is not None and sale.status == "completed"
    return sale.id, reference, sale.total


def refunded_events(conn: sqlite3.Connection) -> list[dict[str, object]]:
    return [json.loads(r[0]) for r in conn.execute(
        "SELECT payload FROM outbox WHERE type = 'payment.refunded' ORDER BY seq")]


@pytest.mark.parametrize("provider", ["wechat", "alipay"])
def test_two_partial_returns_refund_to_the_original_payment(conn: sqlite3.Connection,
                                                            sim: ProviderSimulator,
                                                            clock: FakeClock,
                                                            provider: str) -> None:
    sale_id, out_trade_no, total = paid_sale(conn, sim, clock, provider)
    providers = adapters(sim.url, clock)
    config = StoreConfig()
    first = return_sale_items(conn, config, "1001", sale_id, [(1, 1000)])
    assert [(t.type, t.reference) for t in first.tenders] == [("mobile", out_trade_no)]
    [one] = refund_return(conn, providers, first.id, store_id="S001", terminal_id="T01")
    second = return_sale_items(conn, config, "1001", sale_id, [(2, 1000)])
    [two] = refund_return(conn, providers, second.id, store_id="S001", terminal_id="T01")
    assert (one.state, two.state) == ("success", "success")
    assert one.out_refund_no != two.out_refund_no
    assert (one.amount, two.amount) == (first.total, second.total)
    assert sim.charged() == {out_trade_no: total - first.total - second.total}
    # asked again (the till's retry, the agent's job): the same refunds, nothing refunded twice
    assert refund_return(conn, providers, first.id, store_id="S001", terminal_id="T01") == [one]
    assert settle_return_refunds(conn, providers, store_id="S001", terminal_id="T01") == []
    assert sim.charged() == {out_trade_no: total - first.total - second.total}
    events = refunded_events(conn)
    assert [(e["out_refund_no"], e["amount"], e["return_id"]) for e in events] == [
        (one.out_refund_no, first.total, first.id), (two.out_refund_no, second.total, second.id)]
    assert {(e["provider"], e["out_trade_no"], e["sale_id"]) for e in events} == {
        (provider, out_trade_no, sale_id)}


def test_an_unreachable_refund_is_on_the_x_report_until_the_job_settles_it(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock) -> None:
    sale_id, out_trade_no, total = paid_sale(conn, sim, clock, "wechat")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = adapters(f"http://127.0.0.1:{probe.getsockname()[1]}", clock)
    record = return_sale_items(conn, StoreConfig(), "1001", sale_id, [(1, 1000)])
    [waiting] = refund_return(conn, dead, record.id, store_id="S001", terminal_id="T01")
    assert waiting.state == "pending" and sim.charged() == {out_trade_no: total}
    report = x_report(conn, StoreConfig())
    assert [(f["out_refund_no"], f["amount"]) for f in report["pending_refunds"]] == [
        (waiting.out_refund_no, record.total)]
    assert refunded_events(conn) == []                       # HQ hears of it once it is done
    assert settle_return_refunds(conn, adapters(sim.url, clock), store_id="S001",
                                 terminal_id="T01") == []
    assert sim.charged() == {out_trade_no: total - record.total}
    assert x_report(conn, StoreConfig())["pending_refunds"] == []
    assert [e["out_refund_no"] for e in refunded_events(conn)] == [waiting.out_refund_no]


def test_a_share_of_a_typed_in_mobile_tender_is_not_sent_to_a_provider(
        conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock) -> None:
    from edge.till.session import Till

    till = Till(conn, StoreConfig())                        # no provider: mobile typed in
    till.login("1001", "1234")
    sale = till.scan(demo_gtins(conn, 1)[0])
    sale = till.tender("mobile", sale.total, "EXT-1")
    record = return_sale_items(conn, StoreConfig(), "1001", sale.id, [(1, 1000)])
    assert [t.type for t in record.tenders] == ["mobile"]
    assert refund_return(conn, adapters(sim.url, clock), record.id, store_id="S001",
                         terminal_id="T01") == []
    assert sim.requests == [] and unrequested_shares(conn) == []


# --- kills --------------------------------------------------------------------------------------

_CHILD = """
import os, signal, sys
from edge.config import load_config
from edge.ledger.store import open_store
from edge.payments.return_refunds import refund_return
from edge.store_ops.returns import return_sale_items
from providers.accounts import providers_from_config

db, sale_id, line, point = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
config = load_config(os.path.join(os.path.dirname(db), "store.toml"))
conn = open_store(db)
die = lambda: os.kill(os.getpid(), signal.SIGKILL)


class Killing:
    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.clock_offset_s = None

    def refund(self, request):
        if point == "before_request":           # the refund row is committed, nothing sent
            die()
        return self.inner.refund(request)

    def query_refund(self, out_trade_no, out_refund_no):
        if point == "before_confirm":           # the provider took the request, no query yet
            die()
        return self.inner.query_refund(out_trade_no, out_refund_no)


providers = {k: Killing(v) for k, v in providers_from_config(config).items()}
record = return_sale_items(conn, config, "1001", sale_id, [(line, 1000)])
print(record.id, record.total, flush=True)
if point == "after_return":                     # the return is a fact, no refund row yet
    die()
refund_return(conn, providers, record.id, store_id=config.store_id,
              terminal_id=config.terminal_id)
"""


def killed_return(db_path: Path, sale_id: str, line: int, point: str) -> tuple[str, int]:
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(db_path), sale_id, str(line), point],
                          capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    return_id, amount = proc.stdout.split()
    return return_id, int(amount)


@pytest.mark.parametrize("point", ["after_return", "before_request", "before_confirm"])
def test_a_till_killed_during_two_partial_refunds_refunds_each_exactly_once(
        db_path: Path, conn: sqlite3.Connection, sim: ProviderSimulator, clock: FakeClock,
        point: str) -> None:
    configure(db_path, sim.url)
    sale_id, out_trade_no, total = paid_sale(conn, sim, clock, "alipay")
    providers = adapters(sim.url, clock)
    refunded = 0
    for line in (1, 2):
        return_id, amount = killed_return(db_path, sale_id, line, point)
        written = {r.out_refund_no for r in pending_refunds(conn)}
        if point == "after_return":
            assert written == set() and unrequested_shares(conn) == [
                (return_id, out_trade_no, amount)]
        else:
            assert len(written) == 1
        # "before_confirm": the provider already refunded; the others: nothing sent yet
        already = amount if point == "before_confirm" else 0
        assert sim.charged() == {out_trade_no: total - refunded - already}
        for _ in range(2):                      # the agent's job, twice: the second finds nothing
            assert settle_return_refunds(conn, providers, store_id="S001",
                                         terminal_id="T01") == []
        refunded += amount
        assert sim.charged() == {out_trade_no: total - refunded}
        rows = conn.execute("SELECT out_refund_no, state FROM payment_refund WHERE return_id = ?",
                            (return_id,)).fetchall()
        assert [r["state"] for r in rows] == ["success"]
        if written:
            assert {r["out_refund_no"] for r in rows} == written   # the number written first
    assert unrequested_shares(conn) == []
    assert len(refunded_events(conn)) == 2
