"""HQ's broker as packaged (packaging/mosquitto/hq.conf and acl), run as the packaged `mosquitto`
user, never root: terminals enrolled, revoked and rotated with `pos hq enroll|revoke` while live
`pos sync` agents keep selling through broker reloads; a rotated secret is picked up by the
running agent; and one terminal's credential cannot leave retained messages, read or write
another terminal's topics, pass the size limit or push an HQ service off."""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import psycopg
import pytest
from paho.mqtt.subscribeoptions import SubscribeOptions

from cli.main import main as pos
from cloud_sync.mqtt_link import make_client
from cloud_sync.protocol import ack_topic, events_topic, head_topic, presence_topic, request_topic
from cloud_sync.status import read_status
from edge.ledger.store import open_store
from hq.retained import RetainedSweeper
from tests.cloud_sync.harness import (
    SecureSite,
    broker_user_dir,
    free_port,
    process_user,
    wait_until,
)
from tests.cloud_sync.sales import make_sales
from tests.cloud_sync.test_chaos import Proc
from tests.cloud_sync.test_packaged_broker_configs import site_config, start

TERMINALS = [("S001", "T01"), ("S001", "T02"), ("S002", "T01")]
NOT_AUTHORIZED = {134, 135}  # MQTT 5: bad user name or password, not authorized


class PackagedHq:
    """The packaged HQ broker config as `mosquitto` over a directory laid out like
    /etc/mosquitto/pos, terminals enrolled by `pos hq enroll`."""

    def __init__(self, etc: Path, terminals: list[tuple[str, str]]) -> None:
        self.etc = etc
        self.site = SecureSite(etc, [])
        for store, terminal in terminals:
            self.enroll(store, terminal)
        self.site.for_broker_user()
        self.port, self.services = free_port(), free_port()
        self.conf = site_config("hq.conf", etc, {"listener 8883": self.port,
                                                 "listener 8884 127.0.0.1": self.services},
                                user="mosquitto")
        self.start()

    def pos(self, *args: str) -> None:
        assert pos(["hq", *args, "--secrets", str(self.site.secrets), "--passwd",
                    str(self.site.passwd), "--acl", str(self.site.acl)]) == 0

    def enroll(self, store: str, terminal: str, rotate: bool = False) -> str:
        self.pos("enroll", store, terminal, *(["--rotate"] if rotate else []))
        secret = (self.site.secrets / f"{store}-{terminal}.password").read_text().strip()
        self.site.passwords[f"{store}-{terminal}"] = secret
        self.site.passwords[f"{store}-{terminal}-lookup"] = secret
        return secret

    def start(self) -> None:
        self.broker = start(self.conf, self.port)

    def restart(self) -> None:
        """Every connection dropped and made again (what a broker upgrade or crash does)."""
        self.broker.kill()
        self.broker.wait(5)
        self.start()

    def reload(self, until_refused: tuple[str, str]) -> None:
        """`systemctl reload mosquitto`: passwd and acl reread, as the broker's own user; done
        once (user, password) is refused, the change the reload was for."""
        self.broker.send_signal(1)
        wait_until(lambda: self.refused(*until_refused), 10, f"the reload to refuse {until_refused[0]}",
                   interval=0.2)

    def refused(self, user: str, password: str) -> bool:
        code, client = self.connect(user, password)
        done(client)
        return code in NOT_AUTHORIZED

    def connect(self, user: str, password: str | None = None, client_id: str = "probe",
                services: bool = False) -> tuple[int, mqtt.Client]:
        """A fresh connection's CONNACK reason code (0: accepted) and its client, looping."""
        port = self.services if services else self.port
        client = make_client(client_id, self.site.settings(port, user, password))
        codes: list[int] = []
        client.on_connect = lambda _c, _u, _f, reason, _p: codes.append(reason.value)
        client.connect("127.0.0.1", port, 5)
        client.loop_start()
        wait_until(lambda: codes, 10, f"a CONNACK for {user}")
        return codes[0], client

    def stop(self) -> None:
        self.broker.kill()
        self.broker.wait(5)


@pytest.fixture
def etc() -> Iterator[Path]:
    with broker_user_dir() as path:
        yield path


