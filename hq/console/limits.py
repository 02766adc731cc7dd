"""ASGI middleware in front of every route: per-client rate limits, then the request body read
whole under a size limit counted on the stream and a deadline, before any route sees it.

Rule: a refusal costs the server less than the request cost the client — no database, no
template, one small JSON body, and `Connection: close` when the client is still sending.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hq.console.server import ServerLimits, json_error

Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Rate:
    per_s: float
    burst: float


class TokenBuckets:
    """One token bucket per key; at most `max_keys` kept (full buckets are forgotten first)."""

    def __init__(self, rate: Rate, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.max_keys = max_keys
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> bool:
        now = self.clock()
        tokens, at = self.buckets.get(key, (self.rate.burst, now))
        tokens = min(self.rate.burst, tokens + (now - at) * self.rate.per_s)
        if len(self.buckets) >= self.max_keys and key not in self.buckets:
            self._forget(now)
        if tokens < 1:
            self.buckets[key] = (tokens, now)
            return False
        self.buckets[key] = (tokens - 1, now)
        return True

    def _forget(self, now: float) -> None:
        full = [k for k, (t, at) in self.buckets.items()
                if t + (now - at) * self.rate.per_s >= self.rate.burst]
        for k in full or list(self.buckets)[: len(self.buckets) // 2]:
            del self.buckets[k]


# Paths whose requests are guesses if they come fast (a sale id, a password): tighter buckets.
RATES: dict[str, Rate] = {"/invoices/": Rate(5, 20), "": Rate(50, 200)}
# The invoice form is four short fields.
BODY_LIMITS: dict[str, int] = {"/invoices/": 16 * 1024}


class Guard:
    def __init__(self, app: Any, limits: ServerLimits) -> None:
        self.app = app
        self.limits = limits
        self.buckets = {prefix: TokenBuckets(rate) for prefix, rate in RATES.items()}
        self.stopping: list[Callable[[], None]] = []   # run when the server starts stopping

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        client = (scope.get("client") or ("", 0))[0]
        prefix = next(p for p in RATES if path.startswith(p))
        if not self.buckets[prefix].take(client):
            await _answer(send, *json_error(429, "rate_limited", "too many requests; slow down",
                                                close=False))
            return
        limit = next((v for p, v in BODY_LIMITS.items() if path.startswith(p)),
                     self.limits.max_body)
        try:
            body = await asyncio.wait_for(_read_body(receive, limit), self.limits.body_timeout_s)
        except _TooLarge:
            await _answer(send, *json_error(413, "too_large",
                                            f"the request body exceeds {limit} bytes"))
            return
        except TimeoutError:
            await _answer(send, *json_error(408, "timeout", "the request body came too slowly"))
            return
        except _Gone:
            return
        await self.app(scope, _replay(body, receive), send)


class _TooLarge(Exception):
    pass


class _Gone(Exception):
    pass


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Gone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        message: dict[str, Any] = await receive()   # after the body: only a disconnect
        return message

    return replay


async def _answer(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
