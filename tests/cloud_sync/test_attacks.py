"""Every attack of issue 11, tried with one terminal's credentials (S001-T01, as stolen from its
till) against the packaged HQ broker config over TLS, a real PostgreSQL, real `pos sync` agents
and a real `pos hq ingest`: each is refused, and HQ's facts are unchanged by it."""

from __future__ import annotations

import json
import random
import socket
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import psycopg
import pytest

from cli.main import main as pos
from cloud_sync.agent import batch_bytes
from cloud_sync.lookup import lookup_balance
from cloud_sync.mqtt_link import make_client
from cloud_sync.protocol import events_topic, version_topic
from cloud_sync.settings import BrokerSettings
from cloud_sync.status import read_status
from edge.ledger.journal import append_entry
from edge.ledger.outbox import append_event, canonical_json
from edge.ledger.store import open_store, write_transaction
from tests.cloud_sync.harness import SecureSite, free_port, wait_until
from tests.cloud_sync.sales import make_sales, sale_payload
from tests.cloud_sync.test_chaos import Proc
from tests.cloud_sync.test_packaged_broker_configs import site_config, start
from tests.hq.test_journal_anchor import rewrite_without

AT = "2026-11-22T02:00:00.000+00:00"


class Site:
    """HQ's broker (packaged hq.conf), PostgreSQL, one ingest process and the two stores' agents."""

    def __init__(self, tmp: Path, pg_url: str) -> None:
        self.tmp, self.pg_url = tmp, pg_url
        self.site = SecureSite(tmp, [("S001", "T01"), ("S002", "T01"), ("S002", None)])
        self.port, self.services = free_port(), free_port()
        self.broker = start(site_config("hq.conf", tmp, {"listener 8883": self.port,
                                                          "listener 8884 127.0.0.1":
                                                              self.services}), self.port)
        ingest_pw = tmp / "hq-ingest.password"
        ingest_pw.write_text(self.site.passwords["hq-ingest"] + "\n")
        ingest_pw.chmod(0o600)
        self.procs = [Proc(["hq", "ingest", "--db", pg_url, "--port", str(self.services),
                            "--username", "hq-ingest", "--password-file", str(ingest_pw),
                            "--ca-file", str(self.site.ca), "--keepalive", "2"],
                           tmp / "ingest.log")]
        self.dbs: dict[str, Path] = {}
        for store in ("S001", "S002"):
            self.dbs[store] = db = tmp / f"{store}.db"
            config = tmp / f"{store}.toml"
            config.write_text(
                f'[store]\nstore_id = "{store}"\nterminal_id = "T01"\n\n[sync]\n'
                f'host = "127.0.0.1"\nport = {self.port}\nusername = "{store}-T01"\n'
                f'password_file = "{self.site.secrets / f"{store}-T01.password"}"\n'
                f'ca_file = "{self.site.ca}"\nkeepalive = 2\nbackoff_min = 0.2\n'
                "status_interval = 0.2\nack_timeout = 3.0\n")
            config.chmod(0o600)
            conn = open_store(db)
            make_sales(conn, store, "T01", 20, random.Random(store))
            conn.close()
            self.procs.append(Proc(["sync", "--db", str(db), "--config", str(config)],
                                   tmp / f"agent-{store}.log"))

    def pending(self, store: str) -> int:
        conn = open_store(self.dbs[store])
        try:
            return read_status(conn).pending
        finally:
            conn.close()

    def attacker(self, client_id: str = "evil") -> mqtt.Client:
        """A client with S001-T01's stolen credential (as its look-up user: as S001-T01 itself it
        would only push S001's own agent off, the one session that credential owns)."""
        client = make_client(client_id, self.site.settings(self.port, "S001-T01-lookup"))
        client.connect("127.0.0.1", self.port)
        client.loop_start()
        time.sleep(0.3)
        return client

    def hq_facts(self) -> dict[str, Any]:
        """Everything HQ believes, bar the dead letters: what no attack may change."""
        with psycopg.connect(self.pg_url) as conn:
            return {
                "sales": conn.execute("SELECT store, terminal, count(*), sum(total) FROM hq_sale"
                                      " GROUP BY 1, 2 ORDER BY 1, 2").fetchall(),
                "lines": conn.execute("SELECT count(*), sum(total) FROM hq_sale_line").fetchone(),
                "events": conn.execute("SELECT store, terminal, seq, type FROM hq_event"
                                       " ORDER BY 1, 2, 3").fetchall(),
                "cards": conn.execute("SELECT card_no, balance, lock_store FROM hq_sv_card"
                                      " ORDER BY 1").fetchall(),
                "received": conn.execute("SELECT store, terminal, count(*) FROM hq_received"
                                         " WHERE NOT rejected GROUP BY 1, 2 ORDER BY 1, 2"
                                         ).fetchall()}

    def dead(self) -> list[tuple[int | None, str]]:
        with psycopg.connect(self.pg_url) as conn:
            return conn.execute("SELECT seq, reason FROM hq_dead_letter WHERE store = 'S001'"
                                " ORDER BY id").fetchall()

    def stop(self) -> None:
        for proc in self.procs:
            proc.stop()
        self.broker.kill()
        self.broker.wait(5)


