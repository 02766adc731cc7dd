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
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import psycopg
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from cli.main import main as pos
from cloud_sync.agent import batch_bytes
from cloud_sync.lookup import lookup_balance
from cloud_sync.mqtt_link import make_client
from cloud_sync.protocol import (
    SCHEMA_VERSION,
    BalanceLookup,
    SaleLookup,
    encode,
    events_topic,
    reply_topic,
    request_topic,
    version_topic,
)
from cloud_sync.settings import BrokerSettings
from cloud_sync.status import read_status
from edge.ledger.journal import append_entry
from edge.ledger.outbox import append_event, canonical_json
from edge.ledger.store import open_store, write_transaction
from hq.ingest import LOOKUP_BURST, LOOKUP_RATE
from hq.invoices.book import InvoiceBook
from hq.invoices.service import request_red_letters
from tests.cloud_sync.harness import (
    BROKER_USER,
    SecureSite,
    broker_user_dir,
    free_port,
    process_user,
    wait_until,
)
from tests.cloud_sync.sales import make_sales, sale_payload
from tests.cloud_sync.test_chaos import Proc
from tests.cloud_sync.test_packaged_broker_configs import site_config, start
from tests.hq.test_journal_anchor import rewrite_without

AT = "2026-11-22T02:00:00.000+00:00"


class Site:
    """HQ's broker (packaged hq.conf run as its packaged `mosquitto` user, over a directory laid
    out like /etc/mosquitto/pos), PostgreSQL, one ingest process and the two stores' agents."""

    def __init__(self, tmp: Path, etc: Path, pg_url: str) -> None:
        self.tmp, self.pg_url = tmp, pg_url
        self.site = SecureSite(etc, [("S001", "T01"), ("S002", "T01"), ("S002", None)])
        self.site.for_broker_user()
        self.port, self.services = free_port(), free_port()
        self.broker = start(site_config("hq.conf", etc, {"listener 8883": self.port,
                                                          "listener 8884 127.0.0.1":
                                                              self.services},
                                        user=BROKER_USER), self.port)
        assert process_user(self.broker.pid) == BROKER_USER
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

    def attacker(self, client_id: str = "evil", user: str = "S001-T01-lookup") -> mqtt.Client:
        """A client with S001-T01's stolen credential: its look-up user by default (the broker's
        exact ACL lets that user write only up/request and up/health); as S001-T01 itself, the
        one session that credential owns, after S001's own agent is stopped (`forger`)."""
        client = make_client(client_id, self.site.settings(self.port, user))
        heard: list[mqtt.MQTTMessage] = []
        client.user_data_set(heard)  # what HQ sends to S001-T01's own downlink
        client.on_message = lambda _c, _u, msg: heard.append(msg)
        client.connect("127.0.0.1", self.port)
        client.loop_start()
        client.subscribe("pos/v1/S001/T01/down/#", qos=1)
        time.sleep(0.3)
        return client

    def forger(self) -> mqtt.Client:
        """S001-T01's own credential, its agent stopped: it may write S001-T01's uplink, so every
        forged fact reaches HQ, whose ownership rule must refuse it (the broker's ACL does not)."""
        self.procs[1].stop()
        return self.attacker("S001-T01", user="S001-T01")

    def spy(self) -> tuple[mqtt.Client, list[mqtt.MQTTMessage]]:
        """HQ's publisher credential on the services listener: sees every message under S001."""
        heard: list[mqtt.MQTTMessage] = []
        client = make_client(f"spy-{time.monotonic_ns()}", self.site.settings(self.services,
                                                                              "hq-publish"))
        client.on_message = lambda _c, _u, msg: heard.append(msg)
        client.connect("127.0.0.1", self.services)
        client.loop_start()
        client.subscribe("pos/v1/S001/#", qos=0)
        time.sleep(0.3)
        return client, heard

    def count(self, sql: str, *args: Any) -> int:
        with psycopg.connect(self.pg_url) as conn:
            return int(conn.execute(sql, args).fetchone()[0])

    def add(self, store: str, event_type: str, body: dict[str, Any]) -> None:
        """A genuine fact of `store`, made the way its till makes it: its agent sends it."""
        conn = open_store(self.dbs[store])
        with write_transaction(conn):
            append_event(conn, event_type, body)
        conn.close()

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
    with broker_user_dir() as etc:
        s = Site(tmp_path, etc, pg_url)
        yield s
        s.stop()


