"""A till taking payment codes in a loop is SIGKILLed at random moments, again and again, against
a simulator (its own process) that picks a random behaviour for every payment: success, customer
still paying, system error, lost answers after the charge, refused reversals, success after the
till gave up, declines. After the last restart every attempt is final, no customer is charged
without a completed sale and no sale is completed without a charge: the simulator's ledger and
the till's database agree to the fen, refunds included (two partial refunds of every other paid
sale, each asked twice, killed anywhere, settled by the agent's retry with the same out_refund_no)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.ledger.store import open_store
from edge.payments.attempts import open_attempts
from edge.payments.refunds import RefundError, refund_payment, retry_pending
from edge.payments.settings import PaymentSettings
from edge.payments.settle import settle_open_attempts
from edge.staff import StaffMember
from edge.till.session import TillError
from providers.signing import pem_private, pem_public
from tests.edge.payments.harness import CODES, RealClock, adapters, keys, paying_till
from tests.edge.sale.test_crash import check_consistent

KILLS = 60
# Real seconds, short so that many kills land inside the waiting, querying and reversing.
FAST = PaymentSettings(timeout_s=0.3, query_interval_s=0.05, reverse_interval_s=0.05,
                       reverse_for_s=3.0, not_found_after_s=0.3)
LONGEST_S = 0.4                 # the simulator's longest wait (customer paying, held answers)
ADAPTER_TIMEOUT_S = 0.15


@pytest.fixture
def simulator_url(tmp_path: Path) -> Iterator[str]:
    k = keys()
    public, private = tmp_path / "merchant.pub", tmp_path / "platform.key"
    public.write_bytes(pem_public(k.merchant.public_key()))  # type: ignore[attr-defined]
    private.write_bytes(pem_private(k.platform))  # type: ignore[arg-type]
    private.chmod(0o600)
    proc = subprocess.Popen([sys.executable, "-m", "providers.simulator", "--merchant-public-key",
                             str(public), "--platform-private-key", str(private), "--mix", "14",
                             "--longest-s", str(LONGEST_S)], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("listening "), line
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        proc.kill()
        proc.wait(timeout=10)


def pay_forever(db: Path, url: str, gtins: list[str], seed: int) -> None:
    """The child: start (then settle what the last kill left, and the refunds it left pending,
    as the store's agent would), then sell and pay by code until killed; a refused or reversed
    payment is followed by the next code, as a cashier would; every other paid sale is refunded
    in two parts, each asked twice (a retry)."""
    rng = random.Random(seed)
    providers = adapters(url, RealClock(), ADAPTER_TIMEOUT_S)
    conn = open_store(db)
    till = paying_till(conn, providers, RealClock(), FAST, login=False)
    settle_open_attempts(conn, providers, FAST)        # the agent's payment job, one round
    retry_pending(conn, providers)
    till.staff = StaffMember("1001", "crash", "cashier")   # no scrypt: it would only slow kills
    while True:
        if till.sale is None:
            for gtin in rng.sample(gtins, rng.randint(1, 4)):
                till.scan(gtin)
        try:
            sale = till.pay_code(CODES[rng.choice(("wechat", "alipay"))])
        except TillError:
            continue
        if rng.random() < 0.5 and sale.total >= 2:
            reference = sale.tenders[0].reference
            assert reference is not None
            for part, amount in ((1, sale.total // 2), (2, 1), (2, 1)):
                try:
                    refund_payment(conn, providers, reference, amount,
                                   return_id=f"RET-{reference}-{part}", staff_id="1001",
                                   store_id="S001", terminal_id="T01")
                except RefundError:
                    pass


def ledger(url: str) -> list[dict[str, object]]:
    with urllib.request.urlopen(url + "/_sim/ledger", timeout=10) as answer:
        return json.loads(answer.read())  # type: ignore[no-any-return]


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_sigkill_at_random_moments_leaves_no_one_sided_payment(db_path: Path,
                                                               simulator_url: str) -> None:
    conn = open_store(db_path)
    gtins = [r[0].lstrip("0") for r in conn.execute(
        "SELECT g.gtin FROM product_gtin g JOIN product p USING (sku) WHERE p.age_restricted = 0")]
    rng = random.Random(14)
    for kill in range(KILLS):
        pid = os.fork()
        if pid == 0:                                  # the child never returns to pytest
            try:
                pay_forever(db_path, simulator_url, gtins, kill)
            finally:
                os._exit(1)
        time.sleep(rng.uniform(0.05, 0.6))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, \
            "the till stopped by itself: it must only ever be killed"
        check_consistent(conn)

    # The last restart hands whatever the last kill left to the background, where the agent's
    # payment job settles it (a reversal refused while the simulated customer still pays is
    # tried again next round).
    providers = adapters(simulator_url, RealClock(), ADAPTER_TIMEOUT_S)
    till = paying_till(conn, providers, RealClock(), FAST, login=False)
    for _ in range(20):
        if not settle_open_attempts(conn, providers, FAST):
            break
        time.sleep(LONGEST_S)
    assert open_attempts(conn) == [], "an attempt is still not final after the payment job"
    assert retry_pending(conn, adapters(simulator_url, RealClock(), ADAPTER_TIMEOUT_S)) == [], \
        "a refund is still pending after the agent's retry"
    assert till.payments is not None and till.payments.waiting is None
    check_consistent(conn)

    attempts = {r["out_trade_no"]: r for r in conn.execute("SELECT * FROM payment_attempt")}
    tenders = {r["reference"]: r for r in conn.execute(
        "SELECT t.reference, t.amount, s.status FROM sale_tender t JOIN sale s ON s.id = t.sale_id"
        " WHERE t.type = 'mobile'")}
    orders = {o["out_trade_no"]: o for o in ledger(simulator_url)}
    assert set(orders) <= set(attempts), "a request left the till without its attempt row"
    out_of_pocket = {n: o["amount"] for n, o in orders.items()
                     if o["charged"] and o["state"] == "SUCCESS"}
    paid = {n: a["amount"] for n, a in attempts.items() if a["state"] == "paid"}
    assert out_of_pocket == paid, "customers charged and attempts paid differ"
    assert {n: t["amount"] for n, t in tenders.items()} == paid, \
        "mobile tenders and paid attempts differ"
    assert all(t["status"] == "completed" for t in tenders.values())
    for n, a in attempts.items():
        assert a["state"] in ("paid", "closed", "reversed")
        if a["charged_then_reversed"]:
            assert orders[n]["charged"] and orders[n]["state"] == "REVOKED"
    refunded = {r[0]: r[1] for r in conn.execute(
        "SELECT out_trade_no, SUM(amount) FROM payment_refund WHERE state = 'success'"
        " GROUP BY out_trade_no")}
    assert {n: o["refunded"] for n, o in orders.items() if o["refunded"]} == refunded, \
        "refunds at the provider and successful refunds here differ"
    assert all(refunded[n] <= paid[n] for n in refunded)
    # enough happened for the test to mean something
    assert len(paid) >= 10, f"only {len(paid)} payments went through"
    assert sum(1 for a in attempts.values() if a["state"] == "reversed") >= 5
    print(f"payment crash: {len(attempts)} attempts, {len(paid)} paid, "
          f"{sum(1 for a in attempts.values() if a['state'] == 'reversed')} reversed "
          f"({sum(a['charged_then_reversed'] for a in attempts.values())} after a charge), "
          f"{sum(1 for a in attempts.values() if a['state'] == 'closed')} closed, "
          f"{len(refunded)} payments refunded")
    conn.close()

