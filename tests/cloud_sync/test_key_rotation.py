"""Key rotation: tills pin keys by key_id; HQ refuses to store a version its stores would refuse;
a till refuses a version signed with an unpinned key once and backs off instead of looping; a
rollover signed with the current key pins the next one, and the downlink flows again."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cloud_sync.agent import Agent
from cloud_sync.protocol import CatalogItem
from cloud_sync.settings import AgentSettings, BrokerSettings
from cloud_sync.signing import generate_keypair, load_keyring, load_private_key, load_public_key
from edge.ledger.store import open_store
from hq.ingest import IngestOptions, IngestWorker
from hq.publish import PublishError, publish_version, rollover_bytes, send, send_rollover
from hq.storage import open_storage
from tests.cloud_sync.harness import Broker, Running, wait_until


def catalog(price: int) -> list[CatalogItem]:
    return [CatalogItem(sku="SKU1", name_zh="一", name_en="One", unit="each", price=price,
                        tax_class="std")]


def count(db: Path, sql: str) -> int:
    conn = open_store(db)
    try:
        row = conn.execute(sql).fetchone()
        return int(row[0]) if row and row[0] is not None else 0
    finally:
        conn.close()


def test_hq_does_not_store_a_version_signed_with_a_key_the_stores_do_not_pin(
        tmp_path: Path) -> None:
    generate_keypair(tmp_path / "old.key", tmp_path / "old.pub")
    generate_keypair(tmp_path / "new.key", tmp_path / "new.pub")
    storage = open_storage(str(tmp_path / "hq.sqlite"))
    pinned = load_keyring(tmp_path / "old.pub")
    with pytest.raises(PublishError, match="not pinned"):
        publish_version(storage, load_private_key(tmp_path / "new.key"), "catalog", catalog(5),
                        "S001", pinned)
    assert storage.head("S001", "catalog") == 0
    publish_version(storage, load_private_key(tmp_path / "old.key"), "catalog", catalog(5),
                    "S001", pinned)
    assert storage.head("S001", "catalog") == 1
    storage.close()


@pytest.mark.timeout(60)
def test_a_rotated_key_is_refused_once_with_back_off_until_a_rollover_pins_it(
        tmp_path: Path, broker: Broker, pg_url: str) -> None:
    generate_keypair(tmp_path / "old.key", tmp_path / "old.pub")
    generate_keypair(tmp_path / "new.key", tmp_path / "new.pub")
    generate_keypair(tmp_path / "evil.key", tmp_path / "evil.pub")
    pinned = tmp_path / "pinned.pub"  # the till's copy
    pinned.write_bytes((tmp_path / "old.pub").read_bytes())
    bs = BrokerSettings(port=broker.port, keepalive=2)
    storage = open_storage(pg_url)
    old, new = load_private_key(tmp_path / "old.key"), load_private_key(tmp_path / "new.key")
    send(bs, [("S001", "catalog", *publish_version(storage, old, "catalog", catalog(100), "S001"))])
    # HQ switched keys too early (no --pinned check): it signs snapshots with the new key.
    worker = Running(IngestWorker(IngestOptions(db_url=pg_url, broker=bs,
                                                signing_key=str(tmp_path / "new.key"))))
    db = tmp_path / "till.db"
    agent = Running(Agent(AgentSettings("S001", "T01", bs, hq_public_key=str(pinned),
                                        backoff_min=0.5, backoff_max=2.0, status_interval=0.2),
                          db))
    try:
        wait_until(lambda: count(db, "SELECT count(*) FROM sync_refused"), 15, "refused")
        time.sleep(3)
        # Before: ~14 refusals a second, for ever. Now: one, then a capped exponential back-off.
        assert count(db, "SELECT count(*) FROM sync_refused") <= 3
        assert count(db, "SELECT count(*) FROM product") == 0
        send_rollover(bs, ["S001"], rollover_bytes(load_private_key(tmp_path / "evil.key"),
                                                   load_public_key(tmp_path / "evil.pub")))
        time.sleep(1)
        assert len(load_keyring(pinned)) == 1  # a rollover signed by an unpinned key: nothing
        send_rollover(bs, ["S001"], rollover_bytes(old, load_public_key(tmp_path / "new.pub")))
        wait_until(lambda: len(load_keyring(pinned)) == 2, 10, "the next key pinned")
        wait_until(lambda: count(db, "SELECT price FROM product WHERE sku = 'SKU1'") == 100, 20,
                   "the new key's snapshot applied")
        send(bs, [("S001", "catalog", *publish_version(storage, new, "catalog", catalog(250),
                                                        "S001"))])
        wait_until(lambda: count(db, "SELECT price FROM product WHERE sku = 'SKU1'") == 250, 20,
                   "a delta signed with the new key applied")
    finally:
        agent.stop()
        worker.stop()
        storage.close()