@pytest.fixture
def site(tmp_path: Path, pg_url: str) -> Any:
    s = Site(tmp_path, pg_url)
    yield s
    s.stop()


def forged(seq: int, event_type: str, body: dict[str, Any], event_id: str | None = None) -> bytes:
    return batch_bytes("S001", "T01", 0, [(seq, event_id or f"evil-{seq}", event_type,
                                           canonical_json(body), AT)])


@pytest.mark.timeout(120)
def test_one_terminals_credentials_change_nothing_at_hq_that_is_not_its_own_true_fact(
        site: Site, tmp_path: Path) -> None:
    wait_until(lambda: site.pending("S001") == 0 and site.pending("S002") == 0, 30,
               "both stores drained over TLS")
    # S002's card, topped up honestly at S002.
    conn = open_store(site.dbs["S002"])
    with write_transaction(conn):
        append_event(conn, "stored_value.topup", {
            "card_no": "SV2", "amount": 10_000, "tender": "cash", "terminal_id": "T01",
            "staff_id": "c01", "offline": False})
    conn.close()
    wait_until(lambda: site.pending("S002") == 0, 20, "S002's topup at HQ")
    s002 = site.site.settings(site.port, "S002-T01")
    assert lookup_balance(s002, "S002", "T01", "SV2")["balance"] == 10_000  # type: ignore[index]
    before = site.hq_facts()
    with psycopg.connect(site.pg_url) as pg:
        real = pg.execute("SELECT seq FROM hq_sale WHERE store = 'S001' ORDER BY seq LIMIT 1"
                          ).fetchone()[0]
    s001 = open_store(site.dbs["S001"])
    real_sale = json.loads(s001.execute("SELECT payload FROM outbox WHERE seq = ?",
                                        (real,)).fetchone()[0])
    s001.close()

    evil = site.attacker()
    try:
        # Cross-store and cross-terminal publishes: the broker's ACL drops them.
        sale2 = canonical_json(sale_payload("S002", "T01", 999, random.Random(1), at=AT))
        evil.publish(events_topic("S002", "T01"), batch_bytes(
            "S002", "T01", 0, [(21, "x-21", "sale.completed", sale2, AT)]), qos=1)
        sale99 = canonical_json(sale_payload("S001", "T99", 1, random.Random(2), at=AT))
        evil.publish(events_topic("S001", "T99"), batch_bytes(
            "S001", "T99", 0, [(1, "x-1", "sale.completed", sale99, AT)]), qos=1)
        # ... and a forged downlink version for its own store.
        evil.publish(version_topic("S001", "prices"), b'{"v":1}', qos=1)
        # On its own topic, every lie dead-letters, seq by seq (S001's real seqs end at 20).
        altered = dict(real_sale, total=real_sale["total"] + 1)
        attacks: list[tuple[int, str, dict[str, Any], str]] = [
            (21, "sale.completed", json.loads(sale2), "belongs to S002/T01"),
            (22, "sale.completed", dict(real_sale, total=real_sale["total"] * 10),
             "paid - change"),
            (23, "sale.completed", real_sale, "duplicate_fact"),
            (24, "sale.completed", altered, "paid - change"),
            (25, "sale.completed", _negative_sale(), ">= 0"),
            (26, "stored_value.topup", {"card_no": "SV2", "amount": 100_000_000,
                                        "tender": "cash", "terminal_id": "T01",
                                        "staff_id": "c01", "offline": False}, "amount"),
            (27, "stored_value.topup", {"card_no": "SV2", "amount": -5, "tender": "cash",
                                        "terminal_id": "T01", "staff_id": "c01",
                                        "offline": False}, "amount"),
            (28, "stored_value.spend", {"card_no": "SV2", "amount": "lots", "sale_id": "s",
                                        "terminal_id": "T01", "offline": False}, "amount"),
            (29, "stored_value.spend", {"card_no": "SV2", "amount": 50_000, "sale_id": "s",
                                        "terminal_id": "T01", "offline": True, "lock": True},
             "offline card limit"),
            (30, "stored_value.refund", {"card_no": "SV2", "amount": 5_000, "return_id": "R9",
                                         "sale_id": None, "terminal_id": "T01",
                                         "offline": False}, "does not hold"),
        ]
        for seq, event_type, body, _ in attacks:
            evil.publish(events_topic("S001", "T01"), forged(seq, event_type, body),
                         qos=1).wait_for_publish(5)
        # The same real sale, altered, under its own seq: a redelivery, ignored.
        evil.publish(events_topic("S001", "T01"), forged(real, "sale.completed", altered),
                     qos=1).wait_for_publish(5)
        wait_until(lambda: len(site.dead()) >= len(attacks), 20, "every lie dead-lettered")
        reasons = dict(site.dead())
        for seq, _, _, why in attacks:
            assert why in reasons[seq], (seq, reasons[seq])
        assert site.hq_facts() == before  # nothing HQ believes has changed
        assert lookup_balance(s002, "S002", "T01", "SV2")["balance"] == 10_000  # type: ignore[index]

        # Lock abuse: an offline spend within the limit, then a seq gap held open on purpose.
        evil.publish(events_topic("S001", "T01"), forged(40, "stored_value.spend", {
            "card_no": "SV2", "amount": 100, "sale_id": "s40", "terminal_id": "T01",
            "offline": True, "lock": True}), qos=1).wait_for_publish(5)
        wait_until(lambda: lookup_balance(s002, "S002", "T01", "SV2")["locked_by"], 10,  # type: ignore[index]
                   "the lock")
        with psycopg.connect(site.pg_url) as pg:
            hours = pg.execute("SELECT extract(epoch FROM lock_until - now()) / 3600"
                               " FROM hq_sv_card WHERE card_no = 'SV2'").fetchone()[0]
        assert 23.9 < float(hours) <= 24.0  # it expires by itself within a day ...
        assert pos(["hq", "clear-lock", "SV2", "--db", site.pg_url]) == 0  # ... or HQ lifts it
        assert lookup_balance(s002, "S002", "T01", "SV2")["locked_by"] is None  # type: ignore[index]
    finally:
        evil.loop_stop()
        evil.disconnect()


