"""The console's sales rollups, kept in the ingest transaction (PostgreSQL): per store, business
day and hour, the completed sales and their net; per store and day, what each tender kept.

Rule: a batch adds its new sales once, aggregated in Python first, so the cost is one upsert per
(store, day, hour) and per (store, day, tender) the batch touches, never per sale or line; rows
are upserted in key order, so concurrent workers never wait on each other in a circle; the commit
notifies `hq_sales` (delivered only if the transaction commits) for the console's live page.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from hq.storage.array_literal import plain_array, quoted_array

NOTIFY_CHANNEL = "hq_sales"

# Indexes into the rows hq.storage.interface.sale_rows makes.
_S_STORE, _S_TERMINAL, _S_SEQ, _S_STATUS, _S_CLOSED, _S_DAY, _S_TOTAL, _S_CHANGE = (
    0, 1, 2, 5, 9, 10, 15, 18)
_T_TENDER_NO, _T_TYPE, _T_AMOUNT = 3, 4, 5


def add_counts(cur: psycopg.Cursor[Any], table: str, keys: tuple[tuple[str, str], ...],
               figures: tuple[str, ...], rows: dict[Any, list[int]]) -> None:
    """Add `rows` ({key: figures}) to the counters of a rollup `table` in one upsert: `keys` its
    key columns and their PostgreSQL types, `figures` its bigint counters, each increased by the
    row's. Rows go in key order, so concurrent workers never wait on each other in a circle."""
    if not rows:
        return
    ordered = sorted(rows.items())
    arrays = [quoted_array(k[i] for k, _ in ordered) if kind == "text"
              else plain_array(k[i] for k, _ in ordered) for i, (_, kind) in enumerate(keys)]
    arrays += [plain_array(v[i] for _, v in ordered) for i in range(len(figures))]
    key_columns = ", ".join(name for name, _ in keys)
    casts = ", ".join([f"%s::{kind}[]" for _, kind in keys] + ["%s::bigint[]"] * len(figures))
    cur.execute(
        f"INSERT INTO {table} AS r ({key_columns}, {', '.join(figures)})"
        f" SELECT * FROM unnest({casts}) ON CONFLICT ({key_columns}) DO UPDATE SET "
        + ", ".join(f"{f} = r.{f} + excluded.{f}" for f in figures), arrays)


_DAY_STORE = (("business_date", "date"), ("store", "text"))
_STORE_DAY = (("store", "text"), ("business_date", "date"))


def tender_kept(tenders: list[tuple[int, str, int]], change: int) -> list[tuple[str, int]]:
    """(type, amount kept) of one sale's tenders (tender_no, type, amount): the change given
    comes out of the last cash tender, the one that gives change."""
    cash = [no for no, kind, _ in tenders if kind == "cash"]
    last_cash = max(cash) if cash else None
    return [(kind, amount - (change if no == last_cash else 0)) for no, kind, amount in tenders]


def add_sales(cur: psycopg.Cursor[Any], sales: list[tuple[Any, ...]],
              tenders: list[tuple[Any, ...]], zone: ZoneInfo) -> None:
    """Add the completed sales among `sales` (and their `tenders`) to the rollups."""
    hours: dict[tuple[date, str, int], list[int]] = {}
    completed: dict[tuple[str, str, int], tuple[date, int]] = {}
    for s in sales:
        if s[_S_STATUS] != "completed":
            continue
        day, store = s[_S_DAY], s[_S_STORE]
        key = (day, store, s[_S_CLOSED].astimezone(zone).hour)
        figures = hours.get(key)
        if figures is None:
            hours[key] = [1, s[_S_TOTAL]]
        else:
            figures[0] += 1
            figures[1] += s[_S_TOTAL]
        completed[(store, s[_S_TERMINAL], s[_S_SEQ])] = (day, s[_S_CHANGE])
    if not hours:
        return
    kept: dict[tuple[date, str, str], list[int]] = {}
    with_change: dict[tuple[str, str, int], list[tuple[int, str, int]]] = defaultdict(list)

    def keep(day: date, store: str, kind: str, amount: int) -> None:
        figures = kept.get((day, store, kind))
        if figures is None:
            kept[(day, store, kind)] = [1, amount]
        else:
            figures[0] += 1
            figures[1] += amount

    for t in tenders:
        sale = (t[0], t[1], t[2])
        found = completed.get(sale)
        if found is None:
            continue
        if found[1]:                      # change given: settled per sale below
            with_change[sale].append((t[_T_TENDER_NO], t[_T_TYPE], t[_T_AMOUNT]))
        else:
            keep(found[0], t[0], t[_T_TYPE], t[_T_AMOUNT])
    for sale, rows in with_change.items():
        day, change = completed[sale]
        for kind, amount in tender_kept(rows, change):
            keep(day, sale[0], kind, amount)
    add_counts(cur, "hq_rollup_sales_hour", (*_DAY_STORE, ("hour", "smallint")),
               ("sales", "net"), hours)
    add_counts(cur, "hq_rollup_tender_day", (*_DAY_STORE, ("tender", "text")),
               ("tenders", "amount"), kept)
    cur.execute(f"NOTIFY {NOTIFY_CHANNEL}")


