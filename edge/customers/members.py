"""Members (会员): found by card number, phone or member QR; a tier (silver, gold, diamond) that the
promotions engine turns into tier prices; a points ledger (balance = sum of movements).

Rule POINTS_EARN: eligible spend = what the sale cost (total + cash rounding) minus what was paid
with points, in fen. Points earned = floor(eligible / 100) whole yuan × the tier's multiplier
(percent: silver 100, gold 150, diamond 200 by default), floored: floor(yuan × pct / 100).
Rule POINTS_REDEEM: `points_per_yuan_redeemed` points (default 100) pay 1 yuan; a points tender
must come to a whole number of points (amount_fen × points_per_yuan / 100).
Rule POINTS_REVERSAL: after a return, the sale keeps the points its unreturned eligible spend
would earn (POINTS_EARN on eligible − refunded non-points money so far); the earn reversal is
what it earned minus that minus what earlier returns reversed, so any series of returns
reverses exactly what was earned. Points paid are given back as the refund's points tender.
Rule PHONE_MASK: a phone is shown as its first 3 and last 4 digits (138****1234), never in full.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from dataclasses import dataclass

from edge.customers.coupons import HQ_APPROVED
from edge.ledger.clock import utc_now_iso
from edge.ledger.journal import append_entry
from edge.ledger.outbox import append_event
from edge.ledger.store import write_transaction
from edge.ops_config import TIERS, StoreOpsConfig
from edge.ops_error import OpsError
from edge.sale.basket import Sale

_PHONE = re.compile(r"^1\d{10}$")
_CARD = re.compile(r"^[0-9A-Za-z]{4,32}$")


@dataclass(frozen=True)
class Member:
    id: str
    card_no: str | None
    phone: str | None
    name: str
    tier: str
    points: int

    def view(self) -> dict[str, object]:
        """What the till may show: the phone masked."""
        return {"id": self.id, "card_no": self.card_no, "phone": mask_phone(self.phone),
                "name": self.name, "tier": self.tier, "points": self.points}


def mask_phone(phone: str | None) -> str | None:
    if phone is None:
        return None
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def register_member(conn: sqlite3.Connection, staff_id: str, tier: str, name: str = "",
                    card_no: str | None = None, phone: str | None = None,
                    qr_token: str | None = None) -> Member:
    if tier not in TIERS:
        raise OpsError("bad_request", f"tier must be one of {', '.join(TIERS)}")
    if card_no is None and phone is None:
        raise OpsError("bad_request", "a member needs a card number or a phone")
    if card_no is not None and not _CARD.match(card_no):
        raise OpsError("bad_request", "card number must be 4 to 32 letters or digits")
    if phone is not None and not _PHONE.match(phone):
        raise OpsError("bad_request", "phone must be an 11-digit mainland mobile number")
    member_id = str(uuid.uuid4())
    with write_transaction(conn):
        for column, value in (("card_no", card_no), ("phone", phone), ("qr_token", qr_token)):
            if value is not None and conn.execute(f"SELECT 1 FROM member WHERE {column} = ?",
                                                  (value,)).fetchone():
                raise OpsError("duplicate_member", f"a member with this {column} exists")
        conn.execute("INSERT INTO member (id, card_no, phone, qr_token, name, tier, created_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (member_id, card_no, phone, qr_token, name, tier, utc_now_iso()))
        event = append_event(conn, "member.registered",
                             {"member_id": member_id, "card_no": card_no, "phone": phone,
                              "qr_token": qr_token, "name": name, "tier": tier})
        append_entry(conn, "member.registered", staff_id,
                     {"member_id": member_id, "event_seq": event.seq, "tier": tier})
    return Member(member_id, card_no, phone, name, tier, 0)


def identify(conn: sqlite3.Connection, token: object) -> Member:
    """The active member whose card number, phone or QR token is `token`."""
    if not isinstance(token, str) or not token.strip() or len(token) > 200:
        raise OpsError("bad_request", "give a member card number, phone or QR code")
    key = token.strip()
    row = conn.execute("SELECT id FROM member WHERE active = 1 AND (card_no = ? OR phone = ?"
                       " OR qr_token = ?)", (key, key, key)).fetchone()
    if row is None:
        raise OpsError("unknown_member", "no member for this card, phone or QR code")
    member = by_id(conn, row[0])
    assert member is not None
    return member


def by_id(conn: sqlite3.Connection, member_id: str) -> Member | None:
    row = conn.execute("SELECT id, card_no, phone, name, tier FROM member WHERE id = ?",
                       (member_id,)).fetchone()
    if row is None:
        return None
    return Member(row[0], row[1], row[2], row[3], row[4], points_balance(conn, row[0]))


def points_balance(conn: sqlite3.Connection, member_id: str) -> int:
    return int(conn.execute("SELECT COALESCE(SUM(points), 0) FROM points_movement"
                            " WHERE member_id = ?", (member_id,)).fetchone()[0])


def points_for_amount(amount: int, ops: StoreOpsConfig) -> int | None:
    """The points that pay `amount` fen (POINTS_REDEEM), or None when not a whole number."""
    points, rest = divmod(amount * ops.points_per_yuan_redeemed, 100)
    return None if rest else points


def points_earned(eligible: int, tier: str, ops: StoreOpsConfig) -> int:
    """POINTS_EARN."""
    if eligible <= 0:
        return 0
    return (eligible // 100) * ops.earn_multiplier_pct.get(tier, 100) // 100


def record_sale_points(conn: sqlite3.Connection, sale: Sale, ops: StoreOpsConfig,
                       event_seq: int) -> None:
    """Inside the sale's transaction: the member's redeem and earn movements and `member.points`."""
    if sale.member_id is None or sale.status != "completed":
        return
    tier = sale.member_tier or "silver"
    points_paid = sum(t.amount for t in sale.tenders if t.type == "points")
    redeemed = sum(points_for_amount(t.amount, ops) or 0 for t in sale.tenders if t.type == "points")
    eligible = sale.total + sale.rounding - points_paid
    earned = points_earned(eligible, tier, ops)
    now = utc_now_iso()
    conn.execute("INSERT INTO sale_member (sale_id, member_id, tier, eligible_spend, points_earned)"
                 " VALUES (?, ?, ?, ?, ?)", (sale.id, sale.member_id, tier, eligible, earned))
    movements = [("redeem", -redeemed), ("earn", earned)]
    conn.executemany("INSERT INTO points_movement (member_id, kind, points, sale_id, event_seq, at)"
                     " VALUES (?, ?, ?, ?, ?, ?)",
                     [(sale.member_id, kind, points, sale.id, event_seq, now)
                      for kind, points in movements if points])
    # Always sent: HQ's sale schema is closed, so this event is how it learns the sale's member.
    # Offline: points paid without HQ's hold (POINTS_OFFLINE in edge/customers/account_tenders.py).
    offline = any(t.type == "points" and t.approval_code != HQ_APPROVED for t in sale.tenders)
    append_event(conn, "member.points", {"member_id": sale.member_id, "sale_id": sale.id,
                                         "tier": tier, "eligible_spend": eligible,
                                         "earned": earned, "redeemed": redeemed,
                                         "offline": offline})


def earn_reversal(conn: sqlite3.Connection, sale_id: str, refunded_non_points_after: int,
                  ops: StoreOpsConfig) -> tuple[str, int] | None:
    """POINTS_REVERSAL: (member_id, points to take back) once the sale's non-points refunds total
    `refunded_non_points_after` fen, or None when the sale earned nothing."""
    row = conn.execute("SELECT member_id, tier, eligible_spend, points_earned FROM sale_member"
                       " WHERE sale_id = ?", (sale_id,)).fetchone()
    if row is None or row["points_earned"] == 0:
        return None
    kept = points_earned(row["eligible_spend"] - refunded_non_points_after, row["tier"], ops)
    reversed_before = -int(conn.execute(
        "SELECT COALESCE(SUM(points), 0) FROM points_movement WHERE sale_id = ?"
        " AND kind = 'earn_reversal'", (sale_id,)).fetchone()[0])
    return row["member_id"], max(0, row["points_earned"] - kept - reversed_before)


def add_points_movement(conn: sqlite3.Connection, member_id: str, kind: str, points: int,
                        sale_id: str | None, return_id: str | None, event_seq: int) -> None:
    conn.execute("INSERT INTO points_movement (member_id, kind, points, sale_id, return_id,"
                 " event_seq, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (member_id, kind, points, sale_id, return_id, event_seq, utc_now_iso()))


def sale_member_id(conn: sqlite3.Connection, sale_id: str) -> str | None:
    row = conn.execute("SELECT member_id FROM sale_member WHERE sale_id = ?", (sale_id,)).fetchone()
    return str(row[0]) if row else None


def list_members(conn: sqlite3.Connection) -> list[Member]:
    ids = [r[0] for r in conn.execute("SELECT id FROM member ORDER BY created_at, id")]
    return [m for m in (by_id(conn, i) for i in ids) if m is not None]


def apply_hq_points(conn: sqlite3.Connection, member_id: str, points: int) -> None:
    """A points correction sent down by HQ (a downlink message, so no outbox event)."""
    if by_id(conn, member_id) is None:
        raise OpsError("unknown_member", "no such member")
    with write_transaction(conn):
        add_points_movement(conn, member_id, "hq_adjust", points, None, None, 0)