def ask(client: mqtt.Client, body: bytes, response_topic: str | None = None,
        timeout: float = 5.0) -> bytes | None:
    """Publish a request as S001-T01 (naming `response_topic` if given) and wait for HQ's
    answer on S001-T01's own reply topic; its payload, or None."""
    heard: list[mqtt.MQTTMessage] = client.user_data_get()
    correlation = uuid.uuid4().bytes
    props = Properties(PacketTypes.PUBLISH)
    props.CorrelationData = correlation
    if response_topic:
        props.ResponseTopic = response_topic
    client.publish(request_topic("S001", "T01"), body, qos=1,
                   properties=props).wait_for_publish(5)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for msg in list(heard):
            if getattr(msg.properties, "CorrelationData", None) == correlation:
                assert msg.topic == reply_topic("S001", "T01")
                return bytes(msg.payload)
        time.sleep(0.05)
    return None


def forged(seq: int, event_type: str, body: dict[str, Any], event_id: str | None = None,
           at: str = AT) -> bytes:
    return batch_bytes("S001", "T01", 0, [(seq, event_id or f"evil-{seq}", event_type,
                                           canonical_json(body), at)])


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

    evil = site.forger()
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
             "not_owner"),
            (30, "stored_value.refund", {"card_no": "SV2", "amount": 5_000, "return_id": "R9",
                                         "sale_id": None, "terminal_id": "T01",
                                         "offline": False}, "not_owner"),
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

        # Lock abuse: an offline spend of S002's card, a seq gap held open on purpose: not
        # S001's card, so no lock (issue 20) ...
        spend = {"card_no": "SV2", "amount": 100, "sale_id": "s40", "terminal_id": "T01",
                 "offline": True, "lock": True}
        evil.publish(events_topic("S001", "T01"), forged(40, "stored_value.spend", spend),
                     qos=1).wait_for_publish(5)
        wait_until(lambda: 40 in dict(site.dead()), 10, "the forged lock dead-lettered")
        assert "not_owner" in dict(site.dead())[40]
        assert lookup_balance(s002, "S002", "T01", "SV2")["locked_by"] is None  # type: ignore[index]
        # ... unless S001-T01 asked HQ for the card first: the look-up grants it, and the lock
        # of a granted offline spend expires by itself within a day, or HQ lifts it.
        assert ask(evil, encode(BalanceLookup(v=SCHEMA_VERSION, account_id="SV2")))
        evil.publish(events_topic("S001", "T01"), forged(
            41, "stored_value.spend", spend, at=datetime.now(UTC).isoformat()),
            qos=1).wait_for_publish(5)
        wait_until(lambda: lookup_balance(s002, "S002", "T01", "SV2")["locked_by"], 10,  # type: ignore[index]
                   "the lock")
        with psycopg.connect(site.pg_url) as pg:
            hours = pg.execute("SELECT extract(epoch FROM lock_until - now()) / 3600"
                               " FROM hq_sv_card WHERE card_no = 'SV2'").fetchone()[0]
        assert 23.9 < float(hours) <= 24.0
        assert pos(["hq", "clear-lock", "SV2", "--db", site.pg_url]) == 0
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


# ---- issue 20: facts about another store's things, and replies where nobody asked -------------

def _return(store: str, return_id: str, sale_id: str, amount: int) -> dict[str, Any]:
    tax = amount * 1300 // 11300
    return {"return_id": return_id, "kind": "receipt", "original_sale_id": sale_id,
            "store_id": store, "terminal_id": "T01", "staff_id": "c01", "approved_by": None,
            "reason": "", "total": amount, "tax": tax, "rounding": 0,
            "lines": [{"line_no": 1, "sale_line_no": 1, "sku": "SKU00001", "qty_milli": 1000,
                       "amount": amount, "tax_rate_bp": 1300, "tax": tax}],
            "tenders": [{"type": "cash", "amount": amount, "reference": None}]}


def _refund(store: str, sale_id: str, return_id: str | None) -> dict[str, Any]:
    return {"out_refund_no": "RS002T010000000001", "out_trade_no": f"P{store}T010000000001",
            "provider": "wechat", "amount": 100, "return_id": return_id, "sale_id": sale_id,
            "store_id": store, "terminal_id": "T01", "refund_id": None,
            "refunded_at": datetime.now(UTC).isoformat()}


