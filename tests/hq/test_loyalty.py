"""HQ's points and coupon ledgers (hq/loyalty/), on both engines, fed through the ingest's own
path (validation, the ownership rule, one transaction) and through the online channel's calls:
one balance per member across stores and the channel, holds that keep a till's points and
coupons, offline overdrafts taken and alerted, and a coupon redeemed once with every other
redemption flagged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from edge.customers.coupons import parse_code
from hq.loyalty import online
from hq.loyalty.ledger import Loyalty
from hq.schemas import MemberPoints
from hq.storage.interface import hq_migrations
from tests.hq.test_ownership import AT, NOW, Hq

MEMBER = "MEM-A"


@pytest.fixture(params=["sqlite", "postgres"])
def hq(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Hq]:
    url = (request.getfixturevalue("pg_url") if request.param == "postgres"
           else f"sqlite:///{tmp_path / 'hq.sqlite'}")
    h = Hq(url)
    assert h.send("S001", "member.registered", {
        "member_id": MEMBER, "card_no": None, "phone": None, "qr_token": None, "name": None,
        "tier": "silver"}) is None
    yield h
    h.storage.close()


def points_fact(sale_id: str, earned: int, redeemed: int, offline: bool = False
                ) -> dict[str, Any]:
    return {"member_id": MEMBER, "sale_id": sale_id, "tier": "silver", "eligible_spend": 100,
            "earned": earned, "redeemed": redeemed, "offline": offline}


def redeemed(code: str, sale_id: str, offline: bool) -> dict[str, Any]:
    value = parse_code(code).value  # type: ignore[union-attr]
    return {"code": code, "sale_id": sale_id, "value": value, "amount": value,
            "terminal_id": "T01", "offline": offline}


def look_up_points(hq: Hq, store: str, hold: int) -> dict[str, Any] | None:
    """What the ingest does for a till's points look-up (hq/ingest.py `_loyalty`)."""
    found = hq.storage.loyalty(lambda cur, pg: Loyalty(cur, pg).points_for(
        MEMBER, store, "T01", hold, datetime.now(UTC)))
    if found is not None:
        hq.storage.grant(store, "T01", "member", MEMBER, 0, NOW, NOW + timedelta(hours=1))
    return found


def test_points_earned_online_and_at_tills_are_one_balance_and_a_hold_keeps_a_tills_points(
        hq: Hq) -> None:
    assert online.earn_points(hq.storage, MEMBER, 500, "W1") == 500
    assert online.earn_points(hq.storage, MEMBER, 500, "W1") == 500     # asked again: no-op
    assert hq.send("S001", "member.points", points_fact("s1", 10, 0)) is None
    assert online.points_balance(hq.storage, MEMBER).balance == 510
    # S002's till asks for the member's points and holds 300 of them.
    answer = look_up_points(hq, "S002", 300)
    assert answer is not None and answer["balance"] == 510 and answer["held"] == 300
    assert online.points_balance(hq.storage, MEMBER).available == 210
    later = datetime.now(UTC) + timedelta(minutes=31)       # a hold the till never used expires
    assert online.points_balance(hq.storage, MEMBER, now=later).available == 510
    with pytest.raises(online.LoyaltyRefused, match="insufficient_points"):
        online.spend_points(hq.storage, MEMBER, 300, "W2")
    assert online.spend_points(hq.storage, MEMBER, 200, "W2") == 310
    assert online.spend_points(hq.storage, MEMBER, 200, "W2") == 310    # idempotent
    # The sale at S002 (another store's member: the look-up granted it) spends the held points.
    assert hq.send("S002", "member.points", points_fact("s2", 0, 300)) is None
    balance = online.points_balance(hq.storage, MEMBER)
    assert (balance.balance, balance.held) == (10, 0)
    assert hq.q("SELECT count(*) FROM hq_loyalty_alert") == [(0,)]
    # A points look-up for more than is there holds nothing.
    assert look_up_points(hq, "S002", 11) == {"member_id": MEMBER, "balance": 10,
                                              "through_seq": 1, "held": 0}
    with pytest.raises(online.LoyaltyRefused, match="unknown_member"):
        online.earn_points(hq.storage, "nobody", 5, "W3")


def test_an_offline_spend_beyond_the_balance_is_taken_and_alerted(hq: Hq) -> None:
    online.earn_points(hq.storage, MEMBER, 500, "W1")
    assert hq.send("S001", "member.points", points_fact("s1", 0, 800, offline=True)) is None
    assert online.points_balance(hq.storage, MEMBER).balance == -300
    [(detail,)] = hq.q("SELECT detail FROM hq_loyalty_alert")
    assert "points below zero" in detail and "offline" in detail
    assert hq.alerts("S001") == 1
    # The same fact (its event id) applied again under another seq moves nothing twice.
    [(event_id, seq)] = hq.q("SELECT movement_id, seq FROM hq_points_movement WHERE kind = 'sale'")
    fact = MemberPoints(**points_fact("s1", 0, 800, offline=True))
    hq.storage.loyalty(lambda cur, pg: Loyalty(cur, pg).apply_points(
        "S001", "T01", int(seq) + 1, event_id, fact))
    assert online.points_balance(hq.storage, MEMBER).balance == -300


