"""Fleet and sync: every terminal HQ knows — from its sync stream (hq_terminal: seqs, last
batch) and its latest health report (hq/fleet.py) — grouped by store, stores in trouble first.

The versions shown are the catalog/prices/promotions heads HQ published to the store; the
tills' health reports do not carry the version each applied yet.

Rule: a store's trouble is its worst terminal's: failing, then stale or offline with a backlog,
then unresolved dead letters or open seq gaps, then warnings.
"""

from __future__ import annotations

from typing import Any

from hq.console.pages import Ctx, page
from hq.fleet import FleetRow, fleet

TROUBLE = ("fail", "stale", "dead_letters", "gap", "warn", "ok")


def _trouble(row: dict[str, Any]) -> str:
    if row["status"] == "fail":
        return "fail"
    if row["stale"] or (row["online"] is False and (row["backlog"] or 0) > 0):
        return "stale"
    if row["dead_letters"]:
        return "dead_letters"
    if row["seq_gap"]:
        return "gap"
    return "warn" if row["status"] == "warn" else "ok"


@page("/fleet", "fleet.html", "nav.fleet")
def fleet_page(ctx: Ctx) -> dict[str, Any]:
    chosen = ctx.store_param()
    with ctx.storage.lock:
        health: dict[tuple[str, str], FleetRow] = {
            (r.store, r.terminal): r for r in fleet(ctx.storage.db, ctx.now).rows}
    streams = ctx.conn.execute(
        "SELECT t.store, t.terminal, t.acked_to, t.max_seq, t.online, t.last_seen,"
        " (SELECT count(*) FROM hq_dead_letter d WHERE d.store = t.store"
        "  AND d.terminal = t.terminal AND d.resolved_at IS NULL)"
        " FROM hq_terminal t").fetchall()
    stream = {(r[0], r[1]): r for r in streams}
    published: dict[str, dict[str, int]] = {}
    for store, name, version in ctx.conn.execute(
            "SELECT store, stream, max(version) FROM hq_version GROUP BY 1, 2").fetchall():
        published.setdefault(store, {})[name] = version
    terminals = []
    for key in sorted(set(health) | set(stream)):
        store, terminal = key
        if not ctx.user.sees(store) or (chosen and store != chosen):
            continue
        h, s = health.get(key), stream.get(key)
        last = s[5] if s else None
        row = {
            "store": store, "terminal": terminal,
            "status": h.status if h else "unknown", "stale": bool(h and h.stale),
            "online": s[4] if s else (h.online if h else None),
            "last_seen": last.astimezone(ctx.zone).isoformat(timespec="seconds") if last else None,
            "lag_s": round((ctx.now - last).total_seconds(), 1) if last else None,
            "report_seen": h.last_seen if h else None,
            "backlog": h.pending if h else None,
            "oldest_unsynced_s": h.oldest_unsynced_age_s if h else None,
            "clock_offset_s": (h.hq_clock_offset_s if h and h.hq_clock_offset_s is not None
                               else (h.clock_offset_s if h else None)),
            "version": h.version if h else None,
            "devices": h.devices if h else {},
            "problems": h.problems if h else [],
            "acked_to": s[2] if s else None, "max_seq": s[3] if s else None,
            "seq_gap": (s[3] - s[2]) if s else 0,
            "dead_letters": s[6] if s else 0,
        }
        row["trouble"] = _trouble(row)
        terminals.append(row)
    stores: dict[str, list[dict[str, Any]]] = {}
    for row in terminals:
        stores.setdefault(str(row["store"]), []).append(row)
    ordered = sorted(stores.items(), key=lambda kv: (
        min(TROUBLE.index(r["trouble"]) for r in kv[1]), kv[0]))
    return {"store": chosen,
            "stores": [{"store": store, "published": published.get(store, {}),
                        "trouble": TROUBLE[min(TROUBLE.index(r["trouble"]) for r in rows)],
                        "terminals": sorted(rows, key=lambda r: (TROUBLE.index(r["trouble"]),
                                                                 r["terminal"]))}
                       for store, rows in ordered]}

