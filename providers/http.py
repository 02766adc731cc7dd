"""The one HTTP exchange every provider adapter makes, with the distinction the payment flow
needs: a connection that could not be made means the request never left (ProviderUnreachable);
any failure after that means the outcome is unknown (ProviderNoAnswer).
"""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from edge.payments.provider import ProviderNoAnswer, ProviderUnreachable

MAX_BODY = 1 << 20
MAX_BILL = 64 << 20          # a day's settlement file of a busy merchant


class BillUnavailable(Exception):
    """The provider has no settlement file for that day (yet), or the one fetched is not whole."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]      # names lower-cased
    body: bytes

    def server_time(self) -> float | None:
        """The answer's `Date` header as epoch seconds, if it has a readable one."""
        try:
            return parsedate_to_datetime(self.headers["date"]).timestamp()
        except (KeyError, TypeError, ValueError, IndexError):
            return None


def exchange(method: str, url: str, headers: dict[str, str], body: bytes,
             timeout_s: float, max_body: int = MAX_BODY) -> Response:
    parts = urlsplit(url)
    conn_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_type(parts.hostname or "", parts.port, timeout=timeout_s)
    try:
        try:
            conn.connect()
        except OSError as exc:
            raise ProviderUnreachable(f"{parts.hostname}:{parts.port}: {exc}") from None
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request(method, target, body=body or None, headers=headers)
            answer = conn.getresponse()
            data = answer.read(max_body + 1)
        except (OSError, http.client.HTTPException) as exc:  # TimeoutError is an OSError
            raise ProviderNoAnswer(f"no answer from {parts.hostname}:{parts.port}: "
                                   f"{type(exc).__name__} {exc}") from None
        if len(data) > max_body:
            raise ProviderNoAnswer("the answer is larger than any provider answer")
        return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, data)
    finally:
        conn.close()
