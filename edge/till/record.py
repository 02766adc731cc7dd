"""Completed and cancelled sales as facts. One BEGIN IMMEDIATE transaction writes the sale, its
lines and tenders, one outbox event and one journal entry, and clears the till's draft; nothing
here ever updates a recorded sale.

Rule (open prices): a completed sale with open-price lines (无码商品: the cashier typed the
price) also sends, in that same transaction and right after the sale's own event, one
`open_price.sold` fact naming those lines, for HQ's loss prevention. The sale's payload does not
carry the mark (HQ's strict sale schema, and its hot path, stay as they are): HQ counts the
small fact instead, which only a sale with open prices has.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from edge.config import StoreConfig
from edge.ledger.clock import utc_now_iso
from edge.ledger.journal import append_entry
from edge.ledger.outbox import append_event
from edge.ledger.store import next_counter, write_transaction
from edge.orders.reservations import report_oversold
from edge.sale.basket import Line, Sale, Tender
from edge.till.effects import record_sale_effects


def record_sale(conn: sqlite3.Connection, sale: Sale, config: StoreConfig,
                also: Callable[[sqlite3.Connection], None] | None = None) -> None:
    """Make a completed or cancelled sale a fact; fills in receipt_no, event_seq and closed_at.
    `also` writes in the same transaction (a payment attempt marked paid with its sale)."""
    if sale.status not in ("completed", "cancelled"):
        raise ValueError(f"only a finished sale is recorded, not a {sale.status} one")
    with write_transaction(conn):
        sale.closed_at = utc_now_iso()
        sale.receipt_no = next_counter(conn, "receipt_no")
        event = append_event(conn, f"sale.{sale.status}", sale_payload(sale, config))
        sale.event_seq = event.seq
        opened = open_price_payload(sale)
        if opened is not None:
            append_event(conn, "open_price.sold", opened)
        conn.execute(
            "INSERT INTO sale (id, store_id, terminal_id, receipt_no, event_seq, status, staff_id,"
            " opened_at, closed_at, currency, line_count, subtotal, discount, tax, total, rounding,"
            " paid, change) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (sale.id, sale.store_id, sale.terminal_id, sale.receipt_no, event.seq, sale.status,
             sale.staff_id, sale.opened_at, sale.closed_at, config.currency, len(sale.lines),
             sale.subtotal, sale.discount, sale.tax, sale.total, sale.rounding, sale.paid,
             sale.change),
        )
        conn.executemany(
            "INSERT INTO sale_line (sale_id, line_no, sku, name, unit, qty_milli, unit_price,"
            " gross, discount, total, tax_class, tax_rate_bp, tax, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(sale.id, ln.line_no, ln.sku, ln.name_zh, ln.unit, ln.qty_milli, ln.unit_price,
              ln.gross, ln.discount, ln.total, ln.tax_class, ln.tax_rate_bp, ln.tax,
              json.dumps(_line_detail(ln), ensure_ascii=False)) for ln in sale.lines],
        )
        conn.executemany(
            "INSERT INTO sale_tender (sale_id, tender_no, type, amount, reference, approval_code,"
            " masked_pan) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(sale.id, t.tender_no, t.type, t.amount, t.reference, t.approval_code, t.masked_pan)
             for t in sale.tenders],
        )
        record_sale_effects(conn, sale, config, event.seq)
        if sale.status == "completed":
            sold: dict[str, int] = {}
            for ln in sale.lines:
                sold[ln.sku] = sold.get(ln.sku, 0) + ln.qty_milli
            report_oversold(conn, sold, sale.id, sale.order_id)
        append_entry(conn, f"sale.{sale.status}", sale.staff_id,
                     {"sale_id": sale.id, "receipt_no": sale.receipt_no, "event_seq": event.seq,
                      "total": sale.total, "lines": len(sale.lines),
                      "voided_lines": len(sale.voided_lines)})
        conn.execute("DELETE FROM open_sale WHERE terminal_id = ?", (sale.terminal_id,))
        if also is not None:
            also(conn)


def sale_payload(sale: Sale, config: StoreConfig) -> dict[str, Any]:
    """The `sale.completed` / `sale.cancelled` event body (see docs/sync-protocol.md); manual
    discounts, with who gave and approved them, only when the sale has any."""
    payload: dict[str, Any] = {
        "sale_id": sale.id, "store_id": sale.store_id, "terminal_id": sale.terminal_id,
        "receipt_no": sale.receipt_no, "staff_id": sale.staff_id, "opened_at": sale.opened_at,
        "closed_at": sale.closed_at, "currency": config.currency, "subtotal": sale.subtotal,
        "discount": sale.discount, "tax": sale.tax, "total": sale.total,
        "rounding": sale.rounding, "paid": sale.paid, "change": sale.change,
        "lines": [{"line_no": ln.line_no, "sku": ln.sku, "name": ln.name_zh, "unit": ln.unit,
                   "qty_milli": ln.qty_milli, "unit_price": ln.unit_price, "gross": ln.gross,
                   "discount": ln.discount, "total": ln.total, "tax_class": ln.tax_class,
                   "tax_rate_bp": ln.tax_rate_bp, "tax": ln.tax} for ln in sale.lines],
        "tenders": [{"tender_no": t.tender_no, "type": t.type, "amount": t.amount,
                     "reference": t.reference, "approval_code": t.approval_code,
                     "masked_pan": t.masked_pan} for t in sale.tenders],
    }
    manual = sale.manual_discounts()
    if manual:
        payload["manual_discounts"] = manual
    return payload


def open_price_payload(sale: Sale) -> dict[str, Any] | None:
    """The `open_price.sold` fact of a completed sale: its open-price lines as sold (qty, the
    typed unit price, the line's total after promotions), for its cashier; None without any."""
    lines = [ln for ln in sale.lines if ln.open_price]
    if sale.status != "completed" or not lines:
        return None
    return {"sale_id": sale.id, "staff_id": sale.staff_id,
            "lines": [{"line_no": ln.line_no, "sku": ln.sku, "qty_milli": ln.qty_milli,
                       "unit_price": ln.unit_price, "total": ln.total} for ln in lines]}


def _line_detail(ln: Line) -> dict[str, Any]:
    detail: dict[str, Any] = {"name_en": ln.name_en, "category": ln.category}
    if ln.discounts:
        detail["discounts"] = [{"promotion_id": d.promotion_id, "amount": d.amount,
                                "reason": d.reason} for d in ln.discounts]
    if ln.manual_discount:
        detail["manual_discount"] = {"kind": ln.manual_discount.kind,
                                     "value": ln.manual_discount.value,
                                     "by": ln.manual_discount.by_staff,
                                     "approved_by": ln.manual_discount.approved_by}
    if ln.open_price:
        detail["open_price"] = True
    if ln.override:
        detail["override"] = {"original_price": ln.override.original_price,
                              "by": ln.override.by_staff, "approved_by": ln.override.approved_by,
                              "reason": ln.override.reason}
    return detail


def load_sale(conn: sqlite3.Connection, sale_id: str) -> Sale | None:
    """A recorded sale, rebuilt for a receipt reprint or a return."""
    row = conn.execute("SELECT * FROM sale WHERE id = ?", (sale_id,)).fetchone()
    if row is None:
        return None
    lines = []
    for r in conn.execute("SELECT * FROM sale_line WHERE sale_id = ? ORDER BY line_no", (sale_id,)):
        detail = json.loads(r["detail"])
        lines.append(Line(r["line_no"], r["sku"], r["name"], detail.get("name_en", r["name"]),
                          r["unit"], detail.get("category", ""), r["qty_milli"], r["unit_price"],
                          r["tax_class"], r["tax_rate_bp"], gross=r["gross"],
                          discount=r["discount"], total=r["total"], tax=r["tax"]))
    tenders = [Tender(r["tender_no"], r["type"], r["amount"], r["reference"], r["approval_code"],
                      r["masked_pan"])
               for r in conn.execute("SELECT * FROM sale_tender WHERE sale_id = ? ORDER BY tender_no",
                                     (sale_id,))]
    return Sale(row["id"], row["store_id"], row["terminal_id"], row["staff_id"], row["opened_at"],
                status=row["status"], lines=lines, tenders=tenders, subtotal=row["subtotal"],
                discount=row["discount"], tax=row["tax"], total=row["total"],
                rounding=row["rounding"], change=row["change"], closed_at=row["closed_at"],
                receipt_no=row["receipt_no"], event_seq=row["event_seq"])


def save_draft(conn: sqlite3.Connection, sale: Sale, in_transaction: bool = False) -> None:
    """Keep an open sale that has taken money, so a crash cannot forget the payment."""
    if not in_transaction:
        with write_transaction(conn):
            save_draft(conn, sale, in_transaction=True)
        return
    conn.execute("INSERT OR REPLACE INTO open_sale (terminal_id, saved_at, body) VALUES (?, ?, ?)",
                 (sale.terminal_id, utc_now_iso(), json.dumps(sale.to_dict(), ensure_ascii=False)))


def load_draft(conn: sqlite3.Connection, terminal_id: str) -> Sale | None:
    row = conn.execute("SELECT body FROM open_sale WHERE terminal_id = ?", (terminal_id,)).fetchone()
    return Sale.from_dict(json.loads(row[0])) if row else None
