"""The store's label feed and what travels up: a label assigned to a SKU is queued when its
product's price changes in the store's database (and only then), delivered through the
simulated OpenEPaperLink AP, and reported as confirmed / pending / failed with the price it
shows (`check_labels`, the health report's labels); the applied downlink versions beside."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cli.main import main as pos
from cloud_sync.doctor import check_downlink, check_labels
from drivers.esl import create_esl
from drivers.esl.feed import PriceFeed
from drivers.esl.simulator import SimulatedAP
from tests.drivers.esl.test_delivery import Clock

KNOWN, UNKNOWN = "0000021EAF3B0001", "0000021EAF3B0002"


def states(esl_db: Path) -> dict[str, tuple[str, int | None, int | None, str]]:
    return {lb.mac: (lb.state, lb.price, lb.wanted, lb.reason) for lb in check_labels(esl_db)[1]}


def test_a_price_change_queues_only_its_labels_and_each_reports_its_state(tmp_path: Path) -> None:
    db, esl_db = tmp_path / "store.db", tmp_path / "esl-esl.sqlite"
    assert pos(["init", "--db", str(db), "--demo"]) == 0
    clock = Clock()
    with SimulatedAP([KNOWN], clock=clock) as ap:
        labels = create_esl("esl", {"url": ap.url, "database": str(esl_db), "timeout_s": 2},
                            clock=clock)
        feed = PriceFeed(db, labels)
        labels.outbox.assign(KNOWN, "P00001")        # water, ¥2.00
        labels.outbox.assign(UNKNOWN, "P00002")      # a label the AP does not know
        labels.outbox.assign("0000021EAF3B0003", "NOT-IN-CATALOG")
        assert feed.feed() == 2 and feed.feed() == 0   # nothing changed: nothing queued again
        labels.pump()
        clock.now += 30
        labels.pump()
        got = states(esl_db)
        assert got[KNOWN] == ("confirmed", 200, 200, "")
        assert got[UNKNOWN][0] == "failed" and got[UNKNOWN][3] == "unknown_mac"
        assert "0000021EAF3B0003" not in got           # nothing to show yet: not a label of ours

        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE product SET price = 250 WHERE sku = 'P00001'")
        assert feed.feed() == 1
        assert states(esl_db)[KNOWN] == ("pending", 200, 250, "")   # still shows the old price
        labels.pump()
        clock.now += 30
        labels.pump()
        assert states(esl_db)[KNOWN] == ("confirmed", 250, 250, "")
        check, _ = check_labels(esl_db)
        assert (check.status, check.data["confirmed"], check.data["failed"]) == ("warn", 1, 1)
        labels.outbox.close()
    applied = check_downlink(db)
    assert applied.data == {"catalog": 0, "prices": 0, "promotions": 0, "transfers": 0,
                            "orders": 0}
