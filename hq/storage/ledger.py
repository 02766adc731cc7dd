"""HQ's stored-value ledger: every movement of every card, with its rules, written in the
transaction of the batch that carried it; both engines run this same code (SQL kept portable).

Rules: a card belongs to the store of its first topup; another store's terminal moves it only
under a grant from a balance look-up (hq/ownership.py, checked before this ledger runs); amounts
are positive and bounded (hq/schemas.py); a movement id (the event id) is applied once; a spend
beyond the balance is accepted only as an overdraft within the till's offline card limit
(offline, or while the terminal's earlier events are still missing) and raises an alert; a
refund needs its return and never exceeds what that return gave back to the card; a topup is
attributed to the store that took the money and checked later against its Z reports; an offline
lock expires after `lock_hours` (default 24, `pos hq ingest --lock-hours`) and HQ can clear it.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from hq.schemas import SV_TYPES, Refund, Return, Spend, Topup
from hq.storage.interface import Accepted, Refused

LOCK_HOURS = 24.0
OFFLINE_CARD_LIMIT = 20_000  # fen: the till's own default ([stored_value] offline_card_limit)


class Ledger:
    """One transaction's view of the ledger, on a DB-API cursor whose placeholder is `mark`."""

    def __init__(self, cur: Any, postgres: bool, lock_hours: float = LOCK_HOURS) -> None:
        self.cur = cur
        self.postgres = postgres
        self.mark = "%s" if postgres else "?"
        self.lock_hours = lock_hours

    def _q(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        return self.cur.execute(sql.replace("%s", self.mark), args)

    def apply(self, store: str, terminal: str, seq: int, event_id: str, fact: Any,
              acked_to: int, earlier_in_batch: int, at: str) -> str | None:
        """Apply one movement; the reason it is refused, or None. `earlier_in_batch` counts this
        batch's events below `seq`, to tell an honest out-of-order arrival from a lie."""
        if self._q("SELECT 1 FROM hq_sv_movement WHERE movement_id = %s",
                   (event_id,)).fetchone():
            return f"duplicate_fact: movement {event_id} is already in the ledger"
        missing_before = acked_to < seq - 1 - earlier_in_batch
        now = datetime.now(UTC)
        balance = self._balance(fact.card_no)
        overdraft = False
        alert = None
        if isinstance(fact, Topup):
            kind, delta = "topup", fact.amount
            if fact.shift_id is None:
                alert = "topup without a shift: check it against the store's Z reports"
        elif isinstance(fact, Spend):
            kind, delta = "spend", -fact.amount
            if balance - fact.amount < 0:
                # Offline, or online with this terminal's earlier events still missing (its
                # topup may be among them): an overdraft the till could really have made, never
                # deeper than its offline card limit. Anything else is a lie or a bug.
                if not (fact.offline or missing_before):
                    return f"insufficient_balance: balance {balance}, spend {fact.amount}"
                if fact.amount - balance > OFFLINE_CARD_LIMIT:
                    return (f"overdraft beyond the offline card limit: balance {balance},"
                            f" spend {fact.amount}")
                overdraft = True
                alert = f"overdraft: balance {balance}, spend {fact.amount}"
        elif isinstance(fact, Refund):
            # Strict even while earlier events are missing: a refund without its return would
            # mint money. (Return and refund share one till transaction, so they travel together.)
            kind, delta = "refund", fact.amount
            reason = self._refund_covered(store, fact)
            if reason is not None:
                return reason
        else:
            raise TypeError(f"not a stored-value movement: {type(fact).__name__}")
        self._q("INSERT INTO hq_sv_movement (movement_id, card_no, store, terminal, seq, kind,"
                " amount, delta, sale_id, return_id, shift_id, tender, offline, overdraft, at,"
                " received_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
                " %s, %s)",
                (event_id, fact.card_no, store, terminal, seq, kind, fact.amount, delta,
                 getattr(fact, "sale_id", None), getattr(fact, "return_id", None),
                 getattr(fact, "shift_id", None), getattr(fact, "tender", None), fact.offline,
                 overdraft, at, now.isoformat()))
        lock = isinstance(fact, Spend) and fact.offline and fact.lock
        until = (now + timedelta(hours=self.lock_hours)).isoformat() if lock else None
        # The card's owner (hq/ownership.py): the store of its first topup HQ applies.
        self._q("INSERT INTO hq_sv_card (card_no, balance, lock_store, lock_terminal, lock_until,"
                " owner_store) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (card_no) DO UPDATE SET"
                " balance = hq_sv_card.balance + excluded.balance,"
                " lock_store = coalesce(excluded.lock_store, hq_sv_card.lock_store),"
                " lock_terminal = coalesce(excluded.lock_terminal, hq_sv_card.lock_terminal),"
                " lock_until = coalesce(excluded.lock_until, hq_sv_card.lock_until),"
                " owner_store = coalesce(hq_sv_card.owner_store, excluded.owner_store)",
                (fact.card_no, delta, store if lock else None, terminal if lock else None, until,
                 store if kind == "topup" else None))
        if alert:
            self._q("INSERT INTO hq_sv_alert (card_no, movement_id, store, terminal, detail, at)"
                    " VALUES (%s, %s, %s, %s, %s, %s)",
                    (fact.card_no, event_id, store, terminal, alert, now.isoformat()))
        return None

    def _balance(self, card_no: str) -> int:
        # Locked until commit: two workers spending one card wait for each other, so both see
        # the balance the other left (a deadlock between them is retried like an outage).
        lock = " FOR UPDATE" if self.postgres else ""
        row = self._q(f"SELECT balance FROM hq_sv_card WHERE card_no = %s{lock}",
                      (card_no,)).fetchone()
        return int(row[0]) if row else 0

    def _refund_covered(self, store: str, refund: Refund) -> str | None:
        key = "payload->>'return_id'" if self.postgres else "json_extract(payload, '$.return_id')"
        text = "payload::text" if self.postgres else "payload"
        row = self._q(f"SELECT {text} FROM hq_event WHERE type = 'return.completed'"
                      f" AND store = %s AND {key} = %s", (store, refund.return_id)).fetchone()
        if row is None:
            return f"refund for return {refund.return_id}, which HQ does not hold from this store"
        ret = msgspec.json.decode(row[0], type=Return)
        given = sum(t.amount for t in ret.tenders
                    if t.type == "stored_value" and t.reference == refund.card_no)
        already = self._q("SELECT coalesce(sum(amount), 0) FROM hq_sv_movement"
                          " WHERE kind = 'refund' AND return_id = %s AND card_no = %s",
                          (refund.return_id, refund.card_no)).fetchone()[0]
        if int(already) + refund.amount > given:
            return (f"refund of {refund.amount} exceeds what return {refund.return_id} gave back"
                    f" to the card ({given}, {already} already refunded)")
        return None


def balance_reply(cur: Any, mark: str, card_no: str, store: str, terminal: str) -> \
        tuple[int, int, tuple[str, str] | None] | None:
    """(balance for the asker, its watermark, the lock holder) from the ledger; None when HQ
    has never seen the card. The asker's own movements count only up to its ack watermark (the
    till adds its later ones itself)."""
    def q(sql: str, args: tuple[Any, ...]) -> Any:
        return cur.execute(sql.replace("%s", mark), args)

    card = q("SELECT balance, lock_store, lock_terminal, lock_until FROM hq_sv_card"
             " WHERE card_no = %s", (card_no,)).fetchone()
    if card is None:
        return None
    row = q("SELECT acked_to FROM hq_terminal WHERE store = %s AND terminal = %s",
            (store, terminal)).fetchone()
    through = int(row[0]) if row else 0
    later = q("SELECT coalesce(sum(delta), 0) FROM hq_sv_movement WHERE card_no = %s"
              " AND store = %s AND terminal = %s AND seq > %s",
              (card_no, store, terminal, through)).fetchone()[0]
    holder = None
    lock_store, lock_terminal, until = card[1], card[2], card[3]
    if lock_store is not None and (lock_store, lock_terminal) != (store, terminal):
        until_at = until if isinstance(until, datetime) else datetime.fromisoformat(until)
        state = q("SELECT online, acked_to, max_seq FROM hq_terminal WHERE store = %s"
                  " AND terminal = %s", (lock_store, lock_terminal)).fetchone()
        behind = state is not None and (not state[0] or state[2] > state[1])
        if behind and until_at > datetime.now(UTC):
            holder = (lock_store, lock_terminal)
    return int(card[0]) - int(later), through, holder


def clear_lock(cur: Any, mark: str, card_no: str) -> bool:
    """HQ lifts a card's offline lock by hand (`pos hq clear-lock`)."""
    cur.execute("UPDATE hq_sv_card SET lock_store = NULL, lock_terminal = NULL,"
                " lock_until = NULL WHERE card_no = %s".replace("%s", mark), (card_no,))
    return bool(cur.rowcount)


def apply_batch(ledger: Ledger, store: str, terminal: str, fresh: list[Accepted],
                batch_seqs: list[int], acked_to: int) -> tuple[list[Accepted], list[Refused]]:
    """Apply the stored-value movements among a batch's new events, in seq order: (the ones
    applied, the ones the rules refuse, as refusals)."""
    applied: list[Accepted] = []
    refused: list[Refused] = []
    ordered = sorted(batch_seqs)
    for e in sorted((e for e in fresh if e.type in SV_TYPES), key=lambda e: e.seq):
        reason = ledger.apply(store, terminal, e.seq, e.event_id, e.fact, acked_to,
                              bisect_left(ordered, e.seq), e.created_at)
        if reason is None:
            applied.append(e)
        else:
            refused.append(Refused(e.seq, e.event_id, e.type, reason, e.payload))
    return applied, refused


def reconcile_topups(cur: Any, postgres: bool, store: str | None = None
                     ) -> list[tuple[str, str, int | None, str, int, int]]:
    """Each terminal's topups against its Z reports: (store, terminal, z_number or None for
    topups no Z covers yet, tender, the Z's figure, HQ's figure), for every difference. A topup
    is money the store took: its Z report must count it, to the fen."""
    mark = "%s" if postgres else "?"
    text = "payload::text" if postgres else "payload"
    nullable = "%s::text" if postgres else "?"  # PostgreSQL must know the type of a NULL
    zs = cur.execute(f"SELECT store, terminal, {text} FROM hq_event WHERE type = 'shift.z_report'"
                     f" AND ({nullable} IS NULL OR store = {mark}) ORDER BY store, terminal, seq",
                     (store, store)).fetchall()
    out: list[tuple[str, str, int | None, str, int, int]] = []
    covered: dict[tuple[str, str], int] = {}
    for z_store, terminal, body in zs:
        z = msgspec.json.decode(body)
        low, high = int(z.get("from_seq", 0)), int(z.get("to_seq", 0))
        counted = {str(k): int(v) for k, v in (z.get("cash", {}).get("stored_value_topups")
                                               or {}).items()}
        held = dict(cur.execute(
            f"SELECT tender, sum(amount) FROM hq_sv_movement WHERE kind = 'topup' AND store ="
            f" {mark} AND terminal = {mark} AND seq > {mark} AND seq <= {mark} GROUP BY tender",
            (z_store, terminal, low, high)).fetchall())
        for tender in sorted(set(counted) | set(held)):
            if counted.get(tender, 0) != int(held.get(tender) or 0):
                out.append((z_store, terminal, z.get("z_number"), tender, counted.get(tender, 0),
                            int(held.get(tender) or 0)))
        covered[(z_store, terminal)] = max(covered.get((z_store, terminal), 0), high)
    open_rows = cur.execute(
        f"SELECT store, terminal, tender, sum(amount), max(seq) FROM hq_sv_movement"
        f" WHERE kind = 'topup' AND ({nullable} IS NULL OR store = {mark})"
        f" GROUP BY store, terminal, tender ORDER BY store, terminal, tender",
        (store, store)).fetchall()
    for t_store, terminal, tender, _total, _top in open_rows:
        above = cur.execute(
            f"SELECT coalesce(sum(amount), 0) FROM hq_sv_movement WHERE kind = 'topup' AND store"
            f" = {mark} AND terminal = {mark} AND tender = {mark} AND seq > {mark}",
            (t_store, terminal, tender, covered.get((t_store, terminal), 0))).fetchone()[0]
        if int(above):
            out.append((t_store, terminal, None, tender or "", 0, int(above)))
    return out
