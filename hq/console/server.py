"""Every HTTP endpoint HQ serves, on uvicorn, with what a public server must bound.

Rule: nothing a client sends is held without a limit — not its connections (per address and in
all), not the time its headers or body take, not the size of a body (counted on the stream, so a
missing, false or negative Content-Length or an endless chunked body changes nothing), not its
request rate. Every refusal is a JSON error (`{"error", "message"}`), also the ones uvicorn's
HTTP parser makes.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol


@dataclass(frozen=True)
class ServerLimits:
    header_timeout_s: float = 5.0     # from connection (or the end of the last response) to headers
    body_timeout_s: float = 10.0      # to read a whole request body
    keep_alive_s: float = 5.0         # an idle kept-alive connection is closed after this
    max_body: int = 64 * 1024         # any request body; the invoice form has its own, smaller
    max_header_bytes: int = 16 * 1024
    connections_per_client: int = 64  # open connections from one address
    max_connections: int = 1000       # open connections in all (beyond: 503)
    backlog: int = 1024


def json_error(status: int, error: str, message: str, close: bool = True
               ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """A refusal as (status, headers, body); `close` when the client may still be sending."""
    body = json.dumps({"error": error, "message": message}).encode()
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode())]
    return status, headers + ([(b"connection", b"close")] if close else []), body


def protocol_class(limits: ServerLimits) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a header deadline, a per-address connection cap and JSON for
    the requests its parser refuses."""
    open_per_client: Counter[str] = Counter()

    class BoundedProtocol(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None
        _counted: str | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            peer = self.client[0] if self.client else ""
            if open_per_client[peer] >= limits.connections_per_client:
                transport.abort()       # no answer: it costs the flood nothing to read one
                return
            open_per_client[peer] += 1
            self._counted = peer
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            if self._counted is not None:
                open_per_client[self._counted] -= 1
                if open_per_client[self._counted] <= 0:
                    del open_per_client[self._counted]
                self._counted = None
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:
                self._disarm()          # the headers are in; the body has its own deadline

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
                self._arm()

        def send_400_response(self, msg: str) -> None:
            status, headers, body = json_error(400, "bad_request", msg)
            try:
                self.transport.write(self.conn.send(h11.Response(status_code=status,
                                                                 headers=headers)))
                self.transport.write(self.conn.send(h11.Data(data=body)))
                self.transport.write(self.conn.send(h11.EndOfMessage()))
            except h11.LocalProtocolError:
                pass
            self.transport.close()

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(limits.header_timeout_s, self._too_slow)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            self._deadline = None
            if not self.transport.is_closing():
                self.transport.abort()

    return BoundedProtocol


class _Server(uvicorn.Server):
    """uvicorn's server, telling the app it stops before it waits for open responses (so the
    live page's event streams end cleanly instead of being cancelled)."""

    def __init__(self, config: uvicorn.Config, stopping: list[Callable[[], None]]) -> None:
        super().__init__(config)
        self.stopping = stopping

    async def shutdown(self, sockets: Any = None) -> None:
        for stop in self.stopping:
            stop()
        await super().shutdown(sockets)


def make_server(app: Any, host: str, port: int, limits: ServerLimits) -> uvicorn.Server:
    """`app` may list callables to run when the server starts stopping, as `app.stopping`."""
    config = uvicorn.Config(
        app, host=host, port=port, http=protocol_class(limits), lifespan="on",
        limit_concurrency=limits.max_connections, backlog=limits.backlog,
        timeout_keep_alive=int(max(1, limits.keep_alive_s)),
        h11_max_incomplete_event_size=limits.max_header_bytes, access_log=False,
        server_header=False, log_level="warning", ws="none", timeout_graceful_shutdown=5)
    return _Server(config, list(getattr(app, "stopping", [])))


def parse_bind(bind: str) -> tuple[str, int]:
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"--bind {bind!r}: give HOST:PORT, e.g. 127.0.0.1:8780")
    return host.strip("[]"), int(port)
