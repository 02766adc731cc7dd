"""Shifts and the cash drawer: open with a float, cash in / cash out / pickups with a reason, and a
blind close (the cashier counts by denomination before seeing what the till expects).

Rule SHIFT_WINDOW: a shift's facts are those of this terminal with outbox seq after its
`shift.opened` event, up to its `shift.closed` event (or now, while open); never clock times.
Rule EXPECTED_CASH: float + cash tenders of completed sales net of change + cash stored-value
top-ups − cash refunds + cash in − cash out − pickups. over/short = counted − expected.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass

from edge.config import StoreConfig
from edge.ledger.clock import utc_now_iso
from edge.ledger.journal import append_entry
from edge.ledger.money import MoneyError, parse_amount
from edge.ledger.outbox import append_event
from edge.ledger.store import write_transaction
from edge.ops_error import OpsError

# CNY notes and coins the drawer holds, in fen: 100, 50, 20, 10, 5, 1, 0.5, 0.1 yuan.
DENOMINATIONS = (10_000, 5_000, 2_000, 1_000, 500, 100, 50, 10)
CASH_MOVES = ("cash_in", "cash_out", "pickup")


@dataclass(frozen=True)
class Shift:
    id: str
    terminal_id: str
    staff_id: str
    float: int
    open_seq: int


@dataclass(frozen=True)
class ShiftClose:
    shift_id: str
    counted: int
    expected: int
    over_short: int
    close_seq: int


def current_shift(conn: sqlite3.Connection, terminal_id: str) -> Shift | None:
    row = conn.execute("SELECT o.id, o.terminal_id, o.staff_id, o.float, o.event_seq"
                       " FROM shift_open o LEFT JOIN shift_close c ON c.shift_id = o.id"
                       " WHERE o.terminal_id = ? AND c.shift_id IS NULL"
                       " ORDER BY o.event_seq DESC LIMIT 1", (terminal_id,)).fetchone()
    return Shift(row[0], row[1], row[2], row[3], row[4]) if row else None


def open_shift(conn: sqlite3.Connection, config: StoreConfig, staff_id: str, float_amount: int) -> Shift:
    if float_amount < 0:
        raise OpsError("invalid_amount", "the float cannot be negative")
    shift_id = str(uuid.uuid4())
    with write_transaction(conn):
        if current_shift(conn, config.terminal_id) is not None:
            raise OpsError("shift_open", "a shift is already open on this till: close it first")
        event = append_event(conn, "shift.opened", {"shift_id": shift_id, "staff_id": staff_id,
                                                    "terminal_id": config.terminal_id,
                                                    "float": float_amount})
        conn.execute("INSERT INTO shift_open (id, terminal_id, staff_id, float, event_seq, at)"
                     " VALUES (?, ?, ?, ?, ?, ?)",
                     (shift_id, config.terminal_id, staff_id, float_amount, event.seq, utc_now_iso()))
        append_entry(conn, "shift.opened", staff_id, {"shift_id": shift_id, "float": float_amount,
                                                      "event_seq": event.seq})
    return Shift(shift_id, config.terminal_id, staff_id, float_amount, event.seq)


def cash_move(conn: sqlite3.Connection, config: StoreConfig, staff_id: str, kind: str, amount: int,
              reason: object) -> int:
    """Cash put into (cash_in) or taken out of (cash_out, pickup to the safe) the drawer."""
    if kind not in CASH_MOVES:
        raise OpsError("bad_request", f"kind must be one of {', '.join(CASH_MOVES)}")
    if amount <= 0:
        raise OpsError("invalid_amount", "amount must be greater than zero")
    if not isinstance(reason, str) or not reason.strip():
        raise OpsError("bad_request", f"{kind} needs a reason")
    with write_transaction(conn):
        shift = current_shift(conn, config.terminal_id)
        if shift is None:
            raise OpsError("no_shift", "open a shift first")
        event = append_event(conn, f"cash.{kind}", {"shift_id": shift.id, "amount": amount,
                                                    "reason": reason.strip()[:200],
                                                    "staff_id": staff_id})
        conn.execute("INSERT INTO cash_movement (shift_id, kind, amount, reason, staff_id, event_seq,"
                     " at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (shift.id, kind, amount, reason.strip()[:200], staff_id, event.seq,
                      utc_now_iso()))
        append_entry(conn, f"cash.{kind}", staff_id, {"shift_id": shift.id, "amount": amount,
                                                      "reason": reason.strip()[:200],
                                                      "event_seq": event.seq})
    return event.seq


def count_denominations(counts: object) -> tuple[int, dict[str, int]]:
    """{"100": 3, "0.5": 2, ...} (yuan → pieces) → (total fen, normalised counts)."""
    if not isinstance(counts, dict):
        raise OpsError("bad_request", "count must be an object of denomination → pieces")
    total = 0
    normalised: dict[str, int] = {}
    for key, pieces in counts.items():
        try:
            value = parse_amount(str(key))
        except MoneyError:
            value = -1
        if value not in DENOMINATIONS:
            raise OpsError("bad_denomination", f"{key!s:.10} is not a CNY denomination "
                                               "(100, 50, 20, 10, 5, 1, 0.5, 0.1)")
        if not isinstance(pieces, int) or isinstance(pieces, bool) or not 0 <= pieces <= 100_000:
            raise OpsError("bad_request", f"pieces of {key} must be a whole number")
        total += value * pieces
        normalised[str(key)] = normalised.get(str(key), 0) + pieces
    return total, normalised


def expected_cash(conn: sqlite3.Connection, terminal_id: str, float_amount: int, after_seq: int,
                  through_seq: int) -> int:
    """EXPECTED_CASH over this terminal's facts with after_seq < seq <= through_seq."""
    window = (after_seq, through_seq)
    sales = conn.execute(
        "SELECT COALESCE(SUM((SELECT COALESCE(SUM(amount), 0) FROM sale_tender t"
        " WHERE t.sale_id = s.id AND t.type = 'cash') - s.change), 0) FROM sale s"
        " WHERE s.status = 'completed' AND s.terminal_id = ? AND s.event_seq > ? AND s.event_seq <= ?",
        (terminal_id, *window)).fetchone()[0]
    refunds = conn.execute(
        "SELECT COALESCE(SUM(t.amount), 0) FROM return_tender t JOIN sale_return r ON r.id = t.return_id"
        " WHERE t.type = 'cash' AND r.terminal_id = ? AND r.event_seq > ? AND r.event_seq <= ?",
        (terminal_id, *window)).fetchone()[0]
    topups = conn.execute(
        "SELECT COALESCE(SUM(amount), 0) FROM stored_value_movement WHERE kind = 'topup'"
        " AND tender = 'cash' AND event_seq > ? AND event_seq <= ?", window).fetchone()[0]
    moves = dict(conn.execute(
        "SELECT m.kind, SUM(m.amount) FROM cash_movement m JOIN shift_open o ON o.id = m.shift_id"
        " WHERE o.terminal_id = ? AND m.event_seq > ? AND m.event_seq <= ? GROUP BY m.kind",
        (terminal_id, *window)).fetchall())
    return int(float_amount + sales + topups - refunds + moves.get("cash_in", 0)
               - moves.get("cash_out", 0) - moves.get("pickup", 0))


