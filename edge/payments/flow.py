"""The payment-code state machine: pay → (SUCCESS | USERPAYING | no clear answer) → query every
few seconds up to the timeout → reverse, retried while the provider refuses, so that every attempt
ends paid, closed or reversed, also after a crash (`settle_steps`, in the background).

Rules:
- the attempt is committed with its out_trade_no before `pay` is sent (attempts.create_attempt);
- only a SUCCESS read from the provider completes a sale, through `on_paid`, which must mark the
  attempt paid in the same transaction that records the payment in the sale; when no sale waits
  for it any more (the till gave up, the sale was paid otherwise), a SUCCESS is reversed and the
  attempt is marked `charged_then_reversed` for the manager;
- once the till gives up (timeout, cashier's cancel, restart) the attempt is `reversing` for good:
  it is reversed, never applied;
- "closed" without a reversal only when the provider says nothing was charged (FAILED, CLOSED) or
  the request never left (ProviderUnreachable on pay); "closed" after a reversal only when the
  provider answers the reversal "no such order", at least `not_found_after_s` after the pay request
  left, and a query right after agrees (a pay request that failed before the provider recorded
  anything): nothing to give back;
- no attempt blocks another, and nothing here runs at start: an attempt left open (a crash, a
  reversal still refused) is only ever reversed, by whoever settles it (`settle_steps`: the sync
  agent's payment job, `pos payments settle`); every provider answer heard about an attempt is
  journaled with its final state.
Time comes from the injected `now` and `sleep`, so tests never wait for real seconds.
Each operation exists as steps (`start_steps`, …: edge/payments/steps.py), which yield every
provider request and pause instead of making it, so the Qt till sends them off its GUI thread; the
plain methods run those steps here and now.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from edge.ledger.store import write_transaction
from edge.payments import provider as p
from edge.payments.attempts import (
    Attempt,
    create_attempt,
    finish_attempt,
    get_attempt,
    open_attempts,
    set_reversing,
)
from edge.payments.settings import PaymentSettings
from edge.payments.steps import Steps, pause, provider_call, run_steps

UNREACHABLE = "UNREACHABLE"       # provider_state of an attempt whose pay request never left
_NOT_CHARGED = frozenset({p.FAILED, p.CLOSED, p.REVOKED})

OnPaid = Callable[[Attempt, p.TradeStatus], bool]


@dataclass
class _Timing:
    deadline: float                 # when the till stops waiting for the customer
    next_at: float                  # when the next query or reversal is due
    reverse_until: float | None = None
    last_state: str | None = None
    unanswered: bool = False        # the last reversal got no answer at all (an outage)
    answers: list[str] = field(default_factory=list)   # what the provider said, in order
    started: float | None = None    # when this flow sent the pay request (None: another did)


class PaymentFlow:
    def __init__(self, conn: sqlite3.Connection, providers: Mapping[str, p.PaymentProvider],
                 settings: PaymentSettings, on_paid: OnPaid,
                 now: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.conn = conn
        self.providers = providers
        self.settings = settings
        self.on_paid = on_paid
        self.now = now
        self.sleep = sleep
        self._timing: dict[str, _Timing] = {}

    # --- the cashier's side ------------------------------------------------------------------

    def start(self, *, provider: str, sale_id: str, amount: int, code: str, staff_id: str,
              store_id: str, terminal_id: str, description: str,
              also: Callable[[sqlite3.Connection], None] | None = None) -> Attempt:
        return self.run(self.start_steps(
            provider=provider, sale_id=sale_id, amount=amount, code=code, staff_id=staff_id,
            store_id=store_id, terminal_id=terminal_id, description=description, also=also))

    def start_steps(self, *, provider: str, sale_id: str, amount: int, code: str, staff_id: str,
                    store_id: str, terminal_id: str, description: str,
                    also: Callable[[sqlite3.Connection], None] | None = None) -> Steps[Attempt]:
        """Record the attempt (committed), then send `pay` once and act on its answer. Returns
        the attempt: final, or pending with the next query scheduled."""
        client = self.providers[provider]
        attempt = create_attempt(self.conn, provider=provider, sale_id=sale_id, amount=amount,
                                 code=code, staff_id=staff_id, store_id=store_id,
                                 terminal_id=terminal_id, also=also)
        now = self.now()
        self._timing[attempt.out_trade_no] = _Timing(now + self.settings.timeout_s, now,
                                                     started=now)
        request = p.PayRequest(attempt.out_trade_no, code.strip(), amount, description, store_id,
                               terminal_id)
        try:
            status = yield from provider_call(lambda: client.pay(request))
        except p.ProviderUnreachable as exc:
            self._heard(attempt, f"pay: not sent ({exc})")
            return self._finish(attempt, "closed", UNREACHABLE, note=f"not sent: {exc}")
        except p.ProviderNoAnswer as exc:
            status = p.TradeStatus(p.UNKNOWN, message=str(exc))
        self._heard(attempt, "pay: " + _said(status.state, status.code, status.message))
        return (yield from self._after(attempt, status))

    def run(self, steps: Steps[Attempt]) -> Attempt:
        """Run an operation's steps here and now (requests sent on this thread, pauses slept)."""
        return run_steps(steps, self.sleep)

    def step(self, out_trade_no: str) -> Attempt:
        return self.run(self.step_steps(out_trade_no))

    def step_steps(self, out_trade_no: str) -> Steps[Attempt]:
        """Do the next provider call if it is due (at most one); return the attempt as it is."""
        attempt = self._get(out_trade_no)
        if attempt.final:
            self._timing.pop(out_trade_no, None)
            return attempt
        timing = self._timing_of(attempt)
        now = self.now()
        if now < timing.next_at:
            return attempt
        if attempt.state == "reversing":
            return (yield from self._reverse_once(attempt))
        status = yield from self._query(attempt)
        if now >= timing.deadline and status.state not in _NOT_CHARGED | {p.SUCCESS}:
            return (yield from self._give_up(attempt, status.state,
                                             "no payment within the till's timeout"))
        return (yield from self._after(attempt, status))

    def cancel(self, out_trade_no: str) -> Attempt:
        return self.run(self.cancel_steps(out_trade_no))

    def cancel_steps(self, out_trade_no: str) -> Steps[Attempt]:
        """The cashier's cancel key: one last query (a payment that went through completes the
        sale), otherwise reverse now."""
        attempt = self._get(out_trade_no)
        if attempt.state != "pending":
            return attempt
        status = yield from self._query(attempt)
        if status.state == p.SUCCESS or status.state in _NOT_CHARGED:
            return (yield from self._after(attempt, status))
        return (yield from self._give_up(attempt, status.state, "cancelled by the cashier"))

    def drive(self, out_trade_no: str) -> Attempt:
        return self.run(self.drive_steps(out_trade_no))

    def drive_steps(self, out_trade_no: str) -> Steps[Attempt]:
        """Step and sleep until the attempt is final, or a reversal has kept being refused for
        `reverse_for_s`, or got no answer at all (an outage: nobody waits for it to end). It is
        then left `reversing`, settled before the next code (`retry_now`) or at the next start."""
        while True:
            attempt = yield from self.step_steps(out_trade_no)
            if attempt.final:
                return attempt
            timing = self._timing_of(attempt)
            if attempt.state == "reversing":
                if timing.reverse_until is None:
                    timing.reverse_until = self.now() + self.settings.reverse_for_s
                if self.now() >= timing.reverse_until or timing.unanswered:
                    return attempt
            yield from pause(self.wait_time(out_trade_no))

    def give_up(self, out_trade_no: str, note: str) -> Attempt:
        return self.run(self.give_up_steps(out_trade_no, note))

    def give_up_steps(self, out_trade_no: str, note: str) -> Steps[Attempt]:
        """Stop waiting for a pending attempt: from now on it is only reversed."""
        attempt = self._get(out_trade_no)
        if attempt.state != "pending":
            return attempt
        return (yield from self._give_up(attempt, self.last_provider_state(out_trade_no), note))

    def retry_now(self, out_trade_no: str) -> Attempt:
        return self.run(self.retry_now_steps(out_trade_no))

    def retry_now_steps(self, out_trade_no: str) -> Steps[Attempt]:
        """Do the next step of an open attempt now, whether or not it is due."""
        attempt = self._get(out_trade_no)
        if not attempt.final:
            self._timing_of(attempt).next_at = self.now()
        return (yield from self.step_steps(out_trade_no))

    def wait_time(self, out_trade_no: str) -> float:
        timing = self._timing.get(out_trade_no)
        return 0.0 if timing is None else max(0.0, timing.next_at - self.now())

    def last_provider_state(self, out_trade_no: str) -> str | None:
        timing = self._timing.get(out_trade_no)
        return timing.last_state if timing else None

    # --- after a crash, and in the background ----------------------------------------------

    def hand_over_open(self) -> list[Attempt]:
        """Give up, without a word to any provider, every attempt still `pending` (call it only
        when the till waits for none): nobody will apply it to a sale any more, so from now on it
        is only reversed, by `settle_steps`. Returns every attempt not final."""
        for attempt in open_attempts(self.conn):
            if attempt.state == "pending":
                set_reversing(self.conn, attempt, self.last_provider_state(attempt.out_trade_no),
                              "left open (the till restarted or moved on): reversed in the "
                              "background")
        return open_attempts(self.conn)

    def settle(self, out_trade_no: str) -> Attempt:
        return self.run(self.settle_steps(out_trade_no))

    def settle_steps(self, out_trade_no: str) -> Steps[Attempt]:
        """One try at settling an attempt nobody waits for: a `pending` one is given up and
        reversed, a `reversing` one reversed (with the confirming query): never applied to a
        sale. Returns the attempt, final or still `reversing` for the next try."""
        attempt = self._get(out_trade_no)
        if attempt.final:
            return attempt
        if attempt.state == "pending":
            return (yield from self.give_up_steps(out_trade_no, "settled in the background"))
        return (yield from self.retry_now_steps(out_trade_no))

    def answers(self, out_trade_no: str) -> list[str]:
        """What the provider said about this attempt since this flow first asked."""
        timing = self._timing.get(out_trade_no)
        return list(timing.answers) if timing else []

    # --- internals ---------------------------------------------------------------------------

    def _after(self, attempt: Attempt, status: p.TradeStatus) -> Steps[Attempt]:
        timing = self._timing_of(attempt)
        timing.last_state = status.state
        if status.state == p.SUCCESS:
            return (yield from self._paid(attempt, status))
        if status.state in _NOT_CHARGED:
            return self._finish(attempt, "closed", status.state,
                                note=f"{status.code} {status.message}".strip())
        # USERPAYING, NOTPAY, NOT_FOUND, UNKNOWN: ask again in a few seconds (the last time
        # exactly at the timeout).
        timing.next_at = min(self.now() + self.settings.query_interval_s, timing.deadline)
        return attempt

    def _paid(self, attempt: Attempt, status: p.TradeStatus) -> Steps[Attempt]:
        if attempt.state == "pending" and (status.amount is None or status.amount == attempt.amount):
            if self.on_paid(attempt, status):
                self._timing.pop(attempt.out_trade_no, None)
                return self._get(attempt.out_trade_no)
            note = "paid, but no sale waits for this payment any more"
        elif attempt.state == "pending":
            note = f"paid {status.amount} fen instead of {attempt.amount}"
        else:
            note = "paid after the till gave up"
        return (yield from self._give_up(attempt, status.state, note))

    def _give_up(self, attempt: Attempt, provider_state: str | None,
                 note: str) -> Steps[Attempt]:
        attempt = set_reversing(self.conn, attempt, provider_state, note)
        timing = self._timing_of(attempt)
        timing.reverse_until = self.now() + self.settings.reverse_for_s
        return (yield from self._reverse_once(attempt))

    def _reverse_once(self, attempt: Attempt) -> Steps[Attempt]:
        timing = self._timing_of(attempt)
        client = self.providers[attempt.provider]
        try:
            result = yield from provider_call(lambda: client.reverse(attempt.out_trade_no))
        except (p.ProviderUnreachable, p.ProviderNoAnswer) as exc:
            self._heard(attempt, f"reverse: no answer ({exc})")
            timing.last_state = p.UNKNOWN
            timing.unanswered = True
            timing.next_at = self.now() + self.settings.reverse_interval_s
            self._note(attempt, f"reversal not confirmed: {exc}")
            return attempt
        timing.unanswered = False
        self._heard(attempt, "reverse: " + _said(result.state, result.code, result.message))
        if result.state == p.REVERSE_NOT_FOUND:
            return (yield from self._not_found(attempt))
        if result.state == p.REVERSE_RETRY:
            timing.last_state = result.code or p.REVERSE_RETRY
            timing.next_at = self.now() + self.settings.reverse_interval_s
            return attempt
        charged = result.was_charged
        provider_state = p.REVOKED
        transaction_id = None
        if charged is None:  # the answer does not say (WeChat): the order's own record does
            status = yield from self._query(attempt)
            charged = status.transaction_id is not None and status.state in (p.REVOKED,
                                                                             p.REFUNDED)
            provider_state = status.state if status.state != p.UNKNOWN else p.REVOKED
            transaction_id = status.transaction_id
        note = attempt.note
        if charged:
            note = (note + "; " if note else "") + "the customer had been charged: the reversal " \
                                                   "returned the money"
        return self._finish(attempt, "reversed", provider_state, transaction_id=transaction_id,
                            charged_then_reversed=bool(charged), note=note)

    def _not_found(self, attempt: Attempt) -> Steps[Attempt]:
        """The reversal found no such order. Believed only `not_found_after_s` after the pay
        request left and when a query right after agrees (a pay request that failed before the
        provider recorded anything): then nothing was charged and the attempt is closed;
        otherwise the reversal is tried again."""
        timing = self._timing_of(attempt)
        if self._age_s(attempt) < self.settings.not_found_after_s:  # the pay may be in flight
            timing.last_state = p.REVERSE_NOT_FOUND
            timing.next_at = self.now() + self.settings.reverse_interval_s
            return attempt
        status = yield from self._query(attempt)
        if status.state == p.NOT_FOUND:
            return self._finish(attempt, "closed", p.NOT_FOUND,
                                note=f"{attempt.provider} has no such order (reverse and query "
                                     "both say so): the customer was not charged")
        timing.next_at = self.now() + self.settings.reverse_interval_s  # it exists: reverse again
        timing.last_state = status.state
        return attempt

    def _age_s(self, attempt: Attempt) -> float:
        """Seconds since the attempt's pay request left: by this flow's clock when it sent it,
        else by the attempt's recorded creation (another process, before a restart)."""
        timing = self._timing_of(attempt)
        if timing.started is not None:
            return self.now() - timing.started
        created = datetime.fromisoformat(attempt.created_at.replace("Z", "+00:00"))
        return (datetime.now(UTC) - created).total_seconds()

    def _query(self, attempt: Attempt) -> Steps[p.TradeStatus]:
        client = self.providers[attempt.provider]
        try:
            status = yield from provider_call(lambda: client.query(attempt.out_trade_no))
        except (p.ProviderUnreachable, p.ProviderNoAnswer) as exc:
            self._heard(attempt, f"query: no answer ({exc})")
            return p.TradeStatus(p.UNKNOWN, message=str(exc))
        self._heard(attempt, "query: " + _said(status.state, status.code, status.message))
        return status

    def _heard(self, attempt: Attempt, answer: str) -> None:
        answers = self._timing_of(attempt).answers
        answers.append(answer[:200])
        del answers[1:-19]                # the pay answer and the latest 19 tell the story

    def _finish(self, attempt: Attempt, state: str, provider_state: str, *,
                transaction_id: str | None = None, charged_then_reversed: bool = False,
                note: str = "") -> Attempt:
        try:
            finish_attempt(self.conn, attempt, state, provider_state=provider_state,
                           transaction_id=transaction_id,
                           charged_then_reversed=charged_then_reversed, note=note,
                           answers=self.answers(attempt.out_trade_no))
        except ValueError:    # settled meanwhile by another settler (the till, the job, the CLI)
            pass
        self._timing.pop(attempt.out_trade_no, None)
        return self._get(attempt.out_trade_no)

    def _note(self, attempt: Attempt, note: str) -> None:
        with write_transaction(self.conn):
            self.conn.execute("UPDATE payment_attempt SET note = ? WHERE out_trade_no = ?",
                              (note[:300], attempt.out_trade_no))

    def _timing_of(self, attempt: Attempt) -> _Timing:
        timing = self._timing.get(attempt.out_trade_no)
        if timing is None:  # an attempt from before a restart: its time is up
            now = self.now()
            timing = self._timing[attempt.out_trade_no] = _Timing(now, now)
            if attempt.state == "reversing":
                timing.reverse_until = now + self.settings.reverse_for_s
        return timing

    def _get(self, out_trade_no: str) -> Attempt:
        attempt = get_attempt(self.conn, out_trade_no)
        if attempt is None:
            raise KeyError(out_trade_no)
        return attempt


def _said(state: str, code: str, message: str) -> str:
    """One provider answer as the journal keeps it: our reading, then the provider's words."""
    words = " ".join(part for part in (code, message) if part)
    return f"{state} ({words})" if words else state
