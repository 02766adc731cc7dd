"""One member across channels, end to end: HQ (PostgreSQL, the ingest worker), the real broker,
each store's sync agent and the headless till. Points earned online are spent at the till
(HQ's look-up holds them); the same HQ coupon redeemed at two stores while one is offline: HQ
accepts the first redemption and flags the other."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from cloud_sync.agent import Agent
from cloud_sync.lookup import hq_lookups_for
from cloud_sync.settings import AgentSettings, BrokerSettings
from cloud_sync.signing import generate_keypair
from edge.config import StoreConfig
from edge.customers.members import points_balance, register_member
from edge.ledger.hq_link import link_online
from edge.ledger.store import open_store
from edge.till.session import Till
from hq.ingest import IngestOptions, IngestWorker
from hq.loyalty import online
from hq.storage import open_storage
from tests.cloud_sync.harness import Broker, Running, wait_until
from tests.edge.store_ops.conftest import seed
from ui.headless.protocol import TillProtocol


class Store:
    """A store's database, its headless till (asking HQ through the real broker) and, while
    online, its sync agent."""

    def __init__(self, tmp_path: Path, store: str, broker: Broker) -> None:
        (tmp_path / store).mkdir()
        self.db = tmp_path / store / "store.db"
        self.conn = open_store(self.db)
        seed(self.conn)
        self.store, self.broker, self.tmp_path = store, broker, tmp_path
        # As `pos till --headless` makes it: from the store's TOML, as the agent reads it.
        toml = tmp_path / store / "store.toml"
        toml.write_text(f'[store]\nstore_id = "{store}"\nterminal_id = "T01"\n[sync]\n'
                        f'host = "127.0.0.1"\nport = {broker.port}\ninsecure = true\n', "utf-8")
        toml.chmod(0o600)
        lookups = hq_lookups_for(toml)
        assert lookups is not None and lookups.broker.port == broker.port
        self.lookups = lookups
        self.till = Till(self.conn, StoreConfig(store_id=store), hq=self.lookups)
        self.headless = TillProtocol(self.till)
        self.agent: Running | None = None

    def go_online(self) -> None:
        self.agent = Running(Agent(AgentSettings(
            store_id=self.store, terminal_id="T01",
            broker=BrokerSettings(port=self.broker.port, keepalive=2),
            hq_public_key=str(self.tmp_path / "hq.pub"), ack_timeout=3.0, backoff_min=0.1,
            backoff_max=1.0, status_interval=0.2), self.db))
        wait_until(lambda: link_online(self.conn), 20, f"{self.store} online")

    def op(self, name: str, **fields: Any) -> dict[str, Any]:
        answer: dict[str, Any] = json.loads(self.headless.handle_line(
            json.dumps({"op": name, **fields})))
        return answer

    def stop(self) -> None:
        if self.agent is not None:
            self.agent.stop()
        self.conn.close()


@pytest.fixture
def hq_worker(pg_url: str, broker: Broker, tmp_path: Path) -> Any:
    generate_keypair(tmp_path / "hq.key", tmp_path / "hq.pub")
    storage = open_storage(pg_url)               # migrates HQ's schema
    worker = Running(IngestWorker(IngestOptions(db_url=pg_url,
                                                broker=BrokerSettings(port=broker.port),
                                                signing_key=str(tmp_path / "hq.key"))))
    yield storage
    worker.stop()
    storage.close()


def member_at_hq(storage: Any, member_id: str) -> bool:
    try:
        online.points_balance(storage, member_id)
    except online.LoyaltyRefused:
        return False
    return True


@pytest.mark.timeout(120)
def test_points_earned_online_are_spent_at_the_till_under_hqs_hold(
        hq_worker: Any, broker: Broker, tmp_path: Path) -> None:
    storage = hq_worker
    s1 = Store(tmp_path, "S001", broker)
    try:
        member = register_member(s1.conn, "2001", "silver", card_no="M0001")
        s1.go_online()
        wait_until(lambda: member_at_hq(storage, member.id), 20, "the member at HQ")
        assert online.earn_points(storage, member.id, 500, "mini-W1") == 500   # the app's order

        assert s1.op("login", staff="1001", pin="1234")["ok"]
        assert s1.op("member_identify", token="M0001")["ok"]
        assert s1.op("add", sku="A001", qty="5")["ok"]                          # 16.65
        assert hq_lookups_for(tmp_path / "nowhere.toml") is None    # no config: local rules
        s1.till.hq = None          # the till alone knows no points: nothing earned here yet
        assert s1.op("tender", type="points", amount="5.00")["error"]["code"] == \
            "insufficient_points"
        s1.till.hq = s1.lookups
        assert s1.op("tender", type="points", amount="5.01")["error"]["code"] == \
            "insufficient_points"
        paid = s1.op("tender", type="points", amount="5.00")
        assert paid["ok"], paid
        # HQ holds the 500 points for this till: the channel cannot spend them meanwhile.
        held = online.points_balance(storage, member.id)
        assert (held.balance, held.held, held.available) == (500, 500, 0)
        with pytest.raises(online.LoyaltyRefused, match="insufficient_points"):
            online.spend_points(storage, member.id, 1, "mini-W2")
        done = s1.op("tender", type="cash", amount="20.00")
        assert done["ok"] and done["receipt"]
        earned = 11           # floor(11.65 yuan paid in cash) × 100 % (silver)
        wait_until(lambda: online.points_balance(storage, member.id).balance == earned, 20,
                   "the sale's points at HQ")
        assert online.points_balance(storage, member.id).held == 0
        with psycopg.connect(storage.conn.info.dsn) as pg:
            [(offline,)] = pg.execute("SELECT offline FROM hq_points_movement WHERE kind = 'sale'"
                                      ).fetchall()
            assert offline is False and pg.execute(
                "SELECT count(*) FROM hq_loyalty_alert").fetchone() == (0,)
        assert points_balance(s1.conn, member.id) == earned - 500  # the till's own movements
    finally:
        s1.stop()


@pytest.mark.timeout(120)
def test_the_same_coupon_at_two_stores_one_offline_is_accepted_once_and_flagged_once(
        hq_worker: Any, broker: Broker, tmp_path: Path) -> None:
    storage = hq_worker
    s1, s2 = Store(tmp_path, "S001", broker), Store(tmp_path, "S002", broker)
    try:
        member = register_member(s1.conn, "2001", "silver", card_no="M0001")
        s1.go_online()
        wait_until(lambda: member_at_hq(storage, member.id), 20, "the member at HQ")
        code = online.issue_coupon(storage, member.id, 2000,
                                   (datetime.now(UTC) + timedelta(days=7)).date())

        # S002 is offline (no agent, no link): its till takes the coupon by its own rules.
        assert not link_online(s2.conn)
        assert s2.op("login", staff="1001", pin="1234")["ok"]
        assert s2.op("add", sku="A001", qty="10")["ok"]                         # 33.30
        taken = s2.op("coupon", code=code)
        assert taken["ok"] and taken["remaining"] == "13.30", taken
        assert s2.op("tender", type="cash", amount="13.30")["ok"]
        assert s2.op("add", sku="A001", qty="1")["ok"]
        assert s2.op("coupon", code=code)["error"]["code"] == "coupon_redeemed"  # not twice here
        assert s2.op("void_line", line=1)["ok"]

        # S001 is online: HQ has not heard of S002's redemption, holds it for S001 and takes it.
        assert s1.op("login", staff="1001", pin="1234")["ok"]
        assert s1.op("add", sku="A001", qty="5")["ok"]                          # 16.65
        held = s1.op("coupon", code=code)
        assert held["ok"] and held["status"] == "completed" and held["remaining"] == "0.00"
        with psycopg.connect(storage.conn.info.dsn) as pg:
            wait_until(lambda: pg.execute("SELECT redeemed_by FROM hq_coupon").fetchone() ==
                       ("S001/T01",), 20, "S001's redemption accepted at HQ")
            # S002 comes back: its redemption arrives second and is flagged, never silently.
            s2.go_online()
            wait_until(lambda: pg.execute("SELECT count(*) FROM hq_coupon_redemption"
                                          ).fetchone() == (2,), 20, "S002's redemption at HQ")
            rows = pg.execute("SELECT store, offline, accepted, reason FROM hq_coupon_redemption"
                              " ORDER BY store").fetchall()
            assert rows == [("S001", False, True, None),
                            ("S002", True, False, "first redeemed by S001/T01")]
            [(alert_type, detail)] = pg.execute(
                "SELECT type, detail FROM hq_security_alert WHERE store = 'S002'").fetchall()
            assert alert_type == "coupon.redeemed" and code in detail
            # Both sales themselves are facts at HQ: nothing was refused or lost.
            assert pg.execute("SELECT count(*) FROM hq_sale WHERE status = 'completed'"
                              ).fetchone() == (2,)
            assert pg.execute("SELECT count(*) FROM hq_dead_letter").fetchone() == (0,)
        # Online, a third till asking now hears the coupon is spent.
        assert s2.lookups.coupon(code).state == "redeemed"  # type: ignore[union-attr]
    finally:
        s1.stop()
        s2.stop()
