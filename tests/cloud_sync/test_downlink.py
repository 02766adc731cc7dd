"""Down-sync: signed versions applied strictly in order, catch-up and snapshots through HQ,
effective-dated prices, and forged or tampered documents refused without changing a price."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from cloud_sync.agent import Agent
from cloud_sync.downlink import Outcome, applied_version, apply_signed, promote_due_prices
from cloud_sync.protocol import CatalogItem, PriceItem, version_topic
from cloud_sync.settings import AgentSettings, BrokerSettings
from cloud_sync.signing import generate_keypair, load_private_key, load_public_key
from edge.ledger.store import open_store
from hq.ingest import IngestOptions, IngestWorker
from hq.publish import publish_version, send
from hq.storage import open_storage
from tests.cloud_sync.harness import Broker, Running, wait_until

pytestmark = pytest.mark.dated


def catalog(*prices: int) -> list[CatalogItem]:
    return [CatalogItem(sku=f"SKU{i}", name_zh=f"商品{i}", name_en=f"Item {i}", unit="each",
                        price=p, tax_class="std", gtins=[f"690000000000{i}"])
            for i, p in enumerate(prices, 1)]


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    generate_keypair(tmp_path / "hq.key", tmp_path / "hq.pub")
    return tmp_path / "hq.key", tmp_path / "hq.pub"


def price(db: Path, sku: str) -> int | None:
    conn = open_store(db)
    try:
        row = conn.execute("SELECT price FROM product WHERE sku = ?", (sku,)).fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def test_versions_apply_only_in_order_and_stale_ones_change_nothing(
        tmp_path: Path, keys: tuple[Path, Path]) -> None:
    storage = open_storage(str(tmp_path / "hq.sqlite"))
    key, pub = load_private_key(keys[0]), load_public_key(keys[1])
    v1 = publish_version(storage, key, "catalog", catalog(100, 200), "S001")[1]
    v2 = publish_version(storage, key, "catalog", catalog(110), "S001")[1]
    v3 = publish_version(storage, key, "catalog", catalog(120), "S001")[1]
    conn = open_store(tmp_path / "till.db")
    assert apply_signed(conn, pub, v2, "S001").outcome is Outcome.GAP
    assert apply_signed(conn, pub, v1, "S001").outcome is Outcome.APPLIED
    assert apply_signed(conn, pub, v1, "S001").outcome is Outcome.STALE
    assert apply_signed(conn, pub, v3, "S001").outcome is Outcome.GAP
    assert apply_signed(conn, pub, v2, "S001").outcome is Outcome.APPLIED
    assert apply_signed(conn, pub, v3, "S001").outcome is Outcome.APPLIED
    assert [tuple(r) for r in conn.execute("SELECT sku, price FROM product ORDER BY sku")] == [
        ("SKU1", 120), ("SKU2", 200)]
    assert conn.execute("SELECT sku FROM product_gtin WHERE gtin = '06900000000001'"
                        ).fetchone()[0] == "SKU1"
    assert apply_signed(conn, pub, v3, "S002").outcome is Outcome.REFUSED


def test_forged_and_tampered_versions_are_refused_and_change_no_price(
        tmp_path: Path, keys: tuple[Path, Path]) -> None:
    storage = open_storage(str(tmp_path / "hq.sqlite"))
    key, pub = load_private_key(keys[0]), load_public_key(keys[1])
    conn = open_store(tmp_path / "till.db")
    assert apply_signed(conn, pub, publish_version(storage, key, "catalog", catalog(500), "S001"
                                                   )[1], "S001").outcome is Outcome.APPLIED
    generate_keypair(tmp_path / "evil.key", tmp_path / "evil.pub")
    evil = open_storage(str(tmp_path / "evil.sqlite"))
    publish_version(evil, key, "catalog", catalog(500), "S001")
    forged = publish_version(evil, load_private_key(tmp_path / "evil.key"), "catalog",
                             catalog(1), "S001")[1]
    genuine = publish_version(storage, key, "catalog", catalog(499), "S001")[1]
    signed = json.loads(genuine)
    doc = base64.b64decode(signed["doc"]).replace(b'"price":499', b'"price":1')
    signed["doc"] = base64.b64encode(doc).decode()
    tampered = json.dumps(signed).encode()
    unsigned = json.dumps({**signed, "sig": ""}).encode()
    for bad in (forged, tampered, unsigned, b"not json"):
        result = apply_signed(conn, pub, bad, "S001")
        assert result.outcome is Outcome.REFUSED
    assert conn.execute("SELECT price FROM product WHERE sku = 'SKU1'").fetchone()[0] == 500
    assert applied_version(conn, "catalog") == 1
    assert conn.execute("SELECT count(*) FROM sync_refused").fetchone()[0] == 4


def test_effective_dated_price_takes_effect_at_its_time_offline(
        tmp_path: Path, keys: tuple[Path, Path]) -> None:
    storage = open_storage(str(tmp_path / "hq.sqlite"))
    key, pub = load_private_key(keys[0]), load_public_key(keys[1])
    conn = open_store(tmp_path / "till.db")
    apply_signed(conn, pub, publish_version(storage, key, "catalog", catalog(300), "S001")[1],
                 "S001")
    later = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)
    prices = [PriceItem(sku="SKU1", price=250,
                        effective_at=later.astimezone().isoformat())]
    assert apply_signed(conn, pub, publish_version(storage, key, "prices", prices, "S001")[1],
                        "S001").outcome is Outcome.APPLIED
    assert conn.execute("SELECT price FROM product WHERE sku = 'SKU1'").fetchone()[0] == 300
    before = (later - timedelta(seconds=1)).isoformat(timespec="milliseconds")
    assert promote_due_prices(conn, before) == 0
    assert promote_due_prices(conn, later.isoformat(timespec="milliseconds")) == 1
    assert conn.execute("SELECT price FROM product WHERE sku = 'SKU1'").fetchone()[0] == 250


@pytest.mark.timeout(60)
def test_agent_catches_up_through_hq_and_refuses_a_forgery_on_the_wire(
        tmp_path: Path, keys: tuple[Path, Path], broker: Broker, pg_url: str) -> None:
    bs = BrokerSettings(port=broker.port, keepalive=2)
    storage = open_storage(pg_url)
    key = load_private_key(keys[0])
    sent = [("S001", "catalog", *publish_version(storage, key, "catalog", catalog(100 + v), "S001"))
            for v in range(3)]
    send(bs, sent)  # nobody listening: only the retained head survives
    worker = Running(IngestWorker(IngestOptions(db_url=pg_url, broker=bs,
                                                signing_key=str(keys[0]))))
    db = tmp_path / "till.db"
    settings = AgentSettings(store_id="S001", terminal_id="T01", broker=bs,
                             hq_public_key=str(keys[1]), backoff_min=0.1, status_interval=0.2,
                             ack_timeout=3.0)
    agent = Running(Agent(settings, db))
    try:
        wait_until(lambda: price(db, "SKU1") == 102, 20, "snapshot at version 3 applied")
        version, signed = publish_version(storage, key, "catalog", catalog(777), "S001")
        send(bs, [("S001", "catalog", version, signed)])
        wait_until(lambda: price(db, "SKU1") == 777, 20, "delta version 4 applied")
        generate_keypair(tmp_path / "evil.key", tmp_path / "evil.pub")
        evil = open_storage(str(tmp_path / "evil.sqlite"))
        for _ in range(4):
            publish_version(evil, key, "catalog", catalog(1), "S001")
        forged = publish_version(evil, load_private_key(tmp_path / "evil.key"), "catalog",
                                 catalog(1), "S001")[1]
        assert msgspec.json.decode(forged)["key_id"]
        attacker = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        attacker.connect("127.0.0.1", broker.port)
        attacker.loop_start()
        attacker.publish(version_topic("S001", "catalog"), forged, qos=1).wait_for_publish(5)
        attacker.disconnect()
        attacker.loop_stop()

        def refused() -> bool:
            conn = open_store(db)
            try:
                return conn.execute("SELECT count(*) FROM sync_refused").fetchone()[0] == 1
            finally:
                conn.close()
        wait_until(refused, 10, "forgery refused")
        assert price(db, "SKU1") == 777
    finally:
        agent.stop()
        worker.stop()
        storage.close()
