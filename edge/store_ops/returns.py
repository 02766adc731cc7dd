"""Returns, blind returns and post-voids: each a new fact (never an edit of the sale) written in one
transaction: return rows, refund tenders, stock movements back in, the points reversal, any
stored-value refund, one `return.completed` event and one journal entry.

Rule RETURN_UNIT_SHARE (last unit takes the rest): a returned quantity is refunded at the price
actually paid, basket discounts included: with paid = line.total (+ line.tax when the sale added
VAT on top of its prices), unit share = floor(paid × 1000 / qty_milli) fen per unit, refund =
floor(unit share × returned qty_milli / 1000); the return that takes the line's last unit refunds
paid minus everything refunded on that line before, so any series of partial returns adds up to
what was paid exactly. The VAT in a refund is shared the same way from line.tax, and the return
line's `amount` is the refund less that VAT when VAT was on top (it mirrors sale_line.total, net
or gross as the sale's was). Whether VAT was on top is read from the sale itself (total = lines +
tax), not from today's config, so a store that changes `prices_include_tax` still refunds old
sales right.
Rule REFUND_CAP: a sale never refunds more than was paid for it (total + cash rounding); a
shortfall from a rounded-down cash payment is recorded as the return's rounding.
Rule REFUND_TO_ORIGINAL: the refund goes back to the sale's own tenders, each up to what it paid
(cash net of change) less what earlier returns gave back to it, in the order stored_value, card,
mobile, other, points, cash: cash last because it is the easiest to abuse.
Blind returns (no receipt) need a supervisor, refund cash at the current shelf price, and are
limited to `returns.blind_max_amount` fen each.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from edge.catalog import products as catalog
from edge.config import StoreConfig
from edge.customers.members import add_points_movement, earn_reversal, points_for_amount, sale_member_id
from edge.customers.stored_value import record_refund
from edge.ledger.clock import utc_now_iso
from edge.ledger.journal import append_entry
from edge.ledger.money import QTY_SCALE, line_amount
from edge.ledger.outbox import append_event
from edge.ledger.store import write_transaction
from edge.ledger.tax import line_tax
from edge.ops_config import store_ops_config
from edge.ops_error import OpsError
from edge.store_ops.stock import add_movements

REFUND_ORDER = ("stored_value", "card", "mobile", "other", "points", "cash")
KINDS = ("return", "blind", "post_void")


@dataclass(frozen=True)
class ReturnLine:
    line_no: int
    sale_line_no: int | None
    sku: str
    category: str
    qty_milli: int
    amount: int
    tax_rate_bp: int
    tax: int


@dataclass(frozen=True)
class RefundTender:
    type: str
    amount: int
    reference: str | None


@dataclass
class ReturnRecord:
    id: str
    kind: str
    original_sale_id: str | None
    total: int
    tax: int
    rounding: int
    event_seq: int
    lines: list[ReturnLine] = field(default_factory=list)
    tenders: list[RefundTender] = field(default_factory=list)
    points_reversed: int = 0
    points_refunded: int = 0


def sale_id_from_receipt(text: object) -> str:
    """A receipt QR payload ends with the sale id (…/S001/T01/<uuid>); a typed id is taken as is."""
    if not isinstance(text, str) or not text.strip():
        raise OpsError("bad_request", "give the receipt QR payload or the sale id")
    sale_id = text.strip().rstrip("/").rsplit("/", 1)[-1]
    if not sale_id or len(sale_id) > 64:
        raise OpsError("bad_request", "not a receipt code or sale id")
    return sale_id


def returnable(conn: sqlite3.Connection, sale_id: str) -> list[dict[str, int | str]]:
    """Per line of a completed sale: what was sold, what is already returned, what is left."""
    _completed_sale(conn, sale_id)
    return [{"line": r["line_no"], "sku": r["sku"], "name": r["name"], "qty_milli": r["qty_milli"],
             "returned_milli": r["returned"], "left_milli": r["qty_milli"] - r["returned"],
             "total": r["total"], "refunded": r["refunded"]}
            for r in _lines_with_returns(conn, sale_id)]


def _completed_sale(conn: sqlite3.Connection, sale_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM sale WHERE id = ?", (sale_id,)).fetchone()
    if row is None:
        raise OpsError("not_found", "no sale with this receipt on this till")
    if row["status"] != "completed":
        raise OpsError("not_returnable", "only a completed sale can be returned")
    return row  # type: ignore[no-any-return]


def _lines_with_returns(conn: sqlite3.Connection, sale_id: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT l.line_no, l.sku, l.name, l.qty_milli, l.total, l.tax, l.tax_rate_bp,"
        " json_extract(l.detail, '$.category') AS category,"
        " COALESCE(SUM(rl.qty_milli), 0) AS returned, COALESCE(SUM(rl.amount), 0) AS refunded,"
        " COALESCE(SUM(rl.tax), 0) AS tax_refunded"
        " FROM sale_line l LEFT JOIN sale_return r ON r.original_sale_id = l.sale_id"
        " LEFT JOIN return_line rl ON rl.return_id = r.id AND rl.sale_line_no = l.line_no"
        " WHERE l.sale_id = ? GROUP BY l.line_no ORDER BY l.line_no", (sale_id,)).fetchall()


def _tax_on_top(sale: sqlite3.Row, lines: Iterable[sqlite3.Row]) -> bool:
    """Did this sale add VAT on top of its line totals (a store with prices_include_tax = false)?"""
    return bool(sale["tax"]) and sale["total"] == sum(r["total"] for r in lines) + sale["tax"]


def unit_share(total: int, sold_milli: int, returned_before: int, refunded_before: int,
               qty_milli: int) -> int:
    """RETURN_UNIT_SHARE for one returned quantity of a line."""
    if returned_before + qty_milli == sold_milli:
        return total - refunded_before
    per_unit = total * QTY_SCALE // sold_milli
    return per_unit * qty_milli // QTY_SCALE


def return_sale_items(conn: sqlite3.Connection, config: StoreConfig, staff_id: str,
                      receipt: object, items: list[tuple[int, int]], reason: str = "",
                      approved_by: str | None = None, kind: str = "return") -> ReturnRecord:
    """Return (line_no, qty_milli) items of a recorded sale; kind 'post_void' returns it all."""
    sale_id = sale_id_from_receipt(receipt)
    reason = reason.strip()[:200]
    line_nos = [no for no, _ in items]
    if kind not in ("return", "post_void"):
        raise OpsError("bad_request", f"kind must be return or post_void, not {kind}")
    if len(set(line_nos)) != len(line_nos):
        raise OpsError("bad_request", "each line may appear once in a return")
    return_id = str(uuid.uuid4())
    ops = store_ops_config(config)
    with write_transaction(conn):
        sale = _completed_sale(conn, sale_id)
        lines = {r["line_no"]: r for r in _lines_with_returns(conn, sale_id)}
        tax_on_top = _tax_on_top(sale, lines.values())
        if kind == "post_void":
            if any(r["returned"] for r in lines.values()):
                raise OpsError("already_returned", "items of this sale were returned: it cannot "
                                                   "be post-voided")
            items = [(no, r["qty_milli"]) for no, r in lines.items()]
        if not items:
            raise OpsError("bad_request", "nothing to return")
        out: list[ReturnLine] = []
        for n, (line_no, qty) in enumerate(items, start=1):
            row = lines.get(line_no)
            if row is None:
                raise OpsError("unknown_line", f"the sale has no line {line_no}")
            left = row["qty_milli"] - row["returned"]
            if qty <= 0:
                raise OpsError("invalid_quantity", "return quantity must be greater than zero")
            if qty > left:
                raise OpsError("already_returned" if left == 0 else "exceeds_sold",
                               f"line {line_no}: only {left / QTY_SCALE:g} left to return")
            tax = unit_share(row["tax"], row["qty_milli"], row["returned"], row["tax_refunded"], qty)
            if tax_on_top:
                paid = unit_share(row["total"] + row["tax"], row["qty_milli"], row["returned"],
                                  row["refunded"] + row["tax_refunded"], qty)
                amount = paid - tax
            else:
                amount = unit_share(row["total"], row["qty_milli"], row["returned"],
                                    row["refunded"], qty)
            out.append(ReturnLine(n, line_no, row["sku"], row["category"] or "", qty, amount,
                                  row["tax_rate_bp"], tax))
        wanted = sum(ln.amount + (ln.tax if tax_on_top else 0) for ln in out)
        refunded_before = int(conn.execute(
            "SELECT COALESCE(SUM(total), 0) FROM sale_return WHERE original_sale_id = ?",
            (sale_id,)).fetchone()[0])
        fully_returned = all(
            row["qty_milli"] - row["returned"] == dict(items).get(no, 0) for no, row in lines.items())
        cap = sale["total"] + sale["rounding"] - refunded_before
        refund = min(wanted, cap) if not fully_returned else cap
        tenders = _allocate(conn, sale_id, refund)
        record = ReturnRecord(return_id, kind, sale_id, refund, sum(ln.tax for ln in out),
                              refund - wanted, 0, out, tenders)
        _write(conn, config, record, staff_id, approved_by, reason, sale["store_id"])
        member_id = sale_member_id(conn, sale_id)
        if member_id is not None:
            points_back = sum(points_for_amount(t.amount, ops) or 0 for t in tenders
                              if t.type == "points")
            non_points = int(conn.execute(
                "SELECT COALESCE(SUM(t.amount), 0) FROM return_tender t JOIN sale_return r"
                " ON r.id = t.return_id WHERE r.original_sale_id = ? AND t.type != 'points'",
                (sale_id,)).fetchone()[0])
            reversal = earn_reversal(conn, sale_id, non_points, ops)
            if points_back:
                add_points_movement(conn, member_id, "redeem_refund", points_back, sale_id,
                                    return_id, record.event_seq)
            if reversal and reversal[1]:
                add_points_movement(conn, member_id, "earn_reversal", -reversal[1], sale_id,
                                    return_id, record.event_seq)
            record.points_refunded = points_back
            record.points_reversed = reversal[1] if reversal else 0
        _finish(conn, config, record, staff_id, approved_by, reason)
    return record


def blind_return(conn: sqlite3.Connection, config: StoreConfig, staff_id: str, approved_by: str,
                 items: list[tuple[str, int]], reason: str) -> ReturnRecord:
    """A return without a receipt: (sku, qty_milli) at today's price, refunded in cash."""
    reason = reason.strip()[:200]
    if not reason:
        raise OpsError("bad_request", "a blind return needs a reason")
    if not items:
        raise OpsError("bad_request", "nothing to return")
    out: list[ReturnLine] = []
    for n, (sku, qty) in enumerate(items, start=1):
        product = catalog.by_sku(conn, sku)
        if product is None:
            raise OpsError("unknown_product", f"no product {sku}")
        if qty <= 0:
            raise OpsError("invalid_quantity", "return quantity must be greater than zero")
        rate = config.tax_classes.get(product.tax_class, 0)
        amount = line_amount(product.price, qty)
        out.append(ReturnLine(n, None, sku, product.category, qty, amount, rate,
                              line_tax(amount, rate, config.prices_include_tax)))
    # VAT added on top of today's shelf price is refunded with it, as the sale would have charged it.
    total = sum(ln.amount + (0 if config.prices_include_tax else ln.tax) for ln in out)
    limit = store_ops_config(config).blind_return_max
    if total > limit:
        raise OpsError("blind_limit_exceeded", f"a blind return is limited to {limit / 100:.2f}")
    record = ReturnRecord(str(uuid.uuid4()), "blind", None, total, sum(ln.tax for ln in out), 0, 0,
                          out, [RefundTender("cash", total, None)] if total else [])
    with write_transaction(conn):
        _write(conn, config, record, staff_id, approved_by, reason, config.store_id)
        _finish(conn, config, record, staff_id, approved_by, reason)
    return record


