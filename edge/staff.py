"""Staff, PINs and permissions. PINs are stored as salted scrypt hashes; five wrong PINs in a row
at the person's own login lock the account until a manager unlocks it (a wrong PIN typed as
someone else's approval does not count: the till slows down instead). An action above the staff
member's role needs a supervisor's (or manager's) PIN as override, journaled with both ids.

Rule: an unknown staff id costs the same scrypt work as a known one, so ids cannot be told apart
by how fast they are refused.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import sqlite3
from dataclasses import dataclass

from edge.ledger.store import write_transaction

ROLES = ("cashier", "supervisor", "manager")
MAX_FAILED_PINS = 5
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}

# The lowest role allowed to do each guarded action on its own.
REQUIRED_ROLE = {
    "price_override": "supervisor",
    "open_price": "supervisor",     # above till.open_price_approval_above
    "cancel_sale": "supervisor",
    "void_after_total": "supervisor",
    "no_sale": "supervisor",
    "post_void": "supervisor",
    "blind_return": "supervisor",
    "unlock_staff": "manager",
}


class StaffError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class StaffMember:
    id: str
    name: str
    role: str

    def may(self, action: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(REQUIRED_ROLE[action])


def hash_pin(pin: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def _pin_matches(pin: str, stored: str) -> bool:
    _, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(pin.encode(), salt=base64.b64decode(salt), dklen=32, **_SCRYPT)
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def _valid_pin(pin: object) -> bool:
    return isinstance(pin, str) and pin.isdigit() and 4 <= len(pin) <= 12


def add_staff(conn: sqlite3.Connection, staff_id: str, name: str, role: str, pin: str) -> StaffMember:
    if role not in ROLES:
        raise StaffError("bad_request", f"role must be one of {', '.join(ROLES)}")
    if not _valid_pin(pin):
        raise StaffError("bad_request", "PIN must be 4 to 12 digits")
    if not staff_id or not name:
        raise StaffError("bad_request", "staff id and name are required")
    with write_transaction(conn):
        if conn.execute("SELECT 1 FROM staff WHERE id = ?", (staff_id,)).fetchone():
            raise StaffError("bad_request", f"staff {staff_id} already exists")
        conn.execute("INSERT INTO staff (id, name, role, pin_hash) VALUES (?, ?, ?, ?)",
                     (staff_id, name, role, hash_pin(pin)))
    return StaffMember(staff_id, name, role)


@functools.cache
def _decoy_hash() -> str:
    """Checked against when the staff id is unknown, so the refusal takes as long as a real one."""
    return hash_pin("0000")


def authenticate(conn: sqlite3.Connection, staff_id: object, pin: object,
                 count_failures: bool = True) -> StaffMember:
    """The staff member for this id and PIN; raises StaffError otherwise. A wrong PIN counts
    towards the lockout, and a right one clears that count, only when `count_failures` (the
    person's own login; an approval clears it once the approved action succeeded:
    `clear_failed_logins`)."""
    if not isinstance(staff_id, str) or not isinstance(pin, str):
        raise StaffError("bad_request", "staff and pin must be strings")
    row = conn.execute("SELECT id, name, role, pin_hash, failed_attempts, locked, active"
                       " FROM staff WHERE id = ?", (staff_id,)).fetchone()
    if row is None or not row["active"]:
        _pin_matches(pin, _decoy_hash())
        raise StaffError("invalid_pin", "unknown staff id or wrong PIN")
    if row["locked"]:
        raise StaffError("staff_locked", f"staff {staff_id} is locked after {MAX_FAILED_PINS} "
                                         "wrong PINs; a manager must unlock it")
    if not _pin_matches(pin, row["pin_hash"]):
        if not count_failures:
            raise StaffError("invalid_pin", "unknown staff id or wrong PIN")
        failed = row["failed_attempts"] + 1
        with write_transaction(conn):
            conn.execute("UPDATE staff SET failed_attempts = ?, locked = ? WHERE id = ?",
                         (failed, int(failed >= MAX_FAILED_PINS), staff_id))
        if failed >= MAX_FAILED_PINS:
            raise StaffError("staff_locked", f"wrong PIN {failed} times: staff {staff_id} is locked")
        raise StaffError("invalid_pin", "unknown staff id or wrong PIN")
    if row["failed_attempts"] and count_failures:
        clear_failed_logins(conn, staff_id)
    return StaffMember(row["id"], row["name"], row["role"])


def clear_failed_logins(conn: sqlite3.Connection, staff_id: str) -> None:
    """A right PIN: the wrong ones before it no longer count towards a lockout."""
    row = conn.execute("SELECT failed_attempts FROM staff WHERE id = ?", (staff_id,)).fetchone()
    if row is not None and row[0]:
        with write_transaction(conn):
            conn.execute("UPDATE staff SET failed_attempts = 0 WHERE id = ?", (staff_id,))


def unlock_staff(conn: sqlite3.Connection, staff_id: str) -> None:
    with write_transaction(conn):
        cur = conn.execute("UPDATE staff SET locked = 0, failed_attempts = 0 WHERE id = ?",
                           (staff_id,))
        if cur.rowcount == 0:
            raise StaffError("not_found", f"no staff {staff_id}")


def list_staff(conn: sqlite3.Connection) -> list[tuple[StaffMember, bool]]:
    return [(StaffMember(r[0], r[1], r[2]), bool(r[3]))
            for r in conn.execute("SELECT id, name, role, locked FROM staff ORDER BY id")]
