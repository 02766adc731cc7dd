"""Members: identification, masking, tier prices, points earned, redeemed and reversed."""

from __future__ import annotations

import sqlite3

import pytest

from edge.config import StoreConfig
from edge.customers.members import apply_hq_points, identify, mask_phone, points_earned, register_member
from edge.ops_config import StoreOpsConfig
from edge.ops_error import OpsError
from tests.edge.store_ops.conftest import Client, points

pytestmark = pytest.mark.dated


def test_phone_is_never_shown_in_full(client: Client, member_id: str) -> None:
    assert mask_phone("13812341234") == "138****1234"
    for token in ("13812341234", "M0001", "MQR-77"):
        answer = client.ok("member_identify", token=token)
        assert answer["member"]["phone"] == "138****1234"
        assert "13812341234" not in str(answer)
    assert client.ok("member_enquiry", token="M0001")["member"]["tier"] == "gold"


def test_identify_attaches_the_member_and_tier_prices_follow(client: Client, member_id: str) -> None:
    client.ok("add", sku="D001", qty="1")
    assert client.ok("state")["sale"]["total"] == "12.90"
    answer = client.ok("member_identify", token="M0001")
    assert answer["sale"]["member"] == member_id
    assert answer["sale"]["total"] == "11.61"
    assert client("member_identify", token="nobody")["error"]["code"] == "unknown_member"


def test_points_are_earned_by_the_documented_rule(client: Client, conn: sqlite3.Connection,
                                                  member_id: str) -> None:
    client.ok("member_identify", token="M0001")
    client.ok("add", sku="A001", qty="5")        # 16.65, no basket discount below 20
    client.ok("tender", type="cash", amount="20.00")
    assert points(conn, member_id) == 16 * 150 // 100
    assert points_earned(1699, "diamond", StoreOpsConfig()) == 32
    assert points_earned(99, "silver", StoreOpsConfig()) == 0


def test_points_pay_as_a_tender_within_the_balance(client: Client, conn: sqlite3.Connection,
                                                   member_id: str) -> None:
    client.ok("add", sku="A001", qty="5")
    assert client("tender", type="points", amount="1.00")["error"]["code"] == "no_member"
    client.ok("member_identify", token="M0001")
    apply_hq_points(conn, member_id, 300)
    assert client("tender", type="points", amount="3.01")["error"]["code"] == "insufficient_points"
    client.ok("tender", type="points", amount="2.00")
    assert client("tender", type="points", amount="1.50")["error"]["code"] == "insufficient_points"
    client.ok("tender", type="cash", amount="14.65")
    # 300 − 200 redeemed + floor(14.65 yuan) × 1.5 earned on the non-points part
    assert points(conn, member_id) == 100 + 14 * 150 // 100


def test_partial_refunds_reverse_exactly_the_points_earned(client: Client, conn: sqlite3.Connection,
                                                           member_id: str) -> None:
    client.ok("member_identify", token="M0001")
    client.ok("add", sku="A001", qty="3")
    client.ok("add", sku="B001", qty="7")
    sale = client.ok("tender", type="cash", amount="50.00")["sale"]
    earned = points(conn, member_id)
    assert earned > 0
    client.ok("return", receipt=sale["id"], lines=[{"line": 2, "qty": "3"}])
    assert 0 < points(conn, member_id) < earned
    client.ok("return", receipt=sale["id"], lines=[{"line": 1, "qty": "3"}])
    client.ok("return", receipt=sale["id"], lines=[{"line": 2, "qty": "4"}])
    assert points(conn, member_id) == 0


def test_register_refuses_bad_or_duplicate_members(conn: sqlite3.Connection, member_id: str,
                                                   config: StoreConfig) -> None:
    with pytest.raises(OpsError) as bad:
        register_member(conn, "1001", "platinum", card_no="X1234")
    assert bad.value.code == "bad_request"
    with pytest.raises(OpsError) as dup:
        register_member(conn, "1001", "silver", phone="13812341234")
    assert dup.value.code == "duplicate_member"
    assert identify(conn, " 13812341234 ").id == member_id
    assert conn.execute("SELECT COUNT(*) FROM member").fetchone()[0] == 1
