"""Prices and promotions with rollout: publish a signed version of the prices or promotions
stream to chosen stores (a form per SKU or promotion, or a file as `pos hq publish` takes), then
watch it reach each till (the version its health report says it applied) and each shelf label
showing a SKU of it (confirmed / pending / failed, from the store's ESL outbox in the report of
the terminal that runs it).

Rule: a version is done at a store only when every terminal of the store applied it and every
label showing one of its SKUs is confirmed showing the price it sets; a price not yet effective
is scheduled, one a later version replaced is superseded (and no longer waited for). Publishing
is HQ admins' only: analysts and store managers read (managers their stores).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote

import msgspec

from cloud_sync.health import LabelStatus, decode_report
from cloud_sync.protocol import ITEM_TYPES, Document, PriceItem, PromotionItem, Signed, encode
from cloud_sync.signing import load_keyring, load_private_key
from hq.console.accounts import audit
from hq.console.pages import Ctx, Forbidden, action, page
from hq.fleet import applied_versions
from hq.publish import PublishError, item_key, parse_items, publish_version, send

STREAMS = ("prices", "promotions")
STORE_ID = re.compile("[A-Za-z0-9]{1,32}")        # as `pos hq enroll` allows
SHOWN_VERSIONS = 30


class PublishRefused(ValueError):
    """The form cannot become a version; nothing was stored or sent."""


def _items(signed: bytes, stream: str) -> list[Any]:
    doc = msgspec.json.decode(msgspec.json.decode(signed, type=Signed).doc, type=Document)
    return list(msgspec.json.decode(doc.items, type=ITEM_TYPES[stream]))


def _reports(ctx: Ctx, stores: list[str]) -> tuple[dict[str, dict[str, dict[str, int]]],
                                                   dict[str, list[LabelStatus]]]:
    """Per store of `stores`: each terminal's applied versions, and the shelf labels of its
    reports (only those stores' reports are read: a label list is up to MAX_LABELS long)."""
    applied: dict[str, dict[str, dict[str, int]]] = {store: {} for store in stores}
    labels: dict[str, list[LabelStatus]] = {}
    # A terminal HQ knows from its sync stream but has no report from has applied nothing
    # as far as HQ can tell: it keeps the version from being done.
    for store, terminal in ctx.conn.execute(
            "SELECT store, terminal FROM hq_terminal WHERE store = ANY(%s)", (stores,)).fetchall():
        applied[store][terminal] = {}
    for store, terminal, raw in ctx.conn.execute(
            "SELECT store, terminal, report::text FROM hq_terminal_health WHERE store = ANY(%s)"
            " ORDER BY store, terminal", (stores,)).fetchall():
        try:
            report = decode_report(raw.encode("utf-8"))
        except (msgspec.ValidationError, msgspec.DecodeError):
            continue            # listed as unreadable on the fleet page
        applied[store][terminal] = applied_versions(report)
        labels.setdefault(store, []).extend(report.labels or [])
    return applied, labels


def _known_stores(ctx: Ctx) -> list[str]:
    return [r[0] for r in ctx.conn.execute(
        "SELECT store FROM hq_terminal UNION SELECT store FROM hq_version ORDER BY 1").fetchall()]


def _label_state(label: LabelStatus, price: int) -> str:
    if label.state == "confirmed" and label.price == price:
        return "confirmed"
    return "failed" if label.state == "failed" else "pending"


@page("/rollout", "rollout.html", "nav.rollout")
def rollout(ctx: Ctx) -> dict[str, Any]:
    chosen = ctx.store_param()
    only = [chosen] if chosen else (list(ctx.user.stores) if ctx.user.role == "manager" else None)
    rows = ctx.conn.execute(
        "SELECT store, stream, version, signed, created_at FROM hq_version"
        " WHERE stream = ANY(%s) AND (%s::text[] IS NULL OR store = ANY(%s))"
        " ORDER BY created_at DESC, store, stream, version DESC LIMIT %s",
        (list(STREAMS), only, only, SHOWN_VERSIONS)).fetchall()
    shown = [(str(r[0]), str(r[1]), int(r[2]), _items(bytes(r[3]), str(r[1])), r[4])
             for r in rows]
    applied, labels = _reports(ctx, sorted({store for store, *_ in shown}))
    # Only the keys of the versions shown: a page view never reads a store's whole price list.
    keys = [(store, stream, item_key(stream, i)) for store, stream, _, items, _ in shown
            for i in items]
    latest = {(r[0], r[1], r[2]): int(r[3]) for r in ctx.conn.execute(
        "SELECT store, stream, key, version FROM hq_stream_item WHERE (store, stream, key) IN"
        " (SELECT * FROM unnest(%s::text[], %s::text[], %s::text[]))",
        ([k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys])).fetchall()}
    versions = [_version(ctx, store, stream, version, items, created_at, applied.get(store, {}),
                         labels.get(store, []), latest)
                for store, stream, version, items, created_at in shown]
    return {"store": chosen, "versions": versions,
            "may_publish": ctx.user.role == "admin",
            "publish_ready": bool(ctx.settings and ctx.settings.signing_key),
            "stores": ctx.user.visible(_known_stores(ctx)),
            "published": ctx.query.get("published", ""), "error": ctx.query.get("error", "")}


def _version(ctx: Ctx, store: str, stream: str, version: int, items_in: list[Any],
             created_at: datetime, terminals: dict[str, dict[str, int]],
             store_labels: list[LabelStatus], latest: dict[tuple[str, str, str], int]
             ) -> dict[str, Any]:
    tills = [{"terminal": t, "applied": v.get(stream, 0),
              "state": "applied" if v.get(stream, 0) >= version else "pending"}
             for t, v in sorted(terminals.items())]
    items, shelf = [], []
    for item in items_in:
        key = item_key(stream, item)
        row: dict[str, Any] = {"key": key}
        if latest.get((store, stream, key), version) > version:
            row["state"] = "superseded"
        if isinstance(item, PriceItem):
            due = item.effective_at is None or datetime.fromisoformat(item.effective_at) <= ctx.now
            row.update(sku=item.sku, price=item.price, effective_at=item.effective_at)
            row.setdefault("state", "due" if due else "scheduled")
            if row["state"] == "due":
                for label in store_labels:
                    if label.sku == item.sku:
                        shelf.append({"mac": label.mac, "sku": label.sku,
                                      "state": _label_state(label, item.price),
                                      "shows": label.price, "wanted": label.wanted,
                                      "reason": label.reason})
        elif isinstance(item, PromotionItem):
            row.update(promotion_id=item.promotion_id, active=item.active,
                       body=bytes(item.body).decode("utf-8"))
            row.setdefault("state", "due")
        items.append(row)
    waiting = [i for i in items if i["state"] == "scheduled"]
    if all(i["state"] == "superseded" for i in items):
        status = "superseded"
    elif not tills or any(t["state"] != "applied" for t in tills):
        status = "rolling_out"
    elif any(lb["state"] == "failed" for lb in shelf):
        status = "failed"
    elif any(lb["state"] != "confirmed" for lb in shelf):
        status = "rolling_out"
    else:
        status = "scheduled" if waiting else "done"
    return {"store": store, "stream": stream, "version": version, "status": status,
            "published_at": created_at.astimezone(ctx.zone).isoformat(timespec="seconds"),
            "items": items, "tills": tills, "labels": shelf,
            "tills_applied": sum(t["state"] == "applied" for t in tills),
            "labels_confirmed": sum(lb["state"] == "confirmed" for lb in shelf)}


def _fen(text: str) -> int:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise PublishRefused(f"price {text!r} is not a number") from None
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise PublishRefused(f"price {text!r}: yuan, at most two decimals, not negative")
    return int(value * 100)


def form_items(ctx: Ctx, form: dict[str, str]) -> tuple[str, list[Any]]:
    """The stream and its items from the publish form: a file's JSON array when one was sent,
    else the one price or promotion typed in."""
    stream = form.get("stream", "")
    if stream not in STREAMS:
        raise PublishRefused(f"stream must be one of {', '.join(STREAMS)}")
    try:
        if form.get("file", "").strip():
            return stream, list(parse_items(stream, form["file"].encode("utf-8"), "file"))
        if stream == "prices":
            sku = form.get("sku", "").strip()
            if not sku:
                raise PublishRefused("a SKU is needed")
            when = form.get("effective_at", "").strip()
            at = None
            if when:
                try:
                    local = datetime.fromisoformat(when)
                except ValueError:
                    raise PublishRefused(f"effective time {when!r} is not a date and time") from None
                at = (local if local.tzinfo else local.replace(tzinfo=ctx.zone)).isoformat()
            raw = encode([PriceItem(sku, _fen(form.get("price", "")), at)])
        else:
            pid = form.get("promotion_id", "").strip()
            if not pid:
                raise PublishRefused("a promotion id is needed")
            body = form.get("body", "").encode("utf-8")
            try:
                msgspec.json.decode(body)     # one JSON value, nothing after it
            except msgspec.DecodeError as exc:
                raise PublishRefused(f"the rule is not JSON: {exc}") from None
            raw = encode([PromotionItem(pid, msgspec.Raw(body), bool(form.get("active")))])
        return stream, list(parse_items(stream, raw, "form"))
    except PublishError as exc:
        raise PublishRefused(str(exc)) from None


@action("/rollout/publish")
def publish(ctx: Ctx, form: dict[str, str]) -> str:
    """Store a signed version per chosen store, send it, audit it: HQ admins only."""
    if ctx.user.role != "admin":
        raise Forbidden("publish")
    settings = ctx.settings
    if settings is None or not settings.signing_key:
        return "/rollout?error=" + quote("no signing key: start the console with --signing-key")
    try:
        stream, items = form_items(ctx, form)
    except PublishRefused as exc:
        return "/rollout?error=" + quote(str(exc)[:300])
    with ctx.storage.lock:
        known = ctx.storage.db.stores()
    stores = [s.strip() for s in form.get("stores", "").split(",") if s.strip()] or known
    if not stores:
        return "/rollout?error=" + quote("no stores known yet; name them")
    bad = [s for s in stores if not STORE_ID.fullmatch(s)]
    if bad:
        return "/rollout?error=" + quote(f"not a store id: {bad[0][:40]!r}")
    key = load_private_key(Path(settings.signing_key))
    pinned = load_keyring(Path(settings.pinned)) if settings.pinned else None
    sent, problems = [], []
    try:
        with ctx.storage.lock:
            for store in stores:
                version, signed = publish_version(ctx.storage.db, key, stream, items, store, pinned)
                sent.append((store, stream, version, signed))
    except PublishError as exc:
        problems.append(str(exc)[:300])
    done = ",".join(f"{s}@{v}" for s, _, v, _ in sent)
    if sent:       # what was stored is audited and sent, even when a later store was refused
        with ctx.conn.transaction(), ctx.conn.cursor() as cur:
            audit(cur, ctx.user.username, f"{stream}.publish", done,
                  {"items": msgspec.json.decode(encode(items))})
        if settings.broker is not None:
            try:
                send(settings.broker, sent)
            except OSError as exc:
                problems.append(f"stored, but the broker is unreachable ({exc}); the stores"
                                " catch up from the retained head")
    where = "/rollout?published=" + quote(done) if sent else "/rollout?"
    return where + "".join("&error=" + quote(p) for p in problems[:1])
