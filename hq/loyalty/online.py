"""The online channel's side of a member's points and coupons, over HQ's storage: what the
channel's order API (and `pos hq points`, `pos hq coupon`) calls. Each call is one transaction
of the ledgers in hq/loyalty/ledger.py, idempotent by the channel's reference."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from hq.loyalty.ledger import Loyalty, LoyaltyRefused
from hq.storage.interface import HqStorage

__all__ = ["LoyaltyRefused", "PointsBalance", "earn_points", "issue_coupon", "loyalty_alerts",
           "points_balance", "redeem_coupon", "spend_points"]


@dataclass(frozen=True)
class PointsBalance:
    member_id: str
    balance: int     # every movement HQ holds
    held: int        # what tills' look-ups hold now (the channel cannot spend it)

    @property
    def available(self) -> int:
        return self.balance - self.held


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def earn_points(storage: HqStorage, member_id: str, points: int, reference: str) -> int:
    """Points the member earned online (an order); the member's balance after."""
    return storage.loyalty(lambda cur, pg: Loyalty(cur, pg).earn_online(member_id, points,
                                                                          reference))


def spend_points(storage: HqStorage, member_id: str, points: int, reference: str,
                 now: datetime | None = None) -> int:
    """Points the member spends online, within balance − what tills hold; the balance after."""
    return storage.loyalty(lambda cur, pg: Loyalty(cur, pg).spend_online(
        member_id, points, reference, _now(now)))


def points_balance(storage: HqStorage, member_id: str,
                   now: datetime | None = None) -> PointsBalance:
    def read(cur: object, pg: bool) -> PointsBalance:
        ledger = Loyalty(cur, pg)
        if not ledger.member_known(member_id):
            raise LoyaltyRefused("unknown_member", f"HQ holds no member {member_id[:64]!r}")
        return PointsBalance(member_id, ledger.balance(member_id),
                             ledger.held(member_id, _now(now)))
    return storage.loyalty(read)


def issue_coupon(storage: HqStorage, member_id: str, value: int, last_day: date,
                 now: datetime | None = None) -> str:
    """A coupon worth `value` fen for the member, valid through `last_day`: its code."""
    return storage.loyalty(lambda cur, pg: Loyalty(cur, pg).issue_coupon(
        member_id, value, last_day, _now(now)))


def redeem_coupon(storage: HqStorage, code: str, reference: str,
                  now: datetime | None = None) -> int:
    """The channel redeems a coupon for its order `reference`: the coupon's value."""
    return storage.loyalty(lambda cur, pg: Loyalty(cur, pg).redeem_online(code, reference,
                                                                            _now(now)))


def loyalty_alerts(storage: HqStorage, limit: int = 100
                   ) -> list[tuple[str, str | None, str | None, str]]:
    """(at, store/terminal or None for the channel, member or coupon, detail), latest first."""
    return storage.loyalty(lambda cur, pg: Loyalty(cur, pg).alerts(limit))
