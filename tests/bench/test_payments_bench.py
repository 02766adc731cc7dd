"""Payment codes: scan of a customer's payment code → the provider's pay request received by the
simulator on loopback (the till's own cost: draft + attempt committed durably before the
request, signing, HTTP), and the added cost to sale completion of a payment code that succeeds at
once compared with cash. Writes the payment-codes section of docs/performance.md.
Run: bash tests/bench/run.sh (not part of the default test run)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest

from edge.ledger.store import open_store
from edge.payments.settings import PaymentSettings
from tests.bench.performance_doc import machine, ms, percentile, write_section
from tests.edge.payments.harness import CODES, RealClock, adapters, paying_till, simulator
from tests.edge.sale.sale_helpers import demo_gtins

SALES = 400


@pytest.mark.timeout(600)
def test_payment_code_budgets(db_path: Path) -> None:
    conn = open_store(db_path)
    sim = simulator()
    try:
        till = paying_till(conn, adapters(sim.url), RealClock(), PaymentSettings())
        gtins = demo_gtins(conn, 3)
        to_request: dict[str, list[float]] = {"wechat": [], "alipay": []}
        completion: dict[str, list[float]] = {"wechat": [], "alipay": [], "cash": []}
        for i in range(SALES):
            kind = ("wechat", "alipay", "cash")[i % 3]
            for gtin in gtins:
                till.scan(gtin)
            seen = len(sim.requests)
            t0 = time.monotonic()
            if kind == "cash":
                till.tender("cash", 10**6)
            else:
                till.scan(CODES[kind])
            completion[kind].append(time.monotonic() - t0)
            if kind != "cash":
                to_request[kind].append(sim.requests[seen][0] - t0)
            assert till.sale is None and till.last_sale is not None
    finally:
        sim.stop()

    def row(label: str, samples: list[float]) -> str:
        return (f"| {label} | {ms(percentile(samples, 50))} / {ms(percentile(samples, 99))} "
                f"({len(samples)} sales) |")

    cash_p50 = statistics.median(completion["cash"])
    added = {k: statistics.median(completion[k]) - cash_p50 for k in ("wechat", "alipay")}
    write_section("payment codes", f"""
## Payment codes

`tests/bench/test_payments_bench.py`: {machine()}; the simulator in the same process on
loopback HTTP (RSA-2048 signatures both ways), the store on disk with `synchronous=FULL`.

| what | p50 / p99 |
|---|---|
{row("scan of a WeChat payment code → pay request received by the provider", to_request["wechat"])}
{row("scan of an Alipay payment code → pay request received by the provider", to_request["alipay"])}
{row("sale completion by WeChat payment code (immediate SUCCESS)", completion["wechat"])}
{row("sale completion by Alipay payment code (immediate SUCCESS)", completion["alipay"])}
{row("sale completion by cash, for comparison", completion["cash"])}

Added cost to sale completion over cash (medians): WeChat {ms(added["wechat"])}, Alipay
{ms(added["alipay"])}. Before the request leaves, the till commits the attempt and the sale's
draft durably (one fsync'd transaction); then it signs (RSA-2048), sends, verifies the answer's
signature and records the sale. A real provider adds its own round trip (tens to hundreds of
milliseconds) and the customer's confirmation, which dwarf these figures.
""")
