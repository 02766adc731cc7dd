"""Dead letters: every event HQ refused, with its reason; one event shown whole; marking one
resolved (audited). A store manager sees and resolves only their stores' dead letters."""

from __future__ import annotations

import json
from typing import Any

from hq.console.accounts import audit
from hq.console.pages import Ctx, Forbidden, NotFound, action, page

LIMIT = 500


def _row(ctx: Ctx, r: tuple[Any, ...]) -> dict[str, Any]:
    return {"id": r[0], "store": r[1], "terminal": r[2], "seq": r[3], "event_id": r[4],
            "type": r[5], "reason": r[6],
            "received_at": r[7].astimezone(ctx.zone).isoformat(timespec="seconds"),
            "resolved_at": r[8].astimezone(ctx.zone).isoformat(timespec="seconds") if r[8] else None,
            "resolved_by": r[9], "resolution": r[10]}


COLUMNS = ("id, store, terminal, seq, event_id, type, reason, received_at, resolved_at,"
           " resolved_by, resolution")


@page("/dead-letters", "dead_letters.html", "nav.dead_letters")
def dead_letters(ctx: Ctx) -> dict[str, Any]:
    chosen = ctx.store_param()
    everything = ctx.query.get("all") == "1"
    rows = ctx.conn.execute(
        f"SELECT {COLUMNS} FROM hq_dead_letter WHERE (%s OR resolved_at IS NULL)"
        " AND (%s::text IS NULL OR store = %s) AND (%s OR store = ANY(%s))"
        " ORDER BY id DESC LIMIT %s",
        (everything, chosen, chosen, ctx.user.role != "manager", list(ctx.user.stores),
         LIMIT)).fetchall()
    return {"store": chosen, "all": everything, "dead_letters": [_row(ctx, r) for r in rows]}


def _one(ctx: Ctx) -> tuple[dict[str, Any], bytes]:
    row = ctx.conn.execute(f"SELECT {COLUMNS}, raw FROM hq_dead_letter WHERE id = %s",
                           (ctx.path["id"],)).fetchone()
    if row is None:
        raise NotFound(ctx.path["id"])
    if not ctx.user.sees(row[1]):
        raise Forbidden(row[1])
    return _row(ctx, row), bytes(row[11])


@page("/dead-letters/{id:int}", "dead_letter.html", "nav.dead_letters", nav=False)
def dead_letter(ctx: Ctx) -> dict[str, Any]:
    shown, raw = _one(ctx)
    return {"dead_letter": shown, "raw": _readable(raw),
            "may_resolve": ctx.user.changes(shown["store"]) and shown["resolved_at"] is None}


def _readable(raw: bytes) -> str:
    """The event as sent: indented when it is JSON, else its bytes as text."""
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    except ValueError:
        return text


@action("/dead-letters/{id:int}/resolve")
def resolve(ctx: Ctx, form: dict[str, str]) -> str:
    shown, _ = _one(ctx)
    if not ctx.user.changes(shown["store"]):
        raise Forbidden(shown["store"])
    note = form.get("resolution", "")[:500]
    with ctx.conn.transaction(), ctx.conn.cursor() as cur:
        cur.execute("UPDATE hq_dead_letter SET resolved_at = now(), resolved_by = %s,"
                    " resolution = %s WHERE id = %s AND resolved_at IS NULL",
                    (ctx.user.username, note, shown["id"]))
        if cur.rowcount:
            audit(cur, ctx.user.username, "dead_letter.resolve",
                  f"{shown['store']}/{shown['terminal']}#{shown['id']}", {"note": note})
    return f"/dead-letters/{shown['id']}"
