"""Live sales: today per store and for every store the user sees — sales, net, average basket,
tender mix, and net by hour against the same weekday last week. Read from the rollups the
ingest transaction keeps (hq/storage/rollups.py): a few dozen rows, never the sales themselves.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from hq.console.pages import Ctx, page


def known_stores(ctx: Ctx) -> list[str]:
    rows = ctx.conn.execute("SELECT store FROM hq_terminal UNION SELECT store FROM"
                            " hq_rollup_sales_hour WHERE business_date = %s ORDER BY 1",
                            (ctx.today,)).fetchall()
    return ctx.user.visible([r[0] for r in rows])


def _figures(sales: int, net: int) -> dict[str, Any]:
    return {"sales": sales, "net": net, "avg_basket": round(net / sales) if sales else 0}


@page("/live", "live.html", "nav.live")
def live(ctx: Ctx) -> dict[str, Any]:
    chosen = ctx.store_param()
    stores = known_stores(ctx)
    scope = [chosen] if chosen else stores
    day, before = ctx.today, ctx.today - timedelta(days=7)
    hours = ctx.conn.execute(
        "SELECT business_date, store, hour, sales, net FROM hq_rollup_sales_hour"
        " WHERE business_date IN (%s, %s) AND store = ANY(%s)", (day, before, scope)).fetchall()
    tenders = ctx.conn.execute(
        "SELECT store, tender, tenders, amount FROM hq_rollup_tender_day"
        " WHERE business_date = %s AND store = ANY(%s)", (day, scope)).fetchall()
    curve = [0] * 24
    last_week = [0] * 24
    per_store: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d, store, hour, n, net in hours:
        if d == day:
            curve[hour] += net
            per_store[store][0] += n
            per_store[store][1] += net
        else:
            last_week[hour] += net
    mix: dict[str, int] = defaultdict(int)
    store_mix: dict[str, dict[str, int]] = defaultdict(dict)
    for store, tender, _, amount in tenders:
        mix[tender] += amount
        store_mix[store][tender] = amount
    total_sales = sum(v[0] for v in per_store.values())
    total_net = sum(v[1] for v in per_store.values())
    return {
        "date": day.isoformat(), "compare_date": before.isoformat(), "store": chosen,
        "stores": stores,
        "chain": {**_figures(total_sales, total_net), "tenders": dict(sorted(mix.items())),
                  "hours": curve, "hours_last_week": last_week},
        "per_store": [{"store": s, **_figures(*per_store[s]), "tenders": store_mix.get(s, {})}
                      for s in scope],
    }
