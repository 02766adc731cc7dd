"""Prices with rollout in a real headless Chromium: an admin publishes a price from the console's
form; the signed version reaches a real till (`pos till --headless` on a demo store with its
sync agent: a scan rings the new price) and the store's shelf label (the ESL loop feeds the
change to the OpenEPaperLink simulator, which shows the label re-rendered at the new price);
the terminal reports both up, and the rollout page shows the till applied, the label confirmed
and the version done. Photographs /rollout in both languages.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from cli.esl import LabelLoop
from cli.main import main as pos
from cloud_sync.agent import Agent
from cloud_sync.settings import AgentSettings, BrokerSettings
from cloud_sync.signing import generate_keypair
from drivers.esl import create_esl
from drivers.esl.render import encode_jpeg, render_label
from drivers.esl.simulator import SimulatedAP, hash_for
from drivers.esl.system import LabelFields
from hq.console.app import ConsoleSettings
from hq.ingest import IngestOptions, IngestWorker
from tests.cloud_sync.harness import Broker, Running, wait_until
from tests.hq.console.harness import Served
from tests.hq.console.seed import HqData
from tests.hq.console.test_browser import Browser, browser
from tests.ui.headless.headless_process import HeadlessTill

__all__ = ["browser"]

MAC = "0000021EAF3B1234"
SKU, NAME, GTIN = "P00001", "农夫山泉 550ml", "6920000010370"      # the demo store's water


def rung_price(till: HeadlessTill) -> str:
    """The unit price a scan of the water rings up now, in a sale of its own (then cancelled:
    a second scan in one sale would add to the first line, at the price it was rung at)."""
    answer = till.send({"op": "scan", "data": f"]E0{GTIN}"})
    assert answer["ok"], answer
    price = str(answer["sale"]["lines"][-1]["unit_price"])
    assert till.send({"op": "cancel", "override": {"staff": "2001", "pin": "5678"}})["ok"]
    return price


@pytest.mark.timeout(120)
def test_a_price_published_from_the_browser_reaches_the_till_and_the_label_and_shows_done(
        data: HqData, broker: Broker, browser: Any, tmp_path: Path) -> None:
    data.user("boss", "admin")
    db = tmp_path / "store.db"
    assert pos(["init", "--db", str(db), "--demo"]) == 0       # store S001, terminal T01
    config = db.with_name("store.toml")
    config.write_text(config.read_text() + f"\n[sync]\nhost = \"127.0.0.1\"\nport = {broker.port}\n"
                                           "insecure = true\n")
    generate_keypair(tmp_path / "hq.key", tmp_path / "hq.pub")
    bs = BrokerSettings(port=broker.port, keepalive=2)
    worker = Running(IngestWorker(IngestOptions(db_url=data.url, broker=bs)))
    agent = Running(Agent(AgentSettings("S001", "T01", bs, hq_public_key=str(tmp_path / "hq.pub"),
                                        backoff_min=0.1, status_interval=0.1, ack_timeout=3.0), db))
    till = HeadlessTill(db)
    ap = SimulatedAP([MAC]).start()
    labels = create_esl("esl", {"url": ap.url, "database": str(tmp_path / "esl-esl.sqlite"),
                                "backoff_base_s": 0.2, "check_base_s": 0.2, "backoff_cap_s": 1,
                                "timeout_s": 2})
    labels.outbox.assign(MAC, SKU)
    loop = LabelLoop(db, config, labels, publish=True)
    stop = threading.Event()

    def run_loop() -> None:
        while not stop.is_set():
            loop.once()
            stop.wait(0.2)

    looping = threading.Thread(target=run_loop, daemon=True)
    looping.start()
    server = Served(ConsoleSettings(data.url, signing_key=str(tmp_path / "hq.key"),
                                    pinned=str(tmp_path / "hq.pub"), broker=bs))
    b = Browser(browser[0], server.url, browser[1])
    tag = ap.tags[MAC]

    def label_shows(price: int) -> bool:
        fields = LabelFields(NAME, price, barcode=GTIN)
        return tag.hash == hash_for(encode_jpeg(render_label(fields, (296, 128))), tag.hw_type)

    try:
        assert till.send({"op": "login", "staff": "1001", "pin": "1234"})["ok"]
        assert till.send({"op": "shift_open", "float": "0"})["ok"]  # a till sells in a shift
        assert rung_price(till) == "2.00"
        wait_until(lambda: label_shows(200), 20, "the label showing the old price first")
        b.login("boss")
        b.go("/rollout")
        b.driver.find_element("css selector", "#price-sku").send_keys(SKU)
        b.driver.find_element("css selector", "#price-value").send_keys("2.50")
        b.driver.find_element("css selector", "#price-stores").send_keys("S001")
        b.driver.find_element("css selector", "#publish-price").click()
        wait_until(lambda: b.has("#published") or b.has("#publish-error") or b.has("#error"), 10,
                   "the version published")
        assert b.has("#published"), b.text("main")
        t0 = time.monotonic()
        assert "S001@1" in b.text("#published")

        wait_until(lambda: rung_price(till) == "2.50", 20, "the till ringing the new price")
        at_till = time.monotonic() - t0
        wait_until(lambda: label_shows(250), 30, "the label re-rendered with the new price")
        at_label = time.monotonic() - t0
        section = 'section.version[data-store="S001"][data-stream="prices"][data-version="1"]'

        def done() -> bool:
            b.go("/rollout")
            return b.has(f"{section}.status-done")
        wait_until(done, 30, "the rollout page showing the version done")
        at_page = time.monotonic() - t0
        print(f"\npublished → till rings it {at_till:.2f} s, label shows it {at_label:.2f} s,"
              f" rollout page done {at_page:.2f} s")
        assert b.text(f'{section} tr[data-terminal="T01"] [data-f="state"]') == "applied"
        assert b.text(f'{section} tr[data-mac="{MAC}"] [data-f="state"]') == "confirmed"
        assert "2.50" in b.text(f'{section} tr[data-mac="{MAC}"]')
        shown = b.fetch("/rollout.json")[1]["versions"][0]
        assert (shown["status"], shown["tills_applied"], shown["labels_confirmed"]) == ("done", 1, 1)
        b.go("/fleet")
        assert "prices v1" in b.text('section.store[data-store="S001"] td.applied')
        for locale in ("en", "zh_CN"):
            b.go("/rollout")
            b.locale(locale)
            b.shoot("rollout", locale)
        assert b.text(f"{section} [data-f=status]") == "已完成"
        b.locale("en")
    finally:
        stop.set()
        looping.join(10)
        server.stop()
        till.close()
        agent.stop()
        worker.stop()
        labels.outbox.close()
        ap.stop()