def test_a_coupon_is_redeemed_once_and_every_other_redemption_is_flagged(hq: Hq) -> None:
    last_day = (NOW + timedelta(days=30)).date()
    code = online.issue_coupon(hq.storage, MEMBER, 2000, last_day)
    assert parse_code(code) is not None and parse_code(code).value == 2000  # type: ignore[union-attr]
    with pytest.raises(online.LoyaltyRefused, match="unknown_member"):
        online.issue_coupon(hq.storage, "nobody", 2000, last_day)
    with pytest.raises(online.LoyaltyRefused, match="expired already"):
        online.issue_coupon(hq.storage, MEMBER, 2000, date(2020, 1, 1))
    assert hq.send("S001", "coupon.redeemed", redeemed(code, "s1", offline=False)) is None
    assert hq.send("S002", "coupon.redeemed", redeemed(code, "s2", offline=True)) is None
    rows = hq.q("SELECT store, accepted, reason FROM hq_coupon_redemption ORDER BY store")
    assert [(s, bool(a)) for s, a, _ in rows] == [("S001", True), ("S002", False)]
    assert "first redeemed by S001/T01" in rows[1][2]
    assert hq.alerts("S002") == 1 and hq.alerts("S001") == 0
    with pytest.raises(online.LoyaltyRefused, match="coupon_redeemed"):
        online.redeem_coupon(hq.storage, code, "W9")
    # A code HQ never issued, and one worth more than the till took it for, are flagged too.
    forged = code[:-8] + "AAAAAAAA"
    assert hq.send("S002", "coupon.redeemed", redeemed(forged, "s3", offline=True)) is None
    assert hq.alerts("S002") == 2
    latest = online.loyalty_alerts(hq.storage)[0]
    assert latest[1:3] == ("S002/T01", forged)
    assert latest[3].startswith(f"coupon {forged} not accepted: HQ issued no such coupon")


def test_a_tills_look_up_holds_a_coupon_against_other_tills_and_the_channel(hq: Hq) -> None:
    code = online.issue_coupon(hq.storage, MEMBER, 1000, (NOW + timedelta(days=1)).date())

    def look_up(store: str) -> str:
        found = hq.storage.loyalty(lambda cur, pg: Loyalty(cur, pg).coupon_for(
            code, store, "T01", datetime.now(UTC)))
        return str(found["state"]) if found else "unknown"

    assert look_up("S001") == "ok"
    assert look_up("S001") == "ok"            # the holder asks again
    assert look_up("S002") == "held"
    with pytest.raises(online.LoyaltyRefused, match="coupon_held"):
        online.redeem_coupon(hq.storage, code, "W1")
    # While S001 holds it, S002 redeeming it offline is the second redemption in effect.
    assert hq.send("S002", "coupon.redeemed", redeemed(code, "s2", offline=True)) is None
    assert "held for S001/T01" in hq.q("SELECT reason FROM hq_coupon_redemption")[0][0]
    assert hq.send("S001", "coupon.redeemed", redeemed(code, "s1", offline=False)) is None
    assert look_up("S002") == "redeemed"
    later = datetime.fromisoformat(AT) + timedelta(days=3)
    other = online.issue_coupon(hq.storage, MEMBER, 1000, NOW.date())
    with pytest.raises(online.LoyaltyRefused, match="coupon_expired"):
        online.redeem_coupon(hq.storage, other, "W2", now=later)
    assert online.redeem_coupon(hq.storage, other, "W3") == 1000
    assert online.redeem_coupon(hq.storage, other, "W3") == 1000        # idempotent


def test_the_ledger_starts_from_the_member_points_hq_already_holds(hq: Hq) -> None:
    """The loyalty migration's last part, run again over a generic member.points fact that HQ
    stored before the ledger existed (and one whose numbers are not integers: skipped)."""
    dialect = "postgres" if hq.postgres else "sqlite"
    [sql] = [sql for _, sql in hq_migrations(dialect) if "CREATE TABLE hq_points_movement" in sql]
    backfill = sql.split("-- The points HQ already holds")[1].split("\n", 1)[1]
    payload = '{"member_id": "MEM-A", "sale_id": "old", "earned": 40, "redeemed": 15}'
    bad = '{"member_id": "MEM-A", "sale_id": "odd", "earned": "x", "redeemed": 15}'
    for seq, body in ((91, payload), (92, bad)):
        hq.x("INSERT INTO hq_event (store, terminal, seq, event_id, type, created_at, payload)"
             " VALUES ('S001', 'T01', %s, %s, 'member.points', %s, %s)",
             (seq, f"old-{seq}", AT, body))
    for statement in backfill.split(";"):
        if statement.strip():
            hq.x(statement)
    assert online.points_balance(hq.storage, MEMBER).balance == 25
