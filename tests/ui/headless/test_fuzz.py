"""A seeded fuzz of the headless till: 12,000 lines of plausible, hostile and broken requests go
through the real serve loop (bytes in, bytes out) on a real database; every numeric field is also
sent as a float, a string and a bool inside an otherwise valid request. Every line gets exactly
one answer, valid UTF-8 JSON; no answer is internal_error; and an error answer never changes the
database (`total_changes`), except the documented counter: a failed login counts towards that
person's lockout (staff.failed_attempts, staff.locked).

POS_FUZZ_SECONDS=600 runs for that long instead of 12,000 lines (with a new seed each 12,000), and
prints the figure: lines sent and errors by code."""

from __future__ import annotations

import io
import json
import os
import random
import sqlite3
import time
from typing import Any

import pytest

from edge import staff
from edge.config import StoreConfig
from edge.till.session import Till
from tests.edge.sale.sale_helpers import demo_gtins
from ui.headless.protocol import _OPS, serve
from ui.headless.store_ops import STORE_OPS

LINES = 12_000
OPS = sorted({*_OPS, *STORE_OPS})
FIELDS = ["data", "sku", "plu", "qty", "line", "price", "reason", "override", "type", "amount",
          "reference", "approval_code", "masked_pan", "id", "code", "card", "member", "receipt",
          "lines", "items", "count", "category", "float", "cash", "tender", "token", "weight",
          "staff", "pin", "width", "note", "name"]
SUPERVISOR = {"staff": "2001", "pin": "5678"}
# Valid requests with numeric fields: each field is sent with a value of the wrong type.
NUMERIC: list[tuple[dict[str, Any], tuple[str, ...]]] = [
    ({"op": "receipt", "width": 32}, ("width",)),
    ({"op": "reprint", "width": 48}, ("width",)),
    ({"op": "set_qty", "line": 1, "qty": "2"}, ("line", "qty")),
    ({"op": "void_line", "line": 1, "override": SUPERVISOR}, ("line",)),
    ({"op": "discount_line", "line": 1, "percent": 10, "override": SUPERVISOR},
     ("line", "percent")),
    ({"op": "discount_order", "percent": 5, "override": SUPERVISOR}, ("percent",)),
    ({"op": "discount_order", "amount": "1.00", "override": SUPERVISOR}, ("amount",)),
    ({"op": "scan", "data": "GTIN", "qty": 2}, ("qty", "weight")),
    ({"op": "add", "sku": "P00001", "qty": "2"}, ("qty", "price")),
    ({"op": "override_price", "line": 1, "price": "1.00", "reason": "x", "override": SUPERVISOR},
     ("line", "price")),
    ({"op": "tender", "type": "cash", "amount": "5.00"}, ("amount",)),
    ({"op": "pay_code", "code": "134567890123456789", "amount": "1.00"}, ("amount", "wait")),
    ({"op": "return", "receipt": "1", "lines": [{"line": 1, "qty": "1"}]}, ("receipt",)),
    ({"op": "shift_open", "float": "100.00"}, ("float",)),
    ({"op": "cash_in", "amount": "10.00", "reason": "x"}, ("amount",)),
    ({"op": "shift_close", "count": {"cash": "100.00"}}, ("count",)),
    ({"op": "stored_value_topup", "card": "SV1", "amount": "10.00"}, ("amount",)),
    ({"op": "stock_count", "count": 1, "sku": "P00001", "qty": "3"}, ("count", "qty")),
    ({"op": "stock_receive", "items": [{"sku": "P00001", "qty": "5"}]}, ("items",)),
    ({"op": "suspended", "limit": 5}, ("limit",)),
]
WRONG_NUMBERS: list[Any] = [32.0, 1.0, 1.5, -0.0, 1e308, float("nan"), float("inf"), "32", "1",
                            "1.0", "", True, False, None, [1], {"n": 1}]


def weird_value(rng: random.Random, gtins: list[str], depth: int = 0) -> Any:
    pick = rng.randrange(22)
    if pick == 0:
        return rng.choice(gtins)
    if pick == 1:
        return str(rng.randint(-5, 10))
    if pick == 2:
        return rng.randint(-2**70, 2**70)
    if pick == 3:
        return rng.random() * 1e6
    if pick == 4:
        return rng.choice([True, False, None])
    if pick == 5:
        return "".join(chr(rng.randrange(0, 0x110000)) for _ in range(rng.randrange(1, 12)))
    if pick == 6:
        return "\ud800" + "x"
    if pick == 7:
        return "A\x1bp\x00B"
    if pick == 8:
        return "9" * rng.randrange(1, 40)
    if pick == 9:
        return "4111111111111111"
    if pick == 10:
        return rng.choice(["1", "2", "0.5", "1.234", "-1", "1e3", "NaN", "", " ", "1,000"])
    if pick == 11:
        return rng.choice(["1.00", "5.00", "100", "0.01", "99999999", "abc"])
    if pick == 12 and depth < 3:
        return [weird_value(rng, gtins, depth + 1) for _ in range(rng.randrange(4))]
    if pick == 13 and depth < 3:
        return {rng.choice(FIELDS): weird_value(rng, gtins, depth + 1) for _ in range(3)}
    if pick == 14:
        return SUPERVISOR
    if pick == 15:
        return rng.choice(["cash", "card", "mobile", "stored_value", "points", "other", "gold"])
    if pick == 16:
        return rng.choice(["P00001", "P00002", "P00100", "NOPE", "'; DROP TABLE sale; --"])
    if pick == 17:
        return rng.randint(1, 5)
    if pick == 18:
        return "x" * rng.randrange(100, 5000)
    if pick == 19:
        return rng.choice(["1001", "2001", "3001", "9999"])
    return rng.choice(["1234", "5678", "0000"])