# ---- stock and loss prevention (hq/console/pages/stock.py, loss.py) ----------------------------

_L_SKU, _L_QTY = 4, 7        # indexes into sale_rows' line rows
_S_STAFF = 7
CASHIER_FIGURES = ("sales", "net", "cancelled", "manual_discounts", "manual_amount", "returns",
                   "blind_returns", "post_voids", "other_tender", "line_voids",
                   "line_voids_after", "price_overrides", "no_sales", "open_prices",
                   "open_price_amount", "training_sales")
# The till's loss-prevention facts (hq/schemas.py LOSS_TYPES), each counted for its staff_id.
_LOSS_FIGURE = {"price.overridden": "price_overrides", "drawer.no_sale": "no_sales",
                "training.sale": "training_sales"}
_RETURN_KIND = {"return": "returns", "blind": "blind_returns", "post_void": "post_voids"}


def add_sku_days(cur: psycopg.Cursor[Any], sales: list[tuple[Any, ...]],
                 lines: list[tuple[Any, ...]]) -> None:
    """Add the completed sales' lines to hq_rollup_sku_day: one upsert per batch, in key order."""
    days = {(s[_S_STORE], s[_S_TERMINAL], s[_S_SEQ]): s[_S_DAY] for s in sales
            if s[_S_STATUS] == "completed"}
    if not days:
        return
    sold: dict[tuple[str, date, str], list[int]] = {}
    for ln in lines:
        day = days.get((ln[0], ln[1], ln[2]))
        if day is None:
            continue
        key = (ln[0], day, ln[_L_SKU])
        figures = sold.get(key)
        if figures is None:
            sold[key] = [ln[_L_QTY], 1]
        else:
            figures[0] += ln[_L_QTY]
            figures[1] += 1
    add_counts(cur, "hq_rollup_sku_day", (*_STORE_DAY, ("sku", "text")),
               ("qty_milli", "lines"), sold)