def done(client: mqtt.Client) -> None:
    client.disconnect()
    client.loop_stop()


class Till:
    """A terminal's `pos sync` with its own copy of its secret, as installed on the till."""

    def __init__(self, hq: PackagedHq, store: str, terminal: str, tmp: Path) -> None:
        self.hq, self.store, self.terminal = hq, store, terminal
        self.db = tmp / f"{store}-{terminal}.db"
        self.secret = tmp / f"{store}-{terminal}.password"
        self.copy_secret()
        config = tmp / f"{store}-{terminal}.toml"
        config.write_text(
            f'[store]\nstore_id = "{store}"\nterminal_id = "{terminal}"\n\n[sync]\n'
            f'host = "127.0.0.1"\nport = {hq.port}\nusername = "{store}-{terminal}"\n'
            f'password_file = "{self.secret}"\nca_file = "{hq.site.ca}"\nkeepalive = 2\n'
            "backoff_min = 0.2\nbackoff_max = 1.0\nstatus_interval = 0.2\nack_timeout = 3.0\n")
        config.chmod(0o600)
        open_store(self.db).close()
        self.log = tmp / f"agent-{store}-{terminal}.log"
        self.proc = Proc(["sync", "--db", str(self.db), "--config", str(config)], self.log)
        self.sold = 0

    def copy_secret(self) -> None:
        """What the operator does after `pos hq enroll --rotate`: the new secret onto the till
        (written aside and renamed, as scp/install do)."""
        part = self.secret.with_suffix(".part")
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write((self.hq.site.secrets / f"{self.store}-{self.terminal}.password").read_text())
        os.replace(part, self.secret)

    def sell(self, count: int) -> None:
        conn = open_store(self.db)
        make_sales(conn, self.store, self.terminal, count,
                   random.Random(f"{self.store}-{self.terminal}-{self.sold}"))
        conn.close()
        self.sold += count

    def pending(self) -> int:
        conn = open_store(self.db)
        try:
            return read_status(conn).pending
        finally:
            conn.close()

    def pid(self) -> int:
        assert self.proc.proc is not None and self.proc.proc.poll() is None
        return self.proc.proc.pid


def hq_sales(pg_url: str) -> dict[tuple[str, str], int]:
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT store, terminal, count(*) FROM hq_sale GROUP BY 1, 2")
        return {(s, t): n for s, t, n in rows.fetchall()}


