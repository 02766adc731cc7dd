"""The till's payment-code tender (付款码): a customer's WeChat Pay or Alipay code scanned while a
sale is due starts a provider attempt (edge/payments/flow.py) for what is due.

Rules:
- the sale being paid is saved as the terminal's draft in the same transaction that records the
  attempt, so a crash can neither lose the basket nor the payment; the sale takes the payment
  (a `mobile` tender whose reference is the out_trade_no) only on the provider's SUCCESS, in the
  transaction that marks the attempt paid;
- while an attempt may still complete the sale, nothing else happens at this till: no new code,
  no other tender, no change to the sale (`waiting`);
- offline (the request could not leave) is said at once, with the other tenders to use;
- no attempt blocks another, and the till never waits on a provider to start: an attempt nobody
  waits for any more (a crash left it, its reversal is still refused or unanswered) is handed to
  the background (`hand_over_at_start`, and before each new code), where the sync agent's payment
  job reverses it (cli/_payment_job.py); new codes and other tenders are taken meanwhile;
- what the cashier is told says what happened to the customer's money.
`start`, `poll` and `cancel` run here and now; their `*_steps` forms yield each provider request
(edge/payments/steps.py) so that the Qt apps send it off the GUI thread.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from edge.config import StoreConfig
from edge.ledger.store import write_transaction
from edge.payments import provider as p
from edge.payments.attempts import Attempt, finish_attempt
from edge.payments.flow import UNREACHABLE, PaymentFlow
from edge.payments.settings import (
    PaymentSettings,
    payment_code_body,
    payment_settings,
    provider_for_code,
)
from edge.payments.steps import Steps, run_steps
from edge.sale.basket import Sale
from edge.sale.tenders import TenderError, apply_tender
from edge.till.record import load_draft, record_sale, save_draft

TENDER_TYPE = "mobile"
PROVIDER_NAMES = {"wechat": "WeChat Pay", "alipay": "Alipay"}
CLOCK_WARN_S = 60.0   # providers refuse requests 5 minutes off: warn well before


class PaymentRefused(Exception):
    """A payment could not start; nothing was sent and the sale is as it was."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Outcome:
    attempt: Attempt | None
    sale: Sale | None = None            # the sale after a SUCCESS: completed, or partly paid
    error: tuple[str, str] | None = None  # (code, message) for the cashier when it ended unpaid


