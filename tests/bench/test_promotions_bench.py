"""Benchmark: reprice a 100-line basket under 500 active promotions of mixed types drawn over a
generated 100,000-SKU catalog; p50 / p99 of `apply` over 2,000 runs against the 2 ms budget
(CPU time always; wall clock too when the load average shows the machine is not busy elsewhere).
Not part of the default run:
    .venv/bin/pytest tests/bench/test_promotions_bench.py -p no:cacheprovider -s
It rewrites its section of docs/performance.md.
"""

from __future__ import annotations

import gc
import os
import platform
import random
import statistics
import time
from datetime import datetime

from edge.ledger.money import line_amount
from edge.promotions.engine import PromotionsEngine
from edge.promotions.rules import (
    AmountOff,
    BasketThreshold,
    Deal,
    FixedPrice,
    MemberPrice,
    MixMatch,
    MultiBuy,
    PercentOff,
    Promotion,
    Rule,
    Target,
    Validity,
)
from edge.sale.pricing import PricedLine, PricingContext
from tests.bench.performance_doc import write_section

CATALOG = 100_000
CATEGORIES = 400
PROMOTIONS = 500
LINES = 100
RUNS = 2_000
BUDGET_P99_MS = 2.0
NOW = datetime(2026, 11, 20, 18, 30)     # a Friday evening


def _catalog(rng: random.Random) -> list[tuple[str, str, str, int]]:
    """(sku, category, unit, unit price in fen); one product in 20 is sold by weight."""
    return [(f"69{index:011d}", f"cat-{rng.randrange(CATEGORIES):03d}",
             "kg" if index % 20 == 0 else "each", rng.randrange(100, 20_000))
            for index in range(CATALOG)]


def _promotions(rng: random.Random, catalog: list[tuple[str, str, str, int]]) -> list[Promotion]:
    """500 promotions, all open at NOW, in the mix a hypermarket runs: mostly item deals."""
    mix: list[tuple[str, int]] = [("percent_off", 140), ("amount_off", 70), ("fixed_price", 70),
                                  ("member_price", 60), ("multi_buy", 60), ("mix_match", 40),
                                  ("category_percent", 40), ("basket_threshold", 20)]
    windows = [Validity(), Validity(weekdays=frozenset({5, 6, 7})),
               Validity(hours=((17 * 60, 21 * 60),)),
               Validity(start=NOW.date().replace(day=1), end=NOW.date().replace(day=30))]
    promotions = []
    for kind, count in mix:
        for _ in range(count):
            number = len(promotions)
            skus = frozenset(rng.choice(catalog)[0] for _ in range(rng.randint(1, 6)))
            target = Target(skus=skus)
            rule: Rule
            if kind in ("percent_off", "category_percent"):
                rule = PercentOff(rng.choice([500, 1000, 1500, 2000]))
                if kind == "category_percent":
                    target = Target(categories=frozenset({f"cat-{rng.randrange(CATEGORIES):03d}"}))
            elif kind == "amount_off":
                rule = AmountOff(rng.choice([50, 100, 200]))
            elif kind == "fixed_price":
                rule = FixedPrice(rng.randrange(50, 5_000))
            elif kind == "member_price":
                rule = MemberPrice({"gold": rng.randrange(50, 5_000),
                                    "silver": rng.randrange(50, 5_000)})
            elif kind == "multi_buy":
                rule = MultiBuy(rng.choice([Deal("buy_get", buy=2, get=1),
                                            Deal("bundle_price", qty=3, price=1_000)]))
            elif kind == "mix_match":
                target = Target(skus=frozenset(rng.choice(catalog)[0] for _ in range(20)))
                rule = MixMatch(rng.choice([Deal("bundle_price", qty=2, price=1_500),
                                            Deal("percent", qty=3, percent_bp=2000)]))
            else:
                target = Target()
                rule = BasketThreshold(10_000 * rng.randint(1, 3), off=1_000 * rng.randint(1, 3),
                                       repeatable=rng.random() < 0.5, cap=5_000)
            promotions.append(Promotion(
                id=f"P{number:04d}", kind="percent_off" if kind == "category_percent" else kind,
                name_zh=f"促销{number}", name_en=f"Promotion {number}", rule=rule,
                target=target, validity=rng.choice(windows), priority=rng.randrange(3),
                stackable=rng.random() < 0.15, exclusive=rng.random() < 0.02,
                coupon="CPN-1" if rng.random() < 0.03 else None))
    return promotions


