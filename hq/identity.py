"""Terminal identity: one broker credential per terminal (and per store bridge), the Mosquitto
password entries and ACL blocks that pin it to its own topics, written by `pos hq enroll`.

Rules: a terminal's username is `STORE-TERMINAL`; its ACL names the exact topics it uses (its
agent writes events, presence and requests and reads its acks, replies and the store's signed
downlink; its look-up user writes requests and health and reads replies), never a `#`. The broker
makes the username the client id (`use_username_as_clientid`), so no credential can take over
another client's session. Secrets are written with mode 0600 and never printed; the broker's
`passwd` and `acl` stay readable by the broker's own user (group `mosquitto`, 0640), or one
revoke and reload would lock every store out.
"""

from __future__ import annotations

import base64
import grp
import hashlib
import os
import re
import secrets
import stat
from pathlib import Path

from cloud_sync.protocol import STREAMS
from cloud_sync.settings import lookup_username

_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
_ITERATIONS = 101  # what mosquitto_passwd writes for its $7$ (PBKDF2-SHA512) hashes
BROKER_GROUP = "mosquitto"  # the Debian package's broker user and group


class EnrollError(ValueError):
    """A bad store or terminal id, or an existing secret not to be overwritten."""


def terminal_user(store: str, terminal: str) -> str:
    return f"{store}-{terminal}"


def bridge_user(store: str) -> str:
    return f"bridge-{store}"


def check_id(kind: str, value: str) -> None:
    if not _ID.match(value):
        raise EnrollError(f"{kind} id must be 1 to 32 letters or digits, not {value!r}")


def mosquitto_hash(password: str, salt: bytes | None = None) -> str:
    """The `$7$` entry mosquitto_passwd would write, made here so that the password never
    appears on a command line."""
    salt = salt or secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, _ITERATIONS)
    return (f"$7${_ITERATIONS}${base64.b64encode(salt).decode()}$"
            f"{base64.b64encode(digest).decode()}")


def acl_block(user: str, store: str, terminal: str | None, lookup: bool = False) -> str:
    """The ACL of one terminal's agent (or, with `lookup`, of its look-up user; with terminal None,
    of a store's bridge): exactly the topics it uses. A bridge speaks for every terminal of its
    store (`+` in the terminal's place) and for nothing else."""
    own = f"pos/v1/{store}/{terminal}" if terminal else f"pos/v1/{store}/+"
    store_down = ([f"pos/v1/{store}/down/keys"]
                  + [f"pos/v1/{store}/down/{stream}/{leaf}" for stream in STREAMS
                     for leaf in ("v", "head")])
    if lookup:
        writes, reads = ["up/request", "up/health"], ["down/reply"]
        store_down = []
    elif terminal:
        writes, reads = ["up/events", "up/presence", "up/request"], ["down/ack", "down/reply"]
    else:
        writes = ["up/events", "up/presence", "up/request", "up/health"]
        reads = ["down/ack", "down/reply"]
    lines = ([f"topic write {own}/{leaf}" for leaf in writes]
             + [f"topic read {own}/{leaf}" for leaf in reads]
             + [f"topic read {topic}" for topic in store_down])
    return f"# {user} begin\nuser {user}\n" + "".join(f"{ln}\n" for ln in lines) + f"# {user} end\n"


def write_private(path: Path, text: str) -> None:
    """Replace `path` by `text`, mode 0600 from the first byte (never briefly readable)."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, path)


def write_broker_file(path: Path, text: str) -> None:
    """Replace the broker's `passwd` or `acl` by `text`, readable by the broker's own user: group
    `mosquitto`, mode 0640, owner kept (root:root 0600, what this wrote before, locked the broker
    out of its own files at the next reload). Without a `mosquitto` group on this machine, the
    file keeps its owner and group, mode 0600 or 0640. Written aside and renamed, so the broker
    never reads half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
        try:
            old = path.stat()
            owner, group, mode = old.st_uid, old.st_gid, stat.S_IMODE(old.st_mode) & 0o640
        except FileNotFoundError:
            owner, group, mode = os.getuid(), os.getgid(), 0o600
        broker = _broker_gid()
        if broker != -1:
            group, mode = broker, 0o640
        if (owner, group) != (os.getuid(), os.getgid()):
            os.fchown(out.fileno(), owner, group)
        os.fchmod(out.fileno(), mode | 0o600)
    os.replace(tmp, path)


def _broker_gid() -> int:
    try:
        return grp.getgrnam(BROKER_GROUP).gr_gid
    except KeyError:
        return -1  # no packaged broker on this machine: the file stays the writer's, 0600


def _set_users(passwd: Path, entries: dict[str, str | None]) -> None:
    """Set (hash) or remove (None) users in a Mosquitto password file."""
    lines = passwd.read_text("utf-8").splitlines() if passwd.exists() else []
    kept = [ln for ln in lines if ln.split(":", 1)[0] not in entries]
    kept += [f"{user}:{hashed}" for user, hashed in entries.items() if hashed is not None]
    write_broker_file(passwd, "".join(f"{ln}\n" for ln in kept))


def _set_acl(acl: Path, user: str, block: str | None) -> None:
    text = acl.read_text("utf-8") if acl.exists() else ""
    text = re.sub(rf"# {re.escape(user)} begin\n.*?# {re.escape(user)} end\n", "", text,
                  flags=re.S)
    if block:
        text = text.rstrip("\n") + "\n\n" + block
    write_broker_file(acl, text)


def enroll(store: str, terminal: str | None, secrets_dir: Path, passwd: Path, acl: Path,
           rotate: bool = False) -> Path:
    """Make (or with `rotate`, replace) the credential of a terminal, or of a store's bridge when
    `terminal` is None; the path of its secret file (mode 0600)."""
    check_id("store", store)
    if terminal is not None:
        check_id("terminal", terminal)
    user = terminal_user(store, terminal) if terminal else bridge_user(store)
    secret = secrets_dir / f"{user}.password"
    if secret.exists() and not rotate:
        raise EnrollError(f"{secret} exists; use --rotate to replace the credential")
    secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    password = secrets.token_urlsafe(24)
    users: dict[str, str | None] = {user: mosquitto_hash(password)}
    if terminal:
        users[lookup_username(user)] = mosquitto_hash(password)
    _set_users(passwd, users)
    _set_acl(acl, user, acl_block(user, store, terminal))
    if terminal:
        _set_acl(acl, lookup_username(user),
                 acl_block(lookup_username(user), store, terminal, lookup=True))
    write_private(secret, password + "\n")
    return secret


def revoke(store: str, terminal: str | None, secrets_dir: Path, passwd: Path, acl: Path) -> None:
    """Remove a credential: its password entries, ACL blocks and secret file. The broker drops
    it on reload (SIGHUP); kick a connected client by restarting or via the broker's admin."""
    check_id("store", store)
    user = terminal_user(store, terminal) if terminal else bridge_user(store)
    names: list[str] = [user, lookup_username(user)] if terminal else [user]
    _set_users(passwd, dict.fromkeys(names))
    for name in names:
        _set_acl(acl, name, None)
    (secrets_dir / f"{user}.password").unlink(missing_ok=True)
