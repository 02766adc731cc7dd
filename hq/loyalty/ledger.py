"""HQ's points and coupon ledgers, written in the transaction of the batch that carried the fact
(or of the channel's call); both engines run this same code (SQL kept portable, `%s` marks).

Rule POINTS_HQ: a member's balance at HQ = Σ its movements: each sale's `earned − redeemed` from
the stores' `member.points`, and the online channel's earns and spends. A movement id (the event
id, or the channel's reference) is applied once. A till's points look-up holds points for that
terminal (`hq_points_hold`, until its sale's fact arrives or the hold expires); the channel may
spend only balance − the holds. A store's fact is always taken (the sale happened): one that
takes the balance below zero (a till spending within its offline allowance) raises an alert.
Rule COUPON_ONCE: a coupon HQ issued is redeemed once across all stores and the channel. A
till's look-up holds it for that terminal; the first redemption HQ applies is accepted, every
other one (a second store offline, a held or expired or unknown code, more than its value) is
kept as refused and flagged in `hq_security_alert` and `hq_loyalty_alert` — never silently.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

from edge.customers.coupons import make_code
from hq.schemas import LOYALTY_TYPES, CouponRedeemed, MemberPoints
from hq.storage.interface import Accepted

HOLD_LIFE = timedelta(minutes=30)  # a till pays right after its look-up
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class LoyaltyRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def _instant(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Loyalty:
    """One transaction's view of the points and coupon ledgers, on a DB-API cursor."""

    def __init__(self, cur: Any, postgres: bool) -> None:
        self.cur = cur
        self.postgres = postgres

    def _q(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        return self.cur.execute(sql if self.postgres else sql.replace("%s", "?"), args)

    def _at(self, moment: datetime) -> Any:
        return moment if self.postgres else moment.astimezone(UTC).isoformat()

    # ---- points -----------------------------------------------------------------------------

    def member_known(self, member_id: str) -> bool:
        key = "payload->>'member_id'" if self.postgres else "json_extract(payload, '$.member_id')"
        return self._q(f"SELECT 1 FROM hq_event WHERE type = 'member.registered' AND {key} = %s"
                       " UNION ALL SELECT 1 FROM hq_points_member WHERE member_id = %s",
                       (member_id, member_id)).fetchone() is not None

    def balance(self, member_id: str) -> int:
        # Locked until commit: a channel's spend and a store's fact wait for each other.
        lock = " FOR UPDATE" if self.postgres else ""
        row = self._q(f"SELECT balance FROM hq_points_member WHERE member_id = %s{lock}",
                      (member_id,)).fetchone()
        return int(row[0]) if row else 0

    def held(self, member_id: str, now: datetime, but: tuple[str, str] | None = None) -> int:
        rows = self._q("SELECT store, terminal, points FROM hq_points_hold WHERE member_id = %s"
                       " AND expires_at > %s", (member_id, self._at(now))).fetchall()
        return sum(int(p) for s, t, p in rows if (s, t) != but)

    def _move(self, movement_id: str, member_id: str, kind: str, points: int,
              store: str | None = None, terminal: str | None = None, seq: int | None = None,
              sale_id: str | None = None, offline: bool = False) -> bool:
        """Apply one movement; False when its id is already in the ledger."""
        if self._q("SELECT 1 FROM hq_points_movement WHERE movement_id = %s",
                   (movement_id,)).fetchone():
            return False
        self._q("INSERT INTO hq_points_movement (movement_id, member_id, store, terminal, seq,"
                " kind, points, sale_id, offline) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (movement_id, member_id, store, terminal, seq, kind, points, sale_id, offline))
        self._q("INSERT INTO hq_points_member (member_id, balance) VALUES (%s, %s)"
                " ON CONFLICT (member_id) DO UPDATE SET"
                " balance = hq_points_member.balance + excluded.balance", (member_id, points))
        return True

    def earn_online(self, member_id: str, points: int, reference: str) -> int:
        if points <= 0:
            raise LoyaltyRefused("bad_request", "points must be a positive whole number")
        if not self.member_known(member_id):
            raise LoyaltyRefused("unknown_member", f"HQ holds no member {member_id[:64]!r}")
        self.balance(member_id)  # the lock
        self._move(f"online:{reference}", member_id, "online_earn", points)
        return self.balance(member_id)

    def spend_online(self, member_id: str, points: int, reference: str, now: datetime) -> int:
        if points <= 0:
            raise LoyaltyRefused("bad_request", "points must be a positive whole number")
        if not self.member_known(member_id):
            raise LoyaltyRefused("unknown_member", f"HQ holds no member {member_id[:64]!r}")
        if self._q("SELECT 1 FROM hq_points_movement WHERE movement_id = %s",
                   (f"online:{reference}",)).fetchone():
            return self.balance(member_id)  # the channel asked again: idempotent
        available = self.balance(member_id) - self.held(member_id, now)
        if points > available:
            raise LoyaltyRefused("insufficient_points",
                                 f"{available} points available (tills hold the rest)")
        self._move(f"online:{reference}", member_id, "online_spend", -points)
        return self.balance(member_id)

    def points_for(self, member_id: str, store: str, terminal: str, hold: int,
                   now: datetime) -> dict[str, Any] | None:
        """A till's look-up: the balance for the asker (its own movements counted up to its ack
        watermark, the others' holds taken off) and a hold of `hold` points if they are there."""
        if not self.member_known(member_id):
            return None
        # A row to lock even for a member without movements: two tills' holds wait in turn.
        self._q("INSERT INTO hq_points_member (member_id, balance) VALUES (%s, 0)"
                " ON CONFLICT (member_id) DO NOTHING", (member_id,))
        balance = self.balance(member_id)
        self._q("DELETE FROM hq_points_hold WHERE member_id = %s AND expires_at <= %s",
                (member_id, self._at(now)))
        row = self._q("SELECT acked_to FROM hq_terminal WHERE store = %s AND terminal = %s",
                      (store, terminal)).fetchone()
        through = int(row[0]) if row else 0
        later = int(self._q("SELECT coalesce(sum(points), 0) FROM hq_points_movement"
                            " WHERE member_id = %s AND store = %s AND terminal = %s AND seq > %s",
                            (member_id, store, terminal, through)).fetchone()[0])
        others = self.held(member_id, now, but=(store, terminal))
        self._q("DELETE FROM hq_points_hold WHERE member_id = %s AND store = %s AND terminal = %s",
                (member_id, store, terminal))
        held = 0
        if 0 < hold <= balance - others:
            self._q("INSERT INTO hq_points_hold (member_id, store, terminal, points, expires_at)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    (member_id, store, terminal, hold, self._at(now + HOLD_LIFE)))
            held = hold
        return {"member_id": member_id, "balance": balance - later - others,
                "through_seq": through, "held": held}

    def apply_points(self, store: str, terminal: str, seq: int, event_id: str,
                     fact: MemberPoints) -> None:
        delta = fact.earned - fact.redeemed
        if delta == 0 and fact.redeemed == 0:
            return
        before = self.balance(fact.member_id)
        if not self._move(event_id, fact.member_id, "sale", delta, store, terminal, seq,
                          fact.sale_id, fact.offline):
            return
        # The sale is paid: this terminal's hold has done its work.
        self._q("DELETE FROM hq_points_hold WHERE member_id = %s AND store = %s AND terminal = %s",
                (fact.member_id, store, terminal))
        if before + delta < 0:
            how = "offline, within the till's allowance" if fact.offline else "without HQ's hold"
            self.alert(store, terminal, seq, event_id, "member.points",
                       f"points below zero: member {fact.member_id} balance {before}, sale"
                       f" {fact.sale_id} redeemed {fact.redeemed} {how}", member_id=fact.member_id)

    # ---- coupons ----------------------------------------------------------------------------

    def issue_coupon(self, member_id: str, value: int, last_day: date, now: datetime) -> str:
        if not self.member_known(member_id):
            raise LoyaltyRefused("unknown_member", f"HQ holds no member {member_id[:64]!r}")
        if not 1 <= value <= 999_999:
            raise LoyaltyRefused("bad_request", "a coupon's value is 0.01 to 9,999.99 yuan")
        if last_day < now.astimezone(UTC).date():
            raise LoyaltyRefused("bad_request", "the coupon would be expired already")
        code = make_code(value, last_day, "".join(secrets.choice(_BASE32) for _ in range(8)))
        expires = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), UTC)
        self._q("INSERT INTO hq_coupon (code, member_id, value, expires_at, issued_at)"
                " VALUES (%s, %s, %s, %s, %s)",
                (code, member_id, value, self._at(expires), self._at(now)))
        return code

    def _coupon(self, code: str) -> tuple[Any, ...] | None:
        lock = " FOR UPDATE" if self.postgres else ""
        row = self._q("SELECT member_id, value, expires_at, hold_store, hold_terminal,"
                      f" hold_until, redeemed_by FROM hq_coupon WHERE code = %s{lock}",
                      (code,)).fetchone()
        return tuple(row) if row else None

    def coupon_for(self, code: str, store: str, terminal: str,
                   now: datetime) -> dict[str, Any] | None:
        """A till's look-up: the coupon's state for the asker, held for it when redeemable."""
        row = self._coupon(code)
        if row is None:
            return None
        member_id, value, expires, h_store, h_terminal, h_until, redeemed_by = row
        state = "ok"
        if redeemed_by is not None:
            state = "redeemed"
        elif _instant(expires) <= now:
            state = "expired"
        elif h_store is not None and (h_store, h_terminal) != (store, terminal) \
                and _instant(h_until) > now:
            state = "held"
        if state == "ok":
            self._q("UPDATE hq_coupon SET hold_store = %s, hold_terminal = %s, hold_until = %s"
                    " WHERE code = %s", (store, terminal, self._at(now + HOLD_LIFE), code))
        return {"code": code, "member_id": member_id, "value": int(value), "state": state}

    def redeem_online(self, code: str, reference: str, now: datetime) -> int:
        """The channel redeems a coupon (an order paid with it): its value, or LoyaltyRefused."""
        row = self._coupon(code)
        if row is None:
            raise LoyaltyRefused("unknown_coupon", "HQ issued no such coupon")
        _member, value, expires, h_store, _h_terminal, h_until, redeemed_by = row
        if redeemed_by == f"online:{reference}":
            return int(value)
        if redeemed_by is not None:
            raise LoyaltyRefused("coupon_redeemed", f"already redeemed by {redeemed_by}")
        if _instant(expires) <= now:
            raise LoyaltyRefused("coupon_expired", "the coupon has expired")
        if h_store is not None and _instant(h_until) > now:
            raise LoyaltyRefused("coupon_held", "a till is redeeming this coupon now")
        self._q("UPDATE hq_coupon SET redeemed_by = %s WHERE code = %s",
                (f"online:{reference}", code))
        return int(value)

    def apply_redemption(self, store: str, terminal: str, seq: int, event_id: str, at: str,
                  fact: CouponRedeemed) -> None:
        if self._q("SELECT 1 FROM hq_coupon_redemption WHERE event_id = %s",
                   (event_id,)).fetchone():
            return
        why = self._why_not(store, terminal, at, fact)
        self._q("INSERT INTO hq_coupon_redemption (event_id, code, store, terminal, seq, sale_id,"
                " amount, offline, accepted, reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s,"
                " %s)", (event_id, fact.code, store, terminal, seq, fact.sale_id, fact.amount,
                         fact.offline, why is None, why))
        if why is None:
            self._q("UPDATE hq_coupon SET redeemed_by = %s, hold_store = NULL,"
                    " hold_terminal = NULL, hold_until = NULL WHERE code = %s",
                    (f"{store}/{terminal}", fact.code))
            return
        self.alert(store, terminal, seq, event_id, "coupon.redeemed",
                   f"coupon {fact.code} not accepted: {why} (sale {fact.sale_id},"
                   f" {'offline' if fact.offline else 'online'})", code=fact.code)

    def _why_not(self, store: str, terminal: str, at: str, fact: CouponRedeemed) -> str | None:
        row = self._coupon(fact.code)
        if row is None:
            return "HQ issued no such coupon"
        _member, value, expires, h_store, h_terminal, h_until, redeemed_by = row
        if redeemed_by is not None:
            return f"first redeemed by {redeemed_by}"
        if fact.value != int(value) or fact.amount > int(value):
            return f"the till took {fact.amount} of a coupon worth {value}"
        try:
            when = _instant(at)
        except ValueError:
            when = datetime.now(UTC)
        if when >= _instant(expires):
            return "taken after the coupon's last day"
        if h_store is not None and (h_store, h_terminal) != (store, terminal) \
                and _instant(h_until) > when:
            return f"held for {h_store}/{h_terminal} at the time"
        return None

    # ---- alerts -----------------------------------------------------------------------------

    def alert(self, store: str, terminal: str, seq: int, event_id: str, event_type: str,
              detail: str, member_id: str | None = None, code: str | None = None) -> None:
        self._q("INSERT INTO hq_loyalty_alert (member_id, code, store, terminal, detail)"
                " VALUES (%s, %s, %s, %s, %s)", (member_id, code, store, terminal, detail[:500]))
        self._q("INSERT INTO hq_security_alert (store, terminal, seq, event_id, type, detail)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (store, terminal, seq, event_id, event_type, detail[:500]))

    def alerts(self, limit: int = 100) -> list[tuple[str, str | None, str | None, str]]:
        """(at, store/terminal, member or code, detail), the latest first."""
        rows = self._q("SELECT at, store, terminal, member_id, code, detail FROM hq_loyalty_alert"
                       " ORDER BY id DESC LIMIT %s", (limit,)).fetchall()
        return [(str(at), f"{s}/{t}" if s else None, m or c, d) for at, s, t, m, c, d in rows]


def apply_loyalty_facts(cur: Any, postgres: bool, store: str, terminal: str,
                        fresh: list[Accepted]) -> None:
    """The points and coupon facts among a batch's new events, in seq order."""
    facts = sorted((e for e in fresh if e.type in LOYALTY_TYPES), key=lambda e: e.seq)
    if not facts:
        return
    ledger = Loyalty(cur, postgres)
    for e in facts:
        if isinstance(e.fact, MemberPoints):
            ledger.apply_points(store, terminal, e.seq, e.event_id, e.fact)
        elif isinstance(e.fact, CouponRedeemed):
            ledger.apply_redemption(store, terminal, e.seq, e.event_id, e.created_at, e.fact)
