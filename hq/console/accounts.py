"""Console accounts, sessions and the audit log (PostgreSQL tables of migration `console`).

Roles: `admin` (HQ: sees and changes everything), `analyst` (HQ: sees everything, changes
nothing), `manager` (sees and changes only the stores listed on the account).
Rule: a password is kept only as a slow scrypt hash; a session only as the SHA-256 of its
cookie; every change — login, logout, a user added or disabled, a dead letter resolved — is one
row in hq_audit, in the transaction of the change.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import psycopg

ROLES = ("admin", "analyst", "manager")
SESSION_TTL = timedelta(hours=12)
# scrypt with n=2**15, r=8: 32 MiB and about 0.1 s per guess here; the cost is in the stored
# string, so it can be raised later without breaking existing passwords.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSWORD = 10


class AccountError(ValueError):
    """A user cannot be added or changed; the message says why."""


def hash_password(password: str, n: int = SCRYPT_N) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P,
                            maxmem=2**26, dklen=32)
    return "$".join(["scrypt", str(n), str(SCRYPT_R), str(SCRYPT_P),
                     base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        found = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n),
                               r=int(r), p=int(p), maxmem=2**26, dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found, base64.b64decode(digest))


# Checked against when the username is unknown, so a wrong name costs as long as a wrong password.
_NOBODY = hash_password("no such user, no such password")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    stores: tuple[str, ...] = field(default_factory=tuple)
    locale: str | None = None

    def sees(self, store: str) -> bool:
        return self.role != "manager" or store in self.stores

    def changes(self, store: str | None = None) -> bool:
        """May change things about `store` (None: HQ-wide things)."""
        if self.role == "admin":
            return True
        return self.role == "manager" and store is not None and store in self.stores

    def visible(self, stores: list[str]) -> list[str]:
        return [s for s in stores if self.sees(s)]

    def as_dict(self) -> dict[str, Any]:
        return {"username": self.username, "role": self.role, "stores": list(self.stores),
                "locale": self.locale}


def audit(cur: psycopg.Cursor[Any], actor: str, action: str, target: str = "",
          detail: dict[str, Any] | None = None) -> None:
    cur.execute("INSERT INTO hq_audit (actor, action, target, detail) VALUES (%s, %s, %s, %s)",
                (actor, action, target, json.dumps(detail or {}, ensure_ascii=False)))


def add_user(conn: psycopg.Connection[Any], username: str, role: str, stores: list[str],
             password: str, actor: str) -> int:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if not username or len(username) > 64 or not username.isprintable() or " " in username:
        raise AccountError("a username is 1 to 64 printable characters, no spaces")
    if role == "manager" and not stores:
        raise AccountError("a store manager needs --stores")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT 1 FROM hq_user WHERE username = %s", (username,))
        if cur.fetchone():
            raise AccountError(f"user {username} exists")
        cur.execute("INSERT INTO hq_user (username, role, stores, password_hash)"
                    " VALUES (%s, %s, %s, %s) RETURNING id",
                    (username, role, stores if role == "manager" else [],
                     hash_password(password)))
        user_id = int(cur.fetchone()[0])  # type: ignore[index]
        audit(cur, actor, "user.add", username, {"role": role, "stores": stores})
    return user_id


def disable_user(conn: psycopg.Connection[Any], username: str, actor: str) -> None:
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("UPDATE hq_user SET disabled = TRUE WHERE username = %s RETURNING id",
                    (username,))
        row = cur.fetchone()
        if row is None:
            raise AccountError(f"no user {username}")
        cur.execute("DELETE FROM hq_session WHERE user_id = %s", (row[0],))
        audit(cur, actor, "user.disable", username)


def authenticate(conn: psycopg.Connection[Any], username: str, password: str) -> User | None:
    row = conn.execute("SELECT id, username, role, stores, locale, password_hash, disabled"
                       " FROM hq_user WHERE username = %s", (username,)).fetchone()
    if row is None:
        verify_password(password, _NOBODY)
        return None
    if not verify_password(password, row[5]) or row[6]:
        return None
    return User(row[0], row[1], row[2], tuple(row[3]), row[4])


def _token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def open_session(conn: psycopg.Connection[Any], user: User, client: str) -> tuple[str, str]:
    """A new session for `user`: (cookie token, CSRF token); the login is audited."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("INSERT INTO hq_session (token_hash, user_id, csrf, expires_at)"
                    " VALUES (%s, %s, %s, now() + %s)",
                    (_token_hash(token), user.id, csrf, SESSION_TTL))
        cur.execute("DELETE FROM hq_session WHERE expires_at < now()")
        audit(cur, user.username, "login", "", {"client": client})
    return token, csrf


def session(conn: psycopg.Connection[Any], token: str) -> tuple[User, str] | None:
    """The live session's user and CSRF token, or None."""
    row = conn.execute(
        "SELECT u.id, u.username, u.role, u.stores, u.locale, s.csrf FROM hq_session s"
        " JOIN hq_user u ON u.id = s.user_id WHERE s.token_hash = %s AND s.expires_at > now()"
        " AND NOT u.disabled", (_token_hash(token),)).fetchone()
    if row is None:
        return None
    return User(row[0], row[1], row[2], tuple(row[3]), row[4]), row[5]


def close_session(conn: psycopg.Connection[Any], token: str, user: User) -> None:
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("DELETE FROM hq_session WHERE token_hash = %s", (_token_hash(token),))
        audit(cur, user.username, "logout")


def set_locale(conn: psycopg.Connection[Any], user: User, locale: str) -> None:
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("UPDATE hq_user SET locale = %s WHERE id = %s", (locale, user.id))
        audit(cur, user.username, "user.locale", user.username, {"locale": locale})
