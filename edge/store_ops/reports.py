"""X and Z reports. Both cover this terminal's facts after the last Z report's end seq; an X report
only reads (no reset), a Z report closes the day: it takes the next Z number, records its seq
window and figures as a fact with a `shift.z_report` event, and the next day starts after it.

Rule REPORT_WINDOW: facts are chosen by outbox seq (from_seq < seq <= to_seq), never by clock.
Journal-only actions (no-sale drawer openings) are chosen by journal seq the same way.
Money is fen. Sales figures are completed sales; returns include blind returns and post-voids;
net = sales − returns. A tender's sales figure is net of change (cash).
Rule PENDING_REFUNDS: refunds to a payment-code payment still `pending` (the provider has not
confirmed them; the sync agent asks again) are listed on every report until settled, whatever
their window: the customer has not got that money yet.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from edge.config import StoreConfig
from edge.ledger.clock import utc_now_iso
from edge.ledger.journal import append_entry
from edge.ledger.outbox import append_event
from edge.ledger.store import next_counter, write_transaction
from edge.ops_error import OpsError
from edge.store_ops.shifts import current_shift


def _last_z(conn: sqlite3.Connection, terminal_id: str) -> tuple[int, int, int]:
    """(last z number, its to_seq, its journal_to_seq); zeros before the first Z."""
    row = conn.execute("SELECT z_number, to_seq, body FROM z_report WHERE terminal_id = ?"
                       " ORDER BY z_number DESC LIMIT 1", (terminal_id,)).fetchone()
    if row is None:
        return 0, 0, 0
    return row[0], row[1], int(json.loads(row[2]).get("journal_to_seq", 0))


def _counter(conn: sqlite3.Connection, name: str) -> int:
    return int(conn.execute("SELECT value FROM counter WHERE name = ?", (name,)).fetchone()[0])


def x_report(conn: sqlite3.Connection, config: StoreConfig) -> dict[str, Any]:
    """The figures since the last Z, with what the till should hold per tender (`expected`)."""
    _, from_seq, journal_from = _last_z(conn, config.terminal_id)
    body = report(conn, config.terminal_id, from_seq, _counter(conn, "outbox_seq"), journal_from,
                  _counter(conn, "journal_seq"))
    body["expected"] = expected_by_tender(body)
    return body


def expected_by_tender(body: dict[str, Any]) -> dict[str, int]:
    """What the till should hold per tender over a report's window: every tender's net (sales
    less change and refunds) and stored-value top-ups taken by it; cash also the floats, cash in,
    cash out and pickups (EXPECTED_CASH of edge/store_ops/shifts.py, over the same window)."""
    expected = {kind: figures["net"] for kind, figures in body["tenders"].items()}
    for kind, amount in body["cash"]["stored_value_topups"].items():
        expected[kind] = expected.get(kind, 0) + amount
    cash = body["cash"]
    expected["cash"] = (expected.get("cash", 0) + cash["floats"] + cash["cash_in"]
                        - cash["cash_out"] - cash["pickups"])
    return expected


def z_report(conn: sqlite3.Connection, config: StoreConfig, staff_id: str) -> dict[str, Any]:
    with write_transaction(conn):
        if current_shift(conn, config.terminal_id) is not None:
            raise OpsError("shift_open", "close the shift (blind count) before the Z report")
        _, from_seq, journal_from = _last_z(conn, config.terminal_id)
        body = report(conn, config.terminal_id, from_seq, _counter(conn, "outbox_seq"),
                      journal_from, _counter(conn, "journal_seq"))
        body["z_number"] = next_counter(conn, "z_number")
        body["store_id"] = config.store_id
        event = append_event(conn, "shift.z_report", body)
        conn.execute("INSERT INTO z_report (z_number, terminal_id, from_seq, to_seq, staff_id, body,"
                     " event_seq, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (body["z_number"], config.terminal_id, body["from_seq"], body["to_seq"],
                      staff_id, json.dumps(body, ensure_ascii=False), event.seq, utc_now_iso()))
        append_entry(conn, "report.z", staff_id, {"z_number": body["z_number"],
                                                  "event_seq": event.seq,
                                                  "from_seq": body["from_seq"],
                                                  "to_seq": body["to_seq"],
                                                  "net_sales": body["net_sales"]})
    return body


def report(conn: sqlite3.Connection, terminal_id: str, from_seq: int, to_seq: int,
           journal_from: int = 0, journal_to: int = 0) -> dict[str, Any]:
    """Every figure of an X/Z report for this terminal's facts with from_seq < seq <= to_seq."""
    w = (terminal_id, from_seq, to_seq)
    in_sales = "s.terminal_id = ? AND s.event_seq > ? AND s.event_seq <= ?"
    in_returns = "r.terminal_id = ? AND r.event_seq > ? AND r.event_seq <= ?"

    def rows(sql: str, params: tuple[Any, ...] = w) -> list[sqlite3.Row]:
        return conn.execute(sql, params).fetchall()

    sales = rows("SELECT COUNT(*) AS n, COALESCE(SUM(subtotal), 0) AS subtotal,"
                 " COALESCE(SUM(discount), 0) AS discount, COALESCE(SUM(total), 0) AS total,"
                 " COALESCE(SUM(tax), 0) AS tax, COALESCE(SUM(rounding), 0) AS rounding"
                 f" FROM sale s WHERE s.status = 'completed' AND {in_sales}")[0]
    cancelled = rows("SELECT COUNT(*), COALESCE(SUM(total), 0) FROM sale s"
                     f" WHERE s.status = 'cancelled' AND {in_sales}")[0]
    voids = rows("SELECT COUNT(*), COALESCE(SUM(v.gross), 0) FROM sale_voided_line v"
                 f" JOIN sale s ON s.id = v.sale_id WHERE {in_sales}")[0]
    returns_by_kind = {r[0]: {"count": r[1], "total": r[2], "tax": r[3]} for r in rows(
        "SELECT kind, COUNT(*), SUM(total), SUM(tax) FROM sale_return r"
        f" WHERE {in_returns} GROUP BY kind")}
    returns_total = sum(v["total"] for v in returns_by_kind.values())

    tenders: dict[str, dict[str, int]] = {}
    for kind, amount in rows("SELECT t.type, SUM(t.amount) FROM sale_tender t JOIN sale s"
                             f" ON s.id = t.sale_id WHERE s.status = 'completed' AND {in_sales}"
                             " GROUP BY t.type"):
        tenders.setdefault(kind, {"sales": 0, "refunds": 0})["sales"] = amount
    change = rows(f"SELECT COALESCE(SUM(change), 0) FROM sale s WHERE s.status = 'completed'"
                  f" AND {in_sales}")[0][0]
    if change:
        tenders.setdefault("cash", {"sales": 0, "refunds": 0})["sales"] -= change
    for kind, amount in rows("SELECT t.type, SUM(t.amount) FROM return_tender t JOIN sale_return r"
                             f" ON r.id = t.return_id WHERE {in_returns} GROUP BY t.type"):
        tenders.setdefault(kind, {"sales": 0, "refunds": 0})["refunds"] = amount
    for figures in tenders.values():
        figures["net"] = figures["sales"] - figures["refunds"]

    tax_rates: dict[str, dict[str, int]] = {}
    for rate, total, tax in rows("SELECT l.tax_rate_bp, SUM(l.total), SUM(l.tax) FROM sale_line l"
                                 f" JOIN sale s ON s.id = l.sale_id WHERE s.status = 'completed'"
                                 f" AND {in_sales} GROUP BY l.tax_rate_bp"):
        tax_rates[str(rate)] = {"sales": total, "tax": tax, "returns": 0, "returns_tax": 0}
    for rate, amount, tax in rows("SELECT l.tax_rate_bp, SUM(l.amount), SUM(l.tax) FROM return_line l"
                                  f" JOIN sale_return r ON r.id = l.return_id WHERE {in_returns}"
                                  " GROUP BY l.tax_rate_bp"):
        entry = tax_rates.setdefault(str(rate), {"sales": 0, "tax": 0, "returns": 0,
                                                 "returns_tax": 0})
        entry["returns"], entry["returns_tax"] = amount, tax
    for entry in tax_rates.values():
        entry["net"] = entry["sales"] - entry["returns"]
        entry["net_tax"] = entry["tax"] - entry["returns_tax"]

    categories: dict[str, dict[str, int]] = {}
    for category, total, qty in rows(
            "SELECT json_extract(l.detail, '$.category'), SUM(l.total), SUM(l.qty_milli)"
            f" FROM sale_line l JOIN sale s ON s.id = l.sale_id WHERE s.status = 'completed'"
            f" AND {in_sales} GROUP BY 1"):
        categories[category or ""] = {"sales": total, "qty_milli": qty, "returns": 0}
    for category, amount in rows("SELECT l.category, SUM(l.amount) FROM return_line l"
                                 f" JOIN sale_return r ON r.id = l.return_id WHERE {in_returns}"
                                 " GROUP BY l.category"):
        categories.setdefault(category, {"sales": 0, "qty_milli": 0, "returns": 0})["returns"] = amount
    for entry in categories.values():
        entry["net"] = entry["sales"] - entry["returns"]

    cashiers: dict[str, dict[str, int]] = {}
    for staff, n, total, discount in rows(
            "SELECT staff_id, COUNT(*), SUM(total), SUM(discount) FROM sale s"
            f" WHERE s.status = 'completed' AND {in_sales} GROUP BY staff_id"):
        cashiers[staff] = {"sales_count": n, "sales": total, "discount": discount, "returns": 0}
    for staff, total in rows(f"SELECT staff_id, SUM(total) FROM sale_return r WHERE {in_returns}"
                             " GROUP BY staff_id"):
        cashiers.setdefault(staff, {"sales_count": 0, "sales": 0, "discount": 0,
                                    "returns": 0})["returns"] = total

    moves = {k: {"count": n, "total": t} for k, n, t in rows(
        "SELECT m.kind, COUNT(*), SUM(m.amount) FROM cash_movement m JOIN shift_open o"
        " ON o.id = m.shift_id WHERE o.terminal_id = ? AND m.event_seq > ? AND m.event_seq <= ?"
        " GROUP BY m.kind")}
    floats = rows("SELECT COUNT(*), COALESCE(SUM(float), 0) FROM shift_open o"
                  " WHERE o.terminal_id = ? AND o.event_seq > ? AND o.event_seq <= ?")[0]
    closes = rows("SELECT COUNT(*), COALESCE(SUM(c.over_short), 0), COALESCE(SUM(c.counted), 0),"
                  " COALESCE(SUM(c.expected), 0) FROM shift_close c JOIN shift_open o"
                  " ON o.id = c.shift_id WHERE o.terminal_id = ? AND c.event_seq > ?"
                  " AND c.event_seq <= ?")[0]
    topups = {k: t for k, t in rows(
        "SELECT tender, SUM(amount) FROM stored_value_movement WHERE kind = 'topup'"
        " AND event_seq > ? AND event_seq <= ? GROUP BY tender", (from_seq, to_seq))}
    no_sales = int(conn.execute("SELECT COUNT(*) FROM journal WHERE kind = 'drawer.no_sale'"
                                " AND seq > ? AND seq <= ?", (journal_from, journal_to)).fetchone()[0])
    pending_refunds = [{"out_refund_no": r[0], "out_trade_no": r[1], "amount": r[2], "state": r[3],
                  "return_id": r[4], "since": r[5]} for r in conn.execute(
        "SELECT out_refund_no, out_trade_no, amount, state, return_id, created_at"
        " FROM payment_refund WHERE state = 'pending' ORDER BY created_at, out_refund_no")]
    return {
        "terminal_id": terminal_id, "from_seq": from_seq, "to_seq": to_seq,
        "journal_from_seq": journal_from, "journal_to_seq": journal_to,
        "sales": {"count": sales["n"], "gross": sales["subtotal"], "discount": sales["discount"],
                  "total": sales["total"], "tax": sales["tax"], "rounding": sales["rounding"]},
        "returns": {"count": sum(v["count"] for v in returns_by_kind.values()),
                    "total": returns_total, "by_kind": returns_by_kind},
        "net_sales": sales["total"] - returns_total,
        "discounts": sales["discount"],
        "voids": {"lines": voids[0], "gross": voids[1], "cancelled_sales": cancelled[0],
                  "cancelled_total": cancelled[1]},
        "tenders": tenders,
        "tax_rates": tax_rates,
        "categories": categories,
        "cashiers": cashiers,
        "cash": {"shifts_opened": floats[0], "floats": floats[1],
                 "cash_in": moves.get("cash_in", {}).get("total", 0),
                 "cash_out": moves.get("cash_out", {}).get("total", 0),
                 "pickups": moves.get("pickup", {}).get("total", 0),
                 "stored_value_topups": topups, "no_sales": no_sales},
        "over_short": {"shifts_closed": closes[0], "counted": closes[2], "expected": closes[3],
                       "over_short": closes[1]},
        "pending_refunds": pending_refunds,
    }
