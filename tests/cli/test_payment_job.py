"""The sync agent's payment job (`pos sync` runs it beside the agent), for refunds: a refund of
a return that an outage left pending, and a return share a crash left unasked, are settled by
the job's rounds against the simulator over HTTP, with no cashier involved."""

from __future__ import annotations

import socket
import sqlite3
import threading
from pathlib import Path

from cli._payment_job import PaymentJob, start_payment_job
from edge.config import StoreConfig, load_config
from edge.payments.attempts import pending_refunds
from edge.payments.return_refunds import refund_return, unrequested_shares
from edge.store_ops.returns import return_sale_items
from tests.edge.payments.harness import CODES, FakeClock, adapters, configure, paying_till, simulator
from tests.edge.sale.sale_helpers import demo_gtins


def test_the_job_settles_pending_and_unasked_refunds(db_path: Path,
                                                     conn: sqlite3.Connection) -> None:
    clock = FakeClock()
    sim = simulator(clock)
    try:
        till = paying_till(conn, adapters(sim.url, clock), clock)
        for gtin in demo_gtins(conn, 2):
            till.scan(gtin)
        sale = till.pay_code(CODES["wechat"])
        out_trade_no = sale.tenders[0].reference
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            dead = adapters(f"http://127.0.0.1:{probe.getsockname()[1]}", clock)
        first = return_sale_items(conn, StoreConfig(), "1001", sale.id, [(1, 1000)])
        assert [r.state for r in refund_return(conn, dead, first.id, store_id="S001",
                                               terminal_id="T01")] == ["pending"]
        second = return_sale_items(conn, StoreConfig(), "1001", sale.id, [(2, 1000)])
        assert len(unrequested_shares(conn)) == 1          # a crash before its refund started
        configure(db_path, sim.url)
        config = load_config(db_path.with_name("store.toml"))
        job = PaymentJob(db_path, config, adapters(sim.url, clock), threading.Event())
        assert job.round() == 0
        assert pending_refunds(conn) == [] and unrequested_shares(conn) == []
        assert sim.charged() == {out_trade_no: sale.total - first.total - second.total}
        assert job.round() == 0                             # nothing left, nothing asked twice
        assert sim.charged() == {out_trade_no: sale.total - first.total - second.total}
    finally:
        sim.stop()


def test_the_job_runs_only_where_a_provider_is_configured(db_path: Path, tmp_path: Path) -> None:
    stop = threading.Event()
    bare = tmp_path / "bare.toml"
    bare.write_text("[store]\nstore_id = \"S001\"\n", "utf-8")
    assert start_payment_job(db_path, bare, stop) is None
    configure(db_path, "http://127.0.0.1:9")
    job = start_payment_job(db_path, db_path.with_name("store.toml"), stop)
    try:
        assert job is not None and job.is_alive()
    finally:
        stop.set()
        if job is not None:
            job.join(10)
    assert job is not None and not job.is_alive()          # stops with the agent
