"""After a return is recorded, the till refunds its payment-code shares to the original payments
at once (edge/payments/return_refunds.py); the cashier never retries one.

Rule: the return is already a fact when this runs; a provider that cannot be reached leaves the
refund `pending` for the sync agent's periodic job (`pos sync`), and the cashier is told so.
"""

from __future__ import annotations

from edge.payments.attempts import Refund
from edge.payments.return_refunds import refund_return
from edge.store_ops.returns import ReturnRecord
from edge.till.session import Till


def refund_to_payments(till: Till, record: ReturnRecord) -> list[Refund]:
    """The refunds of this return's payment-code shares, each as it stands after one try."""
    if not any(t.type == "mobile" for t in record.tenders):
        return []
    providers = till.payments.flow.providers if till.payments is not None else {}
    return refund_return(till.conn, providers, record.id, store_id=till.config.store_id,
                         terminal_id=till.config.terminal_id)
