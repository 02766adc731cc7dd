"""Transfers between stores, end to end: HQ makes one and sends it to both stores as signed
instructions (real broker, both agents, an ingest worker on PostgreSQL); the sender ships, the
receiver receives short; HQ follows each leg from the stores' own facts, on-hand moves at both,
and `pos hq stock verify` still finds HQ equal to both stores' ledgers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cloud_sync.agent import Agent
from cloud_sync.settings import AgentSettings, BrokerSettings
from cloud_sync.signing import generate_keypair, load_private_key
from edge.ledger.store import open_store
from edge.ops_error import OpsError
from edge.store_ops import stock, transfers
from hq.ingest import IngestOptions, IngestWorker
from hq.publish import PublishError, send
from hq.stock.transfers import create_transfer, transfer_status
from hq.stock.verify import verify_store
from hq.storage import open_storage
from tests.cloud_sync.harness import Broker, Running, wait_until
from tests.edge.store_ops.conftest import seed

pytestmark = pytest.mark.dated


def store_db(path: Path) -> sqlite3.Connection:
    conn = open_store(path)
    seed(conn)
    return conn


def agent(broker: Broker, store: str, db: Path, public: Path) -> Running:
    return Running(Agent(AgentSettings(store_id=store, terminal_id="T01",
                                       broker=BrokerSettings(port=broker.port, keepalive=2),
                                       hq_public_key=str(public), ack_timeout=3.0,
                                       backoff_min=0.1, backoff_max=1.0, status_interval=0.2), db))


@pytest.mark.timeout(90)
def test_a_transfer_made_at_hq_is_shipped_received_short_and_followed_at_hq(
        tmp_path: Path, broker: Broker, pg_url: str) -> None:
    generate_keypair(tmp_path / "hq.key", tmp_path / "hq.pub")
    key = load_private_key(tmp_path / "hq.key")
    sender, receiver = store_db(tmp_path / "s1.db"), store_db(tmp_path / "s2.db")
    stock.move(sender, "2001", "receipt", [("A001", 30_000), ("C001", 5000)], "PO-1")
    worker = Running(IngestWorker(IngestOptions(db_url=pg_url, signing_key=str(tmp_path / "hq.key"),
                                                broker=BrokerSettings(port=broker.port))))
    agents = [agent(broker, "S001", tmp_path / "s1.db", tmp_path / "hq.pub"),
              agent(broker, "S002", tmp_path / "s2.db", tmp_path / "hq.pub")]
    hq = open_storage(pg_url)
    try:
        with pytest.raises(PublishError):
            create_transfer(hq, key, "S001", "S001", [("A001", 1000)], "hq")
        transfer_id, versions = create_transfer(hq, key, "S001", "S002",
                                                [("A001", 12_000), ("C001", 2500)], "hq",
                                                "for the weekend")
        send(BrokerSettings(port=broker.port), versions)
        for conn in (sender, receiver):
            wait_until(lambda c=conn: transfers.transfers_at(
                c, "S001" if c is sender else "S002"), 20, "transfer at the store")
        [at_sender] = transfers.transfers_at(sender, "S001")
        [at_receiver] = transfers.transfers_at(receiver, "S002")
        assert (at_sender.direction, at_receiver.direction) == ("out", "in")
        assert at_receiver.transfer.lines == [("A001", 12_000), ("C001", 2500)]
        with pytest.raises(OpsError) as wrong_side:
            transfers.ship(receiver, "S002", "2001", transfer_id)
        assert wrong_side.value.code == "not_found"

        transfers.ship(sender, "S001", "2001", transfer_id)
        with pytest.raises(OpsError) as twice:
            transfers.ship(sender, "S001", "2001", transfer_id)
        assert twice.value.code == "already_recorded"
        wait_until(lambda: transfer_status(hq.transfers("S001")[0]).status == "shipped", 10,
                   "shipped at HQ")
        transfers.receive(receiver, "S002", "2001", transfer_id, {"A001": 11_000, "C001": 2500})
        wait_until(lambda: transfer_status(hq.transfers("S002")[0]).status == "short", 10,
                   "received short at HQ")
        assert transfers.transfers_at(receiver, "S002") == []
        assert dict(hq.stock_on_hand("S001")) == {"A001": 18_000, "C001": 2500}
        assert dict(hq.stock_on_hand("S002")) == {"A001": 11_000, "C001": 2500}
        assert verify_store(hq, "S001", {"T01": sender}).ok
        assert verify_store(hq, "S002", {"T01": receiver}).ok
    finally:
        for a in agents:
            a.stop()
        worker.stop()
        hq.close()


def test_a_store_cannot_receive_what_was_not_on_the_transfer_nor_twice(tmp_path: Path) -> None:
    conn = store_db(tmp_path / "s2.db")
    t = transfers.Transfer("TR1", "S001", "S002", [("A001", 2000)])
    from edge.ledger.store import write_transaction

    with write_transaction(conn):
        transfers.apply_transfers(conn, [t], snapshot=False, version=1)
    before = conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    for counted, code in (({"B001": 1000}, "bad_request"), ({"A001": 0}, "invalid_quantity"),
                          ({"A001": -1000}, "invalid_quantity")):
        with pytest.raises(OpsError) as refused:
            transfers.receive(conn, "S002", "2001", "TR1", counted)
        assert refused.value.code == code
    assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == before
    transfers.receive(conn, "S002", "2001", "TR1")
    with pytest.raises(OpsError) as twice:
        transfers.receive(conn, "S002", "2001", "TR1")
    assert twice.value.code == "already_recorded"
    assert stock.on_hand(conn, "A001") == 2000


def test_the_commands_make_list_ship_and_receive_a_transfer(
        tmp_path: Path, broker: Broker, capsys: pytest.CaptureFixture[str]) -> None:
    """`pos hq stock transfer|transfers` at HQ (SQLite demo storage, a real broker), the versions
    applied at both stores as their agents would, `pos stock transfers|ship|receive-transfer`."""
    import json

    from cli.main import main as pos
    from cloud_sync.downlink import Outcome, apply_signed
    from cloud_sync.signing import load_public_key

    generate_keypair(tmp_path / "hq.key", tmp_path / "hq.pub")
    hq_db = f"sqlite:///{tmp_path / 'hq.sqlite'}"
    dbs = {"S001": tmp_path / "S001" / "store.db", "S002": tmp_path / "S002" / "store.db"}
    for store, db in dbs.items():
        db.parent.mkdir()
        store_db(db).close()
        (db.parent / "store.toml").write_text(f'[store]\nstore_id = "{store}"\n')
    assert pos(["hq", "stock", "transfer", "A001=3", "--from", "S001", "--to", "S002",
                "--db", hq_db, "--insecure", "--port", str(broker.port),
                "--signing-key", str(tmp_path / "hq.key")]) == 0
    transfer_id = capsys.readouterr().out.split()[1].rstrip(":")
    hq = open_storage(hq_db)
    try:
        for store, db in dbs.items():
            conn = open_store(db)
            [signed] = hq.versions_after(store, "transfers", 0, 10)
            assert apply_signed(conn, load_public_key(tmp_path / "hq.pub"), signed,
                                store).outcome is Outcome.APPLIED
            conn.close()
    finally:
        hq.close()
    assert pos(["stock", "transfers", "--db", str(dbs["S001"])]) == 0
    assert f"{transfer_id}\tto ship to S002\tA001=3" in capsys.readouterr().out
    assert pos(["stock", "ship", transfer_id, "--db", str(dbs["S001"])]) == 0
    assert pos(["stock", "receive-transfer", transfer_id, "A001=2", "--db", str(dbs["S002"])]) == 0
    assert f"received {transfer_id}" in capsys.readouterr().out
    assert pos(["stock", "transfers", "--db", str(dbs["S002"])]) == 0
    assert capsys.readouterr().out == ""                      # nothing left to receive
    assert pos(["stock", "ship", transfer_id, "--db", str(dbs["S001"])]) == 1
    assert "already_recorded" in capsys.readouterr().err
    assert pos(["hq", "stock", "transfers", "--db", hq_db, "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["status"] == "created" and listed["lines"] == {"A001": 3000}