def _negative_sale() -> dict[str, Any]:
    body = sale_payload("S001", "T01", 77, random.Random(3), lines=1, at=AT)
    line = body["lines"][0]
    line.update(qty_milli=-1_000_000, gross=-5_000_000, total=-5_000_000, tax=0)
    body.update(subtotal=-5_000_000, total=-5_000_000, paid=-5_000_000, tax=0)
    body["tenders"][0]["amount"] = -5_000_000
    return body


@pytest.mark.timeout(60)
def test_client_id_takeover_plaintext_and_a_fake_broker_get_nothing(
        site: Site, tmp_path: Path) -> None:
    wait_until(lambda: site.pending("S002") == 0, 30, "S002 drained")
    # Client-id takeover: the broker makes the username the client id, so connecting with
    # S002's ids only ever connects as S001-T01; S002's agent stays on line.
    takeovers = [site.attacker("S002-T01"), site.attacker("bridge-S002"),
                 site.attacker("S002-T01-agent")]
    time.sleep(1.5)
    conn = open_store(site.dbs["S002"])
    make_sales(conn, "S002", "T01", 1)
    assert read_status(conn).connected
    wait_until(lambda: site.pending("S002") == 0, 10, "S002 still syncing")
    conn.close()
    for client in takeovers:
        client.loop_stop()
        client.disconnect()
    # Plaintext: refused by the agent's config unless written, and by the broker's listener.
    plain = tmp_path / "plain.toml"
    plain.write_text('[store]\nstore_id = "S001"\nterminal_id = "T01"\n\n[sync]\ntls = false\n')
    assert pos(["sync", "--db", str(tmp_path / "x.db"), "--config", str(plain)]) != 0
    bare = make_client("bare", BrokerSettings(port=site.port, username="S001-T01",
                                              password=site.site.passwords["S001-T01"],
                                              insecure=True))
    try:
        bare.connect("127.0.0.1", site.port, 2)
    except OSError:
        pass
    else:
        for _ in range(10):
            bare.loop(0.2)
        assert not bare.is_connected()  # the TLS listener never answers a plaintext CONNECT
    # A fake listener (a rogue zeroconf answer): the agent opens TLS, so the password never
    # crosses; the certificate check fails on the fake's side of the handshake.
    got: list[bytes] = []
    fake = socket.socket()
    fake.bind(("127.0.0.1", 0))
    fake.listen(1)

    def serve() -> None:
        conn, _ = fake.accept()
        conn.settimeout(3)
        try:
            got.append(conn.recv(65536))
        except OSError:
            pass
        conn.close()
    threading.Thread(target=serve, daemon=True).start()
    config = tmp_path / "fake.toml"
    config.write_text(
        f'[store]\nstore_id = "S001"\nterminal_id = "T01"\n\n[sync]\nhost = "127.0.0.1"\n'
        f'port = {fake.getsockname()[1]}\nusername = "S001-T01"\npassword_file = '
        f'"{site.site.secrets / "S001-T01.password"}"\nca_file = "{site.site.ca}"\n')
    config.chmod(0o600)
    agent = Proc(["sync", "--db", str(tmp_path / "fake.db"), "--config", str(config)],
                 tmp_path / "fake-agent.log")
    try:
        wait_until(lambda: got, 15, "the agent's first bytes at the fake")
    finally:
        agent.stop()
        fake.close()
    assert got[0][:1] == b"\x16"  # a TLS handshake record, not an MQTT CONNECT
    assert site.site.passwords["S001-T01"].encode() not in got[0]