def _basket(rng: random.Random, catalog: list[tuple[str, str, str, int]],
            promotions: list[Promotion]) -> list[PricedLine]:
    """100 lines, half of them SKUs that are on promotion (a promoted basket is the slow one)."""
    by_sku = {product[0]: product for product in catalog}
    promoted = sorted({sku for promotion in promotions for sku in promotion.target.skus})
    lines = []
    for line_no in range(1, LINES + 1):
        sku, category, unit, price = (by_sku[rng.choice(promoted)] if line_no % 2
                                      else rng.choice(catalog))
        qty = rng.randrange(200, 2_500) if unit == "kg" else 1_000 * rng.choice([1, 1, 1, 2, 3])
        lines.append(PricedLine(line_no, sku, category, unit, qty, price, line_amount(price, qty)))
    return lines


def _percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


def test_reprice_100_lines_under_500_promotions() -> None:
    rng = random.Random(20261120)
    catalog = _catalog(rng)
    promotions = _promotions(rng, catalog)
    started = time.perf_counter()
    engine = PromotionsEngine(promotions)
    load_ms = (time.perf_counter() - started) * 1000
    lines = _basket(rng, catalog, promotions)
    context = PricingContext(NOW, "S1", "gold", frozenset({"CPN-1"}))
    discounts = engine.apply(lines, context)
    assert discounts, "the benchmark basket must actually be discounted"
    for _ in range(100):
        engine.apply(lines, context)
    timings, cpu = [], []
    gc.collect()
    load_before = os.getloadavg()[0]
    for _ in range(RUNS):
        begin, begin_cpu = time.perf_counter_ns(), time.thread_time_ns()
        engine.apply(lines, context)
        cpu.append((time.thread_time_ns() - begin_cpu) / 1e6)
        timings.append((time.perf_counter_ns() - begin) / 1e6)
    timings.sort()
    cpu.sort()
    p50, p99 = statistics.median(timings), _percentile(timings, 0.99)
    cpu_p50, cpu_p99 = statistics.median(cpu), _percentile(cpu, 0.99)
    load = max(load_before, os.getloadavg()[0])
    discounted_lines = len({d.line_no for d in discounts})
    text = "\n".join([
        "## Promotions: reprice a basket",
        "",
        f"100-line basket ({discounted_lines} lines discounted, {len(discounts)} discounts), "
        f"{PROMOTIONS} active promotions of mixed types (item %, amount off, fixed price, member "
        "price, multi-buy, mix & match, category %, 满减, a few exclusive and stackable) over a "
        f"generated {CATALOG:,}-SKU catalog; `PromotionsEngine.apply` timed over {RUNS:,} runs.",
        "",
        "| what | measured | budget |",
        "|---|---|---|",
        f"| reprice p50 | {p50:.3f} ms | |",
        f"| reprice p99 | {p99:.3f} ms | ≤ {BUDGET_P99_MS:.0f} ms (core) |",
        f"| reprice max | {timings[-1]:.3f} ms | |",
        f"| reprice p50 / p99, CPU time of the thread | {cpu_p50:.3f} / {cpu_p99:.3f} ms | |",
        f"| build engine and index {PROMOTIONS} promotions | {load_ms:.1f} ms | |",
        "",
        f"Measured on CPython {platform.python_version()}, {os.cpu_count()} CPUs (load average "
        f"{load:.1f} during the run: wall-clock p99 includes time the scheduler gave to other "
        "processes; CPU time does not), by `tests/bench/test_promotions_bench.py`.",
    ])
    print("\n" + text)
    write_section("promotions", text)
    assert cpu_p99 <= BUDGET_P99_MS, f"CPU p99 {cpu_p99:.3f} ms over the {BUDGET_P99_MS} ms budget"
    if load < (os.cpu_count() or 1):
        # wall clock is only a fair judge when the machine is not shared with other work
        assert p99 <= BUDGET_P99_MS, f"p99 {p99:.3f} ms over the {BUDGET_P99_MS} ms budget"


