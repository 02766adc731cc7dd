"""The invoice-provider interface HQ issues through, and the values that cross it (no I/O).

Rule: `order_no` is the request's idempotent id; the provider issues at most one invoice per
`order_no`, so HQ may send the same order again after any failure without issuing twice.
An adapter raises ProviderUnreachable when the request never left, ProviderNoAnswer when its
fate is unknown (both: try again later, same order_no), InvoiceRejected when the provider refused
it for good (HQ marks the invoice failed with the reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from edge.payments.provider import ProviderNoAnswer, ProviderUnreachable
from hq.invoices.buyer import Buyer
from hq.invoices.lines import InvoiceLine

__all__ = ["InvoiceLine", "InvoiceOrder", "InvoiceProvider", "InvoiceRejected", "InvoiceResult",
           "ProviderNoAnswer", "ProviderUnreachable"]

ResultState = Literal["pending", "issued", "failed", "unknown"]


class InvoiceRejected(Exception):
    """The provider refused the request for good; the message says why."""


@dataclass(frozen=True)
class InvoiceOrder:
    order_no: str
    kind: Literal["blue", "red"]
    buyer: Buyer
    lines: tuple[InvoiceLine, ...]
    original_invoice_no: str = ""   # red: the 20-digit number of the blue invoice it reverses
    note: str = ""                  # printed in the invoice's remarks (备注)


@dataclass(frozen=True)
class InvoiceResult:
    state: ResultState              # unknown: the provider has no order of that order_no
    invoice_no: str = ""            # 20 digits once issued
    reason: str = ""                # why it failed
    provider_serial: str = ""


class InvoiceProvider(Protocol):
    def submit(self, order: InvoiceOrder) -> str:
        """Ask for the invoice; the provider's serial for it. Asking again with the same
        order_no answers the first request's serial and issues nothing new."""
        ...

    def query(self, order_no: str) -> InvoiceResult: ...
