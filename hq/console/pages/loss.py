"""Loss prevention: per store and cashier, over the last `days` business days, what a cashier did
that can hide a theft, as rates per 100 completed sales, with the outliers flagged.

Read from hq_rollup_cashier_day (hq/storage/rollups.py), kept in the ingest transaction from the
facts that reach HQ. Rule (outlier): a cashier's rate of a figure is flagged when it is above
3 × the chain's median rate of that figure (over every store's cashiers with sales in the same
days) and rests on at least MIN_EVENTS events; when that median is 0 (most cashiers never do
it), the chain's overall rate (Σ events ÷ Σ sales) is the baseline instead. Only the chain's
medians, never another store's rows, are shown to a store manager.

Line voids (before and after the subtotal), price overrides, no-sale drawer opens, open-price
lines and training sales come from the till's own facts (`line.voided`, `price.overridden`,
`drawer.no_sale`, `open_price.sold`, `training.sale`). Per lane (terminal): the kiosk's weight
and age alerts (`kiosk.alert`, hq_rollup_lane_alert_day) against the lane's completed sales
(hq_rollup_terminal_day), flagged by the same rule over the lanes that raised any alert in the
days shown (the only lanes HQ knows to be kiosks).
"""

from __future__ import annotations

from datetime import timedelta
from statistics import median
from typing import Any

from hq.console.pages import Ctx, page

FIGURES = ("cancelled", "post_voids", "blind_returns", "returns", "manual_discounts",
           "other_tender", "line_voids", "line_voids_after", "price_overrides", "no_sales",
           "open_prices", "training_sales")
AMOUNTS = ("manual_amount", "open_price_amount")
# What a trainee with no real sales yet does as a matter of course: not flagged for that alone.
TRAINEES_DO = ("training_sales",)
LANE_KINDS = ("weight", "age")
OUTLIER_TIMES = 3
MIN_EVENTS = 2
DEFAULT_DAYS = 7


def _days(ctx: Ctx) -> int:
    try:
        return min(max(int(ctx.query.get("days", DEFAULT_DAYS)), 1), 92)
    except ValueError:
        return DEFAULT_DAYS


def rate(count: int, sales: int) -> float | None:
    """Events per 100 completed sales; None without sales."""
    return round(100 * count / sales, 2) if sales else None


@page("/loss", "loss.html", "nav.loss")
def loss(ctx: Ctx) -> dict[str, Any]:
    chosen = ctx.store_param()
    days = _days(ctx)
    first = ctx.today - timedelta(days=days - 1)
    sums = ", ".join(f"sum({c})" for c in ("sales", "net", *FIGURES, *AMOUNTS))
    rows = ctx.conn.execute(
        f"SELECT store, staff, {sums} FROM hq_rollup_cashier_day"
        " WHERE business_date BETWEEN %s AND %s GROUP BY 1, 2 ORDER BY 1, 2",
        (first, ctx.today)).fetchall()
    chain = [dict(zip(("store", "staff", "sales", "net", *FIGURES, *AMOUNTS),
                      (r[0], r[1], *(int(v) for v in r[2:])), strict=True)) for r in rows]
    baseline = _baseline(chain, FIGURES)
    cashiers = []
    for c in chain:
        if not ctx.user.sees(c["store"]) or (chosen and c["store"] != chosen):
            continue
        own = {f: rate(c[f], c["sales"]) for f in FIGURES}
        flagged = [f for f in FIGURES if c[f] >= MIN_EVENTS and (
            (c["sales"] == 0 and f not in TRAINEES_DO) or
            (own[f] or 0) > baseline[f]["threshold"])]
        cashiers.append({**c, "rates": own, "flagged": flagged})
    cashiers.sort(key=lambda c: (-len(c["flagged"]), c["store"], c["staff"]))
    stores: dict[str, dict[str, int]] = {}
    for c in cashiers:
        s = stores.setdefault(c["store"], {"sales": 0, **{f: 0 for f in FIGURES},
                                           "flagged_cashiers": 0})
        s["sales"] += c["sales"]
        for f in FIGURES:
            s[f] += c[f]
        s["flagged_cashiers"] += bool(c["flagged"])
    return {"store": chosen, "days": days, "from": first.isoformat(),
            "to": ctx.today.isoformat(), "figures": list(FIGURES), "baseline": baseline,
            "outlier_times": OUTLIER_TIMES, "min_events": MIN_EVENTS,
            "stores": [{"store": k, **v, "rates": {f: rate(v[f], v["sales"]) for f in FIGURES}}
                       for k, v in sorted(stores.items())],
            "cashiers": cashiers, **_lanes(ctx, chosen, first)}


