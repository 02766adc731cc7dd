"""Settling payment attempts nobody waits for, away from the cashier: the sync agent's payment job
(cli/_payment_job.py) each round, and `pos payments settle` for a manager.

Rule: an attempt here is only ever reversed, never applied to a sale (a SUCCESS found now is
reversed and flagged charged-then-reversed); a `pending` attempt is touched only once it is older
than any till waits (`STALE_PENDING_S`), so a live till's own attempt is left to that till.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from edge.ledger.clock import utc_now_iso
from edge.payments import provider as p
from edge.payments.attempts import Attempt, get_attempt, open_attempts
from edge.payments.flow import PaymentFlow
from edge.payments.settings import PaymentSettings

# A till gives up on an attempt at `timeout_s` (at most 45 s) and then reverses it itself for
# `reverse_for_s` (90 s by default): older than this, a pending attempt is nobody's.
STALE_PENDING_S = 180.0


@dataclass(frozen=True)
class Settled:
    attempt: Attempt
    answers: list[str]          # what the provider said during this try, in order


def unsettled(conn: sqlite3.Connection, stale_pending_s: float = STALE_PENDING_S,
              now_iso: str | None = None) -> list[Attempt]:
    """Attempts the background settles: every `reversing` one, and `pending` ones older than
    `stale_pending_s`."""
    cutoff = _parse(now_iso or utc_now_iso()) - timedelta(seconds=stale_pending_s)
    return [a for a in open_attempts(conn)
            if a.state == "reversing" or _parse(a.created_at) <= cutoff]


def settle_attempt(conn: sqlite3.Connection, providers: Mapping[str, p.PaymentProvider],
                   out_trade_no: str,
                   settings: PaymentSettings | None = None) -> Settled:
    """One try at settling one attempt (a pending one is given up first). Raises KeyError for an
    unknown out_trade_no and LookupError when its provider is not configured here."""
    attempt = get_attempt(conn, out_trade_no)
    if attempt is None:
        raise KeyError(out_trade_no)
    if attempt.final:                     # nothing to ask: what the provider said then
        return Settled(attempt, _last_answers(conn, attempt))
    if attempt.provider not in providers:
        raise LookupError(f"{attempt.provider} is not configured on this store")
    flow = _flow(conn, providers, settings)
    settled = flow.settle(out_trade_no)
    # a final attempt's answers went to the journal with its state; an open one's are in the flow
    return Settled(settled, _last_answers(conn, settled) if settled.final
                   else flow.answers(out_trade_no))


def settle_open_attempts(conn: sqlite3.Connection, providers: Mapping[str, p.PaymentProvider],
                         settings: PaymentSettings | None = None,
                         stale_pending_s: float = STALE_PENDING_S) -> list[Settled]:
    """One try at each attempt nobody waits for; returns those still not final."""
    flow = _flow(conn, providers, settings)
    left = []
    for attempt in unsettled(conn, stale_pending_s):
        if attempt.provider not in providers:
            left.append(Settled(attempt, []))
            continue
        settled = flow.settle(attempt.out_trade_no)
        if not settled.final:
            left.append(Settled(settled, flow.answers(attempt.out_trade_no)))
    return left


def _flow(conn: sqlite3.Connection, providers: Mapping[str, p.PaymentProvider],
          settings: PaymentSettings | None) -> PaymentFlow:
    # no sale waits for anything settled here: a SUCCESS is reversed, never applied
    return PaymentFlow(conn, providers, settings or PaymentSettings(), lambda a, s: False)


def _last_answers(conn: sqlite3.Connection, attempt: Attempt) -> list[str]:
    """The answers journaled with the attempt's final state."""
    row = conn.execute("SELECT body FROM journal WHERE kind LIKE 'payment.%' AND"
                       " json_extract(body, '$.out_trade_no') = ? AND"
                       " json_extract(body, '$.answers') IS NOT NULL ORDER BY seq DESC LIMIT 1",
                       (attempt.out_trade_no,)).fetchone()
    answers = json.loads(row[0]).get("answers", []) if row else []
    return [str(a) for a in answers]


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))
