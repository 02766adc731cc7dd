"""Refunds of payment-code payments to the original payment (a return's share, partial or whole).

Rules: each refund is recorded with its own out_refund_no before it is asked for, and every retry
reuses it (the provider deduplicates on it, so a retry never refunds twice); a refund is `success`
only once the provider's refund query confirms it (accepted is not done); a refund that cannot
reach the provider stays `pending`, never failed and never re-numbered, and `retry_pending` —
run away from the cashier (`pos payments retry-refunds`, or the store's agent) — asks again until
the provider confirms or refuses it. Pending refunds show in the shift's payment alerts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from edge.payments import provider as p
from edge.payments.attempts import (
    Refund,
    create_refund,
    finish_refund,
    get_attempt,
    get_refund,
    pending_refunds,
)


class RefundError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def refund_payment(conn: sqlite3.Connection, providers: Mapping[str, p.PaymentProvider],
                   out_trade_no: str, amount: int, *, return_id: str | None, staff_id: str,
                   store_id: str, terminal_id: str, reason: str = "") -> Refund:
    """Refund `amount` fen of a paid attempt; the same `return_id` asked again is the same refund
    (same out_refund_no), settled again if still pending. Returns it as it stands: success,
    failed, or pending (the provider could not confirm yet)."""
    attempt = get_attempt(conn, out_trade_no)
    if attempt is None:
        raise RefundError("not_found", f"no payment {out_trade_no}")
    try:
        refund = create_refund(conn, attempt, amount, return_id, staff_id, store_id, terminal_id)
    except ValueError as exc:
        raise RefundError("refund_refused", str(exc)) from None
    return settle_refund(conn, providers, refund, reason)


def settle_refund(conn: sqlite3.Connection, providers: Mapping[str, p.PaymentProvider],
                  refund: Refund, reason: str = "") -> Refund:
    """Ask for a pending refund (again) and confirm it by query."""
    if refund.state != "pending":
        return refund
    attempt = get_attempt(conn, refund.out_trade_no)
    client = providers.get(attempt.provider) if attempt else None
    if attempt is None or client is None:
        return refund
    try:
        answer = client.refund(p.RefundRequest(refund.out_trade_no, refund.out_refund_no,
                                               refund.amount, attempt.amount, reason))
        if answer.state == p.REFUND_FAILED:
            # refused for good? Only if the provider has no such refund: a retry of an accepted
            # one may be refused as a duplicate, and the query is the judge.
            status = client.query_refund(refund.out_trade_no, refund.out_refund_no)
            if status.state in (p.NOT_FOUND, p.REFUND_FAILED):
                finish_refund(conn, refund, "failed", answer.code or status.state, None,
                              answer.message)
                return _get(conn, refund)
        else:
            status = client.query_refund(refund.out_trade_no, refund.out_refund_no)
    except (p.ProviderUnreachable, p.ProviderNoAnswer):
        return refund                       # stays pending: retried later with the same number
    if status.state == p.REFUND_SUCCESS:
        finish_refund(conn, refund, "success", status.code or p.REFUND_SUCCESS, status.refund_id)
    elif status.state == p.REFUND_FAILED:
        finish_refund(conn, refund, "failed", status.code or p.REFUND_FAILED, status.refund_id,
                      status.message)
    return _get(conn, refund)


def retry_pending(conn: sqlite3.Connection,
                  providers: Mapping[str, p.PaymentProvider]) -> list[Refund]:
    """Settle every pending refund that can be settled now; the ones still pending after."""
    for refund in pending_refunds(conn):
        settle_refund(conn, providers, refund)
    return pending_refunds(conn)


def _get(conn: sqlite3.Connection, refund: Refund) -> Refund:
    found = get_refund(conn, refund.out_refund_no)
    assert found is not None
    return found
