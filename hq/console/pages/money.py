"""Money: stored-value top-ups against the Z reports (hq/storage/ledger.py reconcile_topups, as
`pos hq topups`), a day's reconciliation with the payment providers' files
(hq/recon/report.py reconcile_day, as `pos recon report`), and the e-invoices' status
(hq_invoice, kept by hq/invoices/). This page calls that code; it computes nothing of its own
but counts.

The provider reconciliation is chain-wide (one file per provider account), so it is shown to HQ
roles only; a store manager sees top-ups and invoices of their stores.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

from hq.console.pages import Ctx, page
from hq.recon.report import ReconReport, reconcile_day
from hq.storage.ledger import reconcile_topups

RECON_LISTS = ("one_sided", "missing_at_provider", "mismatched", "reversed_after_charge",
               "other_day")
INVOICE_STATES = ("requested", "submitted", "issued", "failed", "superseded")


def _day(ctx: Ctx) -> date:
    try:
        return date.fromisoformat(ctx.query["day"])
    except (KeyError, ValueError):
        return ctx.today - timedelta(days=1)


def _recon(report: ReconReport) -> dict[str, Any]:
    return {"day": report.day.isoformat(), "clean": report.clean,
            "files": [{"source": f[0], "name": f[1], "rows": f[2], "imported_at": str(f[3])}
                      for f in report.files],
            "matched": len(report.matched), "no_file": report.no_file,
            "card_without_reference": report.card_without_reference,
            "totals": {k: {"payments": v.payments, "refunds": v.refunds, "fees": str(v.fees),
                           "net": str(v.net), "rows": v.rows} for k, v in report.totals.items()},
            **{name: [dataclasses.asdict(e) for e in getattr(report, name)]
               for name in RECON_LISTS}}


@page("/money", "money.html", "nav.money")
def money_page(ctx: Ctx) -> dict[str, Any]:
    chosen = ctx.store_param()
    scope = [chosen] if chosen else (sorted(ctx.user.stores) if ctx.user.role == "manager"
                                     else [None])
    topups = []
    with ctx.conn.cursor() as cur:
        for store in scope:
            for s, terminal, z_number, tender, z_amount, hq_amount in reconcile_topups(
                    cur, True, store):
                topups.append({"store": s, "terminal": terminal, "z_number": z_number,
                               "tender": tender, "z_amount": z_amount, "hq_amount": hq_amount,
                               "difference": hq_amount - z_amount})
    day = _day(ctx)
    recon = None
    if ctx.user.role != "manager":
        with ctx.storage.lock:
            recon = _recon(reconcile_day(ctx.storage.db, day))
    stores = [c for c in scope if c is not None]
    everything = ctx.user.role != "manager" and chosen is None
    rows = ctx.conn.execute(
        "SELECT store, state, count(*), coalesce(sum(amount), 0) FROM hq_invoice"
        " WHERE (%s OR store = ANY(%s)) GROUP BY 1, 2 ORDER BY 1, 2",
        (everything, stores)).fetchall()
    invoices: dict[str, dict[str, dict[str, int]]] = {}
    for store, state, n, amount in rows:
        invoices.setdefault(store, {})[state] = {"count": int(n), "amount": int(amount)}
    failed = ctx.conn.execute(
        "SELECT order_no, kind, sale_id, store, state, amount, reason, attempts, requested_at"
        " FROM hq_invoice WHERE state IN ('failed', 'requested', 'submitted')"
        " AND (%s OR store = ANY(%s)) ORDER BY requested_at DESC LIMIT 100",
        (everything, stores)).fetchall()
    return {"store": chosen, "day": day.isoformat(), "topups": topups, "recon": recon,
            "invoice_states": list(INVOICE_STATES),
            "invoices": [{"store": k, "states": v} for k, v in sorted(invoices.items())],
            "open_invoices": [{"order_no": r[0], "kind": r[1], "sale_id": r[2], "store": r[3],
                               "state": r[4], "amount": r[5], "reason": r[6], "attempts": r[7],
                               "requested_at": r[8].astimezone(ctx.zone).isoformat(
                                   timespec="seconds")} for r in failed]}
