"""Personal data after a scripted day (a member registered with phone and name, a card payment, a
stored-value sale and topup, returns, PIN overrides) synced to HQ: no full phone, no PIN and no
card number appear in the journal, HQ's tables (events, dead letters, everything) or the logs."""

from __future__ import annotations

import logging
import sqlite3

import psycopg
import pytest

from cloud_sync.agent import batch_bytes
from hq.storage import open_storage
from hq.validation import check_batch
from tests.edge.store_ops.conftest import SUPERVISOR, Client
from tests.edge.store_ops.test_z_report import pay_rest_cash

pytestmark = pytest.mark.dated

PHONE, NAME, PAN = "13812341234", "张三", "6222021234564321"


def all_text(rows: list[tuple[object, ...]]) -> str:
    return "\n".join(str(v) if not isinstance(v, (bytes, memoryview)) else bytes(v).decode(
        "utf-8", "replace") for row in rows for v in row)


def test_no_full_phone_pin_or_card_number_leaves_the_till_for_hq_tables_logs_or_journal(
        client: Client, conn: sqlite3.Connection, member_id: str, card: str, pg_url: str,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client.ok("shift_open", float="100.00")
    client.ok("member_identify", token=PHONE)
    client.ok("add", sku="A001", qty="2")
    client.ok("tender", type="stored_value", card=card, amount="5.00")
    pay_rest_cash(client)
    client.ok("add", sku="D001", qty="1")
    client.ok("tender", type="card", amount=client.ok("state")["sale"]["due"],
              approval_code="OK1", masked_pan="622202******4321")
    sale = client.ok("state")["sale"]["id"]
    client.ok("return", receipt=sale, lines=[{"line": 1, "qty": "1"}])
    client.ok("stored_value_topup", card=card, amount="20.00", tender="cash")
    client.ok("no_sale", reason="change", override=SUPERVISOR)
    client.ok("shift_close", count={"100": 1})
    client.ok("report_z", override=SUPERVISOR)

    rows = conn.execute("SELECT seq, event_id, type, payload, created_at FROM outbox"
                        " ORDER BY seq").fetchall()
    assert any(r[2] == "member.registered" for r in rows)
    storage = open_storage(pg_url)
    results = storage.ingest_many([check_batch("S001", "T01",
                                               batch_bytes("S001", "T01", 0, list(rows)))])
    storage.close()
    assert results[0].ack.acked_to == len(rows)

    journal = all_text(conn.execute("SELECT * FROM journal").fetchall())
    with psycopg.connect(pg_url) as pg:
        tables = [r[0] for r in pg.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()]
        hq = all_text([row for table in tables
                       for row in pg.execute(f"SELECT * FROM {table}").fetchall()])
    assert "138****1234" in hq  # HQ knows the member by a masked phone
    for where, text in (("journal", journal), ("HQ", hq), ("logs", caplog.text)):
        for secret in (PHONE, PAN, '"pin"', "'pin'"):
            assert secret not in text, f"{secret} in the {where}"
    assert NAME not in hq and NAME not in caplog.text