def _baseline(rows: list[dict[str, Any]], figures: tuple[str, ...]) -> dict[str, dict[str, float]]:
    """Per figure: the median rate over `rows` with sales, the overall rate and the threshold."""
    baseline: dict[str, dict[str, float]] = {}
    with_sales = [c for c in rows if c["sales"]]
    total_sales = sum(c["sales"] for c in with_sales)
    for f in figures:
        rates = [100 * c[f] / c["sales"] for c in with_sales]
        med = median(rates) if rates else 0.0
        overall = 100 * sum(c[f] for c in with_sales) / total_sales if total_sales else 0.0
        baseline[f] = {"median": round(med, 2), "overall": round(overall, 2),
                       "threshold": round(OUTLIER_TIMES * (med or overall), 2)}
    return baseline


def _lanes(ctx: Ctx, chosen: str | None, first: Any) -> dict[str, Any]:
    """The kiosk lanes (terminals with any weight or age alert in the days): per kind the
    alerts, their rate per 100 of the lane's completed sales, how many staff cleared and the
    average minutes open; flagged like a cashier, against the lanes' median."""
    rows = ctx.conn.execute(
        "SELECT a.store, a.terminal, a.kind, sum(a.alerts), sum(a.attended), sum(a.open_seconds),"
        " (SELECT coalesce(sum(t.sales), 0) FROM hq_rollup_terminal_day t WHERE t.store = a.store"
        "  AND t.terminal = a.terminal AND t.business_date BETWEEN %s AND %s)"
        " FROM hq_rollup_lane_alert_day a WHERE a.business_date BETWEEN %s AND %s"
        " GROUP BY a.store, a.terminal, a.kind ORDER BY 1, 2, 3",
        (first, ctx.today, first, ctx.today)).fetchall()
    lanes: dict[tuple[str, str], dict[str, Any]] = {}
    for store, terminal, kind, alerts, attended, seconds, sales in rows:
        lane = lanes.setdefault((store, terminal), {
            "store": store, "terminal": terminal, "sales": int(sales),
            **{k: 0 for k in LANE_KINDS}, "attended": {k: 0 for k in LANE_KINDS},
            "avg_open_min": {k: None for k in LANE_KINDS}})
        lane[kind] = int(alerts)
        lane["attended"][kind] = int(attended)
        lane["avg_open_min"][kind] = round(int(seconds) / 60 / int(alerts), 1) if alerts else None
    chain = list(lanes.values())
    baseline = _baseline(chain, LANE_KINDS)
    shown = []
    for lane in chain:
        if not ctx.user.sees(lane["store"]) or (chosen and lane["store"] != chosen):
            continue
        own = {k: rate(lane[k], lane["sales"]) for k in LANE_KINDS}
        flagged = [k for k in LANE_KINDS if lane[k] >= MIN_EVENTS and (
            lane["sales"] == 0 or (own[k] or 0) > baseline[k]["threshold"])]
        shown.append({**lane, "rates": own, "flagged": flagged})
    shown.sort(key=lambda lane: (-len(lane["flagged"]), lane["store"], lane["terminal"]))
    return {"lane_kinds": list(LANE_KINDS), "lane_baseline": baseline, "lanes": shown}
