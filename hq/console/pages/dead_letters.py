"""Dead letters: every event HQ refused, with its reason; one event shown whole; marking one
resolved (audited); asking its terminal to send it again (admins, audited). A store manager sees
and resolves only their stores' dead letters.

A resend keeps HQ's cumulative ack true: in the request's transaction HQ forgets the seq in
`hq_received` (so the event, when it comes, is new, and once: a redelivery meets the new row) and
lowers the terminal's `acked_to` below it (so no ack covers it before it is committed)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from hq.console.accounts import audit
from hq.console.pages import Ctx, Forbidden, NotFound, action, page
from hq.publish import send_resend

LIMIT = 500


def _row(ctx: Ctx, r: tuple[Any, ...]) -> dict[str, Any]:
    return {"id": r[0], "store": r[1], "terminal": r[2], "seq": r[3], "event_id": r[4],
            "type": r[5], "reason": r[6],
            "received_at": r[7].astimezone(ctx.zone).isoformat(timespec="seconds"),
            "resolved_at": r[8].astimezone(ctx.zone).isoformat(timespec="seconds") if r[8] else None,
            "resolved_by": r[9], "resolution": r[10],
            "resend_requested_at": (r[11].astimezone(ctx.zone).isoformat(timespec="seconds")
                                    if r[11] else None),
            "resend_requested_by": r[12]}


COLUMNS = ("id, store, terminal, seq, event_id, type, reason, received_at, resolved_at,"
           " resolved_by, resolution, resend_requested_at, resend_requested_by")


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
    return _row(ctx, row), bytes(row[13])


@page("/dead-letters/{id:int}", "dead_letter.html", "nav.dead_letters", nav=False)
def dead_letter(ctx: Ctx) -> dict[str, Any]:
    shown, raw = _one(ctx)
    resend = _resend_state(ctx, shown)
    return {"dead_letter": shown, "raw": _readable(raw), "resend": resend,
            "may_resolve": ctx.user.changes(shown["store"]) and shown["resolved_at"] is None,
            "may_resend": (ctx.user.role == "admin" and shown["seq"] is not None
                           and resend in ("", "requested")),
            "error": ctx.query.get("error", "")}


def _resend_state(ctx: Ctx, shown: dict[str, Any]) -> str:
    """'' (never asked), 'requested' (asked, not back yet), 'received' (back and taken) or
    'rejected' (back and refused again: a newer dead letter holds it)."""
    if shown["resend_requested_at"] is None:
        return ""
    row = ctx.conn.execute("SELECT rejected FROM hq_received WHERE store = %s AND terminal = %s"
                           " AND seq = %s", (shown["store"], shown["terminal"], shown["seq"])
                           ).fetchone()
    if row is None:
        return "requested"
    return "rejected" if row[0] else "received"


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


@action("/dead-letters/{id:int}/resend")
def resend(ctx: Ctx, form: dict[str, str]) -> str:
    """Ask the terminal for this seq again (HQ admins: after a fix at HQ, e.g. a bound raised).
    Asked again while it has not come back, the message is only sent again."""
    shown, _ = _one(ctx)
    if ctx.user.role != "admin":
        raise Forbidden("resend")
    back = f"/dead-letters/{shown['id']}"
    broker = ctx.settings.broker if ctx.settings is not None else None
    if shown["seq"] is None:
        return back + "?error=" + quote("this dead letter has no seq a terminal could send again")
    if broker is None:
        return back + "?error=" + quote("no broker: start the console with --signing-key and"
                                        " HQ's broker options")
    store, terminal, seq = shown["store"], shown["terminal"], shown["seq"]
    with ctx.conn.transaction(), ctx.conn.cursor() as cur:
        # The terminal's row first, as the ingest locks it: a batch of this terminal being
        # written now commits before or after this, never around it.
        cur.execute("SELECT acked_to FROM hq_terminal WHERE store = %s AND terminal = %s"
                    " FOR UPDATE", (store, terminal))
        cur.execute("SELECT max(id) FROM hq_dead_letter WHERE store = %s AND terminal = %s"
                    " AND seq = %s", (store, terminal, seq))
        newest = cur.fetchone()[0]  # type: ignore[index]
        cur.execute("SELECT rejected FROM hq_received WHERE store = %s AND terminal = %s"
                    " AND seq = %s", (store, terminal, seq))
        received = cur.fetchone()
        if newest != shown["id"] or (received is not None and not received[0]):
            return back  # refused again since (a newer dead letter holds it), or taken
        if received is not None:
            cur.execute("DELETE FROM hq_received WHERE store = %s AND terminal = %s AND seq = %s",
                        (store, terminal, seq))
            cur.execute("UPDATE hq_terminal SET acked_to = %s WHERE store = %s"
                        " AND terminal = %s AND acked_to >= %s", (seq - 1, store, terminal, seq))
        cur.execute("UPDATE hq_dead_letter SET resend_requested_at = now(),"
                    " resend_requested_by = %s, resolved_at = coalesce(resolved_at, now()),"
                    " resolved_by = coalesce(resolved_by, %s),"
                    " resolution = coalesce(resolution, 'resend requested') WHERE id = %s",
                    (ctx.user.username, ctx.user.username, shown["id"]))
        audit(cur, ctx.user.username, "dead_letter.resend", f"{store}/{terminal}#{shown['id']}",
              {"seq": seq})
    try:
        send_resend(broker, store, terminal, [seq])
    except OSError as exc:
        return back + "?error=" + quote(f"recorded, but the broker is unreachable ({exc});"
                                        " ask again to send it")
    return back
