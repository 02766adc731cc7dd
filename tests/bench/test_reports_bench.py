"""Benchmark: an X and a Z report over a day of 10,000 completed sales (5 lines each, mixed
tenders, 200 returns, cash moves) on a real store file. Budget: the Z report ≤ 1 s.
Not part of the default run (`pytest tests/bench/test_reports_bench.py`); it rewrites its
section of docs/performance.md.
"""

from __future__ import annotations

import os
import platform
import random
import time
import uuid
from pathlib import Path

from edge.config import StoreConfig
from edge.ledger.store import open_store, write_transaction
from edge.sale.basket import Line, Sale, Tender
from edge.store_ops.reports import x_report, z_report
from edge.store_ops.returns import return_sale_items
from edge.store_ops.shifts import cash_move, close_shift, open_shift
from edge.till.record import record_sale
from tests.bench.performance_doc import write_section

SALES = 10_000
LINES = 5
BUDGET_S = 1.0
CATEGORIES = ["Drinks", "Dairy", "Fresh", "Snacks", "Household", "Alcohol"]


def _sale(rng: random.Random, n: int) -> Sale:
    sale = Sale(str(uuid.uuid4()), "S001", "T01", rng.choice(["1001", "1002", "1003"]),
                "2026-11-20T02:00:00.000+00:00")
    for no in range(1, LINES + 1):
        price = rng.randrange(100, 5000)
        qty = rng.randrange(1, 4) * 1000
        gross = price * qty // 1000
        discount = rng.choice([0, 0, 0, gross // 10])
        rate = rng.choice([1300, 900])
        total = gross - discount
        sale.lines.append(Line(no, f"P{rng.randrange(500):05d}", "商品", "item", "each",
                               rng.choice(CATEGORIES), qty, price, "standard", rate, gross=gross,
                               discount=discount, total=total,
                               tax=(total * rate + (10_000 + rate) // 2) // (10_000 + rate)))
    sale.subtotal = sum(ln.gross for ln in sale.lines)
    sale.discount = sum(ln.discount for ln in sale.lines)
    sale.total = sum(ln.total for ln in sale.lines)
    sale.tax = sum(ln.tax for ln in sale.lines)
    kind = ("cash", "card", "mobile")[n % 3]
    if kind == "cash":
        paid = (sale.total // 1000 + 1) * 1000
        sale.tenders.append(Tender(1, "cash", paid))
        sale.change = paid - sale.total
    else:
        sale.tenders.append(Tender(1, kind, sale.total, None, "A1" if kind == "card" else None,
                                   "622202******1234" if kind == "card" else None))
    sale.status = "completed"
    return sale



def test_z_report_over_10000_sales_within_a_second(tmp_path: Path) -> None:
    conn = open_store(tmp_path / "store.db")
    config = StoreConfig()
    rng = random.Random(11)
    conn.execute("PRAGMA synchronous = OFF")            # setup only: the figures are read-side
    open_shift(conn, config, "1001", 50_000)
    sale_ids = []
    started = time.perf_counter()
    for n in range(SALES):
        sale = _sale(rng, n)
        record_sale(conn, sale, config)
        sale_ids.append(sale.id)
    setup_s = time.perf_counter() - started
    for sale_id in rng.sample(sale_ids, 200):
        return_sale_items(conn, config, "1001", sale_id, [(1, 1000)])
    for kind in ("cash_in", "cash_out", "pickup"):
        cash_move(conn, config, "1001", kind, 10_000, "bench")
    close_shift(conn, config, "1001", {"100": 1})
    conn.execute("PRAGMA synchronous = FULL")
    with write_transaction(conn):
        pass

    x_times = []
    for _ in range(5):
        t0 = time.perf_counter()
        x = x_report(conn, config)
        x_times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    z = z_report(conn, config, "2001")
    z_s = time.perf_counter() - t0

    assert z["sales"]["count"] == SALES and z["returns"]["count"] == 200
    assert x["sales"] == z["sales"]
    x_times.sort()
    write_section("store-ops",
        "## Store operations: X and Z reports\n\n"
        f"A day of {SALES:,} completed sales ({LINES} lines each, cash/card/mobile), 200 returns, "
        "cash moves and a closed shift in one store file (written through `record_sale`, so with "
        "stock movements); every figure of the report (tenders, tax rates, categories, cashiers, "
        "voids, returns, cash, over/short) computed by SQL over the seq window.\n\n"
        "| what | measured | budget |\n|---|---|---|\n"
        f"| Z report (computed, recorded, event + journal, durable commit) | {z_s * 1000:.0f} ms "
        f"| ≤ 1 s |\n"
        f"| X report, median of 5 | {x_times[2] * 1000:.0f} ms | |\n"
        f"| setup: {SALES:,} sales through record_sale (synchronous=OFF) | {setup_s:.1f} s | |\n\n"
        f"Measured on CPython {platform.python_version()}, {os.cpu_count()} CPUs, by "
        "`tests/bench/test_reports_bench.py`.")
    assert z_s <= BUDGET_S
