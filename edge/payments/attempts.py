"""Payment attempts and refunds as rows in the terminal's SQLite store.

Rule: an attempt (and a refund) is inserted, with its idempotent id from a durable counter, in a
committed transaction before any request about it leaves the till; its state only moves towards
a final one (pending → reversing → paid | closed | reversed), and a final row never changes.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from edge.ledger.clock import utc_now_iso
from edge.ledger.journal import append_entry
from edge.ledger.outbox import append_event
from edge.ledger.store import next_counter, write_transaction

FINAL_STATES = frozenset({"paid", "closed", "reversed"})
OPEN_STATES = ("pending", "reversing")
_ID_PART = re.compile(r"[^0-9A-Za-z]")


@dataclass(frozen=True)
class Attempt:
    out_trade_no: str
    seq: int
    provider: str
    sale_id: str
    amount: int
    code_hint: str
    staff_id: str
    state: str
    provider_state: str | None
    transaction_id: str | None
    charged_then_reversed: bool
    note: str
    created_at: str
    final_at: str | None

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES


@dataclass(frozen=True)
class Refund:
    out_refund_no: str
    out_trade_no: str
    amount: int
    return_id: str | None
    state: str
    provider_state: str | None
    refund_id: str | None
    note: str
    created_at: str


def out_trade_no_for(store_id: str, terminal_id: str, seq: int) -> str:
    """`P` + store + terminal + the counter, letters and digits only, at most 32 characters
    (WeChat's limit; Alipay allows 64): unique per merchant as long as store and terminal ids are."""
    store = _ID_PART.sub("", store_id)[:10]
    terminal = _ID_PART.sub("", terminal_id)[:8]
    return f"P{store}{terminal}{seq:010d}"


def mask_code(code: str) -> str:
    """A payment code is a one-time bearer token: keep only enough to recognise it."""
    code = code.strip()
    return code[:4] + "*" * max(0, len(code) - 8) + code[-4:]


def create_attempt(conn: sqlite3.Connection, *, provider: str, sale_id: str, amount: int,
                   code: str, staff_id: str, store_id: str, terminal_id: str,
                   also: Callable[[sqlite3.Connection], None] | None = None) -> Attempt:
    """Take the next out_trade_no and record the attempt, committed, before any request leaves.
    `also` runs in the same transaction (the till saves the sale being paid with it)."""
    with write_transaction(conn):
        seq = next_counter(conn, "payment_seq")
        out_trade_no = out_trade_no_for(store_id, terminal_id, seq)
        conn.execute(
            "INSERT INTO payment_attempt (out_trade_no, seq, provider, sale_id, amount, code_hint,"
            " staff_id, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
            (out_trade_no, seq, provider, sale_id, amount, mask_code(code), staff_id,
             utc_now_iso()))
        append_entry(conn, "payment.started", staff_id,
                     {"out_trade_no": out_trade_no, "provider": provider, "sale_id": sale_id,
                      "amount": amount})
        if also is not None:
            also(conn)
    found = get_attempt(conn, out_trade_no)
    assert found is not None
    return found


def get_attempt(conn: sqlite3.Connection, out_trade_no: str) -> Attempt | None:
    row = conn.execute("SELECT * FROM payment_attempt WHERE out_trade_no = ?",
                       (out_trade_no,)).fetchone()
    return _attempt(row) if row else None


def open_attempts(conn: sqlite3.Connection) -> list[Attempt]:
    """Attempts not yet final, oldest first."""
    return [_attempt(r) for r in conn.execute(
        "SELECT * FROM payment_attempt WHERE state IN ('pending', 'reversing') ORDER BY seq")]


def attempts_of_sale(conn: sqlite3.Connection, sale_id: str) -> list[Attempt]:
    return [_attempt(r) for r in conn.execute(
        "SELECT * FROM payment_attempt WHERE sale_id = ? ORDER BY seq", (sale_id,))]


def alerts(conn: sqlite3.Connection) -> list[Attempt]:
    """Attempts a manager must look at: charged and then reversed (the customer got the money
    back, but was charged for a while), or still not final."""
    return [_attempt(r) for r in conn.execute(
        "SELECT * FROM payment_attempt WHERE charged_then_reversed = 1"
        " OR state IN ('pending', 'reversing') ORDER BY seq")]


def set_reversing(conn: sqlite3.Connection, attempt: Attempt, provider_state: str | None,
                  note: str) -> Attempt:
    """The till gave up on the attempt: from now on it is only ever reversed."""
    if attempt.state != "pending":
        return attempt
    with write_transaction(conn):
        conn.execute("UPDATE payment_attempt SET state = 'reversing', provider_state = ?, note = ?"
                     " WHERE out_trade_no = ? AND state = 'pending'",
                     (provider_state, note[:300], attempt.out_trade_no))
    found = get_attempt(conn, attempt.out_trade_no)
    assert found is not None
    return found


def finish_attempt(conn: sqlite3.Connection, attempt: Attempt, state: str, *,
                   provider_state: str | None, transaction_id: str | None = None,
                   charged_then_reversed: bool = False, note: str = "",
                   in_transaction: bool = False, answers: Sequence[str] = ()) -> None:
    """Move an open attempt to its final state, journaled with the provider's `answers` that led
    there. Inside the caller's transaction when `in_transaction` (the till completes the sale in
    the same one)."""
    if state not in FINAL_STATES:
        raise ValueError(f"{state!r} is not a final state")
    if not in_transaction:
        with write_transaction(conn):
            finish_attempt(conn, attempt, state, provider_state=provider_state,
                           transaction_id=transaction_id,
                           charged_then_reversed=charged_then_reversed, note=note,
                           in_transaction=True, answers=answers)
        return
    changed = conn.execute(
        "UPDATE payment_attempt SET state = ?, provider_state = ?,"
        " transaction_id = COALESCE(?, transaction_id), charged_then_reversed = ?, note = ?,"
        " final_at = ? WHERE out_trade_no = ? AND state IN ('pending', 'reversing')",
        (state, provider_state, transaction_id, int(charged_then_reversed), note[:300],
         utc_now_iso(), attempt.out_trade_no)).rowcount
    if changed != 1:
        raise ValueError(f"attempt {attempt.out_trade_no} is already final")
    kind = "payment.reversed_after_charge" if charged_then_reversed else f"payment.{state}"
    append_entry(conn, kind, attempt.staff_id,
                 {"out_trade_no": attempt.out_trade_no, "provider": attempt.provider,
                  "sale_id": attempt.sale_id, "amount": attempt.amount,
                  "provider_state": provider_state, "transaction_id": transaction_id,
                  **({"answers": list(answers)} if answers else {})})


# --- refunds ---------------------------------------------------------------------------------

def create_refund(conn: sqlite3.Connection, attempt: Attempt, amount: int, return_id: str | None,
                  staff_id: str, store_id: str, terminal_id: str) -> Refund:
    """Record a refund of a paid attempt, with its own out_refund_no, before asking for it.
    Raises ValueError when the attempt is not paid or the amount is more than what is left."""
    with write_transaction(conn):
        row = conn.execute("SELECT state, amount FROM payment_attempt WHERE out_trade_no = ?",
                           (attempt.out_trade_no,)).fetchone()
        if row is None or row["state"] != "paid":
            raise ValueError(f"{attempt.out_trade_no} is not a paid payment")
        if return_id is not None:
            again = conn.execute("SELECT out_refund_no FROM payment_refund WHERE return_id = ?"
                                 " AND out_trade_no = ?",
                                 (return_id, attempt.out_trade_no)).fetchone()
            if again is not None:  # the same return asked twice: the same refund
                found = get_refund(conn, again[0])
                assert found is not None
                return found
        refunded = conn.execute("SELECT COALESCE(SUM(amount), 0) FROM payment_refund"
                                " WHERE out_trade_no = ? AND state != 'failed'",
                                (attempt.out_trade_no,)).fetchone()[0]
        if amount <= 0 or amount > row["amount"] - refunded:
            raise ValueError(f"{amount} fen is more than the {row['amount'] - refunded} fen left "
                             f"to refund on {attempt.out_trade_no}")
        seq = next_counter(conn, "refund_seq")
        out_refund_no = "R" + out_trade_no_for(store_id, terminal_id, seq)[1:]
        conn.execute(
            "INSERT INTO payment_refund (out_refund_no, out_trade_no, amount, return_id, state,"
            " created_at) VALUES (?, ?, ?, ?, 'pending', ?)",
            (out_refund_no, attempt.out_trade_no, amount, return_id, utc_now_iso()))
        append_entry(conn, "refund.requested", staff_id,
                     {"out_refund_no": out_refund_no, "out_trade_no": attempt.out_trade_no,
                      "amount": amount, "return_id": return_id})
    found = get_refund(conn, out_refund_no)
    assert found is not None
    return found


def get_refund(conn: sqlite3.Connection, out_refund_no: str) -> Refund | None:
    row = conn.execute("SELECT * FROM payment_refund WHERE out_refund_no = ?",
                       (out_refund_no,)).fetchone()
    return _refund(row) if row else None


def pending_refunds(conn: sqlite3.Connection) -> list[Refund]:
    return [_refund(r) for r in conn.execute(
        "SELECT * FROM payment_refund WHERE state = 'pending' ORDER BY created_at, out_refund_no")]


def failed_refunds(conn: sqlite3.Connection) -> list[Refund]:
    """Refunds the provider refused for good: the customer still waits for that money."""
    return [_refund(r) for r in conn.execute(
        "SELECT * FROM payment_refund WHERE state = 'failed' ORDER BY created_at, out_refund_no")]


def finish_refund(conn: sqlite3.Connection, refund: Refund, state: str, provider_state: str,
                  refund_id: str | None, note: str = "") -> None:
    with write_transaction(conn):
        changed = conn.execute(
            "UPDATE payment_refund SET state = ?, provider_state = ?, refund_id = ?, note = ?,"
            " final_at = ? WHERE out_refund_no = ? AND state = 'pending'",
            (state, provider_state, refund_id, note[:300], utc_now_iso(),
             refund.out_refund_no)).rowcount
        if changed == 1:
            append_entry(conn, f"refund.{state}", None,
                         {"out_refund_no": refund.out_refund_no,
                          "out_trade_no": refund.out_trade_no, "amount": refund.amount,
                          "refund_id": refund_id})
            if state == "success":
                _refunded_event(conn, refund, refund_id)


def _refunded_event(conn: sqlite3.Connection, refund: Refund, refund_id: str | None) -> None:
    """`payment.refunded`: HQ's record of money that went back through a provider, matched
    against the provider's settlement file by out_refund_no (hq/recon). Sent only once the
    provider confirmed it, in the transaction that says so."""
    row = conn.execute(
        "SELECT a.provider, a.sale_id, s.store_id, s.terminal_id FROM payment_attempt a"
        " JOIN sale s ON s.id = a.sale_id WHERE a.out_trade_no = ?",
        (refund.out_trade_no,)).fetchone()
    if row is None:  # no completed sale took this payment: nothing HQ could match it to
        return
    append_event(conn, "payment.refunded", {
        "out_refund_no": refund.out_refund_no, "out_trade_no": refund.out_trade_no,
        "provider": row["provider"], "amount": refund.amount, "return_id": refund.return_id,
        "sale_id": row["sale_id"], "store_id": row["store_id"],
        "terminal_id": row["terminal_id"], "refund_id": refund_id,
        "refunded_at": utc_now_iso()})


def _attempt(row: sqlite3.Row) -> Attempt:
    return Attempt(row["out_trade_no"], row["seq"], row["provider"], row["sale_id"],
                   row["amount"], row["code_hint"], row["staff_id"], row["state"],
                   row["provider_state"], row["transaction_id"],
                   bool(row["charged_then_reversed"]), row["note"], row["created_at"],
                   row["final_at"])


def _refund(row: sqlite3.Row) -> Refund:
    return Refund(row["out_refund_no"], row["out_trade_no"], row["amount"], row["return_id"],
                  row["state"], row["provider_state"], row["refund_id"], row["note"],
                  row["created_at"])
