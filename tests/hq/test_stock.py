"""Stock at HQ (hq/stock/): a store day with every kind of movement reaches HQ through the real
validation and storage (both engines), and HQ's on-hand equals the store's own ledger, SKU by SKU;
`pos hq stock verify` says so from the terminal's reported digest and from its database, and says
which SKU differs when something does."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cli.main import main as pos
from cloud_sync.agent import Agent, batch_bytes
from cloud_sync.doctor import check_stock_ledger
from cloud_sync.health import HealthReport, encode_report
from cloud_sync.settings import AgentSettings, BrokerSettings
from edge.ledger.outbox import append_event
from edge.ledger.store import write_transaction
from edge.store_ops import stock
from hq.ingest import IngestOptions, IngestWorker
from hq.stock.verify import verify_store
from hq.storage import open_storage
from hq.storage.interface import HqStorage
from hq.terminal_health import check_health
from hq.validation import validate_batch
from tests.cloud_sync.harness import Broker, Running, wait_until
from tests.edge.store_ops.conftest import SUPERVISOR, Client, on_hand

pytestmark = pytest.mark.dated


@pytest.fixture(params=["postgres", "sqlite"])
def storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hq.sqlite'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def storage(storage_url: str) -> Iterator[HqStorage]:
    s = open_storage(storage_url)
    yield s
    s.close()


def store_day(client: Client, conn: sqlite3.Connection) -> None:
    """Every movement a store makes: a receipt, sales (one weighed), a cancelled sale, a return,
    a transfer out, an adjustment, an approved count (one item short)."""
    client.ok("stock_receive", items=[{"sku": "A001", "qty": "24"}, {"sku": "B001", "qty": "12"},
                                      {"sku": "C001", "qty": "9.5"}], reference="PO-7")
    client.ok("add", sku="A001", qty="3")
    client.ok("add", sku="C001", qty="1.234")
    sale = client.ok("tender", type="cash", amount="500.00")["sale"]
    client.ok("add", sku="B001", qty="2")
    client.ok("cancel", override=SUPERVISOR)
    client.ok("return", receipt=sale["id"], lines=[{"line": 1, "qty": "1"}], reason="dented")
    stock.move(conn, "2001", "transfer", [("A001", -5000)], "TR-S002")
    stock.move(conn, "2001", "adjustment", [("B001", -1000)], reason="broken")
    count = client.ok("stock_count_start")["count"]
    client.ok("stock_count", count=count, sku="B001", qty="10")
    client.ok("stock_approve", count=count, override=SUPERVISOR)


def outbox_rows(conn: sqlite3.Connection, after: int = 0, upto: int | None = None) -> list[tuple]:
    return [tuple(r) for r in conn.execute(
        "SELECT seq, event_id, type, payload, created_at FROM outbox WHERE seq > ? AND seq <= ?"
        " ORDER BY seq", (after, upto if upto is not None else 2**62))]


def send(storage: HqStorage, rows: list[tuple], acked: int = 0) -> int:
    accepted, refused, since = validate_batch("S001", "T01", batch_bytes("S001", "T01", acked,
                                                                         rows))
    assert not refused, [r.reason for r in refused]
    return storage.ingest("S001", "T01", accepted, refused, since).ack.acked_to


def report_digest(storage: HqStorage, db: Path) -> None:
    """What `pos doctor --publish` sends and the ingest keeps, with the stock check in it."""
    report = HealthReport(1, "S001", "T01", "test", datetime.now(UTC).isoformat(), [
        check_stock_ledger(db)])
    storage.keep_health(check_health("S001", "T01", encode_report(report), datetime.now(UTC)))


def ledger(conn: sqlite3.Connection) -> dict[str, int]:
    return {r[0]: int(r[1]) for r in conn.execute(
        "SELECT sku, SUM(qty_milli) FROM stock_movement GROUP BY sku") if r[1]}


def test_hq_on_hand_equals_the_stores_ledger_after_a_day_of_every_movement(
        client: Client, conn: sqlite3.Connection, storage: HqStorage, tmp_path: Path) -> None:
    store_day(client, conn)
    rows = outbox_rows(conn)
    kinds = {r[2] for r in rows}
    assert {"sale.completed", "sale.cancelled", "return.completed", "stock.receipt",
            "stock.transfer", "stock.adjustment", "stock.count_started",
            "stock.count_approved"} <= kinds
    half = len(rows) // 2
    assert send(storage, rows[:half]) == half
    assert send(storage, rows, acked=half) == len(rows)   # redelivered half: counted once
    expected = ledger(conn)
    assert expected == {"A001": 24_000 - 3000 + 1000 - 5000, "B001": 12_000 - 1000 - 1000,
                        "C001": 9500 - 1234}
    assert {s: q for s, q in storage.stock_on_hand("S001") if q} == expected
    assert on_hand(conn, "A001") == expected["A001"]

    report_digest(storage, tmp_path / "store.db")
    result = verify_store(storage, "S001")
    assert result.ok, result
    assert [t.status for t in result.terminals] == ["ok"]
    by_database = verify_store(storage, "S001", {"T01": conn})
    assert by_database.ok and "its database" in by_database.terminals[0].detail


def test_verify_says_behind_until_hq_holds_the_reported_seq_then_names_a_differing_sku(
        client: Client, conn: sqlite3.Connection, storage: HqStorage, tmp_path: Path) -> None:
    store_day(client, conn)
    rows = outbox_rows(conn)
    send(storage, rows[:-2])
    report_digest(storage, tmp_path / "store.db")
    behind = verify_store(storage, "S001")
    assert not behind.ok and behind.terminals[0].status == "behind"
    send(storage, rows, acked=len(rows) - 2)
    assert verify_store(storage, "S001").ok

    # A movement HQ holds that the store never made (as if written by hand at HQ).
    with write_transaction(conn):
        append_event(conn, "stock.adjustment", {"items": [{"sku": "D001", "qty_milli": 1000}],
                                                "reference": "", "reason": "x",
                                                "staff_id": "2001"})
    send(storage, outbox_rows(conn, len(rows)), acked=len(rows))   # HQ has it, the ledger not
    report_digest(storage, tmp_path / "store.db")
    differs = verify_store(storage, "S001")
    assert not differs.ok and differs.terminals[0].status == "differs"
    skus = verify_store(storage, "S001", {"T01": conn}).terminals[0].skus
    assert skus == [("D001", 1000, 0)]


def test_on_hand_kept_apart_from_the_movements_is_caught(
        client: Client, conn: sqlite3.Connection, storage_url: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    store_day(client, conn)
    storage = open_storage(storage_url)
    try:
        send(storage, outbox_rows(conn))
        report_digest(storage, tmp_path / "store.db")
    finally:
        storage.close()
    assert pos(["hq", "stock", "verify", "--db", storage_url, "--store", "S001"]) == 0
    assert "S001: equal" in capsys.readouterr().out
    if storage_url.startswith("sqlite"):
        hq = sqlite3.connect(storage_url.removeprefix("sqlite:///"))
        hq.execute("UPDATE hq_stock_on_hand SET qty_milli = qty_milli + 1 WHERE sku = 'A001'")
        hq.commit()
        hq.close()
    else:
        import psycopg

        with psycopg.connect(storage_url, autocommit=True) as pg:
            pg.execute("UPDATE hq_stock_on_hand SET qty_milli = qty_milli + 1 WHERE sku = 'A001'")
    assert pos(["hq", "stock", "verify", "--db", storage_url, "--store", "S001", "--json"]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer["ok"] is False
    assert [d["sku"] for d in answer["on_hand_differs"]] == ["A001"]
    assert pos(["hq", "stock", "show", "--db", storage_url, "--store", "S001", "--json"]) == 0
    shown = {r["sku"]: r["qty_milli"] for r in json.loads(capsys.readouterr().out)}
    assert shown["A001"] == ledger(conn)["A001"] + 1


@pytest.mark.parametrize("items", [
    [],                                                   # a movement of nothing
    [{"sku": "A001", "qty_milli": "5"}],                  # a quantity as text
    [{"sku": "A001", "qty_milli": 10**12}],               # beyond any store
    [{"sku": "A001", "qty_milli": 5, "extra": 1}],        # a field HQ does not know
])
def test_a_stock_fact_outside_its_schema_is_refused_with_a_reason(items: list) -> None:
    payload = json.dumps({"items": items, "reference": "", "reason": "", "staff_id": "1"})
    rows = [(1, "00000000-0000-4000-8000-000000000001", "stock.receipt", payload,
             "2026-11-22T02:00:00.000+00:00")]
    accepted, refused, _ = validate_batch("S001", "T01", batch_bytes("S001", "T01", 0, rows))
    assert not accepted and refused[0].reason.startswith("invalid stock.receipt")


@pytest.mark.timeout(60)
def test_a_supplier_receipt_at_the_store_reaches_hq_on_hand_through_the_broker(
        conn: sqlite3.Connection, tmp_path: Path, broker: Broker, pg_url: str) -> None:
    """The real path: store SQLite → agent → Mosquitto → ingest worker → PostgreSQL. The figure
    (receipt commit → HQ on-hand changed) is printed; the budget is checked in tests/bench."""
    worker = Running(IngestWorker(IngestOptions(db_url=pg_url,
                                                broker=BrokerSettings(port=broker.port))))
    agent = Running(Agent(AgentSettings(store_id="S001", terminal_id="T01",
                                        broker=BrokerSettings(port=broker.port, keepalive=2),
                                        ack_timeout=3.0, backoff_min=0.1, backoff_max=1.0,
                                        status_interval=0.2), tmp_path / "store.db"))
    hq = open_storage(pg_url)
    try:
        stock.move(conn, "2001", "receipt", [("A001", 1000)], "PO-0")    # the link is up
        wait_until(lambda: dict(hq.stock_on_hand("S001")).get("A001") == 1000, 20, "first receipt")
        started = time.monotonic()
        stock.move(conn, "2001", "receipt", [("A001", 48_000), ("C001", 2500)], "PO-1")
        wait_until(lambda: dict(hq.stock_on_hand("S001")).get("A001") == 49_000, 5,
                   "receipt at HQ")
        print(f"receipt commit → HQ on-hand: {(time.monotonic() - started) * 1000:.0f} ms")
        assert dict(hq.stock_on_hand("S001")) == {"A001": 49_000, "C001": 2500}
    finally:
        agent.stop()
        worker.stop()
        hq.close()
