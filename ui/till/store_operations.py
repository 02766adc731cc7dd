"""The store operations a till screen calls (members, returns, shifts with X/Z reports), as thin
calls into the core that turn its OpsError into the TillError every screen already shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from edge.customers import members
from edge.ops_error import OpsError
from edge.sale.basket import Sale
from edge.store_ops import reports, returns, shifts
from edge.till.session import Till, TillError

T = TypeVar("T")
Override = dict[str, str] | None


def _ops(call: Callable[[], T]) -> T:
    try:
        return call()
    except OpsError as exc:
        raise TillError(exc.code, str(exc)) from None


def _staff_id(till: Till) -> str:
    if till.staff is None:
        raise TillError("not_logged_in", "log in first")
    return till.staff.id


def _fact_maker(till: Till, what: str) -> str:
    """The staff id for an operation that records a fact: never in training mode."""
    staff = _staff_id(till)
    till.refuse_in_training(what)
    return staff


def identify_member(till: Till, token: str) -> Sale:
    """Attach the member with this card number, phone or member QR to the sale."""
    _staff_id(till)
    member = _ops(lambda: members.identify(till.conn, token))
    return till.set_member(member.id, member.tier)


def tender_types() -> set[str]:
    """The tender types the core accepts: the tender screen enables only these buttons."""
    from edge.sale.tenders import TENDER_TYPES

    return set(TENDER_TYPES)


def returnable(till: Till, receipt_text: str) -> tuple[str, list[dict[str, Any]]]:
    """The sale behind a receipt's QR or id, and its lines with what is left to return."""
    sale_id = _ops(lambda: returns.sale_id_from_receipt(receipt_text))
    return sale_id, _ops(lambda: returns.returnable(till.conn, sale_id))


def return_items(till: Till, sale_id: str, items: list[tuple[int, int]],
                 reason: str) -> returns.ReturnRecord:
    """Record the return; its payment-code shares are refunded after, off the GUI thread
    (ui/till/return_refund_worker.py)."""
    staff = _fact_maker(till, "a return")
    return _ops(lambda: returns.return_sale_items(till.conn, till.config, staff, sale_id, items,
                                                  reason))


def open_shift(till: Till, float_amount: int) -> shifts.Shift:
    staff = _fact_maker(till, "opening a shift")
    return _ops(lambda: shifts.open_shift(till.conn, till.config, staff, float_amount))


def close_shift(till: Till, counts: dict[str, int]) -> shifts.ShiftClose:
    staff = _fact_maker(till, "closing a shift")
    return _ops(lambda: shifts.close_shift(till.conn, till.config, staff, counts))


def x_report(till: Till) -> dict[str, Any]:
    _staff_id(till)
    return _ops(lambda: reports.x_report(till.conn, till.config))


def z_report(till: Till, override: Override) -> dict[str, Any]:
    """Z reports need a supervisor (the level that may post-void), as in the headless till."""
    _fact_maker(till, "a Z report")
    approver = till.authorize("post_void", override)
    try:
        report = _ops(lambda: reports.z_report(till.conn, till.config, approver.id))
    except TillError:
        till.settle_approvals(False)
        raise
    till.settle_approvals(True)
    return report
