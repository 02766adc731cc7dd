"""Stock as a ledger of signed movements per SKU (sale, return, receipt, transfer, adjustment,
count); on-hand is their sum, never stored. Each movement carries the outbox seq of the fact that
made it, so any quantity "as of" a point is a sum cut by seq, not by clock.

Rule NEVER_BLOCK: negative on-hand never stops a sale; it is reported by `negative_stock`.
Rule COUNT_EXPECTED: a count session remembers its start seq S (the seq of its own start event).
An item's expected quantity = snapshot (movements with seq < S) + movements with S < seq <=
the item's count watermark (the outbox seq when it was last scanned), so sales during the count
are neither missed nor counted twice. Scans add up; a recount replaces the item's figure.
Approval posts one 'count' movement per counted item equal to its variance (counted − expected).
Rule UNCOUNTED: items in scope that were never scanned are, by the approver's choice, left as
they are ("leave") or set to zero ("zero": a 'count' movement of −expected each, in the same
fact); `approval_summary` says beforehand which items and what value that touches.
Rule REORDER_QTY: daily velocity v = units sold (sales − returns) in the last `velocity_days`
days / velocity_days; target = min_qty + v × (lead_time_days + review_days); suggested order =
target − on_hand, capped so on_hand + order <= max_qty, never below 0, rounded up to whole units
for items sold by the piece. Suggested only when on_hand <= min_qty (a low-stock alert).
"""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from edge.ledger.clock import utc_now_iso
from edge.ledger.journal import append_entry
from edge.ledger.money import QTY_SCALE, line_amount
from edge.ledger.outbox import append_event
from edge.ledger.store import write_transaction
from edge.ops_config import StoreOpsConfig
from edge.ops_error import OpsError
from edge.sale.basket import Sale

MANUAL_KINDS = ("receipt", "transfer", "adjustment")
UNCOUNTED_CHOICES = ("leave", "zero")
APPROVER_ROLES = ("supervisor", "manager")


@dataclass(frozen=True)
class VarianceLine:
    sku: str
    name: str
    expected: int          # qty_milli
    counted: int | None    # None: in scope, never scanned
    variance: int          # counted − expected (0 when not counted)
    value: int             # variance × current price, fen


@dataclass(frozen=True)
class ApprovalSummary:
    """What approving a count will do, shown before it is done."""

    items_counted: int
    variance_value: int              # fen, over the counted items
    uncounted: list[VarianceLine]    # in scope, never scanned, with stock expected
    uncounted_value: int             # fen: the expected stock of those at today's price


@dataclass(frozen=True)
class Suggestion:
    sku: str
    on_hand: int
    min_qty: int
    max_qty: int
    daily_velocity: int    # qty_milli per day, floored
    order_qty: int


def add_movements(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, int, str | None]],
                  event_seq: int) -> None:
    """(sku, kind, signed qty_milli, ref) rows; call inside the fact's write transaction."""
    now = utc_now_iso()
    conn.executemany("INSERT INTO stock_movement (sku, kind, qty_milli, ref, event_seq, at)"
                     " VALUES (?, ?, ?, ?, ?, ?)",
                     [(sku, kind, qty, ref, event_seq, now) for sku, kind, qty, ref in rows])


def record_sale_movements(conn: sqlite3.Connection, sale: Sale, event_seq: int) -> None:
    add_movements(conn, [(ln.sku, "sale", -ln.qty_milli, sale.id) for ln in sale.lines], event_seq)


def on_hand(conn: sqlite3.Connection, sku: str, through_seq: int | None = None) -> int:
    if through_seq is None:
        row = conn.execute("SELECT COALESCE(SUM(qty_milli), 0) FROM stock_movement WHERE sku = ?",
                           (sku,)).fetchone()
    else:
        row = conn.execute("SELECT COALESCE(SUM(qty_milli), 0) FROM stock_movement"
                           " WHERE sku = ? AND event_seq <= ?", (sku, through_seq)).fetchone()
    return int(row[0])


