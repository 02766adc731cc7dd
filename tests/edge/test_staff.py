"""Staff PINs (salted scrypt), lockout after five wrong PINs, and role permissions."""

from __future__ import annotations

import sqlite3

import pytest

from edge.staff import MAX_FAILED_PINS, StaffError, add_staff, authenticate, unlock_staff

pytestmark = pytest.mark.dated


def test_pins_are_stored_as_salted_slow_hashes(conn: sqlite3.Connection) -> None:
    add_staff(conn, "7001", "A", "cashier", "4321")
    add_staff(conn, "7002", "B", "cashier", "4321")
    hashes = [r[0] for r in conn.execute("SELECT pin_hash FROM staff WHERE id IN ('7001','7002')")]
    assert all(h.startswith("scrypt$") and "4321" not in h for h in hashes)
    assert hashes[0] != hashes[1]      # salted


def test_five_wrong_pins_lock_the_account_until_unlocked(conn: sqlite3.Connection) -> None:
    for attempt in range(1, MAX_FAILED_PINS + 1):
        with pytest.raises(StaffError) as err:
            authenticate(conn, "1001", "0000")
        assert err.value.code == ("staff_locked" if attempt == MAX_FAILED_PINS else "invalid_pin")
    with pytest.raises(StaffError) as err:
        authenticate(conn, "1001", "1234")          # right PIN, still locked
    assert err.value.code == "staff_locked"
    unlock_staff(conn, "1001")
    assert authenticate(conn, "1001", "1234").role == "cashier"


def test_a_right_pin_resets_the_failure_count(conn: sqlite3.Connection) -> None:
    for _ in range(MAX_FAILED_PINS - 1):
        with pytest.raises(StaffError):
            authenticate(conn, "1001", "0000")
    authenticate(conn, "1001", "1234")
    with pytest.raises(StaffError) as err:
        authenticate(conn, "1001", "0000")
    assert err.value.code == "invalid_pin"


@pytest.mark.parametrize("pin", ["12", "abcd", "1234567890123", ""])
def test_weak_or_malformed_pins_are_refused(conn: sqlite3.Connection, pin: str) -> None:
    with pytest.raises(StaffError):
        add_staff(conn, "7003", "C", "cashier", pin)


def test_roles_gate_actions() -> None:
    from edge.staff import StaffMember
    assert not StaffMember("1", "c", "cashier").may("price_override")
    assert StaffMember("2", "s", "supervisor").may("price_override")
    assert not StaffMember("2", "s", "supervisor").may("unlock_staff")
    assert StaffMember("3", "m", "manager").may("unlock_staff")
