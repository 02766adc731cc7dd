"""The console in a real headless Chromium (Debian's, driven by Selenium through the system
chromedriver; nothing is downloaded): log in; a store manager cannot see another store, in the
page or through the JSON routes; a sale made at `pos till --headless` goes through the real
agent, broker and ingest and shows on the live page within 1 s; a dead-lettered event shows
with its reason; a form posted without its CSRF token is refused. Every page is photographed in
both languages into a temporary folder, and into docs/screenshots/console-*.png when
POS_CONSOLE_SCREENSHOTS=1.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cli.main import main as pos
from cloud_sync.agent import Agent
from cloud_sync.settings import AgentSettings, BrokerSettings
from edge.ledger.outbox import append_event
from edge.ledger.store import open_store, write_transaction
from hq.console.app import ConsoleSettings
from hq.ingest import IngestOptions, IngestWorker
from tests.cloud_sync.harness import Broker, Running, wait_until
from tests.cloud_sync.sales import sale_payload
from tests.hq.console.harness import Served
from tests.hq.console.seed import PASSWORD, HqData
from tests.ui.headless.headless_process import HeadlessTill

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
ROOT = Path(__file__).resolve().parents[3]
ZONE = ZoneInfo("Asia/Shanghai")

def chromium(profile: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), \
        "install Debian's chromium and chromium-driver (packaging/setup.sh --dev does)"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                 f"--user-data-dir={profile}", "--lang=en-US"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(20)
    return driver


class Browser:
    def __init__(self, driver: Any, base: str, shots: Path) -> None:
        self.driver = driver
        self.base = base
        self.shots = shots

    def go(self, path: str) -> None:
        self.driver.get(self.base + path)

    def text(self, css: str) -> str:
        """The element's text; "" while the page it was on is being replaced."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.common.by import By

        try:
            return str(self.driver.find_element(By.CSS_SELECTOR, css).text)
        except WebDriverException:      # not there (yet), or gone with the page it was on
            return ""

    def has(self, css: str) -> bool:
        from selenium.webdriver.common.by import By

        return bool(self.driver.find_elements(By.CSS_SELECTOR, css))

    def login(self, user: str) -> None:
        from selenium.webdriver.common.by import By

        self.go("/login")
        self.driver.find_element(By.ID, "username").send_keys(user)
        self.driver.find_element(By.ID, "password").send_keys(PASSWORD)
        self.driver.find_element(By.ID, "login-button").click()
        wait_until(lambda: self.has("#whoami"), 10, f"{user} logged in")

    def logout(self) -> None:
        from selenium.webdriver.common.by import By

        self.driver.find_element(By.ID, "logout").click()
        wait_until(lambda: self.has("#login-form"), 10, "logged out")

    def fetch(self, path: str) -> tuple[int, Any]:
        """GET `path` from the page's own origin, with its cookies (as a script on it would)."""
        status, body = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {credentials: 'same-origin'})"
            ".then(r => r.text().then(t => done([r.status, t])))"
            ".catch(e => done([0, String(e)]));", path)
        return int(status), json.loads(body) if body.startswith("{") else body

    def locale(self, locale: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        Select(self.driver.find_element(By.NAME, "locale")).select_by_value(locale)
        wait_until(lambda: self.driver.execute_script("return document.documentElement.lang")
                   == ("zh-CN" if locale == "zh_CN" else "en"), 10, f"page in {locale}")

    def shoot(self, name: str, locale: str) -> None:
        self.driver.save_screenshot(str(self.shots / f"console-{name}-{locale}.png"))


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    driver = chromium(tmp_path / "profile")
    shots = tmp_path / "screenshots"
    shots.mkdir()
    try:
        yield driver, shots
    finally:
        driver.quit()
        if os.environ.get("POS_CONSOLE_SCREENSHOTS") == "1":
            for shot in shots.glob("console-*.png"):
                shutil.copy(shot, ROOT / "docs" / "screenshots" / shot.name)


@pytest.mark.timeout(120)
def test_a_till_sale_shows_live_and_a_dead_letter_with_its_reason(
        data: HqData, broker: Broker, browser: Any, tmp_path: Path) -> None:
    import random

    data.user("boss", "admin")
    db = tmp_path / "till.db"
    assert pos(["init", "--db", str(db), "--demo"]) == 0       # store S001, terminal T01
    bs = BrokerSettings(port=broker.port, keepalive=2)
    worker = Running(IngestWorker(IngestOptions(db_url=data.url, broker=bs)))
    agent = Running(Agent(AgentSettings("S001", "T01", bs, backoff_min=0.1, status_interval=0.1,
                                        ack_timeout=3.0), db))
    till = HeadlessTill(db)
    outbox = open_store(db)
    server = Served(ConsoleSettings(data.url))
    b = Browser(browser[0], server.url, browser[1])
    rng = random.Random(5)

    def sell() -> str:
        """One sale at the headless till, paid in cash; the net shown for it."""
        assert till.send({"op": "scan", "data": "]E06920000010370"})["ok"]
        answer = till.send({"op": "tender", "type": "cash", "amount": "100"})
        assert answer["ok"] and answer["sale"]["status"] == "completed", answer
        return str(answer["sale"]["total"])

    try:
        assert till.send({"op": "login", "staff": "1001", "pin": "1234"})["ok"]
        b.login("boss")
        b.go("/live")
        wait_until(lambda: "updates" in b.text("#live-state"), 10, "the live stream open")
        first = sell()                                      # the agent connects meanwhile
        wait_until(lambda: b.text("#chain-sales") == "1", 20, "the first sale shown")
        assert b.text("#chain-net") == f"¥{first}"
        seen = []
        for n in (2, 3):
            sell()
            t0 = time.monotonic()                           # the till answered: committed
            wait_until(lambda n=n: b.text("#chain-sales") == str(n), 5, f"sale {n} shown")
            seen.append(time.monotonic() - t0)
            assert b.text('#per-store tr[data-store="S001"] [data-f="sales"]') == str(n)
        print(f"\ntill commit → on the live page: {[f'{s * 1000:.0f} ms' for s in seen]}")
        assert max(seen) < 1.0, seen
        assert "cash" in b.text('#per-store tr[data-store="S001"] [data-f="tenders"]')

        # A fact the till's core would never write (its lines do not add up), in its outbox.
        bad = sale_payload("S001", "T01", 900001, rng, lines=2)
        bad["lines"][0]["total"] += 5
        with write_transaction(outbox):
            append_event(outbox, "sale.completed", bad)
        b.go("/dead-letters")
        wait_until(lambda: (b.go("/dead-letters"), b.has("#dead-letters tr[data-id]"))[1],
                   15, "the dead letter listed")
        assert "total is not gross - discount" in b.text("#dead-letters")
        b.driver.find_element("css selector", "#dead-letters tr[data-id] a").click()
        wait_until(lambda: b.has("#reason"), 10, "the dead letter shown")
        assert "total is not gross - discount" in b.text("#reason")
        assert bad["sale_id"] in b.text("#raw")
    finally:
        server.stop()
        till.close()
        agent.stop()
        worker.stop()
        outbox.close()


@pytest.mark.timeout(120)
def test_roles_csrf_and_every_page_in_both_languages(
        data: HqData, browser: Any) -> None:
    now = datetime(2026, 12, 4, 16, 20, tzinfo=ZONE)    # HQ's clock: a Friday afternoon
    data.user("boss", "admin")
    data.user("mgr1", "manager", ("S001",))
    for minutes in range(5, 480, 25):
        at = now - timedelta(minutes=minutes)
        data.sale("S001", "T01", at)
        data.sale("S002", "T01", at, cash_over=(minutes % 3) * 100)
        data.sale("S001", "T02", at - timedelta(days=7, minutes=minutes % 40))
    data.sale("S002", "T02", now - timedelta(days=7))
    data.health("S001", "T01", now, pending=0)
    data.health("S001", "T02", now - timedelta(minutes=40), pending=320, oldest_s=2400)
    data.health("S002", "T01", now, printer="paper_out", offset_s=4.2)
    own = data.dead_letter("S001", "T01")
    other = data.dead_letter("S002", "T01")
    data.conn.execute("UPDATE hq_terminal SET last_seen = %s - interval '2 seconds'", (now,))
    data.conn.execute("UPDATE hq_terminal SET last_seen = %s - interval '40 minutes', online ="
                      " FALSE WHERE (store, terminal) = ('S001', 'T02')", (now,))
    server = Served(ConsoleSettings(data.url, clock=lambda: now))
    b = Browser(browser[0], server.url, browser[1])
    try:
        b.go("/login")
        b.shoot("login", "en")
        b.login("boss")
        pages = {"live": "/live", "fleet": "/fleet", "dead-letters": "/dead-letters",
                 "dead-letter": f"/dead-letters/{other}", "audit": "/audit"}
        for locale in ("en", "zh_CN"):
            b.go("/live")
            b.locale(locale)
            for name, path in pages.items():
                b.go(path)
                wait_until(lambda: b.has("main h1"), 10, f"{path} shown")
                if name == "live":
                    wait_until(lambda: b.driver.execute_script(
                        "return document.querySelectorAll('#hourly-chart canvas').length"),
                        10, "the chart drawn")
                b.shoot(name, locale)
        b.logout()
        b.shoot("login", "zh_CN")                       # the language stays after a logout
        assert b.text("#login-button") == "登录"
        b.login("boss")
        b.go("/fleet")
        assert b.text("section.store h2").split()[0] == "S002"   # in trouble: listed first

        # The resolve form posted without its token is refused, and nothing changes.
        b.go(f"/dead-letters/{other}")
        b.driver.execute_script("document.querySelector('#resolve-form input[name=csrf]')"
                                ".remove(); document.querySelector('#resolve-form').submit();")
        wait_until(lambda: b.has("#error"), 10, "the refusal shown")
        assert "表单已过期或被伪造" in b.text("#error")
        assert b.fetch(f"/dead-letters/{other}.json")[1]["dead_letter"]["resolved_at"] is None
        b.go(f"/dead-letters/{other}")
        b.driver.find_element("css selector", "#resolve").click()
        wait_until(lambda: "boss" in b.text("#resolved"), 10, "resolved with its token")
        b.locale("en")
        b.logout()

        b.login("mgr1")
        assert [s["store"] for s in b.fetch("/live.json")[1]["per_store"]] == ["S001"]
        for path in ("/live.json?store=S002", f"/dead-letters/{other}.json",
                     "/fleet.json?store=S002", "/audit.json"):
            status, body = b.fetch(path)
            assert (status, body["error"]) == (403, "forbidden"), path
        assert b.fetch(f"/dead-letters/{own}.json")[0] == 200
        b.go("/live?store=S002")
        assert b.has("#error") and not b.has("#chain") and not b.has("#per-store")
        b.go("/fleet")
        assert [e.text.split()[0] for e in
                b.driver.find_elements("css selector", "section.store h2")] == ["S001"]
        b.go("/live")
        b.shoot("live-manager", "en")
    finally:
        server.stop()
