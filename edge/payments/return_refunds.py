"""A return's share that went back to a payment-code payment is refunded to that payment, through
the provider, by itself (edge/payments/refunds.py does the asking).

Rules: the return's own `mobile` refund tender (reference = the out_trade_no, written in the
return's transaction by edge/store_ops/returns.py) is the durable intent; a refund row with its
out_refund_no is written from it, committed, before any request leaves, one per (return,
payment), so asking again — the till right after the return, or the agent's periodic job after a
crash or an outage — is always the same refund. A mobile tender with no payment attempt behind it
(typed in on a till without a provider) is not ours to refund: it stays as the return recorded it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from edge.payments import provider as p
from edge.payments.attempts import Refund, pending_refunds
from edge.payments.refunds import RefundError, refund_payment, retry_pending

_SHARES = (
    "SELECT t.return_id, t.reference, t.amount, r.staff_id FROM return_tender t"
    " JOIN sale_return r ON r.id = t.return_id"
    " JOIN payment_attempt a ON a.out_trade_no = t.reference AND a.state = 'paid'"
    " WHERE t.type = 'mobile'")
_UNASKED = (_SHARES + " AND NOT EXISTS (SELECT 1 FROM payment_refund f"
            " WHERE f.return_id = t.return_id AND f.out_trade_no = t.reference)"
            " ORDER BY r.event_seq")


def refund_return(conn: sqlite3.Connection, providers: Mapping[str, p.PaymentProvider],
                  return_id: str, *, store_id: str, terminal_id: str) -> list[Refund]:
    """Refund every payment-code share of this return; each as it stands after one try
    (success, failed, or pending when the provider could not confirm it yet)."""
    rows = conn.execute(_SHARES + " AND t.return_id = ? ORDER BY t.tender_no",
                        (return_id,)).fetchall()
    return _refund_shares(conn, providers, rows, store_id, terminal_id)


def settle_return_refunds(conn: sqlite3.Connection, providers: Mapping[str, p.PaymentProvider],
                          *, store_id: str, terminal_id: str) -> list[Refund]:
    """The agent's periodic job: start the refunds of returns a crash left unasked, then ask again
    about every pending refund; the refunds still pending after."""
    rows = conn.execute(_UNASKED).fetchall()
    _refund_shares(conn, providers, rows, store_id, terminal_id)
    retry_pending(conn, providers)
    return pending_refunds(conn)


def unrequested_shares(conn: sqlite3.Connection) -> list[tuple[str, str, int]]:
    """(return id, out_trade_no, fen) of payment-code shares with no refund asked for: left by a
    crash until the agent's next round, or refused before asking (more than the payment has left
    after a refund by hand) — the manager looks at those."""
    return [(r["return_id"], r["reference"], r["amount"]) for r in conn.execute(_UNASKED)]


def _refund_shares(conn: sqlite3.Connection, providers: Mapping[str, p.PaymentProvider],
                   rows: list[sqlite3.Row], store_id: str, terminal_id: str) -> list[Refund]:
    refunds = []
    for row in rows:
        try:
            refunds.append(refund_payment(conn, providers, row["reference"], row["amount"],
                                          return_id=row["return_id"], staff_id=row["staff_id"],
                                          store_id=store_id, terminal_id=terminal_id,
                                          reason=f"return {row['return_id']}"))
        except RefundError:
            # more than the payment has left (a refund by hand took part of it): nothing is
            # asked; `unrequested_shares` lists it for the manager
            continue
    return refunds