@pytest.mark.timeout(150)
def test_packaged_broker_as_its_own_user_through_enroll_revoke_reload_and_rotate_with_live_tills(
        etc: Path, tmp_path: Path, pg_url: str) -> None:
    hq = PackagedHq(etc, TERMINALS)
    tills: dict[tuple[str, str], Till] = {}
    procs: list[Proc] = []
    try:
        assert process_user(hq.broker.pid) == "mosquitto"
        ingest_pw = tmp_path / "hq-ingest.password"
        ingest_pw.write_text(hq.site.passwords["hq-ingest"] + "\n")
        ingest_pw.chmod(0o600)
        procs.append(Proc(["hq", "ingest", "--db", pg_url, "--port", str(hq.services),
                           "--username", "hq-ingest", "--password-file", str(ingest_pw),
                           "--ca-file", str(hq.site.ca), "--keepalive", "2"],
                          tmp_path / "ingest.log"))
        for store, terminal in TERMINALS:
            tills[store, terminal] = till = Till(hq, store, terminal, tmp_path)
            procs.append(till.proc)
            till.sell(5)

        def drained(*keys: tuple[str, str]) -> bool:
            return all(tills[k].pending() == 0 for k in keys)

        wait_until(lambda: drained(*tills), 40, "every till drained through the packaged broker")

        # Revoke one till and reload: the broker rereads passwd and acl as `mosquitto`. Before,
        # they were root's 0600 after `pos hq revoke`, and every connection was refused from here.
        t01, t02, s2 = tills["S001", "T01"], tills["S001", "T02"], tills["S002", "T01"]
        hq.pos("revoke", "S001", "T02")
        hq.reload(until_refused=("S001-T02-lookup", hq.site.passwords["S001-T02"]))
        for user in ("S001-T01-lookup", "S002-T01-lookup"):
            code, client = hq.connect(user)
            done(client)
            assert code == 0, f"{user} refused after a revoke and reload: {code}"
        # The reload also ended the revoked till's open session: it is refused from then on.
        wait_until(lambda: "Not authorized" in t02.log.read_text(), 10, "S001-T02 shut out")

        # Rotate S002-T01, copy the new secret to its till, SIGHUP its agent (`systemctl reload
        # pos-sync`): it reads the file now. The broker's reload then ends its session (Mosquitto
        # drops a client whose password changed) and it reconnects with the new secret at once,
        # never refused.
        s2_pid, s2_old = s2.pid(), hq.site.passwords["S002-T01"]
        hq.enroll("S002", "T01", rotate=True)
        s2.copy_secret()
        assert s2.proc.proc is not None
        s2.proc.proc.send_signal(1)
        wait_until(lambda: "credential_reloaded" in s2.log.read_text(), 10,
                   "S002-T01's agent rereads its secret on SIGHUP")
        before = s2.log.read_text()
        assert "(SIGHUP)" in before
        hq.reload(until_refused=("S002-T01-lookup", s2_old))
        wait_until(lambda: "connected to" in s2.log.read_text()[len(before):], 10,
                   "S002-T01's agent back on the new secret")
        assert "Not authorized" not in s2.log.read_text()[len(before):]

        # Rotate S001-T01 without telling its agent, then restart the broker: every till
        # reconnects; S001-T01's is refused with its old secret, rereads the file and gets in.
        t01_pid, t01_old = t01.pid(), hq.site.passwords["S001-T01"]
        hq.enroll("S001", "T01", rotate=True)
        t01.copy_secret()
        hq.reload(until_refused=("S001-T01-lookup", t01_old))
        hq.restart()
        assert process_user(hq.broker.pid) == "mosquitto"
        for till in tills.values():
            till.sell(5)
        wait_until(lambda: drained(("S001", "T01"), ("S002", "T01")), 40,
                   "the rotated tills sell on, without a restart")
        assert "credential_reloaded" in t01.log.read_text()
        assert (t01.pid(), s2.pid()) == (t01_pid, s2_pid)  # the same processes throughout
        time.sleep(1.0)
        assert t02.pending() == 5  # the revoked till's new sales stay on the till
        assert hq_sales(pg_url) == {("S001", "T01"): 10, ("S001", "T02"): 5, ("S002", "T01"): 10}
        assert not any(secret in till.log.read_text() for till in tills.values()
                       for secret in hq.site.passwords.values())
    finally:
        for proc in procs:
            proc.stop()
        hq.stop()


class Collector:
    """An HQ service's client on the services listener that records what it receives."""

    def __init__(self, hq: PackagedHq, user: str, client_id: str, topic: str,
                 retained: bool = False) -> None:
        self.got: list[tuple[str, int, bool]] = []
        self.lost = threading.Event()
        code, self.client = hq.connect(user, client_id=client_id, services=True)
        assert code == 0
        self.client.on_message = lambda _c, _u, m: self.got.append(
            (m.topic, len(m.payload), bool(m.retain)))
        self.client.on_disconnect = lambda *_: self.lost.set()
        handling = (SubscribeOptions.RETAIN_SEND_ON_SUBSCRIBE if retained
                    else SubscribeOptions.RETAIN_DO_NOT_SEND)
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *_: subscribed.set()
        self.client.subscribe(topic, options=SubscribeOptions(qos=1, retainHandling=handling))
        assert subscribed.wait(5)


