"""What the till asks of a payment provider (WeChat Pay, Alipay, an aggregator), in the provider's
terms but with one vocabulary: pay with a customer's payment code, query, reverse, refund, query a
refund. Adapters live in `providers/`; the core sees only this Protocol and these results.

Rule: an adapter raises ProviderUnreachable only when it knows the request never left (the
connection could not be made); once bytes may have left, a lost or unreadable answer is
ProviderNoAnswer, and the outcome must be found by query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# Trade states, as the core understands them (each adapter maps its provider's words to these):
SUCCESS = "SUCCESS"          # the customer was charged
USERPAYING = "USERPAYING"    # waiting for the customer (password on the phone): query again
NOTPAY = "NOTPAY"            # the provider knows the order, unpaid (yet)
NOT_FOUND = "NOT_FOUND"      # the provider has no such order (yet)
UNKNOWN = "UNKNOWN"          # a system error or any answer that settles nothing: query again
FAILED = "FAILED"            # refused for good (expired code, no balance): nothing was charged
CLOSED = "CLOSED"            # closed unpaid
REVOKED = "REVOKED"          # reversed (cancelled); if it had been paid, the money went back
REFUNDED = "REFUNDED"        # paid, then (partly) refunded
TRADE_STATES = frozenset({SUCCESS, USERPAYING, NOTPAY, NOT_FOUND, UNKNOWN, FAILED, CLOSED,
                          REVOKED, REFUNDED})

# Reversal outcomes
REVERSE_DONE = "DONE"        # closed, or refunded if it had been paid
REVERSE_RETRY = "RETRY"      # the provider asks to try again (customer still paying, recall=Y)
# the provider has no such order to reverse (WeChat 404 ORDER_NOT_EXIST; Alipay's cancel answered
# without an `action`, or ACQ.TRADE_NOT_EXIST): nothing to give back, once a query agrees
REVERSE_NOT_FOUND = "NOT_FOUND"

# Refund states
REFUND_SUCCESS = "SUCCESS"
REFUND_PROCESSING = "PROCESSING"
REFUND_FAILED = "FAILED"     # refused for good (e.g. more than what is left to refund)


class ProviderUnreachable(Exception):
    """The request never left: no connection. Safe to say "offline" at once."""


class ProviderNoAnswer(Exception):
    """The request may have reached the provider but no trustworthy answer came back (timeout,
    dropped connection, bad response signature): the outcome is unknown."""


@dataclass(frozen=True)
class PayRequest:
    out_trade_no: str
    auth_code: str
    amount: int                  # fen
    description: str
    store_id: str
    terminal_id: str


@dataclass(frozen=True)
class TradeStatus:
    state: str
    transaction_id: str | None = None
    amount: int | None = None    # fen the provider says was charged, when it says
    code: str = ""               # the provider's own code, for people
    message: str = ""


@dataclass(frozen=True)
class ReverseResult:
    state: str                   # REVERSE_DONE | REVERSE_RETRY | REVERSE_NOT_FOUND
    # True when the provider says money had been taken and is being returned (Alipay's
    # action=refund); None when the answer does not tell.
    was_charged: bool | None = None
    code: str = ""
    message: str = ""


@dataclass(frozen=True)
class RefundRequest:
    out_trade_no: str
    out_refund_no: str
    amount: int                  # fen to refund now
    total: int                   # fen of the original payment
    reason: str = ""


@dataclass(frozen=True)
class RefundStatus:
    state: str                   # REFUND_SUCCESS | REFUND_PROCESSING | REFUND_FAILED | NOT_FOUND
    refund_id: str | None = None
    code: str = ""
    message: str = ""


class PaymentProvider(Protocol):
    """One provider account. Every method may raise ProviderUnreachable or ProviderNoAnswer."""

    name: str
    # the provider's clock minus ours, from its last answer (None before one): providers refuse
    # requests more than 5 minutes off, the till warns above CLOCK_WARN_S
    clock_offset_s: float | None

    def pay(self, request: PayRequest) -> TradeStatus: ...

    def query(self, out_trade_no: str) -> TradeStatus: ...

    def reverse(self, out_trade_no: str) -> ReverseResult: ...

    def refund(self, request: RefundRequest) -> RefundStatus: ...

    def query_refund(self, out_trade_no: str, out_refund_no: str) -> RefundStatus: ...
