"""The console's sales rollups, kept in the ingest transaction (PostgreSQL): per store, business
day and hour, the completed sales and their net; per store and day, what each tender kept.

Rule: a batch adds its new sales once, aggregated in Python first, so the cost is one upsert per
(store, day, hour) and per (store, day, tender) the batch touches, never per sale or line; rows
are upserted in key order, so concurrent workers never wait on each other in a circle; the commit
notifies `hq_sales` (delivered only if the transaction commits) for the console's live page.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

NOTIFY_CHANNEL = "hq_sales"

# Indexes into the rows hq.storage.interface.sale_rows makes.
_S_STORE, _S_TERMINAL, _S_SEQ, _S_STATUS, _S_CLOSED, _S_DAY, _S_TOTAL, _S_CHANGE = (
    0, 1, 2, 5, 9, 10, 15, 18)
_T_TENDER_NO, _T_TYPE, _T_AMOUNT = 3, 4, 5


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
    h = sorted(hours.items())
    cur.execute(
        "INSERT INTO hq_rollup_sales_hour AS r (business_date, store, hour, sales, net)"
        " SELECT * FROM unnest(%s::date[], %s::text[], %s::smallint[], %s::bigint[],"
        " %s::bigint[]) ON CONFLICT (business_date, store, hour) DO UPDATE"
        " SET sales = r.sales + excluded.sales, net = r.net + excluded.net",
        ([k[0] for k, _ in h], [k[1] for k, _ in h], [k[2] for k, _ in h],
         [v[0] for _, v in h], [v[1] for _, v in h]))
    if kept:
        k = sorted(kept.items())
        cur.execute(
            "INSERT INTO hq_rollup_tender_day AS r (business_date, store, tender, tenders, amount)"
            " SELECT * FROM unnest(%s::date[], %s::text[], %s::text[], %s::bigint[],"
            " %s::bigint[]) ON CONFLICT (business_date, store, tender) DO UPDATE"
            " SET tenders = r.tenders + excluded.tenders, amount = r.amount + excluded.amount",
            ([key[0] for key, _ in k], [key[1] for key, _ in k], [key[2] for key, _ in k],
             [v[0] for _, v in k], [v[1] for _, v in k]))
    cur.execute(f"NOTIFY {NOTIFY_CHANNEL}")
