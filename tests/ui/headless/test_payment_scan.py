"""A payment code through the headless `scan` answers exactly as `pay_code` does (payment,
receipt, receipt_qr), and `pos till --headless` answers its first line without asking any
provider anything while an unsettled attempt is present (the timing: tests/bench)."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from edge.ledger.store import open_store
from edge.payments.attempts import open_attempts, set_reversing
from providers import simulator as s
from providers.simulator import Behaviour, ProviderSimulator
from tests.edge.payments.harness import CODES, FakeClock, adapters, configure, paying_till
from tests.edge.sale.sale_helpers import demo_gtins
from tests.ui.headless.headless_process import HeadlessTill
from ui.headless.protocol import TillProtocol


def call(protocol: TillProtocol, request: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(protocol.handle_line(json.dumps(request)))
    return answer


@pytest.mark.parametrize("provider", ["wechat", "alipay"])
def test_scanning_a_code_answers_as_pay_code(conn: sqlite3.Connection, sim: ProviderSimulator,
                                             clock: FakeClock, provider: str) -> None:
    protocol = TillProtocol(paying_till(conn, adapters(sim.url, clock), clock))
    gtins = demo_gtins(conn, 2)
    answers = []
    for op in ({"op": "scan", "data": CODES[provider]},
               {"op": "pay_code", "code": CODES[provider]}):
        for gtin in gtins:
            assert call(protocol, {"op": "scan", "data": gtin})["ok"]
        answers.append(call(protocol, op))
    scanned, paid = answers
    assert scanned["ok"] and paid["ok"], (scanned, paid)
    assert set(scanned) == set(paid) == {"ok", "sale", "payment", "receipt", "receipt_qr"}
    assert scanned["payment"]["state"] == paid["payment"]["state"] == "paid"
    assert scanned["payment"]["provider"] == provider
    assert scanned["payment"]["out_trade_no"] in scanned["receipt"] or scanned["receipt_qr"]
    assert scanned["sale"]["status"] == "completed" and scanned["receipt"].strip()
    # a product scan still answers only the sale
    assert set(call(protocol, {"op": "scan", "data": gtins[0]})) == {"ok", "sale"}


def test_the_headless_till_answers_at_once_with_an_unsettled_attempt(
        db_path: Path, sim: ProviderSimulator, clock: FakeClock) -> None:
    sim.behaviour = Behaviour(s.USERPAYING, paying_s=100)
    conn = open_store(db_path)
    till = paying_till(conn, adapters(sim.url, clock), clock)
    for gtin in demo_gtins(conn, 2):
        till.scan(gtin)
    till.pay_code(CODES["wechat"], wait=False)
    [attempt] = open_attempts(conn)
    set_reversing(conn, attempt, "USERPAYING", "reversal refused so far")
    conn.close()
    with socket.socket() as silent:               # a provider that takes requests, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        silent.settimeout(0.2)
        configure(db_path, f"http://127.0.0.1:{silent.getsockname()[1]}")
        asked = threading.Event()

        def watch() -> None:
            try:
                connection, _ = silent.accept()
            except OSError:
                return
            asked.set()
            connection.close()

        headless = HeadlessTill(db_path)
        try:
            answer = headless.send({"op": "login", "staff": "1001", "pin": "1234"})
            assert answer["ok"], answer
            watcher = threading.Thread(target=watch)
            watcher.start()
            watcher.join()
            assert not asked.is_set(), "the till asked a provider before answering"
            alerts = headless.send({"op": "payment_alerts"})
            assert [a["out_trade_no"] for a in alerts["alerts"]] == [attempt.out_trade_no]
        finally:
            assert headless.close() == 0
