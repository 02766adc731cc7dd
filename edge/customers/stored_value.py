"""Stored-value cards (储值卡): top-up, spend as a tender, refund, balance enquiry. HQ holds the
authoritative balance; the till keeps a local view = HQ's last confirmed balance + this till's
movements after the seq HQ confirmed through. The rules are in docs/stored-value.md.

Rule SV_OFFLINE_LIMITS: while the sync link is down, a spend is allowed only if this card's
unconfirmed offline spends plus it stay within `offline_card_limit`, and all cards' unconfirmed
offline spends plus it stay within `offline_store_limit`. An offline spend's event carries
`lock: true`: HQ then locks the card for other tills until it has applied the spend. A card that
HQ reports locked by another terminal (`locked_by`) cannot be spent here.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from edge.ledger.clock import utc_now_iso
from edge.ledger.hq_link import link_online
from edge.ledger.journal import append_entry
from edge.ledger.outbox import append_event
from edge.ledger.store import write_transaction
from edge.ops_config import StoreOpsConfig
from edge.ops_error import OpsError
from edge.sale.basket import Sale
from edge.sale.tenders import TenderError

_CARD = re.compile(r"^[0-9A-Za-z]{4,32}$")
TOPUP_TENDERS = ("cash", "card", "mobile")


@dataclass(frozen=True)
class CardBalance:
    card_no: str
    member_id: str | None
    balance: int                 # local view, fen
    confirmed_balance: int       # HQ's last figure
    unconfirmed_offline: int     # fen spent offline here and not yet acknowledged by HQ
    locked_by: str | None


def issue_card(conn: sqlite3.Connection, staff_id: str, card_no: str,
               member_id: str | None = None) -> None:
    """Register a new card with a zero balance (HQ may also send cards down)."""
    _check_card_no(card_no)
    with write_transaction(conn):
        if conn.execute("SELECT 1 FROM stored_value_card WHERE card_no = ?", (card_no,)).fetchone():
            raise OpsError("duplicate_card", f"card {card_no} exists")
        if member_id is not None and not conn.execute("SELECT 1 FROM member WHERE id = ?",
                                                      (member_id,)).fetchone():
            raise OpsError("unknown_member", "no such member")
        conn.execute("INSERT INTO stored_value_card (card_no, member_id) VALUES (?, ?)",
                     (card_no, member_id))
        append_entry(conn, "stored_value.issued", staff_id, {"card_no": card_no,
                                                             "member_id": member_id})


def apply_hq_balance(conn: sqlite3.Connection, card_no: str, balance: int, through_seq: int,
                     locked_by: str | None) -> None:
    """HQ's word on a card (from the downlink): its balance including this till's movements up to
    `through_seq`, and the terminal that holds it locked, if any. Creates unknown cards."""
    with write_transaction(conn):
        conn.execute(
            "INSERT INTO stored_value_card (card_no, confirmed_balance, confirmed_seq, locked_by)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (card_no) DO UPDATE SET"
            " confirmed_balance = excluded.confirmed_balance,"
            " confirmed_seq = excluded.confirmed_seq, locked_by = excluded.locked_by",
            (card_no, balance, through_seq, locked_by))


def balance(conn: sqlite3.Connection, card_no: object) -> CardBalance:
    if not isinstance(card_no, str):
        raise OpsError("bad_request", "card must be a string")
    row = conn.execute("SELECT member_id, confirmed_balance, confirmed_seq, locked_by, active"
                       " FROM stored_value_card WHERE card_no = ?", (card_no,)).fetchone()
    if row is None or not row["active"]:
        raise OpsError("unknown_card", "no such stored-value card")
    local = int(conn.execute("SELECT COALESCE(SUM(amount), 0) FROM stored_value_movement"
                             " WHERE card_no = ? AND event_seq > ?",
                             (card_no, row["confirmed_seq"])).fetchone()[0])
    return CardBalance(card_no, row["member_id"], row["confirmed_balance"] + local,
                       row["confirmed_balance"], _unconfirmed_offline(conn, card_no),
                       row["locked_by"])


def _unconfirmed_offline(conn: sqlite3.Connection, card_no: str | None) -> int:
    sql = ("SELECT COALESCE(-SUM(m.amount), 0) FROM stored_value_movement m"
           " JOIN outbox o ON o.seq = m.event_seq"
           " WHERE m.kind = 'spend' AND m.offline = 1 AND o.state = 'pending'")
    if card_no is None:
        return int(conn.execute(sql).fetchone()[0])
    return int(conn.execute(sql + " AND m.card_no = ?", (card_no,)).fetchone()[0])


def check_spend(conn: sqlite3.Connection, ops: StoreOpsConfig, terminal_id: str, sale: Sale,
                card_no: object, amount: int) -> str:
    """Refuse (TenderError) a stored-value tender the card cannot pay; returns the card number."""
    if not isinstance(card_no, str) or not card_no:
        raise TenderError("bad_request", "a stored_value tender needs the card number ('card')")
    try:
        card = balance(conn, card_no)
    except OpsError as exc:
        raise TenderError(exc.code, exc.message) from None
    if card.locked_by is not None and card.locked_by != terminal_id:
        raise TenderError("card_locked", f"this card was spent offline on till {card.locked_by}; "
                                         "wait until HQ confirms it")
    in_sale = sum(t.amount for t in sale.tenders if t.type == "stored_value"
                  and t.reference == card_no)
    if amount + in_sale > card.balance:
        raise TenderError("insufficient_balance", "the card's balance is too low")
    if not link_online(conn):
        if card.unconfirmed_offline + in_sale + amount > ops.stored_value_offline_card_limit:
            raise TenderError("offline_card_limit", "offline: this card's offline spending limit "
                                                    "is reached")
        store_in_sale = sum(t.amount for t in sale.tenders if t.type == "stored_value")
        if (_unconfirmed_offline(conn, None) + store_in_sale + amount
                > ops.stored_value_offline_store_limit):
            raise TenderError("offline_store_limit", "offline: the store's offline stored-value "
                                                     "limit is reached")
    return card_no


def topup(conn: sqlite3.Connection, staff_id: str, terminal_id: str, card_no: object,
          amount: int, tender: object) -> CardBalance:
    """Load money onto a card, paid in cash (it goes into the drawer) or by card/mobile."""
    if tender not in TOPUP_TENDERS:
        raise OpsError("bad_request", f"top-up tender must be one of {', '.join(TOPUP_TENDERS)}")
    if amount <= 0:
        raise OpsError("invalid_amount", "top-up amount must be greater than zero")
    card = balance(conn, card_no)
    offline = not link_online(conn)
    with write_transaction(conn):
        event = append_event(conn, "stored_value.topup",
                             {"card_no": card.card_no, "amount": amount, "tender": tender,
                              "terminal_id": terminal_id, "staff_id": staff_id,
                              "offline": offline, "shift_id": _open_shift(conn, terminal_id)})
        _movement(conn, card.card_no, "topup", amount, offline, str(tender), None, None, staff_id,
                  event.seq)
        append_entry(conn, "stored_value.topup", staff_id,
                     {"card_no": card.card_no, "amount": amount, "tender": tender,
                      "event_seq": event.seq})
    return balance(conn, card.card_no)


def record_sale_spends(conn: sqlite3.Connection, sale: Sale) -> None:
    """Inside the sale's transaction: one movement and one `stored_value.spend` event per tender."""
    offline = not link_online(conn)
    for t in sale.tenders:
        if t.type != "stored_value" or t.reference is None:
            continue
        event = append_event(conn, "stored_value.spend",
                             {"card_no": t.reference, "amount": t.amount, "sale_id": sale.id,
                              "terminal_id": sale.terminal_id, "offline": offline,
                              "lock": offline})
        _movement(conn, t.reference, "spend", -t.amount, offline, None, sale.id, None,
                  sale.staff_id, event.seq)


