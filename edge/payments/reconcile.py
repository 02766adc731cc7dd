"""Reconciliation (对账) of one provider's daily settlement file against this store's attempts and
refunds, by out_trade_no and out_refund_no. The provider's file is the last word on money; what
the store believes and the file disagree on is listed, never silently corrected.

Rule: a day is a calendar day in Beijing time (UTC+8), as the providers cut their files; the
store's side is its paid attempts and successful refunds that became final that day.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

BEIJING = timedelta(hours=8)


@dataclass(frozen=True)
class SettledItem:
    """One row of a settlement file, as the provider's parser gives it."""

    kind: str                   # payment | refund
    out_trade_no: str
    out_refund_no: str | None
    amount: int                 # fen, positive
    fee: Decimal                # yuan, as the file says (WeChat: 5 decimals); refunds negative
    line: int


@dataclass
class ReconReport:
    matched: list[str] = field(default_factory=list)
    # the provider settled it, the store has no paid attempt / successful refund: a one-sided
    # account (单边账) — for a payment the customer was charged without a completed sale here
    missing_here: list[SettledItem] = field(default_factory=list)
    # the store recorded it, the provider's file does not have it
    missing_at_provider: list[tuple[str, str, int]] = field(default_factory=list)
    mismatched: list[tuple[str, int, int]] = field(default_factory=list)   # (id, ours, theirs)
    # paid after the till gave up and reversed (already an alert at the store): the file shows
    # the payment and its reversal; nothing more to do
    reversed_after_charge: list[str] = field(default_factory=list)
    fees: Decimal = Decimal("0")

    @property
    def clean(self) -> bool:
        return not (self.missing_here or self.missing_at_provider or self.mismatched)


def reconcile(conn: sqlite3.Connection, provider: str, day: date,
              items: list[SettledItem]) -> ReconReport:
    report = ReconReport()
    ours_paid = {r[0]: r[1] for r in conn.execute(
        "SELECT out_trade_no, amount, final_at FROM payment_attempt WHERE provider = ?"
        " AND state = 'paid'", (provider,)) if _beijing_day(r[2]) == day}
    ours_paid_any = {r[0]: r[1] for r in conn.execute(
        "SELECT out_trade_no, amount FROM payment_attempt WHERE provider = ? AND state = 'paid'",
        (provider,))}
    ours_refunds = {r[0]: r[1] for r in conn.execute(
        "SELECT f.out_refund_no, f.amount, f.final_at FROM payment_refund f JOIN payment_attempt a"
        " USING (out_trade_no) WHERE a.provider = ? AND f.state = 'success'", (provider,))
        if _beijing_day(r[2]) == day}
    ours_refunds_any = {r[0]: r[1] for r in conn.execute(
        "SELECT f.out_refund_no, f.amount FROM payment_refund f JOIN payment_attempt a"
        " USING (out_trade_no) WHERE a.provider = ? AND f.state IN ('success', 'pending')",
        (provider,))}
    reversed_ = {r[0] for r in conn.execute(
        "SELECT out_trade_no FROM payment_attempt WHERE provider = ? AND state = 'reversed'"
        " AND charged_then_reversed = 1", (provider,))}
    seen: set[str] = set()
    for item in items:
        report.fees += item.fee
        if item.out_trade_no in reversed_:
            if item.out_trade_no not in report.reversed_after_charge:
                report.reversed_after_charge.append(item.out_trade_no)
            continue
        key = item.out_refund_no if item.kind == "refund" else item.out_trade_no
        if key is None:
            report.missing_here.append(item)
            continue
        seen.add(key)
        ours = (ours_refunds_any if item.kind == "refund" else ours_paid_any).get(key)
        if ours is None:
            report.missing_here.append(item)
        elif ours != item.amount:
            report.mismatched.append((key, ours, item.amount))
        else:
            report.matched.append(key)
    for key, amount in sorted(ours_paid.items()):
        if key not in seen:
            report.missing_at_provider.append(("payment", key, amount))
    for key, amount in sorted(ours_refunds.items()):
        if key not in seen:
            report.missing_at_provider.append(("refund", key, amount))
    return report


def _beijing_day(iso: str | None) -> date | None:
    if not iso:
        return None
    return (datetime.fromisoformat(iso) + BEIJING).date()
