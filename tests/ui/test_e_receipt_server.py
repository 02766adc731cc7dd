"""The demo's e-receipt page over real HTTP: the receipt's QR payload is a URL this machine
answers with the receipt (member and all), and anything else is 404."""

from __future__ import annotations

import dataclasses
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.config import StoreConfig
from edge.customers.members import register_member
from edge.till.receipts import sale_receipt
from tests.edge.sale.sale_helpers import demo_gtins, logged_in_till
from ui.demo.e_receipt_server import EReceiptServer


@pytest.fixture
def server(db_path: Path) -> Iterator[EReceiptServer]:
    running = EReceiptServer(db_path, StoreConfig()).start()
    yield running
    running.close()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def test_the_receipts_qr_opens_the_receipt_on_this_machine(
        server: EReceiptServer, conn: sqlite3.Connection) -> None:
    member = register_member(conn, "1001", "gold", "陈静", card_no="M8888")
    config = dataclasses.replace(StoreConfig(), e_receipt_url=server.url)
    till = logged_in_till(conn, config)
    till.scan(demo_gtins(conn, 1)[0])
    till.set_member(member.id, member.tier)
    sale = till.tender("cash", 100_000)
    qr = sale_receipt(conn, sale, config, "王芳").qr_payload
    assert qr.startswith("http://127.0.0.1:") and "example.com" not in qr
    status, page = get(qr)
    assert status == 200
    assert f"单号 {sale.receipt_no}" in page and "陈静" in page and "合计" in page
    assert get(qr.replace(sale.id, "no-such-sale"))[0] == 404
    assert get(qr.replace("/S001/", "/S999/"))[0] == 404
    assert get(server.url.replace("/r/", "/etc/passwd"))[0] == 404