def negative_stock(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """The alert list: every SKU whose on-hand is below zero."""
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT sku, SUM(qty_milli) AS q FROM stock_movement GROUP BY sku HAVING q < 0 ORDER BY sku")]


def move(conn: sqlite3.Connection, staff_id: str, kind: str, items: list[tuple[str, int]],
         reference: str = "", reason: str = "") -> int:
    """A supplier receipt (+), a transfer (signed: + in, − out) or an adjustment (signed, with a
    reason) as one fact with its `stock.<kind>` event. Returns the event seq."""
    check_move(conn, kind, items, reason)
    with write_transaction(conn):
        return record_move(conn, staff_id, kind, items, reference, reason)


def check_move(conn: sqlite3.Connection, kind: str, items: list[tuple[str, int]],
               reason: str = "") -> None:
    """OpsError unless `items` can be moved as `kind` (known SKUs, quantities of the right sign,
    whole pieces); reads only."""
    if kind not in MANUAL_KINDS:
        raise OpsError("bad_request", f"kind must be one of {', '.join(MANUAL_KINDS)}")
    if not items:
        raise OpsError("bad_request", "no items")
    if kind == "adjustment" and not reason.strip():
        raise OpsError("bad_request", "an adjustment needs a reason")
    for sku, qty in items:
        if qty == 0 or (kind == "receipt" and qty < 0):
            raise OpsError("invalid_quantity", f"{sku}: quantity must be "
                                               f"{'positive' if kind == 'receipt' else 'non-zero'}")
        unit = conn.execute("SELECT unit FROM product WHERE sku = ?", (sku,)).fetchone()
        if unit is None:
            raise OpsError("unknown_product", f"no product {sku}")
        if unit[0] == "each" and qty % QTY_SCALE:
            raise OpsError("invalid_quantity", f"{sku} is counted by the piece: whole quantities")


def record_move(conn: sqlite3.Connection, staff_id: str, kind: str, items: list[tuple[str, int]],
                reference: str = "", reason: str = "") -> int:
    """The fact, its movements and journal entry of a checked move; inside the caller's write
    transaction. Returns the event seq."""
    event = append_event(conn, f"stock.{kind}",
                         {"items": [{"sku": s, "qty_milli": q} for s, q in items],
                          "reference": reference, "reason": reason, "staff_id": staff_id})
    add_movements(conn, [(s, kind, q, reference or None) for s, q in items], event.seq)
    append_entry(conn, f"stock.{kind}", staff_id, {"event_seq": event.seq, "items": len(items),
                                                   "reference": reference, "reason": reason})
    return event.seq


# --- counts ---------------------------------------------------------------------------------

def start_count(conn: sqlite3.Connection, staff_id: str, category: str | None = None) -> str:
    count_id = str(uuid.uuid4())
    scope = "full" if category is None else "category"
    with write_transaction(conn):
        event = append_event(conn, "stock.count_started", {"count_id": count_id, "scope": scope,
                                                           "category": category})
        conn.execute("INSERT INTO stock_count (id, scope, category, staff_id, start_seq, event_seq,"
                     " at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (count_id, scope, category, staff_id, event.seq, event.seq, utc_now_iso()))
        append_entry(conn, "stock.count_started", staff_id, {"count_id": count_id, "scope": scope,
                                                             "category": category})
    return count_id


@dataclass(frozen=True)
class CountSummary:
    id: str
    scope: str                 # full | category
    category: str | None
    staff_id: str
    started_at: str
    items_counted: int
    approved_by: str | None    # None while the count is open


def counts(conn: sqlite3.Connection) -> list[CountSummary]:
    """Every stock count, newest first: open ones still take scans; approved ones are posted."""
    return [CountSummary(*row) for row in conn.execute(
        "SELECT c.id, c.scope, c.category, c.staff_id, c.at,"
        " (SELECT count(DISTINCT e.sku) FROM stock_count_entry e WHERE e.count_id = c.id),"
        " a.approved_by"
        " FROM stock_count c LEFT JOIN stock_count_approval a ON a.count_id = c.id"
        " ORDER BY c.event_seq DESC")]


def _open_count(conn: sqlite3.Connection, count_id: object) -> sqlite3.Row:
    if not isinstance(count_id, str):
        raise OpsError("bad_request", "count must be a count id")
    row = conn.execute("SELECT * FROM stock_count WHERE id = ?", (count_id,)).fetchone()
    if row is None:
        raise OpsError("not_found", "no such stock count")
    if conn.execute("SELECT 1 FROM stock_count_approval WHERE count_id = ?",
                    (count_id,)).fetchone():
        raise OpsError("count_closed", "this stock count is already approved")
    return row  # type: ignore[no-any-return]


def count_item(conn: sqlite3.Connection, count_id: object, sku: str, qty_milli: int,
               staff_id: str, recount: bool = False) -> int:
    """Record a scan (adds to the item's count) or a recount (replaces it); returns the item's
    counted quantity."""
    session = _open_count(conn, count_id)
    product = conn.execute("SELECT category FROM product WHERE sku = ?", (sku,)).fetchone()
    if product is None:
        raise OpsError("unknown_product", f"no product {sku}")
    if session["scope"] == "category" and product[0] != session["category"]:
        raise OpsError("out_of_scope", f"{sku} is not in category {session['category']}")
    if qty_milli < 0 or (qty_milli == 0 and not recount):
        raise OpsError("invalid_quantity", "a scan counts a positive quantity")
    with write_transaction(conn):
        if recount and _counted(conn, session["id"], sku) is None:
            raise OpsError("not_counted", f"{sku} has not been counted yet: count it first")
        watermark = conn.execute("SELECT value FROM counter WHERE name = 'outbox_seq'").fetchone()[0]
        conn.execute("INSERT INTO stock_count_entry (count_id, sku, qty_milli, recount, at_seq,"
                     " staff_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (session["id"], sku, qty_milli, int(recount), watermark, staff_id,
                      utc_now_iso()))
        counted = _counted(conn, session["id"], sku)
    assert counted is not None
    return counted[0]


def _counted(conn: sqlite3.Connection, count_id: str, sku: str) -> tuple[int, int] | None:
    """(counted qty, watermark) of one item: the scans since (and including) its last recount."""
    rows = conn.execute("SELECT qty_milli, recount, at_seq FROM stock_count_entry"
                        " WHERE count_id = ? AND sku = ? ORDER BY id", (count_id, sku)).fetchall()
    if not rows:
        return None
    total = 0
    for qty, recount, _ in rows:
        total = qty if recount else total + qty
    return total, rows[-1][2]


def variance(conn: sqlite3.Connection, count_id: object) -> list[VarianceLine]:
    if not isinstance(count_id, str):
        raise OpsError("bad_request", "count must be a count id")
    session = conn.execute("SELECT * FROM stock_count WHERE id = ?", (count_id,)).fetchone()
    if session is None:
        raise OpsError("not_found", "no such stock count")
    start = session["start_seq"]
    if session["scope"] == "category":
        skus = [r[0] for r in conn.execute("SELECT sku FROM product WHERE category = ? ORDER BY sku",
                                           (session["category"],))]
    else:
        skus = [r[0] for r in conn.execute(
            "SELECT sku FROM stock_movement UNION SELECT sku FROM stock_count_entry"
            " WHERE count_id = ? ORDER BY 1", (count_id,))]
    lines = []
    for sku in skus:
        product = conn.execute("SELECT name_zh, price, unit FROM product WHERE sku = ?",
                               (sku,)).fetchone()
        snapshot = int(conn.execute("SELECT COALESCE(SUM(qty_milli), 0) FROM stock_movement"
                                    " WHERE sku = ? AND event_seq < ?", (sku, start)).fetchone()[0])
        counted = _counted(conn, count_id, sku)
        through = counted[1] if counted else None
        since = int(conn.execute(
            "SELECT COALESCE(SUM(qty_milli), 0) FROM stock_movement WHERE sku = ? AND event_seq > ?"
            + (" AND event_seq <= ?" if through is not None else ""),
            (sku, start, through) if through is not None else (sku, start)).fetchone()[0])
        expected = snapshot + since
        if counted is None and expected == 0:
            continue
        diff = counted[0] - expected if counted else 0
        value = _value(product["price"] if product else 0, diff)
        lines.append(VarianceLine(sku, product["name_zh"] if product else sku, expected,
                                  counted[0] if counted else None, diff, value))
    return lines


def _value(price: int, qty_milli: int) -> int:
    """A signed quantity at a price, rounded as a sale line is."""
    return line_amount(price, abs(qty_milli)) * (1 if qty_milli >= 0 else -1)


def _zeroed(line: VarianceLine, conn: sqlite3.Connection) -> VarianceLine:
    """An uncounted item as set to zero: counted 0, variance −expected."""
    price = conn.execute("SELECT price FROM product WHERE sku = ?", (line.sku,)).fetchone()
    return VarianceLine(line.sku, line.name, line.expected, 0, -line.expected,
                        _value(price[0] if price else 0, -line.expected))


def approval_summary(conn: sqlite3.Connection, count_id: object) -> ApprovalSummary:
    lines = variance(conn, count_id)
    counted = [ln for ln in lines if ln.counted is not None]
    uncounted = [ln for ln in lines if ln.counted is None and ln.expected != 0]
    return ApprovalSummary(len(counted), sum(ln.value for ln in counted), uncounted,
                           -sum(_zeroed(ln, conn).value for ln in uncounted))


def approve_count(conn: sqlite3.Connection, count_id: object, approver_id: str,
                  approver_role: str, uncounted: object = "leave") -> list[VarianceLine]:
    """Post the variances as 'count' movements: one fact, one `stock.count_approved` event.
    `uncounted` is "leave" or "zero" (rule UNCOUNTED); the lines returned are as posted."""
    if approver_role not in APPROVER_ROLES:
        raise OpsError("permission_denied", "approving a stock count needs a supervisor")
    if uncounted not in UNCOUNTED_CHOICES:
        raise OpsError("bad_request", "uncounted items are either left (leave) or set to zero (zero)")
    session = _open_count(conn, count_id)
    with write_transaction(conn):
        if conn.execute("SELECT 1 FROM stock_count_approval WHERE count_id = ?",
                        (session["id"],)).fetchone():
            raise OpsError("count_closed", "this stock count is already approved")
        lines = variance(conn, session["id"])
        to_zero = ({ln.sku for ln in lines if ln.counted is None and ln.expected != 0}
                   if uncounted == "zero" else set())
        lines = [_zeroed(ln, conn) if ln.sku in to_zero else ln for ln in lines]
        posted = [ln for ln in lines if ln.counted is not None and ln.variance != 0]
        event = append_event(conn, "stock.count_approved",
                             {"count_id": session["id"], "approved_by": approver_id,
                              "uncounted": uncounted,
                              "items": [{"sku": ln.sku, "expected": ln.expected,
                                         "counted": ln.counted, "variance": ln.variance}
                                        for ln in lines if ln.counted is not None]})
        add_movements(conn, [(ln.sku, "count", ln.variance, session["id"]) for ln in posted],
                      event.seq)
        conn.execute("INSERT INTO stock_count_approval (count_id, approved_by, event_seq, at)"
                     " VALUES (?, ?, ?, ?)", (session["id"], approver_id, event.seq, utc_now_iso()))
        append_entry(conn, "stock.count_approved", approver_id,
                     {"count_id": session["id"], "event_seq": event.seq, "adjusted": len(posted),
                      "value": sum(ln.value for ln in posted), "uncounted": uncounted,
                      "zeroed": len(to_zero)})
    return lines



# --- replenishment --------------------------------------------------------------------------

def set_level(conn: sqlite3.Connection, sku: str, min_qty: int, max_qty: int,
              lead_time_days: int = 2) -> None:
    if min_qty < 0 or max_qty < min_qty or lead_time_days < 0:
        raise OpsError("bad_request", "need 0 <= min <= max and lead time >= 0")
    if conn.execute("SELECT 1 FROM product WHERE sku = ?", (sku,)).fetchone() is None:
        raise OpsError("unknown_product", f"no product {sku}")
    with write_transaction(conn):
        conn.execute("INSERT OR REPLACE INTO stock_level (sku, min_qty_milli, max_qty_milli,"
                     " lead_time_days) VALUES (?, ?, ?, ?)", (sku, min_qty, max_qty, lead_time_days))


def suggestions(conn: sqlite3.Connection, ops: StoreOpsConfig,
                now: datetime | None = None) -> list[Suggestion]:
    """Low-stock alerts with suggested order quantities (rule REORDER_QTY)."""
    since = ((now or datetime.now(UTC)) - timedelta(days=ops.velocity_days)).isoformat(
        timespec="milliseconds")
    out = []
    for row in conn.execute(
            "SELECT l.sku, l.min_qty_milli, l.max_qty_milli, l.lead_time_days, p.unit,"
            " (SELECT COALESCE(SUM(qty_milli), 0) FROM stock_movement m WHERE m.sku = l.sku) AS oh,"
            " (SELECT COALESCE(-SUM(qty_milli), 0) FROM stock_movement m WHERE m.sku = l.sku"
            "  AND m.kind IN ('sale', 'return') AND m.at >= ?) AS sold"
            " FROM stock_level l LEFT JOIN product p ON p.sku = l.sku ORDER BY l.sku", (since,)):
        sku, low, high, lead, unit, have, sold = row
        if have > low:
            continue
        days = lead + ops.review_days
        target = low + max(0, sold) * days // ops.velocity_days
        order = max(0, min(target, high) - have)
        if unit != "kg" and order % QTY_SCALE:
            order += QTY_SCALE - order % QTY_SCALE
        out.append(Suggestion(sku, have, low, high, max(0, sold) // ops.velocity_days, order))
    return out


# --- the ledger as HQ checks it ----------------------------------------------------------------

@dataclass(frozen=True)
class LedgerDigest:
    """A terminal's stock ledger through one of its seqs, in a line: HQ sums its own copy of the
    same facts through the same seq and must find the same digest (`pos hq stock verify`)."""

    through_seq: int
    skus: int           # SKUs whose movements do not sum to zero
    sum_milli: int      # all of them added up
    digest: str         # sha256 over "sku\tqty\n", sorted by SKU, zero sums left out


def digest_of(through_seq: int, sums: Iterable[tuple[str, int]]) -> LedgerDigest:
    """The one way a ledger is digested, at the store and at HQ."""
    kept = sorted((sku, int(qty)) for sku, qty in sums if qty)
    h = hashlib.sha256()
    for sku, qty in kept:
        h.update(f"{sku}\t{qty}\n".encode())
    return LedgerDigest(through_seq, len(kept), sum(q for _, q in kept), h.hexdigest())


def ledger_digest(conn: sqlite3.Connection) -> LedgerDigest:
    """This terminal's ledger through its latest outbox seq (one read transaction: a movement is
    written with its fact, so no movement of a later seq can be in the sums)."""
    conn.execute("BEGIN")
    try:
        row = conn.execute("SELECT value FROM counter WHERE name = 'outbox_seq'").fetchone()
        through = int(row[0]) if row else 0
        sums = conn.execute("SELECT sku, SUM(qty_milli) FROM stock_movement WHERE event_seq <= ?"
                            " GROUP BY sku", (through,)).fetchall()
    finally:
        conn.execute("COMMIT")
    return digest_of(through, [(row[0], row[1]) for row in sums])
