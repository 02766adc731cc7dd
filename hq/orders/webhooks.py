"""Status webhooks to the channels: every change of an order owes its channel one signed POST
(hq_webhook rows, written in the same transaction as the change), delivered in order per order,
retried with backoff until the channel answers 2xx.

Rule: a webhook is delivered at least once; its body carries the order's status and
`updated_at`, so a channel takes the newest and ignores repeats. Backoff: 5 s × 2^attempts,
capped at one hour; after MAX_ATTEMPTS it stays undelivered for an operator (`pos hq orders
webhooks` shows it).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import psycopg

from hq.orders.signing import signature

MAX_ATTEMPTS = 20
log = logging.getLogger(__name__)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = 5.0) -> int:
    request = urllib.request.Request(url, body, {"content-type": "application/json", **headers},
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def deliver_due(conn: psycopg.Connection[Any], now: float | None = None, limit: int = 100,
                send: Any = post) -> int:
    """Deliver what is due (oldest first, one order's webhooks in order); the number delivered."""
    now = time.time() if now is None else now
    rows = conn.execute(
        "SELECT w.id, w.order_id, w.body, w.attempts, c.webhook_url, c.secret FROM hq_webhook w"
        " JOIN hq_channel c ON c.channel = w.channel WHERE w.delivered_at IS NULL"
        " AND w.next_at <= to_timestamp(%s) AND w.attempts < %s AND c.webhook_url <> ''"
        " AND NOT EXISTS (SELECT 1 FROM hq_webhook e WHERE e.order_id = w.order_id"
        "  AND e.id < w.id AND e.delivered_at IS NULL)"
        " ORDER BY w.id LIMIT %s", (now, MAX_ATTEMPTS, limit)).fetchall()
    delivered = 0
    for hook_id, _order, body, attempts, url, secret in rows:
        raw = json.dumps(body, ensure_ascii=False).encode()
        ts = int(now)
        headers = {"x-pos-timestamp": str(ts),
                   "x-pos-signature": signature(secret, ts, "POST", urlsplit(url).path, raw)}
        try:
            status, error = send(url, raw, headers), None
        except OSError as exc:
            status, error = 0, str(exc)[:300]
        if 200 <= status < 300:
            conn.execute("UPDATE hq_webhook SET delivered_at = to_timestamp(%s),"
                         " attempts = attempts + 1 WHERE id = %s", (now, hook_id))
            delivered += 1
        else:
            pause = min(5 * 2 ** attempts, 3600)
            conn.execute("UPDATE hq_webhook SET attempts = attempts + 1, last_error = %s,"
                         " next_at = to_timestamp(%s) WHERE id = %s",
                         (error or f"HTTP {status}", now + pause, hook_id))
    return delivered


def deliver_forever(db_url: str, stop: threading.Event, interval: float = 1.0) -> None:
    """The delivery loop beside HQ's HTTP app (or `pos hq orders webhooks --loop`): what is due,
    every `interval` seconds, until `stop`; a database outage is waited out, never fatal."""
    while not stop.is_set():
        try:
            with psycopg.connect(db_url, autocommit=True, connect_timeout=5) as conn:
                while not stop.is_set():
                    while deliver_due(conn) and not stop.is_set():
                        pass
                    stop.wait(interval)
        except psycopg.OperationalError as exc:
            log.warning("webhooks: HQ database unavailable (%s); retrying", str(exc)[:200])
            stop.wait(max(interval, 5.0))
