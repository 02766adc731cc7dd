"""Service logs: one JSON event per line with the fields given, secrets masked, and a message
that repeats counted instead of flooding the journal."""

from __future__ import annotations

import io
import json
import logging

from cli._logging import JsonLines, Repeats, Text, redact


def logger_into(stream: io.StringIO, formatter: logging.Formatter, clock: list[float]) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(Repeats(60, lambda: clock[0]))
    log = logging.getLogger(f"test.{id(stream)}")
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.INFO)
    return log


def test_events_are_json_lines_with_their_fields_and_no_secrets() -> None:
    out, clock = io.StringIO(), [0.0]
    log = logger_into(out, JsonLines(), clock)
    log.info("sale committed", extra={"seq": 42, "sale_id": "9f1c"})
    log.warning("cannot reach postgresql://pos:hunter2@db/pos (password=hunter2)")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["msg"] == "sale committed" and (first["seq"], first["sale_id"]) == (42, "9f1c")
    assert first["level"] == "INFO"
    assert "hunter2" not in out.getvalue()
    assert second["msg"] == "cannot reach postgresql://pos:***@db/pos (password=***)"


def test_a_repeating_message_is_logged_once_then_counted() -> None:
    out, clock = io.StringIO(), [0.0]
    log = logger_into(out, JsonLines(), clock)
    for second in range(120):
        clock[0] = second / 2                 # every half second for a minute
        log.warning("disconnected from store-broker:8883: connection refused")
    log.info("connected")
    clock[0] = 61
    log.warning("disconnected from store-broker:8883: connection refused")
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [e["msg"] for e in events] == [
        "disconnected from store-broker:8883: connection refused", "connected",
        "disconnected from store-broker:8883: connection refused"]
    assert events[2]["repeated"] == 119 and "repeated" not in events[0]


def test_text_format_masks_secrets_too() -> None:
    out, clock = io.StringIO(), [0.0]
    logger_into(out, Text("%(message)s"), clock).error("token: abc123 and key=xyz")
    assert out.getvalue().strip() == "token: *** and key=***"
    assert redact("mqtts://S001:pw@hq:8883") == "mqtts://S001:***@hq:8883"
