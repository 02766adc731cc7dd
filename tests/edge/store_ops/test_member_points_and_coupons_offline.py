"""The till's rules for HQ's points and coupons (edge/customers/account_tenders.py,
edge/customers/coupons.py): offline within `[members] offline_points_allowance` and
`offline_coupon_limit`; online by HQ's word (here a scripted HqLookups — the real one over the
broker is in tests/hq/test_loyalty_end_to_end.py)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

import pytest

from edge.config import StoreConfig
from edge.customers.coupons import CouponAnswer, PointsAnswer
from edge.customers.members import apply_hq_points
from edge.ledger.store import write_transaction
from edge.till.session import Till
from tests.edge.store_ops.conftest import BasketDiscount, Client

TODAY = datetime(2026, 11, 20, 10, 30)
GOOD = "HQ-1000-20261130-ABCDEFGH"


class ScriptedHq:
    def __init__(self) -> None:
        self.points_answer: PointsAnswer | None = None
        self.coupon_answer: CouponAnswer | None = None
        self.asked: list[tuple[str, object]] = []

    def points(self, member_id: str, hold: int) -> PointsAnswer | None:
        self.asked.append(("points", hold))
        return self.points_answer

    def coupon(self, code: str) -> CouponAnswer | None:
        self.asked.append(("coupon", code))
        return self.coupon_answer


@pytest.fixture
def hq() -> ScriptedHq:
    return ScriptedHq()


@pytest.fixture
def config() -> StoreConfig:
    return StoreConfig(extra={"members": {"offline_points_allowance": 300,
                                          "offline_coupon_limit": 1500}})


@pytest.fixture
def till(conn: sqlite3.Connection, config: StoreConfig, hq: ScriptedHq) -> Till:
    t = Till(conn, config, BasketDiscount(), clock=lambda: TODAY, hq=hq)
    t.login("1001", "1234")
    return t


def events(conn: sqlite3.Connection, event_type: str) -> list[dict[str, object]]:
    return [json.loads(r[0]) for r in conn.execute(
        "SELECT payload FROM outbox WHERE type = ? ORDER BY seq", (event_type,))]


def go_online(conn: sqlite3.Connection) -> None:
    with write_transaction(conn):
        conn.execute("INSERT INTO sync_status (id, connected, updated_at) VALUES (1, 1, ?)"
                     " ON CONFLICT (id) DO UPDATE SET connected = 1, updated_at = ?",
                     (datetime.now(UTC).isoformat(),) * 2)


def test_offline_points_reach_the_local_balance_plus_the_allowance_and_say_offline(
        client: Client, conn: sqlite3.Connection, member_id: str, hq: ScriptedHq) -> None:
    apply_hq_points(conn, member_id, 200)
    client.ok("member_identify", token="M0001")
    client.ok("add", sku="A001", qty="5")                       # 16.65
    assert client("tender", type="points", amount="5.01")["error"]["code"] == \
        "insufficient_points"
    client.ok("tender", type="points", amount="5.00")           # 200 here + 300 allowed
    client.ok("tender", type="cash", amount="11.65")
    assert hq.asked == []                                       # offline: HQ is not asked
    [fact] = events(conn, "member.points")
    assert fact["redeemed"] == 500 and fact["offline"] is True
    # The allowance is spent: the local balance is below zero until HQ's word comes.
    client.ok("member_identify", token="M0001")
    client.ok("add", sku="A001", qty="5")
    assert client("tender", type="points", amount="1.00")["error"]["code"] == \
        "insufficient_points"


def test_online_points_are_hqs_balance_held_for_this_till(
        client: Client, conn: sqlite3.Connection, member_id: str, hq: ScriptedHq) -> None:
    go_online(conn)
    client.ok("member_identify", token="M0001")
    client.ok("add", sku="A001", qty="5")
    hq.points_answer = PointsAnswer(balance=1000, through_seq=10**6, held=0)
    assert client("tender", type="points", amount="2.00")["error"]["code"] == \
        "insufficient_points"                                   # HQ could not hold them
    hq.points_answer = PointsAnswer(balance=1000, through_seq=10**6, held=700)
    client.ok("tender", type="points", amount="7.00")
    assert hq.asked == [("points", 200), ("points", 700)]
    client.ok("tender", type="cash", amount="9.65")
    [fact] = events(conn, "member.points")
    assert fact["redeemed"] == 700 and fact["offline"] is False
    # HQ unreachable while the link still says online: the offline rule (0 here + 300).
    hq.points_answer = None
    client.ok("member_identify", token="M0001")
    client.ok("add", sku="A001", qty="5")
    assert client("tender", type="points", amount="3.00")["error"]["code"] == \
        "insufficient_points"     # the 700 spent above count against the local balance


def test_offline_an_hq_coupon_is_taken_within_the_tills_rules_once(
        client: Client, conn: sqlite3.Connection, till: Till) -> None:
    client.ok("add", sku="A001", qty="5")                       # 16.65
    assert client("coupon", code="HQ-2000-20261130-ABCDEFGH")["error"]["code"] == \
        "offline_coupon_limit"
    assert client("coupon", code="HQ-1000-20261119-ABCDEFGH")["error"]["code"] == \
        "coupon_expired"                                        # by the till's date
    taken = client.ok("coupon", code=GOOD)
    assert taken["status"] == "open" and taken["remaining"] == "6.65"
    assert client("coupon", code=GOOD)["error"]["code"] == "coupon_redeemed"
    client.ok("tender", type="cash", amount="6.65")
    [fact] = events(conn, "coupon.redeemed")
    assert fact == {"code": GOOD, "sale_id": taken["sale_id"], "value": 1000, "amount": 1000,
                    "terminal_id": "T01", "offline": True}
    client.ok("add", sku="A001", qty="1")
    assert client("coupon", code=GOOD)["error"]["code"] == "coupon_redeemed"
    # A promotion's coupon code is what it was: it unlocks the promotion, it pays nothing.
    assert client.ok("coupon", code="SPRING")["coupons"] == ["SPRING"]


def test_online_an_hq_coupon_needs_hqs_hold(client: Client, conn: sqlite3.Connection,
                                           hq: ScriptedHq, till: Till) -> None:
    go_online(conn)
    client.ok("add", sku="A001", qty="1")                       # 3.33: the coupon pays it all
    for state in ("redeemed", "held", "expired", "unknown"):
        hq.coupon_answer = CouponAnswer(state)
        assert client("coupon", code=GOOD)["error"]["code"] == f"coupon_{state}"
    hq.coupon_answer = CouponAnswer("ok", 1000, "M")
    done = client.ok("coupon", code=GOOD)
    assert done["status"] == "completed"
    [fact] = events(conn, "coupon.redeemed")
    assert fact["amount"] == 333 and fact["offline"] is False
    till.training = True
    client.ok("add", sku="A001", qty="1")
    assert client("coupon", code="HQ-500-20261130-ABCDEFGH")["error"]["code"] == \
        "training_mode"
