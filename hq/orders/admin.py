"""What an operator does with online orders at HQ (`pos hq channel|store|orders`): channels and
their secrets, store locations for routing, the order list, and resending orders still `held`.

Rule: a channel's secret is made here (secrets.token_urlsafe) and leaves HQ only once, to the
operator; a disabled channel is refused at once and owed no more webhooks.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import msgspec
import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloud_sync.protocol import OrderItem
from hq.orders.book import OrderRefused, describe, mark_sent
from hq.publish import publish_version
from hq.storage.interface import HqStorage

Sender = Callable[[list[tuple[str, str, int, bytes]]], None]


def add_channel(conn: psycopg.Connection[Any], channel: str, webhook_url: str = "") -> str:
    """A new channel, or a new secret for a known one (the old one stops working); its secret."""
    if not channel or len(channel) > 64 or not channel.replace("-", "").replace("_", "").isalnum():
        raise OrderRefused("bad_request", "a channel name: letters, digits, - and _, at most 64")
    if webhook_url and not webhook_url.startswith(("https://", "http://")):
        raise OrderRefused("bad_request", "the webhook URL must be http(s)://")
    secret = secrets.token_urlsafe(32)
    conn.execute("INSERT INTO hq_channel (channel, secret, webhook_url, active)"
                 " VALUES (%s, %s, %s, TRUE) ON CONFLICT (channel) DO UPDATE SET"
                 " secret = EXCLUDED.secret, webhook_url = EXCLUDED.webhook_url, active = TRUE",
                 (channel, secret, webhook_url))
    return secret


def disable_channel(conn: psycopg.Connection[Any], channel: str) -> None:
    found = conn.execute("UPDATE hq_channel SET active = FALSE WHERE channel = %s RETURNING 1",
                         (channel,)).fetchone()
    if found is None:
        raise OrderRefused("not_found", f"no channel {channel}")


def locate_store(conn: psycopg.Connection[Any], store: str, lat: float, lon: float,
                 name: str | None = None) -> None:
    """Where a store is, for routing orders `near` a customer."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise OrderRefused("bad_request", "latitude −90..90, longitude −180..180")
    conn.execute("INSERT INTO hq_store (store, name, lat, lon) VALUES (%s, %s, %s, %s)"
                 " ON CONFLICT (store) DO UPDATE SET lat = EXCLUDED.lat, lon = EXCLUDED.lon,"
                 " name = COALESCE(%s, hq_store.name)", (store, name or "", lat, lon, name))


def list_orders(conn: psycopg.Connection[Any], store: str | None = None,
                status: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
    """The newest first, as the API describes them, with their channel."""
    rows = conn.execute(
        "SELECT channel, order_id, channel_order_id, store, status, pickup_code, paid_online,"
        " body, result, conflict, created_at, updated_at FROM hq_order"
        " WHERE (%s::text IS NULL OR store = %s) AND (%s::text IS NULL OR status = %s)"
        " ORDER BY created_at DESC, order_id LIMIT %s",
        (store, store, status, status, limit)).fetchall()
    return [{"channel": r[0], **describe(r[1:])} for r in rows]


def resend_held(conn: psycopg.Connection[Any], storage: HqStorage, key: Ed25519PrivateKey,
                send: Sender) -> list[str]:
    """Every order still `held` (its store's version never reached the broker) goes again, one
    new version per store; a store that has it already keeps it unchanged (RESERVE_ON_ARRIVAL).
    Returns the order ids sent; raises OSError when the broker is still unreachable."""
    rows = conn.execute("SELECT store, body FROM hq_order WHERE status = 'held'"
                        " ORDER BY created_at, order_id").fetchall()
    by_store: dict[str, list[OrderItem]] = {}
    for store, body in rows:
        by_store.setdefault(store, []).append(msgspec.convert(body, OrderItem))
    versions = [(store, "orders", *publish_version(storage, key, "orders", items, store))
                for store, items in by_store.items()]
    if versions:
        send(versions)
    sent = [item.order_id for items in by_store.values() for item in items]
    for order_id in sent:
        mark_sent(conn, order_id)
    return sent


def undelivered_webhooks(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT id, channel, order_id, attempts, next_at, last_error"
                        " FROM hq_webhook WHERE delivered_at IS NULL ORDER BY id").fetchall()
    return [{"id": r[0], "channel": r[1], "order_id": r[2], "attempts": r[3],
             "next_at": r[4].isoformat(), "last_error": r[5]} for r in rows]
