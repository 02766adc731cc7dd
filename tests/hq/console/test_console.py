"""The console's rules, in process through the ASGI interface (Datasette style): figures from
the rollups the ingest transaction keeps, what each role may see and do in HTML and JSON
alike, CSRF on every form, login rate limits and the audit log, both languages."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

with warnings.catch_warnings():     # Starlette 1.x would rather have `httpx2`; httpx works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from cli.main import main as pos
from hq.console.accounts import hash_password, verify_password
from hq.console.app import ConsoleSettings, create_app
from hq.console.i18n import MESSAGES, choose_locale
from tests.hq.console.seed import PASSWORD, HqData

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 4, 15, 30, tzinfo=ZONE)   # a Friday afternoon at HQ


@pytest.fixture
def app(data: HqData) -> Any:
    return create_app(ConsoleSettings(data.url, clock=lambda: NOW))


def client(app: Any, user: str | None = None) -> TestClient:
    c = TestClient(app, base_url="https://testserver", follow_redirects=False)
    if user:
        login(c, user)
    return c


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def login(c: TestClient, user: str, password: str = PASSWORD) -> Any:
    form = c.get("/login")
    return c.post("/login", data={"username": user, "password": password,
                                  "csrf": csrf_of(form.text), "next": "/live"})


@pytest.fixture
def clients(app: Any, data: HqData) -> Iterator[dict[str, TestClient]]:
    data.user("boss", "admin")
    data.user("ana", "analyst")
    data.user("mgr1", "manager", ("S001",))
    made = {name: client(app, name) for name in ("boss", "ana", "mgr1")}
    with made["boss"]:          # runs the lifespan once (the live listener)
        yield made


def test_live_figures_are_the_rollups_of_what_ingest_committed(
        data: HqData, clients: dict[str, TestClient]) -> None:
    today = [data.sale("S001", "T01", NOW.replace(hour=9, minute=m)) for m in (5, 40)]
    today.append(data.sale("S001", "T02", NOW.replace(hour=11), cash_over=350, redeliver=True))
    today.append(data.sale("S002", "T01", NOW.replace(hour=9, minute=59)))
    last_week = data.sale("S001", "T01", NOW.replace(hour=10) - timedelta(days=7))
    data.sale("S002", "T01", NOW - timedelta(days=1))           # yesterday: not today's figures
    live = clients["boss"].get("/live.json").json()
    chain = live["chain"]
    net = sum(s["total"] for s in today)
    assert (chain["sales"], chain["net"], chain["avg_basket"]) == (4, net, round(net / 4))
    assert chain["hours"][9] == today[0]["total"] + today[1]["total"] + today[3]["total"]
    assert chain["hours"][11] == today[2]["total"]      # a redelivered batch counts once
    assert chain["hours_last_week"][10] == last_week["total"]
    assert live["compare_date"] == "2026-11-27" and live["date"] == "2026-12-04"
    # Cash keeps what the customer paid less the change; WeChat keeps its amount.
    assert chain["tenders"] == {"cash": today[2]["total"],
                                "wechat": net - today[2]["total"]}
    [s1, s2] = live["per_store"]
    assert (s1["store"], s1["sales"], s2["store"], s2["sales"]) == ("S001", 3, "S002", 1)
    page = clients["boss"].get("/live")
    assert page.status_code == 200 and f"¥{net // 100}.{net % 100:02d}" in page.text


def test_rollups_equal_a_scan_of_the_sales_whatever_the_batches(data: HqData) -> None:
    for i in range(30):
        data.sale(f"S00{i % 3 + 1}", f"T0{i % 2 + 1}", NOW - timedelta(hours=i * 5),
                  cash_over=(i % 4) * 10, redeliver=i % 5 == 0)
    scanned = data.conn.execute(
        "SELECT store, business_date, extract(hour FROM closed_at AT TIME ZONE 'Asia/Shanghai'),"
        " count(*), sum(total) FROM hq_sale WHERE status = 'completed' GROUP BY 1, 2, 3"
        " ORDER BY 1, 2, 3").fetchall()
    rolled = data.conn.execute(
        "SELECT store, business_date, hour, sales, net FROM hq_rollup_sales_hour"
        " ORDER BY 1, 2, 3").fetchall()
    assert [(a, b, int(c), d, int(e)) for a, b, c, d, e in scanned] == \
        [(a, b, c, d, int(e)) for a, b, c, d, e in rolled]
    paid = data.conn.execute(
        "SELECT sum(paid - change) FROM hq_sale WHERE status = 'completed'").fetchone()
    kept = data.conn.execute("SELECT sum(amount) FROM hq_rollup_tender_day").fetchone()
    assert paid == kept


def test_a_store_manager_sees_only_their_stores_in_html_and_json(
        data: HqData, clients: dict[str, TestClient]) -> None:
    data.sale("S001", "T01", NOW.replace(hour=9))
    data.sale("S002", "T01", NOW.replace(hour=9))
    own, other = data.dead_letter("S001", "T01"), data.dead_letter("S002", "T01")
    mgr = clients["mgr1"]
    live = mgr.get("/live.json").json()
    assert live["stores"] == ["S001"] and [s["store"] for s in live["per_store"]] == ["S001"]
    assert live["chain"]["sales"] == 1
    for path in ("/live.json?store=S002", "/live?store=S002", "/fleet.json?store=S002",
                 f"/dead-letters/{other}.json", f"/dead-letters/{other}", "/audit.json",
                 "/live/stream?store=S002"):
        assert mgr.get(path).status_code == 403, path
    assert [s["store"] for s in mgr.get("/fleet.json").json()["stores"]] == ["S001"]
    assert [d["id"] for d in mgr.get("/dead-letters.json").json()["dead_letters"]] == [own]
    assert "S002" not in mgr.get("/dead-letters").text
    boss = clients["boss"].get("/dead-letters.json").json()["dead_letters"]
    assert {d["id"] for d in boss} == {own, other}
    shown = clients["ana"].get(f"/dead-letters/{other}.json").json()
    assert "total is not gross - discount" in shown["dead_letter"]["reason"]
    assert '"lines"' in shown["raw"]


def test_every_form_needs_its_csrf_token_and_analysts_change_nothing(
        data: HqData, clients: dict[str, TestClient]) -> None:
    dead = data.dead_letter("S001", "T01")
    boss, ana, mgr = clients["boss"], clients["ana"], clients["mgr1"]
    token = csrf_of(boss.get(f"/dead-letters/{dead}").text)
    assert boss.post(f"/dead-letters/{dead}/resolve", data={"resolution": "x"}).status_code == 403
    assert boss.post(f"/dead-letters/{dead}/resolve",
                     data={"resolution": "x", "csrf": "forged"}).status_code == 403
    assert boss.post("/logout", data={}).status_code == 403
    assert boss.get(f"/dead-letters/{dead}.json").json()["dead_letter"]["resolved_at"] is None
    ana_token = csrf_of(ana.get(f"/dead-letters/{dead}").text)
    assert ana.post(f"/dead-letters/{dead}/resolve",
                    data={"csrf": ana_token}).status_code == 403
    other = data.dead_letter("S002", "T01")
    mgr_token = csrf_of(mgr.get("/live").text)
    assert mgr.post(f"/dead-letters/{other}/resolve", data={"csrf": mgr_token}).status_code == 403
    done = boss.post(f"/dead-letters/{dead}/resolve",
                     data={"resolution": "till fixed, resent", "csrf": token})
    assert done.status_code == 303
    shown = boss.get(f"/dead-letters/{dead}.json").json()["dead_letter"]
    assert (shown["resolved_by"], shown["resolution"]) == ("boss", "till fixed, resent")
    assert [d["id"] for d in boss.get("/dead-letters.json").json()["dead_letters"]] == [other]
    entries = boss.get("/audit.json").json()["entries"]
    assert [(e["actor"], e["action"], e["target"]) for e in entries[:1]] == [
        ("boss", "dead_letter.resolve", f"S001/T01#{dead}")]
    assert {("test", "user.add", "mgr1"), ("boss", "login", "")} <= {
        (e["actor"], e["action"], e["target"]) for e in entries}


def test_login_is_rate_limited_and_every_attempt_audited(
        app: Any, data: HqData, clients: dict[str, TestClient]) -> None:
    data.user("carol", "admin")
    c = client(app)
    codes = [login(c, "carol", "wrong password!").status_code for _ in range(7)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]
    assert login(c, "carol").status_code == 429          # even the right password, for now
    assert login(client(app), "ana").status_code == 303   # other accounts are not locked out
    login_form = c.get("/login")
    assert c.post("/login", data={"username": "ana", "password": PASSWORD}).status_code == 403
    assert login_form.status_code == 200
    failed = data.conn.execute("SELECT count(*) FROM hq_audit WHERE action = 'login_failed'"
                               " AND target = 'carol'").fetchone()
    assert failed == (5,)


def test_without_a_session_pages_redirect_and_json_answers_401(app: Any) -> None:
    c = client(app)
    with c:
        assert c.get("/live").headers["location"] == "/login?next=/live"
        assert c.get("/live.json").status_code == 401
        assert c.get("/fleet.json").json()["error"] == "login_required"
        assert c.get("/nowhere").json()["error"] == "not_found"


def test_session_cookie_is_httponly_samesite_and_secure(app: Any, data: HqData) -> None:
    data.user("boss", "admin")
    c = client(app)
    answer = login(c, "boss")
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("__Host-hq_session=")
    for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/"):
        assert flag.lower() in cookie.lower()
    assert answer.headers["location"] == "/live"


def test_disabled_user_loses_their_session_and_cannot_log_in(
        app: Any, data: HqData, clients: dict[str, TestClient],
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert clients["ana"].get("/live.json").status_code == 200
    assert pos(["hq", "user", "disable", "ana", "--db", data.url]) == 0
    assert clients["ana"].get("/live.json").status_code == 401
    assert login(client(app), "ana").status_code == 401
    monkeypatch.setattr("sys.stdin", _Lines("short\n"))
    assert pos(["hq", "user", "add", "x1", "--role", "analyst", "--db", data.url]) == 1
    monkeypatch.setattr("sys.stdin", _Lines("a long enough password\n"))
    assert pos(["hq", "user", "add", "m2", "--role", "manager", "--stores", "S002,S003",
                "--db", data.url]) == 0
    m2 = client(app, "m2")
    m2.cookies.clear()
    assert login(client(app), "m2", "a long enough password").status_code == 303
    row = data.conn.execute("SELECT role, stores FROM hq_user WHERE username = 'm2'").fetchone()
    assert row == ("manager", ["S002", "S003"])


class _Lines:
    def __init__(self, text: str) -> None:
        self.text = text

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        return self.text


def test_language_from_the_users_setting_else_the_browser(
        app: Any, data: HqData, clients: dict[str, TestClient]) -> None:
    boss = clients["boss"]
    assert "实时销售" in boss.get("/live", headers={"accept-language": "zh-CN,zh;q=0.9"}).text
    assert "Live sales" in boss.get("/live", headers={"accept-language": "en-US,en"}).text
    token = csrf_of(boss.get("/live").text)
    assert boss.post("/locale", data={"locale": "zh_CN", "csrf": token,
                                      "next": "/fleet"}).headers["location"] == "/fleet"
    assert "终端与同步" in boss.get("/fleet", headers={"accept-language": "en"}).text
    assert choose_locale(None, "fr;q=1, en;q=0.5, zh;q=0.8") == "zh_CN"
    assert choose_locale(None, "") == "zh_CN" and choose_locale("en", "zh") == "en"
    assert all(en.strip() and zh.strip() for en, zh in MESSAGES.values())


def test_passwords_are_kept_as_slow_salted_hashes() -> None:
    one, two = hash_password("s3cret-pass!", n=2**12), hash_password("s3cret-pass!", n=2**12)
    assert one != two and one.startswith("scrypt$4096$8$1$") and "s3cret" not in one
    assert verify_password("s3cret-pass!", one) and not verify_password("s3cret-pass?", one)
    assert not verify_password("x", "md5$whatever")
