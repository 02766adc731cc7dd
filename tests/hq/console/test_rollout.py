"""Prices and promotions with rollout, in process through the ASGI interface: only HQ admins
publish (analysts and managers read; the CSRF token is checked first), every publish is audited
and stored as a signed version the stores' pinned key verifies; a version is done at a store
only when every till applied it and every label showing its SKUs confirmed its price."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from cloud_sync.health import LabelStatus
from cloud_sync.protocol import Document, PriceItem, Signed
from cloud_sync.signing import generate_keypair, load_keyring, verify_pinned
from hq.console.app import ConsoleSettings, create_app
from tests.hq.console.seed import HqData
from tests.hq.console.test_console import client, csrf_of

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 4, 15, 30, tzinfo=ZONE)


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    generate_keypair(tmp_path / "hq.key", tmp_path / "hq.pub")
    return tmp_path / "hq.key", tmp_path / "hq.pub"


@pytest.fixture
def clients(data: HqData, keys: tuple[Path, Path]) -> Iterator[dict[str, TestClient]]:
    app = create_app(ConsoleSettings(data.url, clock=lambda: NOW, signing_key=str(keys[0]),
                                     pinned=str(keys[1])))
    data.user("boss", "admin")
    data.user("ana", "analyst")
    data.user("mgr1", "manager", ("S001",))
    made = {name: client(app, name) for name in ("boss", "ana", "mgr1")}
    with made["boss"]:
        yield made


def publish(c: TestClient, **form: str) -> Any:
    token = csrf_of(c.get("/live").text)
    return c.post("/rollout/publish", data={"csrf": token, **form})


def label(mac: str, state: str, price: int | None, sku: str = "P1") -> LabelStatus:
    return LabelStatus(mac, sku, state, price, price)  # type: ignore[arg-type]


def status(c: TestClient, store: str, version: int, stream: str = "prices") -> dict[str, Any]:
    for v in c.get("/rollout.json").json()["versions"]:
        if (v["store"], v["stream"], v["version"]) == (store, stream, version):
            return v  # type: ignore[no-any-return]
    raise AssertionError(f"{store} {stream} v{version} not shown")


def test_only_admins_publish_with_the_csrf_token_and_each_publish_is_audited_and_signed(
        data: HqData, clients: dict[str, TestClient], keys: tuple[Path, Path]) -> None:
    form = {"stream": "prices", "sku": "P1", "price": "2.50", "stores": "S001,S002",
            "effective_at": "2026-12-05T08:00"}
    assert publish(clients["ana"], **form).status_code == 403
    assert publish(clients["mgr1"], **form).status_code == 403
    token_less = clients["boss"].post("/rollout/publish", data=form)
    assert token_less.status_code == 403
    assert data.conn.execute("SELECT count(*) FROM hq_version").fetchone()[0] == 0
    done = publish(clients["boss"], **form)
    assert (done.status_code, done.headers["location"]) == (303, "/rollout?published=S001%401%2CS002%401")
    signed = data.conn.execute("SELECT signed FROM hq_version WHERE store = 'S001'").fetchone()[0]
    doc = msgspec.json.decode(verify_pinned(load_keyring(keys[1]),
                                            msgspec.json.decode(bytes(signed), type=Signed)),
                              type=Document)
    assert msgspec.json.decode(doc.items, type=list[PriceItem]) == [
        PriceItem("P1", 250, "2026-12-05T08:00:00+08:00")]     # HQ's zone, offset written out
    actor, action, target = data.conn.execute(
        "SELECT actor, action, target FROM hq_audit WHERE action LIKE '%publish'").fetchone()
    assert (actor, action, target) == ("boss", "prices.publish", "S001@1,S002@1")
    for bad in ({"price": "-1"}, {"price": "2.505"}, {"sku": ""}, {"effective_at": "tomorrow"},
                {"stores": "S001,S+/#"}):
        refused = publish(clients["boss"], **{**form, **bad})
        assert "error=" in refused.headers["location"], bad
    # A promotion's rule is one JSON value: text that would smuggle in a second item is refused.
    smuggle = '1, "active": true}, {"promotion_id": "EVIL", "body": {}'
    refused = publish(clients["boss"], stream="promotions", promotion_id="M1", body=smuggle,
                      stores="S001")
    assert "not%20JSON" in refused.headers["location"]
    assert data.conn.execute("SELECT count(*) FROM hq_version").fetchone()[0] == 2


def test_a_file_as_pos_hq_publish_takes_is_published_and_a_bad_one_refused_whole(
        data: HqData, clients: dict[str, TestClient]) -> None:
    c = clients["boss"]
    token = csrf_of(c.get("/live").text)
    good = b'[{"promotion_id": "M1", "body": {"kind": "percent_off", "percent": 10}}]'
    sent = c.post("/rollout/publish", data={"csrf": token, "stream": "promotions",
                                            "stores": "S001"},
                  files={"file": ("promos.json", good, "application/json")})
    assert sent.headers["location"] == "/rollout?published=S001%401"
    bad = b'[{"sku": "P1", "price": 100}, {"sku": "P2", "price": 100, "effective_at": "2026-12-05"}]'
    refused = c.post("/rollout/publish", data={"csrf": token, "stream": "prices",
                                               "stores": "S001"},
                     files={"file": ("prices.json", bad, "application/json")})
    assert "effective_at" in refused.headers["location"]
    assert data.conn.execute("SELECT stream FROM hq_version").fetchall() == [("promotions",)]
    shown = status(c, "S001", 1, "promotions")
    assert shown["items"][0]["promotion_id"] == "M1" and shown["status"] == "rolling_out"


def test_done_only_when_every_till_applied_and_every_label_of_its_skus_confirmed_the_price(
        data: HqData, clients: dict[str, TestClient]) -> None:
    c = clients["boss"]
    publish(c, stream="prices", sku="P1", price="2.50", stores="S001")
    data.health("S001", "T01", NOW, applied={"prices": 1}, labels=[
        label("0000000000A1", "confirmed", 250), label("0000000000A2", "pending", 200),
        label("0000000000B1", "confirmed", 990, sku="P9")])          # another SKU's label
    data.health("S001", "T02", NOW, applied={"prices": 0})
    data.sale("S001", "T03", NOW)              # a till HQ knows by its sales, with no report
    v = status(c, "S001", 1)
    assert [(t["terminal"], t["state"]) for t in v["tills"]] == [
        ("T01", "applied"), ("T02", "pending"), ("T03", "pending")]
    data.health("S001", "T03", NOW, applied={"prices": 1})
    v = status(c, "S001", 1)
    assert (v["status"], v["tills_applied"], len(v["tills"])) == ("rolling_out", 2, 3)
    assert [(lb["mac"], lb["state"]) for lb in v["labels"]] == [
        ("0000000000A1", "confirmed"), ("0000000000A2", "pending")]
    data.health("S001", "T02", NOW + timedelta(seconds=1), applied={"prices": 1})
    assert status(c, "S001", 1)["status"] == "rolling_out"     # every till, a label still waits
    data.health("S001", "T01", NOW + timedelta(seconds=2), applied={"prices": 1}, labels=[
        label("0000000000A1", "confirmed", 250), label("0000000000A2", "failed", 200)])
    assert status(c, "S001", 1)["status"] == "failed"
    data.health("S001", "T01", NOW + timedelta(seconds=3), applied={"prices": 1}, labels=[
        label("0000000000A1", "confirmed", 250), label("0000000000A2", "confirmed", 200)])
    assert status(c, "S001", 1)["status"] == "rolling_out"     # confirmed, but the old price
    data.health("S001", "T01", NOW + timedelta(seconds=4), applied={"prices": 1}, labels=[
        label("0000000000A1", "confirmed", 250), label("0000000000A2", "confirmed", 250)])
    v = status(c, "S001", 1)
    assert (v["status"], v["labels_confirmed"]) == ("done", 2)

    # A price for tomorrow: applied everywhere, still scheduled; a later price supersedes it.
    publish(c, stream="prices", sku="P1", price="3.00", stores="S001",
            effective_at="2026-12-05T08:00")
    data.health("S001", "T02", NOW + timedelta(seconds=5), applied={"prices": 2})
    data.health("S001", "T03", NOW + timedelta(seconds=5), applied={"prices": 2})
    data.health("S001", "T01", NOW + timedelta(seconds=5), applied={"prices": 2}, labels=[
        label("0000000000A1", "confirmed", 250), label("0000000000A2", "confirmed", 250)])
    assert status(c, "S001", 2)["status"] == "scheduled"
    publish(c, stream="prices", sku="P1", price="3.10", stores="S001",
            effective_at="2026-12-05T08:00")
    assert status(c, "S001", 2)["status"] == "superseded"
    assert status(c, "S001", 3)["status"] == "rolling_out"     # the tills at version 2
    page = c.get("/fleet.json").json()["stores"][0]["terminals"][0]
    assert page["applied"] == {"prices": 2}


def test_a_manager_reads_only_their_stores_rollout(
        data: HqData, clients: dict[str, TestClient]) -> None:
    publish(clients["boss"], stream="prices", sku="P1", price="2.50", stores="S001,S002")
    data.health("S002", "T01", NOW, applied={"prices": 1}, labels=[
        label("0000000000C1", "confirmed", 250)])
    shown = clients["mgr1"].get("/rollout.json")
    assert [v["store"] for v in shown.json()["versions"]] == ["S001"]
    assert not shown.json()["may_publish"]
    assert clients["mgr1"].get("/rollout.json?store=S002").status_code == 403
    assert clients["ana"].get("/rollout.json").json()["may_publish"] is False
    assert "price-form" not in clients["ana"].get("/rollout").text
    assert "price-form" in clients["boss"].get("/rollout").text
