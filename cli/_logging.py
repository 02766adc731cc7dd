"""Logging for the `pos` services: one event per line, JSON under systemd (the journal keeps the
time and the unit) or on request, readable text at a terminal; secrets masked; a message that
repeats is logged once and then counted, so a flapping link cannot bury everything else.

Rule: what reaches the log never holds a password, a key or a URL's credentials; fields passed as
`extra={"seq": ..., "sale_id": ...}` become keys of the event.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from typing import Any

_SECRET = re.compile(r"(?i)((?:password|passwd|secret|token|key)\s*[=:]\s*)([^\s,;)\]}'\"]+)")
_URL_CREDENTIALS = re.compile(r"(\w+://[^/\s:@]+:)([^@\s]+)(@)")
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def redact(text: str) -> str:
    return _URL_CREDENTIALS.sub(r"\1***\3", _SECRET.sub(r"\1***", text))


class JsonLines(logging.Formatter):
    """{"level": "WARNING", "logger": "cloud_sync.agent", "msg": "...", "seq": 12, ...}"""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {"level": record.levelname, "logger": record.name,
                                 "msg": redact(record.getMessage())}
        if not os.environ.get("JOURNAL_STREAM"):
            event["ts"] = self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z")
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                event[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            event["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(event, ensure_ascii=False, default=str)


class Text(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class Repeats(logging.Filter):
    """The same message from the same logger within `window_s`: dropped and counted; the count
    rides on the next one let through (`repeated`: how many were dropped)."""

    def __init__(self, window_s: float = 60.0, clock: Any = time.monotonic) -> None:
        super().__init__()
        self.window_s, self.clock = window_s, clock
        self.seen: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.getMessage())
        now = self.clock()
        first, dropped = self.seen.get(key, (None, 0))
        if first is not None and now - first < self.window_s:
            self.seen[key] = (first, dropped + 1)
            return False
        self.seen[key] = (now, 0)
        if dropped:
            record.repeated = dropped
        if len(self.seen) > 1000:         # bounded: forget the oldest half
            for old in sorted(self.seen, key=lambda k: self.seen[k][0])[:500]:
                del self.seen[old]
        return True


def setup_logging(level: int = logging.INFO, json_lines: bool | None = None) -> None:
    """JSON lines under systemd ($JOURNAL_STREAM) or with POS_LOG_FORMAT=json; text otherwise."""
    if json_lines is None:
        wanted = os.environ.get("POS_LOG_FORMAT", "")
        json_lines = wanted == "json" or (wanted != "text" and bool(os.environ.get("JOURNAL_STREAM")))
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if json_lines else Text("%(asctime)s %(name)s %(message)s"))
    handler.addFilter(Repeats())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
