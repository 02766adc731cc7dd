"""HMAC-SHA256 signatures between HQ and a sales channel, both ways: a channel signs its requests,
HQ signs the webhooks it sends, each with the channel's shared secret.

    X-Pos-Channel:   the channel's name
    X-Pos-Timestamp: Unix seconds when signed (accepted within MAX_SKEW_S of HQ's clock)
    X-Pos-Signature: hex HMAC-SHA256(secret, "{timestamp}.{METHOD}.{path}.{body}")

Webhooks use method POST and the webhook URL's path.
"""

from __future__ import annotations

import hashlib
import hmac

MAX_SKEW_S = 300


def signature(secret: str, timestamp: int, method: str, path: str, body: bytes) -> str:
    message = f"{timestamp}.{method.upper()}.{path}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def check(secret: str, timestamp: str, method: str, path: str, body: bytes, given: str,
          now: float) -> str | None:
    """None when `given` signs this request now; otherwise why not."""
    try:
        ts = int(timestamp)
    except ValueError:
        return "X-Pos-Timestamp is not Unix seconds"
    if abs(now - ts) > MAX_SKEW_S:
        return f"X-Pos-Timestamp is more than {MAX_SKEW_S} s from HQ's clock"
    if not hmac.compare_digest(signature(secret, ts, method, path, body), given.lower()):
        return "X-Pos-Signature does not match"
    return None
