"""Seams to the store operations the core is still growing (members, returns, shifts with X/Z):
each screen calls these few functions, which use the core's own API where it exists and say
plainly when a feature has not landed on this till, so the screens never change when it does.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from edge.sale import Sale
from edge.till import Till, TillError


def identify_member(till: Till, token: str) -> Sale:
    """Attach the member with this card number, phone or member QR to the open sale."""
    method = getattr(till, "identify_member", None)
    if method is not None:
        return method(token)  # type: ignore[no-any-return]
    try:
        from edge import members
        from edge.ops_error import OpsError
    except ImportError:
        raise TillError("not_available", "member identification has not landed on this till") from None
    if till.sale is None or till.staff is None:
        raise TillError("no_open_sale", "scan an item first, then identify the member")
    try:
        member = members.identify(till.conn, token)
    except OpsError as exc:
        raise TillError(exc.code, str(exc)) from None
    # Until Till grows identify_member: the sale carries the member and its tier, then reprices.
    till.sale.member_id = member.id
    till.sale.member_tier = member.tier
    till._reprice(till.sale)
    return till.sale


def tender_types() -> set[str]:
    """The tender types the core accepts: the tender screen enables only these buttons."""
    from edge.tenders import TENDER_TYPES

    return set(TENDER_TYPES)


def returns_available(till: Till) -> bool:
    return hasattr(till, "start_return")


@dataclass(frozen=True)
class ShiftSummary:
    """An X report: what this terminal took today, by tender, read from the recorded sales."""

    sales: int
    cancelled: int
    total: int
    by_tender: list[tuple[str, int]]


def x_report(conn: sqlite3.Connection, terminal_id: str, since_iso: str) -> ShiftSummary:
    row: Any = conn.execute(
        "SELECT count(*) FILTER (WHERE status = 'completed'),"
        " count(*) FILTER (WHERE status = 'cancelled'),"
        " coalesce(sum(total) FILTER (WHERE status = 'completed'), 0)"
        " FROM sale WHERE terminal_id = ? AND closed_at >= ?", (terminal_id, since_iso)).fetchone()
    tenders = conn.execute(
        "SELECT t.type, sum(t.amount - CASE WHEN t.type = 'cash' THEN s.change ELSE 0 END)"
        " FROM sale_tender t JOIN sale s ON s.id = t.sale_id"
        " WHERE s.terminal_id = ? AND s.closed_at >= ? AND s.status = 'completed'"
        " GROUP BY t.type ORDER BY t.type", (terminal_id, since_iso)).fetchall()
    return ShiftSummary(row[0], row[1], row[2], [(t, int(a)) for t, a in tenders])


def shift_operations_available(till: Till) -> bool:
    return hasattr(till, "open_shift") and hasattr(till, "close_shift")
