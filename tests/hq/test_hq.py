"""HQ on both engines: out-of-order batches and gaps, redelivery, the CLI (keygen, publish, stats,
ingest on the SQLite demo store) and look-ups answered over MQTT."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from cli.main import main as pos
from cloud_sync.agent import Agent, batch_bytes
from cloud_sync.lookup import lookup_balance, lookup_sale
from cloud_sync.settings import AgentSettings, BrokerSettings
from cloud_sync.status import read_status
from edge.ledger.outbox import append_event, canonical_json
from edge.ledger.store import open_store, write_transaction
from hq.ingest import IngestOptions, IngestWorker
from hq.storage import open_storage
from hq.storage.interface import HqStorage
from hq.validation import BatchUnreadable, validate_batch
from tests.cloud_sync.harness import Broker, Running, wait_until
from tests.cloud_sync.sales import make_sales, sale_payload

pytestmark = pytest.mark.dated


def rows(first: int, last: int, terminal: str = "T01") -> list[tuple[int, str, str, str, str]]:
    rng = random.Random(first)
    at = "2026-11-22T02:00:00.000+00:00"  # the sales' own date, which the stats below ask for
    return [(seq, f"00000000-0000-4000-8000-{seq:012d}", "sale.completed",
             canonical_json(sale_payload("S001", terminal, seq, rng, at=at)), at)
            for seq in range(first, last + 1)]


@pytest.fixture(params=["postgres", "sqlite"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HqStorage]:
    if request.param == "sqlite":
        s = open_storage(f"sqlite:///{tmp_path / 'hq.sqlite'}")
        yield s
        s.close()
        return
    pg_url = request.getfixturevalue("pg_url")
    s = open_storage(pg_url)
    yield s
    s.close()


def ingest(storage: HqStorage, first: int, last: int, acked: int = 0) -> tuple[int, list]:
    accepted, refused, since = validate_batch(
        "S001", "T01", batch_bytes("S001", "T01", acked, rows(first, last)))
    ack = storage.ingest("S001", "T01", accepted, refused, since).ack
    return ack.acked_to, ack.gaps


def test_out_of_order_batches_ack_only_the_contiguous_prefix_and_report_gaps(
        storage: HqStorage) -> None:
    assert ingest(storage, 21, 30) == (0, [(1, 20)])
    assert ingest(storage, 1, 10) == (10, [(11, 20)])
    assert ingest(storage, 1, 10) == (10, [(11, 20)])  # redelivery is normal, not an error
    assert ingest(storage, 11, 20) == (30, [])
    [stats] = storage.stats(date(2026, 11, 22))
    assert (stats.acked_to, stats.max_seq, stats.gaps, stats.sales_today) == (30, 30, [], 30)


def test_rejections_are_repeated_above_the_terminals_watermark(storage: HqStorage) -> None:
    batch = rows(1, 3)
    bad = json.loads(batch[1][3])
    bad["lines"][0]["total"] += 5
    batch[1] = (*batch[1][:3], canonical_json(bad), batch[1][4])
    for acked in (0, 0):  # the first ack is lost: the resent batch must carry the rejection again
        accepted, refused, since = validate_batch("S001", "T01",
                                                  batch_bytes("S001", "T01", acked, batch))
        ack = storage.ingest("S001", "T01", accepted, refused, since).ack
        assert ack.acked_to == 3 and [r.seq for r in ack.rejected] == [2]


def test_a_batch_whose_seqs_cannot_be_read_is_unreadable() -> None:
    with pytest.raises(BatchUnreadable):
        validate_batch("S001", "T01", b"\xff not json")
    raw = batch_bytes("S001", "T01", 0, rows(1, 2)).replace(b'"v":1', b'"v":9', 1)
    accepted, refused, _ = validate_batch("S001", "T01", raw)
    assert not accepted and [r.seq for r in refused] == [1, 2]


def test_altered_payload_fails_its_digest() -> None:
    raw = batch_bytes("S001", "T01", 0, rows(1, 1)).replace(b'"staff_id":"c01"',
                                                            b'"staff_id":"c02"')
    accepted, refused, _ = validate_batch("S001", "T01", raw)
    assert not accepted and "digest" in refused[0].reason


@pytest.mark.timeout(60)
def test_cli_demo_on_sqlite_ingest_publish_stats_and_lookups(
        tmp_path: Path, broker: Broker, capsys: pytest.CaptureFixture[str]) -> None:
    hq_db = f"sqlite:///{tmp_path / 'hq.sqlite'}"
    assert pos(["hq", "keygen", "--private", str(tmp_path / "hq.key"),
                "--public", str(tmp_path / "hq.pub")]) == 0
    assert pos(["hq", "keygen", "--private", str(tmp_path / "hq.key"),
                "--public", str(tmp_path / "x.pub")]) == 1  # never overwrites a key
    bs = BrokerSettings(port=broker.port, keepalive=2)
    worker = Running(IngestWorker(IngestOptions(db_url=hq_db, broker=bs,
                                                signing_key=str(tmp_path / "hq.key"))))
    db = tmp_path / "till.db"
    conn = open_store(db)
    total = make_sales(conn, "S001", "T01", 20)
    with write_transaction(conn):
        append_event(conn, "stored_value.topup", {"card_no": "SV1", "amount": 10000,
                                                  "tender": "cash", "terminal_id": "T01",
                                                  "staff_id": "c01", "offline": False})
        append_event(conn, "stored_value.spend", {"card_no": "SV1", "amount": 2500,
                                                  "sale_id": "sale-sv1", "terminal_id": "T01",
                                                  "offline": True, "lock": True})
    sale_id = json.loads(conn.execute("SELECT payload FROM outbox WHERE seq = 7").fetchone()[0]
                         )["sale_id"]
    agent = Running(Agent(AgentSettings("S001", "T01", bs, hq_public_key=str(tmp_path / "hq.pub"),
                                        backoff_min=0.1, status_interval=0.1, ack_timeout=3.0),
                          db))
    try:
        wait_until(lambda: read_status(conn).pending == 0, 20, "drained into SQLite HQ")
        other_till = lookup_balance(bs, "S001", "T02", "SV1")
        assert other_till is not None
        assert (other_till["balance"], other_till["through_seq"]) == (7500, 0)
        own_till = lookup_balance(bs, "S001", "T01", "SV1")
        assert own_till is not None
        assert (own_till["balance"], own_till["through_seq"], own_till["locked_by"]) == (
            7500, 22, None)
        assert lookup_balance(bs, "S001", "T02", "SV-unknown") is None
        (tmp_path / "catalog.json").write_text(json.dumps([
            {"sku": "A1", "name_zh": "苹果", "name_en": "Apple", "unit": "kg", "price": 1299,
             "tax_class": "food", "gtins": ["6901234567892"]}], ensure_ascii=False))
        assert pos(["hq", "publish", "catalog", str(tmp_path / "catalog.json"), "--db", hq_db,
                    "--port", str(broker.port), "--insecure",
                    "--signing-key", str(tmp_path / "hq.key")]) == 0
        wait_until(lambda: conn.execute("SELECT price FROM product WHERE sku = 'A1'").fetchone(),
                   10, "catalog applied on the till")
        found = lookup_sale(bs, "S001", "T02", sale_id)
        assert found is not None and found["seq"] == 7 and len(found["lines"]) == 8
        assert lookup_sale(bs, "S001", "T02", "no-such-sale") is None
    finally:
        agent.stop()
        worker.stop()
    capsys.readouterr()
    assert pos(["hq", "stats", "--db", hq_db, "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)["terminals"]
    assert (row["store"], row["acked_to"], row["sales_today"], row["amount_today"],
            row["gaps"], row["dead_letters"]) == ("S001", 22, 20, total, [], 0)
    assert pos(["hq", "stats", "--db", hq_db]) == 0
    assert "S001" in capsys.readouterr().out


def test_card_balance_counts_the_askers_movements_only_up_to_its_watermark(
        storage: HqStorage) -> None:
    def sv(terminal: str, seq: int, kind: str, amount: int,
           offline: bool) -> tuple[int, str, str, str, str]:
        body: dict[str, object] = {"card_no": "SV9", "amount": amount, "terminal_id": terminal,
                                   "offline": offline}
        if kind == "topup":
            body |= {"tender": "cash", "staff_id": "c01"}
        else:
            body |= {"sale_id": f"sale-{terminal}-{seq}", "lock": offline}
        return (seq, f"00000000-0000-4000-9{terminal[1:]}-{seq:012d}", f"stored_value.{kind}",
                canonical_json(body), f"2026-11-22T02:00:0{seq}.000+00:00")

    for terminal, batch in (("T01", [sv("T01", 1, "topup", 5000, False),
                                     sv("T01", 2, "spend", 700, True)]),
                            ("T02", [sv("T02", 1, "topup", 1000, False),
                                     sv("T02", 3, "spend", 300, False)])):
        accepted, refused, since = validate_batch(
            "S001", terminal, batch_bytes("S001", terminal, 0, batch))
        storage.ingest("S001", terminal, accepted, refused, since)
    storage.presence("S001", "T01", False)  # T01 spent offline and is gone again: locked
    reply = storage.card_balance("SV9", "S001", "T02")
    assert reply is not None
    # T02 has seq 3 but not 2 at HQ: its watermark is 1, so its own spend (seq 3) is left to it.
    assert json.loads(reply) == {"card_no": "SV9", "balance": 5000 - 700 + 1000,
                                 "through_seq": 1, "locked_by": "T01"}
    assert json.loads(storage.card_balance("SV9", "S002", "T01") or b"")["locked_by"] == \
        "S001/T01"
    assert storage.card_balance("nope", "S001", "T02") is None
