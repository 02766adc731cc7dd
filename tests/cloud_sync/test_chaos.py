"""Chaos: 5 terminals in 3 stores sell 5,000 sales while agents, the broker (persistence off) and
HQ workers are SIGKILLed, links are silently blackholed or lose their acks, and HQ's PostgreSQL
is crashed. At the end HQ holds exactly the terminals' events, once, to the fen. Each terminal logs
in with its own enrolled credential (password from a 0600 file) under the packaged ACL, over TLS
(the fault proxies terminate TLS with the test CA's certificate, so that they can still drop MQTT
packets). The broker runs as its packaged user (`mosquitto`, never root), and one terminal's
secret is rotated mid-run (`pos hq enroll --rotate`, broker reloaded): its running agent picks
the new one up by itself. Client ids are not pinned to usernames on this one broker, because the
two ingest workers share a user (test_broker_hardening.py covers the pinning)."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from edge.ledger.store import open_store
from hq.identity import enroll
from hq.stock.verify import verify_store
from hq.storage import open_storage
from tests.cloud_sync import orders_mix
from tests.cloud_sync.fault_proxy import FaultProxy
from tests.cloud_sync.harness import (
    BROKER_USER,
    ROOT,
    Broker,
    PgCluster,
    SecureSite,
    agent_config,
    broker_user_dir,
    process_user,
    python_env,
    wait_until,
)
from tests.cloud_sync.sales import make_sales

TERMINALS = [("S001", "T01"), ("S001", "T02"), ("S002", "T01"), ("S002", "T02"), ("S003", "T01")]
SALES_PER_TERMINAL = 1000
MIN_FAULTS = 50


class Proc:
    """A `pos` command as its own process, restartable after SIGKILL."""

    def __init__(self, args: list[str], log: Path) -> None:
        self.args = args
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "cli.main", *self.args],
                                         stdout=out, stderr=out, env=python_env(), cwd=ROOT)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(5)

    def ensure_running(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self.start()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_five_terminals_five_thousand_sales_fifty_faults_converge_exactly(tmp_path: Path) -> None:
    with broker_user_dir() as etc:
        converge_under_chaos(tmp_path, etc)


def converge_under_chaos(tmp_path: Path, etc: Path) -> None:
    rng = random.Random(20261122)
    pg = PgCluster()
    site = SecureSite(etc, TERMINALS).for_broker_user()
    broker = Broker(etc, site.broker_extra(pin_client_ids=False), user=BROKER_USER)
    assert broker.proc is not None and process_user(broker.proc.pid) == BROKER_USER
    rotated = TERMINALS[0]
    ingest_pw = tmp_path / "hq-ingest.password"
    ingest_pw.write_text(site.passwords["hq-ingest"] + "\n")
    ingest_pw.chmod(0o600)
    procs: list[Proc] = []
    proxies: dict[tuple[str, str], FaultProxy] = {}
    try:
        hq_args = ["hq", "ingest", "--db", pg.url, "--port", str(broker.port), "--keepalive", "2",
                   "--username", "hq-ingest", "--password-file", str(ingest_pw),
                   "--ca-file", str(site.ca)]
        workers = [Proc(hq_args, tmp_path / f"hq{i}.log") for i in range(2)]
        agents: dict[tuple[str, str], Proc] = {}
        dbs: dict[tuple[str, str], Path] = {}
        for store, terminal in TERMINALS:
            key = (store, terminal)
            proxies[key] = FaultProxy(broker.port, tls=site.proxy_tls())
            dbs[key] = tmp_path / f"{store}-{terminal}.db"
            open_store(dbs[key]).close()
            secret = site.secrets / f"{store}-{terminal}.password"
            config = agent_config(tmp_path / f"{store}-{terminal}.toml", store, terminal,
                                  proxies[key].port, keepalive=2, ack_timeout=3.0,
                                  backoff_min=0.1, backoff_max=1.0, status_interval=0.5,
                                  tls=True, ca_file=str(site.ca), username=f"{store}-{terminal}",
                                  password_file=str(secret))
            agents[key] = Proc(["sync", "--db", str(dbs[key]), "--config", str(config)],
                               tmp_path / f"agent-{store}-{terminal}.log")
        procs = [*workers, *agents.values()]

        totals: dict[tuple[str, str], int] = {}

        def sell(key: tuple[str, str], seed: int) -> None:
            conn = open_store(dbs[key])
            local = random.Random(seed)
            total = 0
            for _ in range(SALES_PER_TERMINAL // 10):
                total += make_sales(conn, key[0], key[1], 10, local, per_transaction=5,
                                 with_stock=True)
                time.sleep(local.uniform(0.2, 0.5))
            totals[key] = total
            conn.close()

        sellers = [threading.Thread(target=sell, args=(key, i)) for i, key in enumerate(TERMINALS)]
        open_storage(pg.url).close()    # HQ's schema before the orders' first look at it
        sellers.append(threading.Thread(target=orders_mix.work_orders, args=(
            dbs[TERMINALS[0]], pg.url, TERMINALS[0][0], random.Random(7))))
        for t in sellers:
            t.start()

        faults: Counter[str] = Counter()
        timers: list[threading.Timer] = []

        def later(delay: float, fn: object) -> None:
            timer = threading.Timer(delay, fn)  # type: ignore[arg-type]
            timer.start()
            timers.append(timer)

        def end_blackhole(proxy: FaultProxy) -> None:
            proxy.blackhole = False
            proxy.cut()  # the swallowed bytes broke the stream: the old link is gone for good

        def end_drop(proxy: FaultProxy) -> None:
            proxy.drop_acks = False

        kinds = ["agent", "agent", "broker", "worker", "worker", "blackhole", "drop_acks",
                 "database"]
        rotated_pid = 0
        while any(t.is_alive() for t in sellers) or sum(faults.values()) < MIN_FAULTS:
            if not rotated_pid and sum(faults.values()) >= MIN_FAULTS // 3:
                # Mid-run: a new secret for one till (its agent reads this very file), the broker
                # reloaded, its link cut: the agent, refused with the old secret, rereads it.
                # From here that agent is never restarted, so only the reread can get it in.
                agents[rotated].ensure_running()
                assert agents[rotated].proc is not None
                rotated_pid = agents[rotated].proc.pid
                enroll(*rotated, site.secrets, site.passwd, site.acl, rotate=True)
                broker.reload()
                proxies[rotated].cut()
            kind = rng.choice(kinds)
            key = rng.choice(TERMINALS)
            if kind == "agent" and rotated_pid and key == rotated:
                continue
            if kind == "agent":
                agents[key].kill()
                later(rng.uniform(0, 1.0), agents[key].ensure_running)
            elif kind == "broker":
                broker.kill()  # persistence off: everything it held is lost
                time.sleep(rng.uniform(0.1, 0.5))
                broker.start()
            elif kind == "worker":
                worker = rng.choice(workers)
                worker.kill()  # under constant load: usually inside a batch transaction
                later(rng.uniform(0, 1.0), worker.ensure_running)
            elif kind == "blackhole" and not proxies[key].blackhole:
                proxies[key].blackhole = True
                later(rng.uniform(2.0, 6.0), lambda p=proxies[key]: end_blackhole(p))
            elif kind == "drop_acks" and not proxies[key].drop_acks:
                proxies[key].drop_acks = True
                later(rng.uniform(2.0, 5.0), lambda p=proxies[key]: end_drop(p))
            elif kind == "database":
                pg.restart()  # immediate: open transactions die with it
            else:
                continue
            faults[kind] += 1
            time.sleep(rng.uniform(0.3, 0.9))
        for t in sellers:
            t.join()
        for timer in timers:
            timer.join()
        for proc in procs:
            proc.ensure_running()

        def all_drained() -> bool:
            for db in dbs.values():
                conn = open_store(db)
                try:
                    if conn.execute("SELECT count(*) FROM outbox WHERE state <> 'acked'"
                                    ).fetchone()[0]:
                        return False
                finally:
                    conn.close()
            return True

        wait_until(all_drained, 90, "every outbox drained", interval=0.5)
        assert agents[rotated].proc is not None and agents[rotated].proc.pid == rotated_pid
        log = (tmp_path / f"agent-{rotated[0]}-{rotated[1]}.log").read_text()
        assert "credential_reloaded" in log

        with psycopg.connect(pg.url) as hq:
            received = hq.execute("SELECT store, terminal, seq FROM hq_received").fetchall()
            sale_keys = hq.execute("SELECT store, terminal, seq FROM hq_sale").fetchall()
            per_store = dict(hq.execute("SELECT store, sum(total) FROM hq_sale GROUP BY store"
                                        ).fetchall())
            sale_ids = hq.execute("SELECT count(*), count(DISTINCT sale_id) FROM hq_sale"
                                  ).fetchone()
            lines = hq.execute("SELECT count(*) FROM hq_sale_line").fetchone()[0]
            dead = hq.execute("SELECT count(*) FROM hq_dead_letter").fetchone()[0]
        on_terminals, events = set(), set()
        for (store, terminal), db in dbs.items():
            conn = open_store(db)
            events |= {(store, terminal, r[0]) for r in conn.execute("SELECT seq FROM outbox")}
            on_terminals |= {(store, terminal, r[0]) for r in conn.execute(
                "SELECT seq FROM outbox WHERE type LIKE 'sale.%'")}
            conn.close()
        expected_per_store: Counter[str] = Counter()
        for (store, _), total in totals.items():
            expected_per_store[store] += total
        summary = {"faults": dict(faults), "events": len(events)}
        print(json.dumps(summary))
        assert sum(faults.values()) >= MIN_FAULTS
        assert len(on_terminals) == len(TERMINALS) * SALES_PER_TERMINAL
        assert len(received) == len(set(received)) and set(received) == events
        assert len(sale_keys) == len(on_terminals) and set(sale_keys) == on_terminals
        assert sale_ids[0] == sale_ids[1] and lines == 8 * len(on_terminals)
        assert per_store == dict(expected_per_store)
        assert dead == 0
        orders_mix.check_orders(pg.url)
        # `pos hq stock verify`: HQ's stock equals every terminal's own ledger, SKU by SKU.
        storage = open_storage(pg.url)
        try:
            for store in sorted({s for s, _ in TERMINALS}):
                checked = verify_store(storage, store, {t: open_store(dbs[(s, t)])
                                                        for s, t in TERMINALS if s == store})
                assert checked.ok, checked
        finally:
            storage.close()
    finally:
        for proc in procs:
            proc.stop()
        for proxy in proxies.values():
            proxy.close()
        broker.stop()
        pg.destroy()