@pytest.mark.timeout(90)
def test_a_terminal_cannot_leave_retained_messages_80_of_1_mib(etc: Path) -> None:
    hq = PackagedHq(etc, [("S001", "T01")])
    sweeper = RetainedSweeper(hq.site.settings(hq.services, "hq-ingest"), interval=0.5)
    stop = threading.Event()
    thread = threading.Thread(target=sweeper.run, args=(stop,), daemon=True)
    try:
        # HQ's own retained head (the publisher's) must survive every sweep.
        code, publisher = hq.connect("hq-publish", client_id="hq-publish-1", services=True)
        assert code == 0
        publisher.publish(head_topic("S001", "catalog"), b'{"v":1}', qos=1,
                          retain=True).wait_for_publish(5)
        done(publisher)
        thread.start()
        code, evil = hq.connect("S001-T01")
        assert code == 0
        own = [events_topic("S001", "T01"), presence_topic("S001", "T01"),
               request_topic("S001", "T01")]
        topics = own + [f"pos/v1/S001/T01/up/x{i}" for i in range(77)]
        blob = os.urandom(1 << 20)
        for topic in topics:
            evil.publish(topic, blob, qos=1, retain=True).wait_for_publish(10)
        done(evil)
        wait_until(lambda: sweeper.cleared >= 3, 20, "the terminal's retained messages cleared")
        sweeps = sweeper.sweeps
        wait_until(lambda: sweeper.sweeps > sweeps, 10, "one more sweep")
        check = Collector(hq, "hq-publish", "check", "pos/v1/#", retained=True)
        time.sleep(1.0)
        done(check.client)
        left = [(t, n) for t, n, retained in check.got if retained and n and "/up/" in t]
        assert left == [], f"retained by the broker: {len(left)} messages"
        assert (head_topic("S001", "catalog"), 7, True) in check.got
        assert sweeper.cleared == 3  # the other 77 never got past the ACL
    finally:
        stop.set()
        thread.join(10)
        hq.stop()


@pytest.mark.timeout(90)
def test_a_terminal_credential_keeps_to_its_own_topics_size_and_client_id(etc: Path) -> None:
    hq = PackagedHq(etc, [("S001", "T01"), ("S001", "T02")])
    try:
        ingest = Collector(hq, "hq-ingest", "hq-ingest-1", "$share/ingest/pos/v1/+/+/up/events")
        # The services listener knows no terminal: its credential cannot log in there at all.
        code, client = hq.connect("S001-T01", client_id="hq-ingest-1", services=True)
        done(client)
        assert code in NOT_AUTHORIZED
        # On the terminals' listener, the client id it asks for is replaced by its username.
        code, evil = hq.connect("S001-T01", client_id="hq-ingest-1")
        assert code == 0
        got: list[str] = []
        evil.on_message = lambda _c, _u, m: got.append(m.topic)
        for topic in ("pos/v1/S001/#", ack_topic("S001", "T02"), "pos/v1/+/+/up/events"):
            evil.subscribe(topic, qos=1)
        time.sleep(0.5)
        code, t02 = hq.connect("S001-T02")
        assert code == 0
        t02.publish(events_topic("S001", "T02"), b"t02", qos=1).wait_for_publish(5)
        done(t02)
        code, hq_side = hq.connect("hq-publish", client_id="hq-publish-1", services=True)
        assert code == 0
        hq_side.publish(ack_topic("S001", "T02"), b"ack", qos=1).wait_for_publish(5)
        done(hq_side)
        evil.publish(events_topic("S001", "T02"), b"forged", qos=1).wait_for_publish(5)
        evil.publish(events_topic("S001", "T01"), b"own", qos=1).wait_for_publish(5)
        evil.publish(events_topic("S001", "T01"), b"x" * (3 << 20), qos=1).wait_for_publish(5)
        wait_until(lambda: len(ingest.got) >= 3, 10, "the honest messages at HQ")
        assert not ingest.lost.is_set()  # the ingest worker was not pushed off
        assert got == []  # another terminal's ack, and uplink, never reach it
        assert sorted((t, n) for t, n, _ in ingest.got) == [
            (events_topic("S001", "T01"), 3), (events_topic("S001", "T01"), 3 << 20),
            (events_topic("S001", "T02"), 3)]
        # Past max_packet_size (4 MiB): the broker drops the client, HQ never sees it.
        lost = threading.Event()
        evil.on_disconnect = lambda *_: lost.set()
        evil.publish(events_topic("S001", "T01"), b"x" * (5 << 20), qos=1)
        assert lost.wait(10)
        done(evil)
        time.sleep(0.5)
        assert len(ingest.got) == 3 and not ingest.lost.is_set()
        done(ingest.client)
    finally:
        hq.stop()
