"""Applying HQ's signed downlink documents (catalog, prices, promotions, transfers, orders) to the
till's database, and promoting effective-dated prices when their time comes.

Rule: a document applies only if its signature verifies against the pinned key its key_id names
(keys are added only by a rollover signed with a pinned key), it is for this
store, and it is either version v+1 of its stream or a snapshot newer than v; anything else
changes nothing. Each document applies in one transaction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from cloud_sync.protocol import (
    ITEM_TYPES,
    CatalogItem,
    Document,
    OrderItem,
    PriceItem,
    PromotionItem,
    Rollover,
    Signed,
)
from cloud_sync.signing import (
    Keyring,
    SignatureError,
    key_id,
    public_pem,
    rollover_dir,
    verify_pinned,
)
from edge.catalog.products import tax_code_error
from edge.catalog.search import refresh_index
from edge.ledger.clock import utc_now_iso
from edge.ledger.store import write_transaction
from edge.orders.orders import Order, OrderLine, apply_orders
from edge.store_ops.transfers import Transfer, apply_transfers


class Outcome(Enum):
    APPLIED = "applied"
    STALE = "stale"  # already have it: harmless redelivery
    GAP = "gap"  # a version is missing: ask HQ for what follows ours
    REFUSED = "refused"  # unsigned, forged, altered, malformed or for another store


@dataclass(frozen=True)
class ApplyResult:
    outcome: Outcome
    stream: str = ""
    version: int = 0
    reason: str = ""


def applied_version(conn: sqlite3.Connection, stream: str) -> int:
    row = conn.execute("SELECT version FROM sync_stream WHERE stream = ?", (stream,)).fetchone()
    return int(row[0]) if row else 0


def apply_signed(conn: sqlite3.Connection, key: Keyring | Ed25519PublicKey, raw: bytes,
                 store_id: str) -> ApplyResult:
    """Verify (with the pinned key its key_id names), decode and apply one downlink message
    (the bytes of a `Signed`)."""
    try:
        signed = msgspec.json.decode(raw, type=Signed)
        doc = msgspec.json.decode(verify_pinned(key, signed), type=Document)
        if doc.store != store_id:
            raise ValueError(f"document is for store {doc.store}, this is {store_id}")
        items: list[Any] = msgspec.json.decode(doc.items, type=ITEM_TYPES[doc.stream])
    except (msgspec.ValidationError, msgspec.DecodeError, SignatureError, ValueError) as exc:
        _refuse(conn, None, str(exc))
        return ApplyResult(Outcome.REFUSED, reason=str(exc))
    try:
        return _apply(conn, doc, items)
    except (ValueError, sqlite3.IntegrityError) as exc:
        _refuse(conn, doc.stream, str(exc))
        return ApplyResult(Outcome.REFUSED, doc.stream, doc.version, str(exc))


def accept_rollover(keys: Keyring, raw: bytes, pinned_path: Path) -> str:
    """Pin the next HQ key announced by a rollover signed with a key already pinned: written to
    `pinned_path.d/KEY_ID.pem` and added to `keys`. The new key id; SignatureError otherwise."""
    try:
        signed = msgspec.json.decode(raw, type=Signed)
        rollover = msgspec.json.decode(verify_pinned(keys, signed), type=Rollover)
        public = serialization.load_pem_public_key(rollover.public_pem.encode("ascii"))
    except (msgspec.ValidationError, msgspec.DecodeError, ValueError) as exc:
        raise SignatureError(f"unreadable rollover: {exc}") from None
    if not isinstance(public, Ed25519PublicKey) or key_id(public) != rollover.key_id:
        raise SignatureError("rollover key is not the Ed25519 key its id names")
    if rollover.key_id not in keys:
        folder = rollover_dir(pinned_path)
        folder.mkdir(exist_ok=True)
        (folder / f"{rollover.key_id}.pem").write_bytes(public_pem(public))
        keys[rollover.key_id] = public
    return rollover.key_id


def _apply(conn: sqlite3.Connection, doc: Document, items: list) -> ApplyResult:  # type: ignore[type-arg]
    with write_transaction(conn):
        have = applied_version(conn, doc.stream)
        if doc.version <= have:
            return ApplyResult(Outcome.STALE, doc.stream, doc.version)
        if doc.kind == "delta" and doc.version != have + 1:
            return ApplyResult(Outcome.GAP, doc.stream, doc.version)
        snapshot = doc.kind == "snapshot"
        if doc.stream == "catalog":
            _apply_catalog(conn, items, snapshot)
        elif doc.stream == "prices":
            _apply_prices(conn, items, snapshot, doc.version)
        elif doc.stream == "orders":
            apply_orders(conn, [_order(o) for o in items], snapshot, doc.version)
        elif doc.stream == "transfers":
            apply_transfers(conn, [Transfer(t.transfer_id, t.from_store, t.to_store,
                                            [(ln.sku, ln.qty_milli) for ln in t.lines], t.note,
                                            t.cancelled) for t in items], snapshot, doc.version)
        else:
            _apply_promotions(conn, items, snapshot, doc.version)
        conn.execute(
            "INSERT INTO sync_stream (stream, version, applied_at) VALUES (?, ?, ?)"
            " ON CONFLICT (stream) DO UPDATE SET version = excluded.version,"
            " applied_at = excluded.applied_at",
            (doc.stream, doc.version, utc_now_iso()),
        )
        promote_due_prices(conn)
    return ApplyResult(Outcome.APPLIED, doc.stream, doc.version)


def _order(item: OrderItem) -> Order:
    return Order(item.order_id, item.channel, item.pickup_code,
                 [OrderLine(ln.line, ln.sku, ln.name, ln.qty_milli, ln.unit_price)
                  for ln in item.lines], item.slot_end, item.paid_online, item.substitutions,
                 item.member_id, item.cancelled)


def _refuse(conn: sqlite3.Connection, stream: str | None, reason: str) -> None:
    with write_transaction(conn):
        conn.execute("INSERT INTO sync_refused (received_at, stream, reason) VALUES (?, ?, ?)",
                     (utc_now_iso(), stream, reason))


def _apply_catalog(conn: sqlite3.Connection, items: list[CatalogItem], snapshot: bool) -> None:
    if snapshot:
        # Products missing from a snapshot are withdrawn, not deleted: old sales still name them.
        conn.execute("UPDATE product SET active = 0, plu = NULL")
        conn.execute("DELETE FROM product_gtin")
    else:
        conn.executemany("DELETE FROM product_gtin WHERE sku = ?", [(i.sku,) for i in items])
        plus = [(i.plu, i.sku) for i in items if i.plu]
        # A PLU that moved to another product is released first (plu is UNIQUE).
        conn.executemany("UPDATE product SET plu = NULL WHERE plu = ? AND sku <> ?", plus)
    conn.executemany(
        "INSERT INTO product (sku, plu, name_zh, name_en, unit, price, tax_class, category,"
        " age_restricted, active, tax_code, open_price) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (sku) DO UPDATE SET plu = excluded.plu, name_zh = excluded.name_zh,"
        " name_en = excluded.name_en, unit = excluded.unit, price = excluded.price,"
        " tax_class = excluded.tax_class, category = excluded.category,"
        " age_restricted = excluded.age_restricted, active = excluded.active,"
        " tax_code = excluded.tax_code, open_price = excluded.open_price",
        [(i.sku, i.plu, i.name_zh, i.name_en, i.unit, _money(i.price), i.tax_class, i.category,
          int(i.age_restricted), int(i.active), _tax_code(i), int(i.open_price)) for i in items],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO product_gtin (gtin, sku) VALUES (?, ?)",
        [(_gtin14(g), i.sku) for i in items for g in i.gtins],
    )
    refresh_index(conn)  # names and pinyin initials searchable at the till, in the same transaction


def _tax_code(item: CatalogItem) -> str:
    """HQ checks codes before it publishes; a bad one that still arrives refuses the version."""
    error = tax_code_error(item.tax_code)
    if error:
        raise ValueError(f"{item.sku}: {error}")
    return item.tax_code


def _apply_prices(conn: sqlite3.Connection, items: list[PriceItem], snapshot: bool,
                  version: int) -> None:
    if snapshot:
        conn.execute("DELETE FROM sync_scheduled_price")
    now = utc_now_iso()
    for item in items:
        _money(item.price)
        at = _utc(item.effective_at) if item.effective_at else now
        conn.execute(
            "INSERT OR REPLACE INTO sync_scheduled_price (sku, effective_at, price, version)"
            " VALUES (?, ?, ?, ?)", (item.sku, at, item.price, version))


def _apply_promotions(conn: sqlite3.Connection, items: list[PromotionItem], snapshot: bool,
                      version: int) -> None:
    if snapshot:
        conn.execute("DELETE FROM sync_promotion")
    conn.executemany(
        "INSERT OR REPLACE INTO sync_promotion (promotion_id, body, active, version)"
        " VALUES (?, ?, ?, ?)",
        [(p.promotion_id, bytes(p.body).decode("utf-8"), int(p.active), version) for p in items],
    )


def promote_due_prices(conn: sqlite3.Connection, now: str | None = None) -> int:
    """Move every scheduled price whose time has come into product.price (the latest due one per
    product wins). The agent calls it each second and the till may call it at start; call inside
    a write transaction or in autocommit mode. Returns the number of prices changed."""
    now = now or utc_now_iso()
    due = conn.execute(
        "SELECT sku, price FROM sync_scheduled_price s WHERE effective_at <= ? AND effective_at ="
        " (SELECT max(effective_at) FROM sync_scheduled_price t"
        "  WHERE t.sku = s.sku AND t.effective_at <= ?)", (now, now)).fetchall()
    if not due:
        return 0
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany("UPDATE product SET price = ? WHERE sku = ?",
                         [(row[1], row[0]) for row in due])
        conn.execute("DELETE FROM sync_scheduled_price WHERE effective_at <= ?", (now,))
    except BaseException:
        if own:
            conn.execute("ROLLBACK")
        raise
    if own:
        conn.execute("COMMIT")
    return len(due)


def _money(value: int) -> int:
    if value < 0:
        raise ValueError(f"negative price {value}")
    return value


def _gtin14(gtin: str) -> str:
    if not gtin.isdigit() or len(gtin) > 14:
        raise ValueError(f"bad GTIN {gtin!r}")
    return gtin.zfill(14)


def _utc(iso: str) -> str:
    """Normalise to the till's UTC spelling so that due times compare as strings."""
    at = datetime.fromisoformat(iso)
    if at.tzinfo is None:
        raise ValueError(f"effective_at without a UTC offset: {iso!r}")
    return at.astimezone(UTC).isoformat(timespec="milliseconds")
