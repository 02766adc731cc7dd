"""Benchmark: 1,000 shelf-label price changes through the outbox to the firmware-faithful
simulated OpenEPaperLink AP (drivers/esl/simulator.py) over real HTTP, the AP failing 20 % of
requests (a 500, a dropped connection, or the request done and its answer lost). The AP reports
the hash of the image it converted, not of the JPEG (newproto.cpp processXferComplete), and
answers /imgupload with a bare 200 (web.cpp).

It must show: none lost (every label delivered), none stale (each tag shows its newest version,
by the AP's hash), no label uploaded more than needed (the AP took exactly one upload per label,
lost answers included). Simulated time runs on one fake clock: the AP converts an upload after
1 s and a tag fetches it 40 s later (an OEPL tag's check-in); the outbox's defaults (uploads back
off from 2 s, queries from 10 s, cap 300 s) are used as shipped.

Run: .venv/bin/pytest tests/bench/test_esl_bench.py -p no:cacheprovider -o addopts="" -s
It rewrites its section of docs/performance.md.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from drivers.esl import LabelFields, create_esl
from drivers.esl.render import encode_jpeg, render_label
from drivers.esl.simulator import SimulatedAP, hash_for
from tests.bench.performance_doc import machine, percentile, write_section

LABELS = 1000
SUPERSEDED = 100  # a second price change before the first is out
FAILURE_RATE = 0.2
START = 1_700_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


def _fields(i: int, price: int) -> LabelFields:
    return LabelFields(f"商品 {i}", price, unit_price_fen=price * 2, unit="kg")


def test_1000_labels_with_the_ap_failing_20_percent_none_lost_none_stale_one_upload_each() -> None:
    clock = Clock()
    macs = [f"0000{0x021EDE000000 + i:012X}" for i in range(LABELS)]
    newest = {mac: _fields(i, 900 + i if i < SUPERSEDED else 1000 + i) for i, mac in enumerate(macs)}
    with tempfile.TemporaryDirectory() as tmp, SimulatedAP(
        macs, failure_rate=FAILURE_RATE, convert_delay_s=1, apply_delay_s=40, seed=12, clock=clock
    ) as sim:
        labels = create_esl("esl", {"url": sim.url, "database": str(Path(tmp) / "store.db"),
                                    "batch_size": 200}, clock=clock, rng=random.Random(3))  # fmt: skip
        labels.open()
        for i, mac in enumerate(macs):
            labels.set_label(mac, _fields(i, 1000 + i), version=1)
        for mac in macs[:SUPERSEDED]:
            labels.set_label(mac, newest[mac], version=2)
        wall = time.perf_counter()
        passes = 0
        while labels.pump().waiting:
            clock.now += 1
            passes += 1
            assert clock.now - START < 3 * 3600
        wall = time.perf_counter() - wall
        simulated = clock.now - START
        delivered = [
            at - queued
            for at, queued in labels.outbox._db.execute(
                "SELECT delivered_at, enqueued_at FROM esl_outbox WHERE state = 'delivered'"
            )
        ]
        stale = labels.stale_labels()
        wrong = [mac for mac in macs if sim.tags[mac].hash != hash_for(
            encode_jpeg(render_label(newest[mac], (296, 128))), 1)]  # fmt: skip
        uploads = [sim.tags[mac].uploads for mac in macs]
        get_db = len(sim.get_db_requests)
        labels.close()

    assert len(delivered) == LABELS and stale == [] and wrong == []
    assert max(uploads) == 1 and sum(uploads) == LABELS
    write_section("esl",
        "## Shelf labels (ESL) against an AP failing 20 % of requests\n\n"
        f"{LABELS:,} labels (a second price change for {SUPERSEDED} of them before the first is "
        "out) through the outbox to the simulated OpenEPaperLink AP over HTTP, the AP failing 20 % "
        "of requests (500, dropped connection, or done with the answer lost) and confirming with "
        "its real hash (8 bytes of the md5 of the converted image, then zeros). The AP converts "
        "an upload after 1 s; a tag fetches it 40 s later. Outbox defaults as shipped; simulated "
        "time on a fake clock, one pump per simulated second.\n\n"
        "| what | measured | must |\n|---|---|---|\n"
        f"| labels delivered (lost) | {len(delivered):,} ({LABELS - len(delivered)}) | none lost |\n"
        f"| labels stale after the run / showing an older version | {len(stale)} / {len(wrong)} "
        "| none |\n"
        f"| uploads the AP took: total, most for one label | {sum(uploads):,}, {max(uploads)} "
        f"| one each |\n"
        f"| HTTP requests (failed by the AP) | {sim.requests:,} ({sim.faults:,}) | |\n"
        f"| `/get_db?mac=` queries per label | {get_db / LABELS:.1f} | |\n"
        f"| time to shown, p50 / p99 / max (simulated) | {percentile(delivered, 50):.0f} s / "
        f"{percentile(delivered, 99):.0f} s / {max(delivered):.0f} s | |\n"
        f"| until the last label showed (simulated) | {simulated:.0f} s in {passes} pumps | |\n"
        f"| wall time of the run | {wall:.1f} s | |\n\n"
        f"Measured on {machine()}, by `tests/bench/test_esl_bench.py`."
    )
