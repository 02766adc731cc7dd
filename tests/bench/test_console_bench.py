"""The HQ console's costs: what keeping the sales rollups adds to the ingest transaction
(PgStorage.ingest with and without them, interleaved, same PostgreSQL, same run), and the
server time of the pages over a year of rollups for 50 stores (the live page reads only
rollups, so the sales behind them do not change its cost)."""

from __future__ import annotations

import random
import time
import uuid
import warnings
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cloud_sync.agent import batch_bytes
from edge.ledger.outbox import canonical_json
from hq.console.app import ConsoleSettings, create_app
from hq.storage import open_storage, rollups
from hq.validation import validate_batch
from tests.bench.performance_doc import machine, percentile, write_section
from tests.cloud_sync.harness import throwaway_database
from tests.cloud_sync.sales import sale_payload
from tests.hq.console.seed import PASSWORD, HqData

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

RESULTS: dict[str, tuple[str, str]] = {}
NOW = datetime(2026, 12, 4, 15, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module", autouse=True)
def write_doc() -> Iterator[None]:
    yield
    if RESULTS:
        rows = "\n".join(f"| {k} | {v} | {b} |" for k, (v, b) in RESULTS.items())
        write_section("console", f"""## HQ console

Real PostgreSQL 15 on this machine, the storage and the app in process (`tests/bench/test_console_bench.py`).

| what | measured | budget |
|---|---|---|
{rows}

Measured on {machine()}; the machine is shared, so rates move with its load.""")


def _batches(terminal: str, count: int, size: int, rng: random.Random) -> list[Any]:
    out, seq = [], 0
    for _ in range(count):
        rows = []
        for _ in range(size):
            seq += 1
            p = sale_payload("S001", terminal, seq, rng)
            rows.append((seq, str(uuid.uuid4()), "sale.completed", canonical_json(p),
                         p["closed_at"]))
        out.append(validate_batch("S001", terminal, batch_bytes("S001", terminal,
                                                                seq - size, rows)))
    return out


def with_and_without(monkeypatch: pytest.MonkeyPatch, names: tuple[str, ...], seed: int
                     ) -> tuple[float, float, float]:
    """What the rollup functions `names` (of hq.storage.rollups) add to PgStorage.ingest of
    500-sale batches: (best sales/s with them, best without, their own µs per sale), over 3
    interleaved rounds of 20,000 sales each way."""
    rng = random.Random(seed)
    kept = {name: getattr(rollups, name) for name in names}
    spent = [0.0]

    def timed(fn: Any) -> Any:
        def run(*args: Any) -> None:
            t0 = time.perf_counter()
            fn(*args)
            spent[0] += time.perf_counter() - t0
        return run

    rates: dict[str, list[float]] = {"with": [], "without": []}
    with throwaway_database() as url:
        storage = open_storage(url)
        try:
            for rnd in range(3):
                for mode in ("without", "with"):
                    for name, fn in kept.items():
                        monkeypatch.setattr(rollups, name,
                                            timed(fn) if mode == "with" else lambda *a: None)
                    terminal = f"T{rnd}{'R' if mode == 'with' else 'N'}"
                    batches = _batches(terminal, 40, 500, rng)
                    t0 = time.perf_counter()
                    for accepted, refused, since in batches:
                        storage.ingest("S001", terminal, accepted, refused, since)
                    rates[mode].append(20_000 / (time.perf_counter() - t0))
        finally:
            storage.close()
    return max(rates["with"]), max(rates["without"]), spent[0] / 60_000 * 1e6


@pytest.mark.timeout(900)
def test_rollups_cost_little_of_the_ingest_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    best_with, best_without, per_sale = with_and_without(monkeypatch, ("add_sales",), 3)
    RESULTS["ingest write, batches of 500 sales × 8 lines, one connection"] = (
        f"{best_with:,.0f} sales/s with the rollups, {best_without:,.0f} without (best of 3"
        f" interleaved rounds of 20,000); the rollups' own time {per_sale:.1f} µs per sale",
        "drain ≥ 10,000 sales/s")
    print(RESULTS)


@pytest.mark.timeout(900)
def test_lane_rollups_cost_little_of_the_ingest_transaction(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What `add_lane_days` (the per-terminal sales kept for the kiosk lanes' alert rates) adds
    to a batch of sales: PgStorage.ingest with and without it, interleaved rounds."""
    best_with, best_without, per_sale = with_and_without(monkeypatch, ("add_lane_days",), 5)
    RESULTS["ingest write with the lane rollups (terminal-day sales, kiosk alerts), batches of"
            " 500 × 8 lines"] = (
        f"{best_with:,.0f} sales/s with them, {best_without:,.0f} without"
        f" (best of 3 interleaved rounds of 20,000, every other rollup on in both); their own"
        f" time {per_sale:.1f} µs per sale", "drain ≥ 10,000 sales/s")
    print(RESULTS)


@pytest.mark.timeout(600)
def test_live_page_server_time_over_a_year_of_50_stores() -> None:
    with throwaway_database() as url:
        data = HqData(url)
        try:
            data.conn.execute(
                "INSERT INTO hq_rollup_sales_hour (store, business_date, hour, sales, net)"
                " SELECT 'S' || lpad(s::text, 3, '0'), d::date, h, 20 + (s + h) %% 30,"
                " 150000 + s * 100 + h FROM generate_series(1, 50) s,"
                " generate_series(%s::date - 365, %s::date, '1 day') d,"
                " generate_series(8, 21) h", (NOW.date(), NOW.date()))
            data.conn.execute(
                "INSERT INTO hq_rollup_tender_day (store, business_date, tender, tenders, amount)"
                " SELECT store, business_date, t, sum(sales), sum(net) / 3"
                " FROM hq_rollup_sales_hour, unnest(ARRAY['cash', 'wechat', 'alipay']) t"
                " GROUP BY 1, 2, 3")
            data.conn.execute(
                "INSERT INTO hq_terminal (store, terminal, acked_to, max_seq, last_seen, online)"
                " SELECT 'S' || lpad(s::text, 3, '0'), 'T0' || t, 1000, 1000, now(), TRUE"
                " FROM generate_series(1, 50) s, generate_series(1, 4) t")
            for s in range(1, 51):
                for t in range(1, 5):
                    data.health(f"S{s:03d}", f"T0{t}", NOW, pending=s % 7)
            rows = data.conn.execute("SELECT count(*) FROM hq_rollup_sales_hour").fetchone()
            data.user("boss", "admin")
            app = create_app(ConsoleSettings(url, clock=lambda: NOW))
            with TestClient(app, base_url="https://testserver") as c:
                form = c.get("/login").text
                csrf = form.split('name="csrf" value="')[1].split('"')[0]
                c.post("/login", data={"username": "boss", "password": PASSWORD, "csrf": csrf})
                for path in ("/live.json", "/live", "/fleet.json", "/dead-letters.json"):
                    times = []
                    for _ in range(60):
                        t0 = time.perf_counter()
                        assert c.get(path).status_code == 200
                        times.append(time.perf_counter() - t0)
                    RESULTS[f"`{path}`, p95 of 60 (admin: all 50 stores)"] = (
                        f"{percentile(times, 95) * 1000:.0f} ms (p50 "
                        f"{percentile(times, 50) * 1000:.0f} ms; {rows[0] if rows else 0:,}"
                        " hourly rollup rows, 200 terminals)", "p95 ≤ 200 ms")
        finally:
            data.close()
    print(RESULTS)
