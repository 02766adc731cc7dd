"""The payment-code ops of the headless JSON-lines protocol (docs/headless.md, "Payment codes"):
charge a customer's payment code, follow or cancel the waiting attempt, list what needs the
manager. The flow and its rules are edge/till/mobile_payment.py's; a refused op changes nothing.
"""

from __future__ import annotations

from typing import Any

from edge.ledger.money import format_amount
from edge.payments.attempts import Attempt, alerts, attempts_of_sale, pending_refunds
from edge.payments.settings import payment_code_body, provider_for_code
from edge.sale.receipt import render_text
from edge.till.receipts import sale_receipt
from edge.till.session import Till
from ui.headless.requests import Handler, ProtocolError, amount_field, field


def _wait(r: dict[str, Any], default: bool) -> bool:
    wait = r.get("wait", default)
    if not isinstance(wait, bool):
        raise ProtocolError("bad_request", "wait must be true or false")
    return wait


def _attempt(till: Till, attempt: Attempt) -> dict[str, Any]:
    return {"out_trade_no": attempt.out_trade_no, "provider": attempt.provider,
            "state": "waiting" if attempt.state == "pending" else attempt.state,
            "amount": format_amount(attempt.amount, till.config.minor_digits),
            "provider_state": attempt.provider_state, "note": attempt.note}


def _answer(till: Till) -> dict[str, Any]:
    """The waiting attempt, or the one that just paid, and the receipt once the sale is done."""
    waiting = till.payments.waiting if till.payments else None
    extra: dict[str, Any] = {}
    if waiting is not None:
        extra["payment"] = _attempt(till, waiting)
        return extra
    sale = till.current
    if sale is not None:
        paid = [a for a in attempts_of_sale(till.conn, sale.id) if a.state == "paid"]
        if paid:
            extra["payment"] = _attempt(till, paid[-1])
    if sale is not None and sale.status == "completed":
        receipt = sale_receipt(till.conn, sale, till.config, till.staff.name if till.staff else "")
        extra.update(receipt=render_text(receipt, 32), receipt_qr=receipt.qr_payload)
    return extra


def scan_answer(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    """`scan`: a product, or a customer's payment code while a sale is due, which pays exactly as
    `pay_code` does and gets the same answer (payment, and the receipt once the sale is done)."""
    data = field(r, "data", str)
    amount = amount_field(r, "price", till) if "price" in r else None
    till.scan(data, r.get("weight"), r.get("qty"), amount, r.get("override"), r.get("tare"))
    if till.payments is not None and provider_for_code(payment_code_body(data)) is not None:
        return _answer(till)
    return {}


def _pay_code(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    amount = amount_field(r, "amount", till) if r.get("amount") is not None else None
    till.pay_code(field(r, "code", str), amount, _wait(r, True))
    return _answer(till)


def _pay_poll(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    till.payment_poll(_wait(r, False))
    return _answer(till)


def _pay_cancel(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    till.payment_cancel()
    return _answer(till)


def _payment_alerts(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    if till.staff is None:
        raise ProtocolError("not_logged_in", "log in first")
    return {"clock_warning": till.payments.clock_warning() if till.payments else None,
            "alerts": [_attempt(till, a) for a in alerts(till.conn)],
            "pending_refunds": [{"out_refund_no": f.out_refund_no, "out_trade_no": f.out_trade_no,
                                 "amount": format_amount(f.amount, till.config.minor_digits),
                                 "since": f.created_at} for f in pending_refunds(till.conn)]}


PAYMENT_OPS: dict[str, Handler] = {
    "scan": scan_answer,
    "pay_code": _pay_code,
    "pay_poll": _pay_poll,
    "pay_cancel": _pay_cancel,
    "payment_alerts": _payment_alerts,
}