@pytest.mark.timeout(60)
def test_a_journal_rewritten_after_hq_saw_its_head_is_caught_through_the_real_chain(
        site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = open_store(site.dbs["S001"])
    with write_transaction(conn):
        for n in range(4):
            append_entry(conn, "drawer.no_sale", "c01", {"n": n})
    make_sales(conn, "S001", "T01", 1)
    conn.close()
    wait_until(lambda: site.pending("S001") == 0, 20, "the head at HQ")
    capsys.readouterr()
    assert pos(["hq", "heads", "--db", site.pg_url, "--store", "S001"]) == 0
    heads = tmp_path / "heads.json"
    heads.write_text(capsys.readouterr().out)
    assert json.loads(heads.read_text())[0]["seq"] == 4
    for proc in site.procs[1:]:
        proc.stop()
    raw = sqlite3.connect(site.dbs["S001"], isolation_level=None)
    raw.execute("BEGIN")
    rewrite_without(raw, 2)
    raw.execute("COMMIT")
    raw.close()
    config = tmp_path / "S001.toml"
    assert pos(["journal", "verify", "--db", str(site.dbs["S001"]), "--config", str(config)]) == 0
    assert pos(["journal", "verify", "--db", str(site.dbs["S001"]), "--config", str(config),
                "--heads", str(heads)]) == 1
