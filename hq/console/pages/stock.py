"""Stock and replenishment: one store's on-hand per SKU (hq_stock_on_hand, kept in the ingest
transaction), its last approved count and each SKU's variance in it, low-stock alerts and a
replenishment suggestion per SKU, with every input shown; the suggestions as a purchase order
(CSV or XLSX); the replenishment parameters edited per store and SKU (audited).

Rule (suggestion): demand over the cover = average daily sales over the window × Σ the store's
weekday factors of the cover's days (lead time + review period, from today); suggestion =
demand + safety stock − on hand − on order, rounded up to a whole unit, never below 0. Low stock:
on hand ≤ the reorder point, the demand over the lead time + safety stock (and something sold).
Sales velocity is read from hq_rollup_sku_day (hq/storage/rollups.py), never from sale lines.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from hq.console.accounts import audit
from hq.console.pages import Ctx, Forbidden, action, download, page

WINDOW_DAYS = 28                 # four of each weekday
DEFAULTS = {"lead_days": 2, "review_days": 7, "safety_milli": 0}
MAX_ROWS = 5000                 # in the JSON; the page shows the first 300, the exports all


def _store(ctx: Ctx) -> tuple[str | None, list[str]]:
    """The store shown (?store=, else the first the user sees) and the stores to pick from."""
    rows = ctx.conn.execute("SELECT DISTINCT store FROM hq_terminal ORDER BY 1").fetchall()
    stores = ctx.user.visible([r[0] for r in rows])
    chosen = ctx.store_param()
    if chosen is None and ctx.user.role == "manager" and ctx.user.stores:
        chosen = sorted(ctx.user.stores)[0]
    if chosen is None and stores:
        chosen = stores[0]
    if chosen is not None and not ctx.user.sees(chosen):
        raise Forbidden(chosen)
    if chosen is not None and chosen not in stores:
        stores.append(chosen)
    return chosen, stores


def _window(ctx: Ctx) -> int:
    try:
        return min(max(int(ctx.query.get("window", WINDOW_DAYS)), 7), 91)
    except ValueError:
        return WINDOW_DAYS


def weekday_factors(per_weekday: dict[int, int], days: list[date]) -> list[float]:
    """Factor per weekday (Monday 0): the weekday's average daily net sales ÷ the window's; 1.0
    where the window has no sales."""
    count = [0] * 7
    for d in days:
        count[d.weekday()] += 1
    total = sum(per_weekday.values())
    if not total:
        return [1.0] * 7
    average = total / len(days)
    return [(per_weekday.get(w, 0) / count[w]) / average if count[w] else 1.0
            for w in range(7)]


def cover(factors: list[float], today: date, lead: int, review: int) -> tuple[float, float]:
    """(Σ weekday factors over the lead time, Σ over lead time + review period), from today."""
    days = [factors[(today + timedelta(days=d)).weekday()] for d in range(lead + review)]
    return sum(days[:lead]), sum(days)


def suggest(avg_milli: float, covered: tuple[float, float], lead: int, review: int, safety: int,
            on_hand: int, on_order: int) -> dict[str, Any]:
    demand = avg_milli * covered[1]
    reorder = avg_milli * covered[0] + safety
    need = demand + safety - on_hand - on_order
    return {"demand_milli": round(demand), "reorder_point_milli": round(reorder),
            "cover_factor": round(covered[1] / (lead + review), 3),
            "suggest_milli": max(0, math.ceil(round(need) / 1000) * 1000),
            "low": avg_milli > 0 and on_hand <= round(reorder)}


def load_stock(ctx: Ctx, limit: int | None = MAX_ROWS) -> dict[str, Any]:
    store, stores = _store(ctx)
    window = _window(ctx)
    today = ctx.today
    days = [today - timedelta(days=d) for d in range(window, 0, -1)]
    base: dict[str, Any] = {"store": store, "stores": stores, "window": window,
                            "from": days[0].isoformat(), "to": days[-1].isoformat(),
                            "today": today.isoformat(), "defaults": DEFAULTS}
    if store is None:
        return {**base, "rows": [], "factors": [1.0] * 7, "count": None, "truncated": False,
                "store_params": DEFAULTS}
    conn = ctx.conn
    on_hand = {sku: (qty, at) for sku, qty, at in conn.execute(
        "SELECT sku, qty_milli, updated_at FROM hq_stock_on_hand WHERE store = %s",
        (store,)).fetchall()}
    changed = max((at for _, at in on_hand.values()), default=None)
    sold = dict(conn.execute(
        "SELECT sku, sum(qty_milli) FROM hq_rollup_sku_day WHERE store = %s"
        " AND business_date >= %s AND business_date < %s GROUP BY sku",
        (store, days[0], today)).fetchall())
    # The store's weekday pattern from its net sales per day (the live page's rollup: 14-24
    # rows a day, not one per SKU).
    per_weekday = {int(w) - 1: int(q) for w, q in conn.execute(
        "SELECT extract(isodow FROM business_date)::int, sum(net) FROM hq_rollup_sales_hour"
        " WHERE store = %s AND business_date >= %s AND business_date < %s GROUP BY 1",
        (store, days[0], today)).fetchall()}
    factors = weekday_factors(per_weekday, days)
    params = {sku: (lead, review, safety) for sku, lead, review, safety in conn.execute(
        "SELECT sku, lead_days, review_days, safety_milli FROM hq_replenish_param"
        " WHERE store = %s", (store,)).fetchall()}
    store_default = params.get("*", (DEFAULTS["lead_days"], DEFAULTS["review_days"],
                                     DEFAULTS["safety_milli"]))
    on_order: dict[str, int] = {}
    open_transfers = conn.execute(
        "SELECT t.transfer_id, t.lines FROM hq_transfer t WHERE t.to_store = %s AND NOT EXISTS"
        " (SELECT 1 FROM hq_transfer_leg l WHERE l.transfer_id = t.transfer_id"
        "  AND l.direction = 'in')", (store,)).fetchall()
    for _, lines in open_transfers:
        for ln in (lines if isinstance(lines, list) else json.loads(lines)):
            on_order[ln["sku"]] = on_order.get(ln["sku"], 0) + int(ln["qty_milli"])
    count = _last_count(ctx, store)
    counted = {i["sku"]: i for i in count["items"]} if count else {}
    rows = []
    covers: dict[tuple[int, int], tuple[float, float]] = {}
    for sku in sorted(set(on_hand) | set(sold) | set(on_order) | (set(params) - {"*"})):
        qty, _ = on_hand.get(sku, (0, None))
        lead, review, safety = params.get(sku, store_default)
        covered = covers.get((lead, review))
        if covered is None:
            covered = covers[(lead, review)] = cover(factors, today, lead, review)
        avg = int(sold.get(sku) or 0) / window
        item = counted.get(sku)
        rows.append({
            "sku": sku, "on_hand_milli": int(qty),
            "sold_milli": int(sold.get(sku) or 0), "avg_daily_milli": round(avg),
            "lead_days": lead, "review_days": review, "safety_milli": int(safety),
            "own_params": sku in params, "on_order_milli": on_order.get(sku, 0),
            "counted_milli": item["counted"] if item else None,
            "variance_milli": item["variance"] if item else None,
            **suggest(avg, covered, lead, review, int(safety), int(qty), on_order.get(sku, 0))})
    rows.sort(key=lambda r: (not r["low"], -r["suggest_milli"], r["sku"]))
    base["on_hand_changed"] = (changed.astimezone(ctx.zone).isoformat(timespec="seconds")
                               if changed else None)
    summary = count and {k: v for k, v in count.items() if k != "items"}
    return {**base, "factors": [round(f, 3) for f in factors], "count": summary,
            "store_params": dict(zip(("lead_days", "review_days", "safety_milli"),
                                     store_default, strict=True)),
            "low_count": sum(1 for r in rows if r["low"]),
            "truncated": limit is not None and len(rows) > limit, "rows": rows[:limit]}


def _last_count(ctx: Ctx, store: str) -> dict[str, Any] | None:
    """The store's latest approved count (stock.count_approved at HQ): when, by whom, and per
    counted SKU its expected, counted and variance (counted − expected)."""
    row = ctx.conn.execute(
        "SELECT terminal, seq, created_at, payload FROM hq_event WHERE store = %s"
        " AND type = 'stock.count_approved' ORDER BY created_at DESC LIMIT 1",
        (store,)).fetchone()
    if row is None:
        return None
    body = row[3] if isinstance(row[3], dict) else json.loads(row[3])
    items = [i for i in body.get("items", []) if i.get("counted") is not None]
    return {"count_id": body.get("count_id"), "terminal": row[0], "seq": row[1],
            "approved_by": body.get("approved_by"),
            "at": row[2].astimezone(ctx.zone).isoformat(timespec="seconds"),
            "skus": len(items), "variance_milli": sum(int(i["variance"]) for i in items),
            "items": items}


@page("/stock", "stock.html", "nav.stock")
def stock(ctx: Ctx) -> dict[str, Any]:
    return load_stock(ctx)


@action("/stock/params")
def set_params(ctx: Ctx, form: dict[str, str]) -> str:
    """Lead time, review period and safety stock of a store's SKU ('*': the store's default)."""
    store, sku = form.get("store", ""), form.get("sku", "").strip()[:64] or "*"
    if not store or not ctx.user.changes(store):
        raise Forbidden(store)
    try:
        lead, review = int(form["lead_days"]), int(form["review_days"])
        safety = round(float(form.get("safety", "0") or 0) * 1000)
    except (KeyError, ValueError):
        return f"/stock?store={quote(store)}&error=params"
    if not (0 <= lead <= 365 and 1 <= review <= 365 and 0 <= safety <= 10**12):
        return f"/stock?store={quote(store)}&error=params"
    with ctx.conn.transaction(), ctx.conn.cursor() as cur:
        before = cur.execute("SELECT lead_days, review_days, safety_milli FROM hq_replenish_param"
                             " WHERE store = %s AND sku = %s", (store, sku)).fetchone()
        cur.execute(
            "INSERT INTO hq_replenish_param (store, sku, lead_days, review_days, safety_milli,"
            " updated_by) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (store, sku) DO UPDATE"
            " SET lead_days = excluded.lead_days, review_days = excluded.review_days,"
            " safety_milli = excluded.safety_milli, updated_by = excluded.updated_by,"
            " updated_at = now()", (store, sku, lead, review, safety, ctx.user.username))
        audit(cur, ctx.user.username, "replenish.params", f"{store}/{sku}",
              {"lead_days": lead, "review_days": review, "safety_milli": safety,
               "before": list(before) if before else None})
    return f"/stock?store={quote(store)}"


PO_COLUMNS = ("store", "sku", "order_qty", "on_hand", "on_order", "avg_daily", "lead_days",
              "review_days", "safety", "cover_factor")


def _po_rows(ctx: Ctx) -> tuple[str, list[list[Any]]]:
    """(the store as a file-name part, the purchase order's rows)."""
    data = load_stock(ctx, limit=None)
    store = data["store"] or "none"
    rows = [[store, r["sku"], r["suggest_milli"] / 1000, r["on_hand_milli"] / 1000,
             r["on_order_milli"] / 1000, round(r["avg_daily_milli"] / 1000, 3),
             r["lead_days"], r["review_days"], r["safety_milli"] / 1000, r["cover_factor"]]
            for r in data["rows"] if r["suggest_milli"] > 0]
    return re.sub(r"[^A-Za-z0-9_-]", "_", store), rows


@download("/stock/po.csv")
def po_csv(ctx: Ctx) -> tuple[str, str, bytes]:
    store, rows = _po_rows(ctx)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(PO_COLUMNS)
    w.writerows(rows)
    return (f"po-{store}-{ctx.today.isoformat()}.csv", "text/csv; charset=utf-8",
            ("\ufeff" + out.getvalue()).encode())   # the BOM: Excel reads it as UTF-8


@download("/stock/po.xlsx")
def po_xlsx(ctx: Ctx) -> tuple[str, str, bytes]:
    from openpyxl import Workbook

    store, rows = _po_rows(ctx)
    book = Workbook()
    sheet = book.active
    sheet.title = "PO"
    sheet.append(list(PO_COLUMNS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return (f"po-{store}-{ctx.today.isoformat()}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", out.getvalue())