@pytest.mark.timeout(120)
def test_facts_naming_another_stores_sale_refund_number_or_card_change_nothing_and_its_own_land(
        site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    wait_until(lambda: site.pending("S001") == 0 and site.pending("S002") == 0, 30,
               "both stores drained over TLS")
    site.add("S002", "stored_value.topup", {
        "card_no": "SV2", "amount": 10_000, "tender": "cash", "terminal_id": "T01",
        "staff_id": "c01", "offline": False, "shift_id": "sh1"})
    wait_until(lambda: site.pending("S002") == 0, 20, "S002's topup at HQ")
    with psycopg.connect(site.pg_url) as pg:
        sale2 = pg.execute("SELECT sale_id FROM hq_sale WHERE store = 'S002' ORDER BY seq"
                           " LIMIT 1").fetchone()[0]
        sale1 = pg.execute("SELECT sale_id FROM hq_sale WHERE store = 'S001' ORDER BY seq"
                           " LIMIT 1").fetchone()[0]
    # S002's customer has an issued invoice for that sale (the id is in the receipt's QR).
    book = InvoiceBook(site.pg_url)
    now = datetime.now(UTC)
    blue = book.sale(sale2)
    assert blue is not None
    book.add("B-S002", "blue", blue, None, "某某有限公司", "91310000MA1FL8XQ3X", "", "",
             blue.total, "", "", now)
    assert book.issued("B-S002", "0" * 20, "serial", now)
    before = site.hq_facts()

    evil = site.forger()
    try:
        attacks = [
            # A red-letter invoice against S002's customer: a return of S002's sale.
            (21, "return.completed", _return("S001", "evil-return", sale2, blue.total)),
            # S002-T01's next refund number taken first: the genuine one must still land.
            (22, "payment.refunded", _refund("S001", sale1, None)),
            # S002's customer's card drained online, and locked by an offline spend with a gap.
            (23, "stored_value.spend", {"card_no": "SV2", "amount": 5_000, "sale_id": sale1,
                                        "terminal_id": "T01", "offline": False}),
            (30, "stored_value.spend", {"card_no": "SV2", "amount": 100, "sale_id": sale1,
                                        "terminal_id": "T01", "offline": True, "lock": True}),
        ]
        for seq, event_type, body in attacks:
            evil.publish(events_topic("S001", "T01"), forged(seq, event_type, body),
                         qos=1).wait_for_publish(5)
        wait_until(lambda: len(site.dead()) >= len(attacks), 20, "every forgery dead-lettered")
        reasons = dict(site.dead())
        for seq, _, _ in attacks:
            assert reasons[seq].startswith("not_owner"), (seq, reasons[seq])
        assert site.count("SELECT count(*) FROM hq_security_alert WHERE store = 'S001'"
                          " AND detail LIKE 'not_owner%%'") == len(attacks)
        assert site.hq_facts() == before
        assert request_red_letters(book, now) == 0  # `pos invoice run` finds nothing to do
        capsys.readouterr()
        assert pos(["hq", "alerts", "--db", site.pg_url, "--store", "S001"]) == 1
        shown = capsys.readouterr().out
        assert shown.count("not_owner") == len(attacks) and "4 security alerts" in shown
    finally:
        evil.loop_stop()
        evil.disconnect()

    # S002's own facts about its own things, sent after the forgeries, all land.
    site.add("S002", "return.completed", _return("S002", "return-S002", sale2, 100))
    site.add("S002", "payment.refunded", _refund("S002", sale2, "return-S002"))
    site.add("S002", "stored_value.spend", {"card_no": "SV2", "amount": 1_000, "sale_id": sale2,
                                            "terminal_id": "T01", "offline": False})
    wait_until(lambda: site.pending("S002") == 0, 20, "S002's facts acknowledged")
    with psycopg.connect(site.pg_url) as pg:
        assert pg.execute("SELECT store, sale_id FROM hq_payment_refund WHERE out_refund_no ="
                          " 'RS002T010000000001'").fetchall() == [("S002", sale2)]
        assert pg.execute("SELECT balance, lock_store, owner_store FROM hq_sv_card"
                          " WHERE card_no = 'SV2'").fetchall() == [(9_000, None, "S002")]
        assert pg.execute("SELECT count(*) FROM hq_dead_letter WHERE store = 'S002'"
                          ).fetchone()[0] == 0
    assert request_red_letters(book, now) == 1  # for S002's own return only
    assert book.red_for("return-S002") is not None and book.red_for("evil-return") is None

    # A cross-store return made the honest way: S001-T01 looks the sale up first (HQ records
    # the grant), then returns within it; that return's red-letter invoice follows.
    till = site.attacker("S001-T01-till", user="S001-T01")   # its agent is stopped
    try:
        found = ask(till, encode(SaleLookup(v=SCHEMA_VERSION, sale_id=sale2)))
        assert found is not None and json.loads(found)["found"] is True
        till.publish(events_topic("S001", "T01"), forged(
            24, "return.completed", _return("S001", "return-x", sale2, 100),
            at=datetime.now(UTC).isoformat()), qos=1).wait_for_publish(5)
        wait_until(lambda: site.count("SELECT count(*) FROM hq_event WHERE store = 'S001'"
                                      " AND type = 'return.completed'") == 1, 10,
                   "the granted return at HQ")
    finally:
        till.loop_stop()
        till.disconnect()
    assert site.count("SELECT count(*) FROM hq_grant WHERE store = 'S001' AND kind = 'sale'"
                      " AND owner_store = 'S002'") == 1
    assert request_red_letters(book, now) == 1 and book.red_for("return-x") is not None


@pytest.mark.timeout(120)
def test_hq_answers_only_on_the_askers_own_reply_topic_never_a_reply_and_not_too_often(
        site: Site) -> None:
    wait_until(lambda: site.pending("S001") == 0 and site.pending("S002") == 0, 30,
               "both stores drained over TLS")
    spy, heard = site.spy()
    evil = site.attacker()
    try:
        # The loop seed: a bad request naming its own request topic; and requests naming
        # another terminal's uplink, reply and request topics. Each is answered once, on
        # S001-T01's own reply topic, without a ResponseTopic of its own.
        seeds = [request_topic("S001", "T01"), events_topic("S001", "T02"),
                 reply_topic("S001", "T02"), request_topic("S001", "T02")]
        for topic in seeds:
            answer = ask(evil, b'{"not":"a request"}', response_topic=topic)
            assert answer is not None and b"bad_request" in answer, topic
        # A reply published as a request (HQ's own error reply, copied): never answered.
        error = b'{"type":"error","v":1,"code":"bad_request","message":"x"}'
        assert ask(evil, error, response_topic=request_topic("S001", "T01"), timeout=2) is None
        time.sleep(2)  # a loop, if any, has had time to run
        # On S001-T01's request topic: the attacker's requests (and its agent's own sync
        # requests), none of HQ's.
        requests = [bytes(m.payload) for m in heard if m.topic == request_topic("S001", "T01")
                    and b'"type":"sync"' not in m.payload]
        assert requests == [b'{"not":"a request"}'] * len(seeds) + [error]
        replies = [m for m in heard if m.topic == reply_topic("S001", "T01")]
        assert len(replies) == len(seeds)
        assert all(getattr(m.properties, "ResponseTopic", None) is None for m in replies)
        assert [m.topic for m in heard if "/T02/" in m.topic] == []
        assert site.count("SELECT count(*) FROM hq_dead_letter WHERE terminal = 'T02'") == 0
        assert site.count("SELECT count(*) FROM hq_terminal WHERE terminal = 'T02'") == 0

        # A flood of look-ups: HQ answers a burst, then a few a second, and drops the rest.
        heard.clear()
        started = time.monotonic()
        for n in range(300):
            evil.publish(request_topic("S001", "T01"),
                         encode(SaleLookup(v=SCHEMA_VERSION, sale_id=f"x{n}")), qos=1)
        time.sleep(3)
        elapsed = time.monotonic() - started
        answered = len([m for m in heard if m.topic == reply_topic("S001", "T01")])
        assert 10 <= answered <= LOOKUP_BURST + LOOKUP_RATE * elapsed + 1, (answered, elapsed)
        # Honest traffic of the other store flows through it.
        conn = open_store(site.dbs["S002"])
        make_sales(conn, "S002", "T01", 1)
        conn.close()
        wait_until(lambda: site.pending("S002") == 0, 10, "S002's new sale acknowledged")
    finally:
        for client in (evil, spy):
            client.loop_stop()
            client.disconnect()