def add_cashier_days(cur: psycopg.Cursor[Any], sales: list[tuple[Any, ...]],
                     facts: list[tuple[str, Any]], zone: ZoneInfo) -> None:
    """Add a batch's new facts to hq_rollup_cashier_day, per (store, day, staff): completed and
    cancelled sales (their rows), manual discounts (each `by`, on the sale's day), returns by
    kind, refunds to a tender the original sale was not paid with, line voids before and after
    the subtotal, price overrides, no-sale drawer opens, open-price lines and their amount, and
    training sales (these on their fact's own day); then the lanes' figures (`add_lane_days`).
    `facts`: (store, Accepted) of the new facts of the transaction."""
    add_lane_days(cur, sales, facts, zone)
    figures: dict[tuple[str, date, str], list[int]] = {}

    def add(store: str, day: date, staff: str, figure: str, n: int = 1) -> None:
        key = (store, day, staff)
        row = figures.get(key)
        if row is None:
            row = figures[key] = [0] * len(CASHIER_FIGURES)
        row[CASHIER_FIGURES.index(figure)] += n

    for s in sales:
        if s[_S_STATUS] == "completed":
            add(s[_S_STORE], s[_S_DAY], s[_S_STAFF], "sales")
            add(s[_S_STORE], s[_S_DAY], s[_S_STAFF], "net", s[_S_TOTAL])
        else:
            add(s[_S_STORE], s[_S_DAY], s[_S_STAFF], "cancelled")
    returns = []
    for store, e in facts:
        if e.type == "sale.completed" and e.sale is not None and e.sale.manual_discounts:
            day = e.sale.closed_at.astimezone(zone).date()
            for md in e.sale.manual_discounts:
                add(store, day, md.by, "manual_discounts")
                add(store, day, md.by, "manual_amount", md.amount)
        elif e.type == "return.completed" and e.fact is not None:
            returns.append((store, e))
        elif e.type == "line.voided" and e.fact is not None:
            add(store, _day_of(e.created_at, zone), e.fact.staff_id,
                "line_voids_after" if e.fact.after_subtotal else "line_voids")
        elif e.type == "open_price.sold" and e.fact is not None:
            day = _day_of(e.created_at, zone)
            add(store, day, e.fact.staff_id, "open_prices", len(e.fact.lines))
            add(store, day, e.fact.staff_id, "open_price_amount",
                sum(ln.total for ln in e.fact.lines))
        elif e.type in _LOSS_FIGURE and e.fact is not None:
            add(store, _day_of(e.created_at, zone), e.fact.staff_id, _LOSS_FIGURE[e.type])
    if returns:
        originals = [str(e.fact.original_sale_id) for _, e in returns if e.fact.original_sale_id]
        paid_with: dict[str, set[str]] = defaultdict(set)
        if originals:
            for sale_id, kind in cur.execute(
                    "SELECT DISTINCT s.sale_id, t.type FROM hq_sale s JOIN hq_sale_tender t"
                    " USING (store, terminal, seq) WHERE s.sale_id = ANY(%s)",
                    (originals,)).fetchall():
                paid_with[sale_id].add(kind)
        for store, e in returns:
            fact = e.fact
            day = _day_of(e.created_at, zone)
            add(store, day, fact.staff_id, _RETURN_KIND.get(fact.kind, "returns"))
            kinds = paid_with.get(str(fact.original_sale_id)) if fact.original_sale_id else None
            if kinds and any(t.type not in kinds for t in fact.tenders):
                add(store, day, fact.staff_id, "other_tender")
    add_counts(cur, "hq_rollup_cashier_day", (*_STORE_DAY, ("staff", "text")),
               CASHIER_FIGURES, figures)


def _day_of(when: str | datetime, zone: ZoneInfo) -> date:
    """The business day at HQ of a fact's `created_at` (the till's time of the fact)."""
    return (datetime.fromisoformat(when) if isinstance(when, str) else when).astimezone(zone).date()


LANE_FIGURES = ("alerts", "attended", "open_seconds")


def add_lane_days(cur: psycopg.Cursor[Any], sales: list[tuple[Any, ...]],
                  facts: list[tuple[str, Any]], zone: ZoneInfo) -> None:
    """Per (store, day, terminal): the completed sales and their net (hq_rollup_terminal_day,
    what a lane's alert rate is against); per (store, day, terminal, kind): the kiosk alerts,
    how many staff cleared, and the seconds they stayed open (hq_rollup_lane_alert_day). A
    sale counts on its own business day, an alert on its fact's day. One upsert per table per
    batch, in key order."""
    sold: dict[tuple[str, date, str], list[int]] = {}
    for s in sales:
        if s[_S_STATUS] != "completed":
            continue
        key = (s[_S_STORE], s[_S_DAY], s[_S_TERMINAL])
        row = sold.get(key)
        if row is None:
            sold[key] = [1, s[_S_TOTAL]]
        else:
            row[0] += 1
            row[1] += s[_S_TOTAL]
    alerts: dict[tuple[str, date, str, str], list[int]] = {}
    for store, e in facts:
        if e.type != "kiosk.alert" or e.fact is None:
            continue
        f = e.fact
        lane = (store, _day_of(e.created_at, zone), f.terminal_id, f.kind)  # the sender's
        row = alerts.setdefault(lane, [0] * len(LANE_FIGURES))
        row[0] += 1
        row[1] += f.cleared_by is not None
        row[2] += max(0, int((f.cleared_at - f.raised_at).total_seconds()))
    add_counts(cur, "hq_rollup_terminal_day", (*_STORE_DAY, ("terminal", "text")),
               ("sales", "net"), sold)
    add_counts(cur, "hq_rollup_lane_alert_day",
               (*_STORE_DAY, ("terminal", "text"), ("kind", "text")), LANE_FIGURES, alerts)