def close_shift(conn: sqlite3.Connection, config: StoreConfig, staff_id: str,
                counts: object) -> ShiftClose:
    """Blind close: the counted cash by denomination; what the till expected comes back after."""
    counted, normalised = count_denominations(counts)
    with write_transaction(conn):
        shift = current_shift(conn, config.terminal_id)
        if shift is None:
            raise OpsError("no_shift", "no shift is open on this till")
        through = int(conn.execute("SELECT value FROM counter WHERE name = 'outbox_seq'")
                      .fetchone()[0])
        expected = expected_cash(conn, config.terminal_id, shift.float, shift.open_seq, through)
        event = append_event(conn, "shift.closed", {
            "shift_id": shift.id, "staff_id": staff_id, "counted": counted, "expected": expected,
            "over_short": counted - expected, "denominations": normalised,
            "from_seq": shift.open_seq, "to_seq": through})
        conn.execute("INSERT INTO shift_close (shift_id, staff_id, counted, expected, over_short,"
                     " denominations, event_seq, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (shift.id, staff_id, counted, expected, counted - expected,
                      json.dumps(normalised), event.seq, utc_now_iso()))
        append_entry(conn, "shift.closed", staff_id, {"shift_id": shift.id, "counted": counted,
                                                      "expected": expected,
                                                      "over_short": counted - expected,
                                                      "event_seq": event.seq})
    return ShiftClose(shift.id, counted, expected, counted - expected, event.seq)