def record_refund(conn: sqlite3.Connection, card_no: str, amount: int, return_id: str,
                  sale_id: str | None, terminal_id: str, staff_id: str) -> None:
    """Inside a return's transaction: money back onto the card, `stored_value.refund` event."""
    offline = not link_online(conn)
    event = append_event(conn, "stored_value.refund",
                         {"card_no": card_no, "amount": amount, "return_id": return_id,
                          "sale_id": sale_id, "terminal_id": terminal_id, "offline": offline})
    _movement(conn, card_no, "refund", amount, offline, None, sale_id, return_id, staff_id,
              event.seq)


def _movement(conn: sqlite3.Connection, card_no: str, kind: str, amount: int, offline: bool,
              tender: str | None, sale_id: str | None, return_id: str | None,
              staff_id: str | None, event_seq: int) -> None:
    conn.execute("INSERT INTO stored_value_movement (card_no, kind, amount, offline, tender,"
                 " sale_id, return_id, staff_id, event_seq, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (card_no, kind, amount, int(offline), tender, sale_id, return_id, staff_id,
                  event_seq, utc_now_iso()))


def _check_card_no(card_no: object) -> None:
    if not isinstance(card_no, str) or not _CARD.match(card_no):
        raise OpsError("bad_request", "card number must be 4 to 32 letters or digits")


def _open_shift(conn: sqlite3.Connection, terminal_id: str) -> str | None:
    """The shift whose drawer took a top-up's money, for HQ to find it in that shift's takings
    (HQ flags a top-up that names none). Read here rather than through edge.store_ops, which
    stands above customers."""
    row = conn.execute("SELECT o.id FROM shift_open o LEFT JOIN shift_close c ON c.shift_id = o.id"
                       " WHERE o.terminal_id = ? AND c.shift_id IS NULL"
                       " ORDER BY o.event_seq DESC LIMIT 1", (terminal_id,)).fetchone()
    return str(row[0]) if row else None