class MobilePayments:
    def __init__(self, conn: sqlite3.Connection, config: StoreConfig,
                 providers: Mapping[str, p.PaymentProvider],
                 settings: PaymentSettings | None = None,
                 now: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.conn = conn
        self.config = config
        self.flow = PaymentFlow(conn, providers, settings or payment_settings(config),
                                self._on_paid, now, sleep)
        self.waiting: Attempt | None = None   # the attempt that may still complete the sale
        self._applied: Sale | None = None

    def start(self, sale: Sale, code: str, amount: int | None, staff_id: str,
              wait: bool = True) -> Outcome:
        return self.run(self.start_steps(sale, code, amount, staff_id, wait))

    def poll(self, wait: bool = False) -> Outcome:
        return self.run(self.poll_steps(wait))

    def cancel(self) -> Outcome:
        return self.run(self.cancel_steps())

    def run(self, steps: Steps[Outcome]) -> Outcome:
        """Run an operation's steps here and now."""
        return run_steps(steps, self.flow.sleep)

    def start_steps(self, sale: Sale, code: str, amount: int | None, staff_id: str,
                    wait: bool = True) -> Steps[Outcome]:
        """Start paying `amount` (default: all that is due) of `sale` with a payment code; with
        `wait`, follow the attempt until it is final."""
        if self.waiting is not None:
            raise PaymentRefused("payment_pending", f"payment {self.waiting.out_trade_no} is "
                                 "still waiting: wait for it or cancel it first")
        code = payment_code_body(code)
        provider = provider_for_code(code)
        if provider is None:
            raise PaymentRefused("invalid_payment_code", "not a WeChat Pay or Alipay payment code")
        if provider not in self.flow.providers:
            raise PaymentRefused("payment_not_configured", f"this store takes no {provider} "
                                 "payments: use another tender")
        due = sale.remaining
        amount = due if amount is None else amount
        if due <= 0:
            raise PaymentRefused("nothing_due", "nothing is due on this sale")
        if not 0 < amount <= due:
            raise PaymentRefused("invalid_amount", f"a payment code pays 0.01 up to the {due} fen "
                                                   "due, and gives no change")
        # an earlier attempt nobody waits for is never applied to a sale: the background reverses
        # it; this code does not wait for that
        self.flow.hand_over_open()
        attempt = yield from self.flow.start_steps(
            provider=provider, sale_id=sale.id, amount=amount, code=code, staff_id=staff_id,
            store_id=self.config.store_id, terminal_id=self.config.terminal_id,
            description=f"{self.config.store_name} {sale.id[:8]}",
            also=lambda conn: save_draft(conn, sale, in_transaction=True))
        return (yield from self._follow(attempt, wait))

    def poll_steps(self, wait: bool = False) -> Steps[Outcome]:
        """Do what is due for the waiting attempt (a query, or the reversal); with `wait`, until
        it is final."""
        if self.waiting is None:
            raise PaymentRefused("no_payment", "no payment is waiting")
        attempt = yield from self.flow.step_steps(self.waiting.out_trade_no)
        return (yield from self._follow(attempt, wait))

    def cancel_steps(self) -> Steps[Outcome]:
        """The cashier's cancel key: reverse the waiting attempt (unless it just went through)."""
        if self.waiting is None:
            raise PaymentRefused("no_payment", "no payment is waiting")
        attempt = yield from self.flow.cancel_steps(self.waiting.out_trade_no)
        return (yield from self._follow(attempt, True))

    def hand_over_at_start(self) -> list[Attempt]:
        """What a crash left open is given up (no provider is asked: the till starts at once) and
        left to the background, which reverses it; the basket stays for another tender, but not
        on disk (no money was taken on it). Returns the attempts not final."""
        left = self.flow.hand_over_open()
        for attempt in left:
            self._drop_unpaid_draft(attempt)
        return left

    def clock_warning(self) -> str | None:
        """Say so when this till's clock is more than CLOCK_WARN_S off a provider's (as its last
        answer showed)."""
        for name, client in self.flow.providers.items():
            offset = client.clock_offset_s
            if offset is not None and abs(offset) > CLOCK_WARN_S:
                return (f"this till's clock is {abs(offset):.0f} s {'behind' if offset > 0 else 'ahead of'} "
                        f"{name}'s: set the time (NTP); payments fail beyond 5 minutes")
        return None

    def _follow(self, attempt: Attempt, wait: bool) -> Steps[Outcome]:
        if wait and not attempt.final:
            attempt = yield from self.flow.drive_steps(attempt.out_trade_no)
        self.waiting = attempt if attempt.state == "pending" else None
        if attempt.state == "paid":
            sale, self._applied = self._applied, None
            return Outcome(attempt, sale)
        if attempt.state == "pending":
            return Outcome(attempt)
        self._drop_unpaid_draft(attempt)
        return Outcome(attempt, error=_unpaid_error(attempt))

    def _on_paid(self, attempt: Attempt, status: p.TradeStatus) -> bool:
        """Record the payment in the sale it was for, in the transaction that marks the attempt
        paid; False when that sale no longer waits for it (the flow then reverses it)."""
        draft = load_draft(self.conn, self.config.terminal_id)
        if draft is None or draft.id != attempt.sale_id or draft.status != "open":
            return False
        try:
            paid_in_full = apply_tender(draft, TENDER_TYPE, attempt.amount,
                                        self.config.cash_rounding, attempt.out_trade_no)
        except TenderError:
            return False

        def mark_paid(conn: sqlite3.Connection) -> None:
            finish_attempt(conn, attempt, "paid", provider_state=status.state,
                           transaction_id=status.transaction_id, in_transaction=True,
                           answers=self.flow.answers(attempt.out_trade_no))

        if paid_in_full:
            draft.status = "completed"
            record_sale(self.conn, draft, self.config, also=mark_paid)
        else:
            with write_transaction(self.conn):
                save_draft(self.conn, draft, in_transaction=True)
                mark_paid(self.conn)
        self._applied = draft
        return True

    def _drop_unpaid_draft(self, attempt: Attempt) -> None:
        """The draft was saved only to survive a crash during the attempt; a sale with no money
        taken is not kept on disk (the rule of edge/till/record.py)."""
        draft = load_draft(self.conn, self.config.terminal_id)
        if draft is not None and draft.id == attempt.sale_id and not draft.tenders:
            with write_transaction(self.conn):
                self.conn.execute("DELETE FROM open_sale WHERE terminal_id = ?",
                                  (self.config.terminal_id,))


def _unpaid_error(attempt: Attempt) -> tuple[str, str]:
    """The cashier's words for an attempt that did not pay: what happened to the money first."""
    name = PROVIDER_NAMES.get(attempt.provider, attempt.provider)
    if attempt.provider_state == UNREACHABLE:
        return ("payment_offline", f"{name} cannot be reached: the customer was not charged; "
                                   "take cash, card or another tender")
    if attempt.state == "reversing":
        return ("payment_unsettled", f"payment {attempt.out_trade_no} was given up and {name} "
                                     "has not confirmed its reversal yet: it is reversed in the "
                                     "background, and if the customer was charged the money goes "
                                     "back. The sale is not paid: take a new code or another "
                                     "tender")
    if attempt.state == "reversed" and attempt.charged_then_reversed:
        return ("payment_refunded", f"payment {attempt.out_trade_no} was charged and then "
                                    f"reversed: {name} returns the money to the customer "
                                    "(minutes to a few days). The sale is not paid: ask for a "
                                    "new code or take another tender")
    if attempt.state == "reversed":
        return ("payment_reversed", f"no payment within the time allowed: payment "
                                    f"{attempt.out_trade_no} was reversed and the customer not "
                                    "charged; ask for a new code or take another tender")
    if attempt.provider_state == p.NOT_FOUND:
        return ("payment_failed", f"{name} failed the payment before recording it "
                                  f"({attempt.out_trade_no} does not exist there): the customer "
                                  "was not charged; ask for a new code or take another tender")
    return ("payment_declined", f"{name} declined the payment "
                                f"({attempt.note or attempt.provider_state}): the customer was "
                                "not charged; ask for a new code or take another tender")
