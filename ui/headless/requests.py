"""What every headless op shares: its error type, the error answer, reading a request's fields
with their types checked (a bool is never an int), and the checks every request passes before
any op sees it.

Rule: a request is text a person or a program typed; before it reaches an op, every string in it
is free of lone surrogates and control characters (edge/safe_text.py) -- except GS (U+001D) in a
`scan`'s `data`, which scanners send between GS1 fields -- it nests at most MAX_DEPTH deep, and no
free-text field holds a full card number. Answers are always valid UTF-8.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from edge.ledger.money import parse_amount
from edge.safe_text import first_control, shown
from edge.sale.card_numbers import contains_full_pan
from edge.till.session import Till

MAX_DEPTH = 16
# Fields whose value is free text people type: reasons, notes, names, references.
FREE_TEXT_FIELDS = frozenset({"reference", "reason", "note", "name", "approval_code", "title"})

Handler = Callable[[Till, dict[str, Any]], dict[str, Any]]


class ProtocolError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def error_answer(code: str, message: str) -> str:
    return encode_answer({"ok": False, "error": {"code": code, "message": message}})


def encode_answer(answer: dict[str, Any]) -> str:
    """One JSON line, readable UTF-8 where it can be; anything that would not encode (a lone
    surrogate echoed from storage) is escaped instead of breaking the stream."""
    text = json.dumps(answer, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(answer, ensure_ascii=True)
    return text


GS = "\x1d"   # GS1's field separator: a variable-length field ends with it


def check_request(request: object) -> None:
    """Raise ProtocolError for what no op may see (see the module's rule)."""
    stack: list[tuple[object, int, str | None]] = [(request, 0, None)]
    while stack:
        value, depth, key = stack.pop()
        if depth > MAX_DEPTH:
            raise ProtocolError("bad_request", f"the request nests deeper than {MAX_DEPTH} levels")
        if isinstance(value, str):
            scanned = depth == 1 and key == "data" and isinstance(request, dict) \
                and request.get("op") == "scan"
            _check_text(value.replace(GS, "") if scanned else value, key)
        elif isinstance(value, dict):
            for k, v in value.items():
                _check_text(k, None)
                stack.append((v, depth + 1, k))
        elif isinstance(value, list):
            stack.extend((v, depth + 1, key) for v in value)


def _check_text(text: str, key: str | None) -> None:
    bad = first_control(text)  # rule CONTROL_CHARACTERS in edge/safe_text.py
    if bad:
        where = f"field {shown(key)!r}" if key else "the request"
        raise ProtocolError("bad_request", f"{where} holds the character {bad}, which no "
                                           "field may hold")
    if key in FREE_TEXT_FIELDS and contains_full_pan(text):
        raise ProtocolError("full_pan_refused", f"field {key!r} looks like a full card number: "
                                                "never type card numbers into the till")


def field(request: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = request.get(name)
    if value is None:
        raise ProtocolError("bad_request", f"missing field {name!r}")
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ProtocolError("bad_request", f"field {name!r} has the wrong type")
    return value


def optional_field(request: dict[str, Any], name: str, kind: type | tuple[type, ...],
                   default: Any) -> Any:
    """`field` for a field that may be left out (then `default`); present, it is checked alike."""
    return default if request.get(name) is None else field(request, name, kind)


def amount_field(request: dict[str, Any], name: str, till: Till) -> int:
    return parse_amount(request.get(name), till.config.minor_digits)
