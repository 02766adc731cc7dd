"""The audit log: every change made through the console or `pos hq user`, newest first (HQ
admins only: it names every account)."""

from __future__ import annotations

from typing import Any

from hq.console.pages import Ctx, page

LIMIT = 500


@page("/audit", "audit.html", "nav.audit", roles=("admin",))
def audit_log(ctx: Ctx) -> dict[str, Any]:
    rows = ctx.conn.execute(
        "SELECT id, at, actor, action, target, detail FROM hq_audit ORDER BY id DESC LIMIT %s",
        (LIMIT,)).fetchall()
    return {"entries": [{"id": r[0], "at": r[1].astimezone(ctx.zone).isoformat(timespec="seconds"),
                         "actor": r[2], "action": r[3], "target": r[4], "detail": r[5]}
                        for r in rows]}
