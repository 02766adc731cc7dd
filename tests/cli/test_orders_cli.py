"""`pos hq channel|store|orders` against a real PostgreSQL and broker, and `pos orders` over a real
store database: the channel's secret leaves HQ once (printed, or in a new 0600 file), a disabled
channel is refused, a held order is resent and reaches the store's `orders` stream, and an order
is listed, picked, finished and handed over at the store from the command line."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import psycopg
import pytest

from cli.main import main
from cloud_sync.signing import generate_keypair
from edge.ledger.store import open_store, write_transaction
from edge.orders.orders import Order, OrderLine, apply_orders, find_order
from edge.store_ops import stock
from hq.orders.book import OrderRequest, take_order
from hq.storage import open_storage
from tests.cloud_sync.harness import Broker
from tests.edge.store_ops.conftest import seed

pytestmark = pytest.mark.dated


def test_channels_stores_and_held_orders_from_the_hq_command_line(
        pg_url: str, broker: Broker, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    open_storage(pg_url).close()
    assert main(["hq", "channel", "add", "mini", "--db", pg_url,
                 "--webhook", "https://mini.example/hooks"]) == 0
    printed = capsys.readouterr().out
    with psycopg.connect(pg_url, autocommit=True) as pg:
        secret = pg.execute("SELECT secret FROM hq_channel WHERE channel = 'mini'").fetchone()[0]
    assert secret in printed and len(secret) >= 40
    target = tmp_path / "app.secret"
    assert main(["hq", "channel", "add", "app", "--db", pg_url, "--secret-file", str(target)]) == 0
    assert secret not in capsys.readouterr().out
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert main(["hq", "channel", "add", "app", "--db", pg_url, "--secret-file",
                 str(target)]) == 1                       # never overwrites a secret
    assert main(["hq", "channel", "disable", "app", "--db", pg_url]) == 0
    assert main(["hq", "channel", "disable", "nobody", "--db", pg_url]) == 1
    assert main(["hq", "store", "locate", "S001", "--lat", "31.2", "--lon", "121.4",
                 "--name", "Xuhui", "--db", pg_url]) == 0
    assert main(["hq", "store", "locate", "S001", "--lat", "91", "--lon", "0", "--db",
                 pg_url]) == 1
    with psycopg.connect(pg_url, autocommit=True) as pg:
        assert pg.execute("SELECT active FROM hq_channel WHERE channel = 'app'").fetchone()[0] \
            is False
        assert pg.execute("SELECT name, lat FROM hq_store").fetchall() == [("Xuhui", 31.2)]
        pg.execute("INSERT INTO hq_stock_on_hand (store, sku, qty_milli) VALUES"
                   " ('S001', 'A001', 5000)")
        request = msgspec.convert({"channel_order_id": "W1", "store": "S001",
                                   "slot_end": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
                                   "lines": [{"sku": "A001", "qty_milli": 2000,
                                              "unit_price": 350}]}, OrderRequest)
        taken = take_order(pg, "mini", request)        # held: never published
    capsys.readouterr()
    assert main(["hq", "orders", "list", "--db", pg_url, "--status", "held", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(o["channel"], o["channel_order_id"], o["status"]) for o in listed] == [
        ("mini", "W1", "held")]

    generate_keypair(tmp_path / "hq.key", tmp_path / "hq.pub")
    assert main(["hq", "orders", "resend", "--db", pg_url, "--signing-key",
                 str(tmp_path / "hq.key"), "--port", str(broker.port), "--insecure"]) == 0
    assert taken.order["order_id"] in capsys.readouterr().out
    storage = open_storage(pg_url)
    try:
        assert storage.head("S001", "orders") == 1
    finally:
        storage.close()
    assert main(["hq", "orders", "list", "--db", pg_url, "--status", "held", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["hq", "orders", "webhooks", "--db", pg_url]) == 0
    assert "undelivered" in capsys.readouterr().out   # mini.example is not reachable here


def test_an_order_is_picked_and_handed_over_from_the_store_command_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "store.db")
    conn = open_store(db)
    seed(conn)
    stock.move(conn, "2001", "receipt", [("A001", 3000)], "PO")
    with write_transaction(conn):
        apply_orders(conn, [Order("O1", "mini", "123456", [OrderLine(1, "A001", "Apple", 2000,
                                                                     350)],
                                  "2026-12-06T12:00:00+08:00", True)], False, 1)
    assert main(["orders", "list", "--db", db]) == 0
    assert "code 123456" in capsys.readouterr().out
    assert main(["orders", "pick", "O1", "1", "B001", "--qty", "2", "--db", db]) == 1
    assert main(["orders", "pick", "123456", "1", "A001", "--qty", "2", "--db", db]) == 0
    assert main(["orders", "handover", "123456", "--db", db]) == 1      # not picked yet
    assert main(["orders", "done", "O1", "--staff", "2001", "--db", db]) == 0
    assert main(["orders", "handover", "PU:O1", "--staff", "1001", "--db", db]) == 0
    assert main(["orders", "handover", "O1", "--db", db]) == 1           # once
    assert find_order(conn, "O1").state == "handed_over"
    assert main(["orders", "list", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1]) == []