def _allocate(conn: sqlite3.Connection, sale_id: str, refund: int) -> list[RefundTender]:
    """REFUND_TO_ORIGINAL."""
    capacity: dict[tuple[str, str | None], int] = {}
    change = int(conn.execute("SELECT change FROM sale WHERE id = ?", (sale_id,)).fetchone()[0])
    for t in conn.execute("SELECT type, reference, amount FROM sale_tender WHERE sale_id = ?"
                          " ORDER BY tender_no", (sale_id,)):
        key = (t["type"], t["reference"] if t["type"] != "cash" else None)
        capacity[key] = capacity.get(key, 0) + t["amount"]
    if ("cash", None) in capacity:
        capacity[("cash", None)] -= change
    for t in conn.execute("SELECT t.type, t.reference, SUM(t.amount) FROM return_tender t"
                          " JOIN sale_return r ON r.id = t.return_id"
                          " WHERE r.original_sale_id = ? GROUP BY t.type, t.reference", (sale_id,)):
        key = (t[0], t[1])
        capacity[key] = capacity.get(key, 0) - t[2]
    out = []
    rest = refund
    for key in sorted(capacity, key=lambda k: REFUND_ORDER.index(k[0])
                      if k[0] in REFUND_ORDER else len(REFUND_ORDER) - 1):
        take = min(rest, max(capacity[key], 0))
        if take:
            out.append(RefundTender(key[0], take, key[1]))
            rest -= take
    if rest:
        out.append(RefundTender("cash", rest, None))
    return out