def numeric_request(rng: random.Random, gtins: list[str]) -> dict[str, Any]:
    template, names = rng.choice(NUMERIC)
    request = json.loads(json.dumps(template).replace("GTIN", rng.choice(gtins)))
    request[rng.choice(names)] = rng.choice(WRONG_NUMBERS)
    if "line" in request.get("lines", [{}])[0] and rng.random() < 0.5:
        request["lines"][0][rng.choice(["line", "qty"])] = rng.choice(WRONG_NUMBERS)
    return request


def request_line(rng: random.Random, gtins: list[str]) -> bytes:
    roll = rng.random()
    if roll < 0.12:
        return json.dumps(numeric_request(rng, gtins)).encode()
    if roll < 0.25:  # the happy path keeps sales moving
        return json.dumps(rng.choice([
            {"op": "login", "staff": "1001", "pin": "1234"},
            {"op": "scan", "data": rng.choice(gtins)},
            {"op": "tender", "type": "cash", "amount": "500.00"},
            {"op": "cancel", "override": SUPERVISOR},
        ])).encode()
    if roll < 0.80:
        request: dict[str, Any] = {"op": rng.choice(OPS)}
        for _ in range(rng.randrange(5)):
            request[rng.choice(FIELDS)] = weird_value(rng, gtins)
        return json.dumps(request).encode()
    if roll < 0.92:  # a valid line, broken
        raw = bytearray(json.dumps({"op": rng.choice(OPS), "data": rng.choice(gtins)}).encode())
        for _ in range(rng.randrange(1, 4)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        return bytes(raw[:rng.randrange(1, len(raw) + 1)])
    return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 60)))


@pytest.fixture
def cheap_pins(conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo staff with a fast PIN hash: the fuzz tests the protocol, not scrypt's cost."""
    monkeypatch.setattr(staff, "_SCRYPT", {"n": 16, "r": 1, "p": 1})
    for staff_id, pin in (("1001", "1234"), ("2001", "5678"), ("3001", "9999")):
        conn.execute("UPDATE staff SET pin_hash = ? WHERE id = ?", (staff.hash_pin(pin), staff_id))


@pytest.mark.slow
def test_twelve_thousand_fuzzed_lines_never_crash_and_errors_change_nothing(
        conn: sqlite3.Connection, config: StoreConfig, cheap_pins: None) -> None:
    seed = 20261130
    rng = random.Random(seed)
    gtins = demo_gtins(conn, 20)
    till = Till(conn, config)
    internal: list[tuple[bytes, str]] = []
    codes: dict[str, int] = {}
    seconds = float(os.environ.get("POS_FUZZ_SECONDS", "0"))
    deadline = time.monotonic() + seconds
    n = 0
    while n < LINES or time.monotonic() < deadline:
        if n and n % LINES == 0:
            seed += 1
            rng = random.Random(seed)
        n += 1
        line = request_line(rng, gtins).replace(b"\n", b" ") + b"\n"
        changes = conn.total_changes
        staff_before = list(conn.execute("SELECT id, failed_attempts, locked FROM staff"))
        out = io.StringIO()
        serve(till, io.BytesIO(line), out)
        text = out.getvalue()
        if not line.strip(b" \t\r\n"):   # blank: JSON whitespace only
            assert text == ""
            continue
        assert text.count("\n") == 1 and text.endswith("\n"), (n, line[:80], text[:200])
        text.encode("utf-8")  # always encodable: valid UTF-8 on the wire
        answer = json.loads(text)
        if answer["ok"]:
            continue
        code = answer["error"]["code"]
        codes[code] = codes.get(code, 0) + 1
        if code == "internal_error":
            internal.append((line[:120], answer["error"]["message"]))
        if conn.total_changes != changes:
            staff_after = list(conn.execute("SELECT id, failed_attempts, locked FROM staff"))
            only_login_counter = (json.loads(line).get("op") == "login"
                                  and staff_after != staff_before
                                  and conn.total_changes - changes == 1)
            assert only_login_counter, (n, line[:120], answer)
        if till.staff is None and rng.random() < 0.5:
            till.login("1001", "1234")
        if conn.execute("SELECT locked FROM staff WHERE id = '1001'").fetchone()[0]:
            conn.execute("UPDATE staff SET locked = 0, failed_attempts = 0 WHERE id = '1001'")
    print(f"\nheadless fuzz: {n} lines sent, errors by code: "
          f"{dict(sorted(codes.items(), key=lambda kv: -kv[1]))}, internal_error: {len(internal)}")
    assert internal == []
    assert len(codes) >= 12, codes  # the fuzz reached many kinds of refusal, not one
