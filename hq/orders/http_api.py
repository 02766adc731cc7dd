"""The online channel's HTTP API, mounted in HQ's one ASGI app (hq/console/app.py):

    POST /api/v1/orders                         an OrderRequest → 201 (new) or 200 (known)
    GET  /api/v1/orders/{channel_order_id}      → 200 the order | 404
    POST /api/v1/orders/{channel_order_id}/cancel → 200 the order | 404 | 409

Rule: every request is signed by its channel (hq/orders/signing.py) and answers only about that
channel's orders; errors are JSON {"error", "message"[, "detail"]}. A new order is sent to its
store as a new signed version of the store's `orders` stream before the answer (201); if the
broker is down it stays `held` at HQ (its stock still promised) and goes with the store's next
catch-up (`pos hq orders resend`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import msgspec
import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cloud_sync.protocol import OrderItem
from hq.orders import signing
from hq.orders.book import (
    OrderRefused,
    OrderRequest,
    cancel_order,
    get_order,
    mark_sent,
    take_order,
)
from hq.publish import publish_version
from hq.storage.interface import HqStorage

MAX_BODY = 64 * 1024
STATUS = {"bad_request": 400, "unauthorized": 401, "not_found": 404, "no_stock": 409,
          "handed_over": 409, "busy": 503, "too_large": 413}
Sender = Callable[[list[tuple[str, str, int, bytes]]], None]
_decoder = msgspec.json.Decoder(OrderRequest)


class OrdersEndpoint:
    def __init__(self, db_url: str, storage: HqStorage, key: Ed25519PrivateKey, send: Sender,
                 clock: Callable[[], float] = time.time) -> None:
        self.db_url = db_url
        self.storage = storage          # versions of the stores' `orders` streams
        self.key = key
        self.send = send                # publishes versions (hq.publish.send with HQ's broker)
        self.clock = clock
        self.lock = threading.Lock()    # one storage connection

    def routes(self) -> list[Route]:
        return [Route("/api/v1/orders", self.post, methods=["POST"]),
                Route("/api/v1/orders/{order}", self.get, methods=["GET"]),
                Route("/api/v1/orders/{order}/cancel", self.cancel, methods=["POST"])]

    async def post(self, request: Request) -> JSONResponse:
        channel, body = await self._authenticated(request)
        try:
            order = _decoder.decode(body)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise OrderRefused("bad_request", f"not an order: {str(exc)[:300]}") from None
        answer, created = await run_in_threadpool(self._take, channel, order)
        return JSONResponse(answer, 201 if created else 200)

    async def get(self, request: Request) -> JSONResponse:
        channel, _ = await self._authenticated(request)
        found = await run_in_threadpool(self._read, channel, request.path_params["order"])
        if found is None:
            raise OrderRefused("not_found", "no such order for this channel")
        return JSONResponse(found)

    async def cancel(self, request: Request) -> JSONResponse:
        channel, _ = await self._authenticated(request)
        return JSONResponse(await run_in_threadpool(self._cancel, channel,
                                                    request.path_params["order"]))

    # ---- in threads -------------------------------------------------------------------------

    def _take(self, channel: str, order: OrderRequest) -> tuple[dict[str, Any], bool]:
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            taken = take_order(conn, channel, order)
            if taken.item is not None:
                self._publish(conn, taken.order["store"], taken.item)
                taken.order["status"] = get_order(conn, channel, order.channel_order_id
                                                  )["status"]  # type: ignore[index]
        return taken.order, taken.created

    def _read(self, channel: str, channel_order_id: str) -> dict[str, Any] | None:
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            return get_order(conn, channel, channel_order_id)

    def _cancel(self, channel: str, channel_order_id: str) -> dict[str, Any]:
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            found, item = cancel_order(conn, channel, channel_order_id)
            if item is not None:
                self._publish(conn, found["store"], item, cancelled=True)
        return found

    def _publish(self, conn: psycopg.Connection[Any], store: str, item: OrderItem,
                 cancelled: bool = False) -> None:
        with self.lock:
            version, signed = publish_version(self.storage, self.key, "orders", [item], store)
        try:
            self.send([(store, "orders", version, signed)])
        except OSError:
            return      # stored: the store catches up from the retained head or a resend
        if not cancelled:
            mark_sent(conn, item.order_id)

    async def _authenticated(self, request: Request) -> tuple[str, bytes]:
        channel = request.headers.get("x-pos-channel", "")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                raise OrderRefused("too_large", f"a body over {MAX_BODY} bytes")
        secret = await run_in_threadpool(self._secret, channel)
        reason = "unknown or disabled channel" if secret is None else signing.check(
            secret, request.headers.get("x-pos-timestamp", ""), request.method,
            request.url.path, body, request.headers.get("x-pos-signature", ""), self.clock())
        if reason:
            raise OrderRefused("unauthorized", reason)
        return channel, body

    def _secret(self, channel: str) -> str | None:
        if not channel:
            return None
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            row = conn.execute("SELECT secret FROM hq_channel WHERE channel = %s AND active",
                               (channel,)).fetchone()
        return None if row is None else str(row[0])


async def refused(request: Request, exc: Exception) -> JSONResponse:
    """The app's handler for OrderRefused: a structured error, never a traceback."""
    assert isinstance(exc, OrderRefused)
    body: dict[str, Any] = {"error": exc.code, "message": str(exc)}
    if exc.detail is not None:
        body["detail"] = exc.detail
    return JSONResponse(body, STATUS.get(exc.code, 400))