def _write(conn: sqlite3.Connection, config: StoreConfig, record: ReturnRecord, staff_id: str,
           approved_by: str | None, reason: str, store_id: str) -> None:
    event = append_event(conn, "return.completed", {
        "return_id": record.id, "kind": record.kind, "original_sale_id": record.original_sale_id,
        "store_id": store_id, "terminal_id": config.terminal_id, "staff_id": staff_id,
        "approved_by": approved_by, "reason": reason, "total": record.total, "tax": record.tax,
        "rounding": record.rounding,
        "lines": [{"line_no": ln.line_no, "sale_line_no": ln.sale_line_no, "sku": ln.sku,
                   "qty_milli": ln.qty_milli, "amount": ln.amount, "tax_rate_bp": ln.tax_rate_bp,
                   "tax": ln.tax} for ln in record.lines],
        "tenders": [{"type": t.type, "amount": t.amount, "reference": t.reference}
                    for t in record.tenders]})
    record.event_seq = event.seq
    conn.execute("INSERT INTO sale_return (id, kind, original_sale_id, store_id, terminal_id,"
                 " staff_id, approved_by, reason, event_seq, created_at, total, tax, rounding)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (record.id, record.kind, record.original_sale_id, store_id, config.terminal_id,
                  staff_id, approved_by, reason[:200], event.seq, utc_now_iso(), record.total,
                  record.tax, record.rounding))
    conn.executemany("INSERT INTO return_line (return_id, line_no, sale_line_no, sku, category,"
                     " qty_milli, amount, tax_rate_bp, tax) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [(record.id, ln.line_no, ln.sale_line_no, ln.sku, ln.category, ln.qty_milli,
                       ln.amount, ln.tax_rate_bp, ln.tax) for ln in record.lines])
    conn.executemany("INSERT INTO return_tender (return_id, tender_no, type, amount, reference)"
                     " VALUES (?, ?, ?, ?, ?)",
                     [(record.id, n, t.type, t.amount, t.reference)
                      for n, t in enumerate(record.tenders, start=1)])
    add_movements(conn, [(ln.sku, "return", ln.qty_milli, record.id) for ln in record.lines],
                  event.seq)


def _finish(conn: sqlite3.Connection, config: StoreConfig, record: ReturnRecord, staff_id: str,
            approved_by: str | None, reason: str) -> None:
    for t in record.tenders:
        if t.type == "stored_value" and t.reference is not None:
            record_refund(conn, t.reference, t.amount, record.id, record.original_sale_id,
                          config.terminal_id, staff_id)
    append_entry(conn, f"return.{record.kind}", staff_id,
                 {"return_id": record.id, "original_sale_id": record.original_sale_id,
                  "event_seq": record.event_seq, "total": record.total,
                  "approved_by": approved_by, "reason": reason[:200],
                  "points_reversed": record.points_reversed,
                  "points_refunded": record.points_refunded})
