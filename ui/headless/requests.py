"""What every headless op shares: its error type, the error answer, and reading a request's fields
with their types checked (a bool is never an int)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from edge.ledger.money import parse_amount
from edge.till.session import Till

Handler = Callable[[Till, dict[str, Any]], dict[str, Any]]


class ProtocolError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def error_answer(code: str, message: str) -> str:
    return json.dumps({"ok": False, "error": {"code": code, "message": message}},
                      ensure_ascii=False)


def field(request: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = request.get(name)
    if value is None:
        raise ProtocolError("bad_request", f"missing field {name!r}")
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ProtocolError("bad_request", f"field {name!r} has the wrong type")
    return value


def amount_field(request: dict[str, Any], name: str, till: Till) -> int:
    return parse_amount(request.get(name), till.config.minor_digits)
