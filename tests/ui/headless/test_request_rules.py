"""Rules every headless request keeps (docs/headless.md): numeric fields take integers only, a
request that fails writes nothing (a reprint's journal entry included), an approval counts as a
success only when the request it approved succeeds, and GS (only GS) may travel in scan data."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from edge import staff
from edge.config import StoreConfig
from edge.till.session import Till
from tests.edge.sale.sale_helpers import demo_gtins
from ui.headless.protocol import TillProtocol

SUPERVISOR = {"staff": "2001", "pin": "5678"}
WRONG_SUPERVISOR = {"staff": "2001", "pin": "0000"}


@pytest.fixture
def cheap_pins(conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staff, "_SCRYPT", {"n": 16, "r": 1, "p": 1})
    for staff_id, pin in (("1001", "1234"), ("2001", "5678")):
        conn.execute("UPDATE staff SET pin_hash = ? WHERE id = ?", (staff.hash_pin(pin), staff_id))


@pytest.fixture
def protocol(conn: sqlite3.Connection, config: StoreConfig, cheap_pins: None) -> TillProtocol:
    return TillProtocol(Till(conn, config, monotonic=lambda: 0.0))


def send(protocol: TillProtocol, request: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(protocol.handle_line(json.dumps(request)))
    return answer


def sold_one(protocol: TillProtocol, conn: sqlite3.Connection) -> None:
    assert send(protocol, {"op": "login", "staff": "1001", "pin": "1234"})["ok"]
    assert send(protocol, {"op": "scan", "data": demo_gtins(conn, 1)[0]})["ok"]
    assert send(protocol, {"op": "tender", "type": "cash", "amount": "500.00"})["ok"]


def reprints(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM journal WHERE kind = 'receipt.reprinted'")
               .fetchone()[0])


@pytest.mark.parametrize("op", ["receipt", "reprint"])
@pytest.mark.parametrize("width", [32.0, 48.0, "32", True, [32], 40])
def test_width_is_an_integer_field_and_a_refused_reprint_journals_nothing(
        protocol: TillProtocol, conn: sqlite3.Connection, op: str, width: object) -> None:
    sold_one(protocol, conn)
    changes = conn.total_changes
    answer = send(protocol, {"op": op, "width": width})
    assert answer["error"]["code"] == "bad_request", answer
    assert conn.total_changes == changes and reprints(conn) == 0


def test_a_reprint_that_works_is_journaled_once(protocol: TillProtocol,
                                               conn: sqlite3.Connection) -> None:
    sold_one(protocol, conn)
    answer = send(protocol, {"op": "reprint", "width": 48})
    assert answer["ok"] and answer["receipt"].startswith("*** REPRINT ***")   # an en store
    assert reprints(conn) == 1


def test_a_refused_reprint_before_any_sale_journals_nothing(protocol: TillProtocol,
                                                           conn: sqlite3.Connection) -> None:
    assert send(protocol, {"op": "login", "staff": "1001", "pin": "1234"})["ok"]
    assert send(protocol, {"op": "reprint"})["error"]["code"] == "not_found"
    assert reprints(conn) == 0


def paid_but_a_fen(protocol: TillProtocol) -> None:
    """Two pieces, paid to the last fen: one piece would then cost less than was paid, so
    lowering the quantity is refused after its approval; raising it succeeds."""
    total = send(protocol, {"op": "add", "sku": "P00001", "qty": "2"})["sale"]["total"]
    fen = int(total.replace(".", "")) - 1
    assert send(protocol, {"op": "tender", "type": "cash", "amount": f"{fen // 100}.{fen % 100:02d}"}
                )["ok"]


def failed_logins(conn: sqlite3.Connection, staff_id: str) -> int:
    return int(conn.execute("SELECT failed_attempts FROM staff WHERE id = ?", (staff_id,))
               .fetchone()[0])


def test_an_approval_of_a_refused_request_does_not_clear_the_supervisors_failed_logins(
        protocol: TillProtocol, conn: sqlite3.Connection) -> None:
    with pytest.raises(staff.StaffError):
        staff.authenticate(conn, "2001", "0000")   # the supervisor's own wrong login
    assert failed_logins(conn, "2001") == 1
    assert send(protocol, {"op": "login", "staff": "1001", "pin": "1234"})["ok"]
    paid_but_a_fen(protocol)
    changes = conn.total_changes
    refused = send(protocol, {"op": "set_qty", "line": 1, "qty": "1", "override": SUPERVISOR})
    assert not refused["ok"] and refused["error"]["code"] == "would_refund", refused
    assert failed_logins(conn, "2001") == 1 and conn.total_changes == changes
    approved = send(protocol, {"op": "set_qty", "line": 1, "qty": "3", "override": SUPERVISOR})
    assert approved["ok"], approved
    assert failed_logins(conn, "2001") == 0


def test_an_approval_of_a_refused_request_keeps_the_tills_wait_after_wrong_pins(
        protocol: TillProtocol, conn: sqlite3.Connection) -> None:
    assert send(protocol, {"op": "login", "staff": "1001", "pin": "1234"})["ok"]
    paid_but_a_fen(protocol)
    lower = {"op": "set_qty", "line": 1, "qty": "1"}
    for _ in range(2):   # free failures
        assert send(protocol, {**lower, "override": WRONG_SUPERVISOR})["error"]["code"] == \
            "permission_denied"
    assert send(protocol, {**lower, "override": SUPERVISOR})["error"]["code"] == "would_refund"
    assert send(protocol, {**lower, "override": WRONG_SUPERVISOR})["error"]["code"] == \
        "permission_denied"   # the third wrong PIN in a row: the till now waits
    assert send(protocol, {**lower, "override": SUPERVISOR})["error"]["code"] == "override_wait"


def test_scan_data_may_hold_gs_between_gs1_fields(protocol: TillProtocol,
                                                  conn: sqlite3.Connection) -> None:
    """GS1-128: batch/lot (AI 10) is variable-length, so GS ends it before the price (AI 3922):
    the line sells at the label's price. Without GS the lot would swallow the price."""
    gtin = demo_gtins(conn, 1)[0].zfill(14)
    assert send(protocol, {"op": "login", "staff": "1001", "pin": "1234"})["ok"]
    answer = send(protocol, {"op": "scan", "data": f"]C101{gtin}10LOT42\x1d3922000150"})
    assert answer["ok"], answer
    assert answer["sale"]["lines"][0]["total"] == "1.50"


@pytest.mark.parametrize("request_", [
    {"op": "scan", "data": "6901234567892\x1b"},          # ESC: never
    {"op": "scan", "data": "69012\x0034567892"},          # NUL: never
    {"op": "scan", "data": "6901234567892", "reason": "a\x1db"},  # GS outside scan data
    {"op": "add", "sku": "P0\x1d0001"},                   # GS in another op
])
def test_only_gs_and_only_in_scan_data(protocol: TillProtocol, conn: sqlite3.Connection,
                                       request_: dict[str, Any]) -> None:
    assert send(protocol, {"op": "login", "staff": "1001", "pin": "1234"})["ok"]
    changes = conn.total_changes
    assert send(protocol, request_)["error"]["code"] == "bad_request"
    assert conn.total_changes == changes
