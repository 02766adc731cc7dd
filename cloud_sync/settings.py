"""Settings of the sync agent and of HQ, read from the store's TOML (`[store]`, `[sync]`).

Rules: every timing that the tests shorten is a setting here, with the production default. A
config speaks TLS unless it says `insecure = true`; a secret comes from a file only its owner can
read (`password_file`) or from the environment (POS_SYNC_PASSWORD), never from a command line.
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A setting is missing or has the wrong type; the message names it."""


PASSWORD_ENV = "POS_SYNC_PASSWORD"


@dataclass(frozen=True)
class BrokerSettings:
    """In-process default: plaintext for a local broker (the tests'). A config file or the `pos`
    command line never gets this default: `load_agent_settings` and `pos hq` require TLS unless
    `insecure` is written out, and every plaintext connect logs a warning."""

    host: str = "127.0.0.1"
    port: int = 1883
    tls: bool = False
    ca_file: str = ""
    username: str = ""
    password: str = ""
    # Plaintext asked for in writing; without it a config with `tls = false` is refused.
    insecure: bool = False
    # A file holding the password, mode 0600 (written by `pos hq enroll`).
    password_file: str = ""
    # Browse the LAN for a store broker (_mqtt._tcp) before falling back to host/port.
    discover: bool = False
    # paho notices a silent link after about 2 × keepalive without bytes from the broker.
    keepalive: int = 6


@dataclass(frozen=True)
class AgentSettings:
    store_id: str
    terminal_id: str
    broker: BrokerSettings = BrokerSettings()
    hq_public_key: str = ""
    # A backlog drains in batches this big (one HQ transaction each; 1,000 sales cost HQ 18 µs
    # a sale less than 500: its rollup and on-hand rows are per SKU, not per sale), and never
    # over 2 MiB (agent.BATCH_BYTES); an idle link sends what is pending at once, so a single
    # sale never waits for a batch to fill.
    batch_size: int = 1000
    window_batches: int = 4
    # No ack progress for this long while events are in flight: reconnect and resend.
    ack_timeout: float = 20.0
    backoff_min: float = 0.5
    backoff_max: float = 30.0
    status_interval: float = 1.0
    # Offline longer than this: ask for a snapshot instead of the missed deltas.
    snapshot_after: float = 6 * 3600.0
    # After applying a downlink version, publish the health report at once (HQ's rollout).
    report_on_apply: bool = True


def lookup_username(username: str) -> str:
    """A terminal's second broker user, for look-ups beside its agent (`pos hq enroll` makes
    both with one password)."""
    return f"{username}-lookup"


_BROKER_KEYS = {f.name for f in fields(BrokerSettings)}
_AGENT_KEYS = {f.name for f in fields(AgentSettings)} - {"store_id", "terminal_id", "broker"}


def load_agent_settings(path: Path, **overrides: Any) -> AgentSettings:
    """Read `[store] store_id, terminal_id` and `[sync]` (broker keys and agent keys together)."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: {exc}") from None
    store = data.get("store", {})
    sync = data.get("sync", {})
    for key in ("store_id", "terminal_id"):
        if not isinstance(store.get(key), str) or not store[key]:
            raise SettingsError(f"{path}: [store] {key} must be a non-empty string")
    unknown = set(sync) - _BROKER_KEYS - _AGENT_KEYS
    if unknown:
        raise SettingsError(f"{path}: unknown [sync] keys: {', '.join(sorted(unknown))}")
    values = {k: v for k, v in sync.items() if k in _BROKER_KEYS}
    values.setdefault("tls", not values.get("insecure", False))
    broker = _typed(BrokerSettings(), values, path)
    broker = checked_broker(broker, str(path), config_mode=_mode(path))
    agent = AgentSettings(store_id=store["store_id"], terminal_id=store["terminal_id"],
                          broker=broker)
    agent: AgentSettings = _typed(agent, {k: v for k, v in sync.items() if k in _AGENT_KEYS}, path)
    return replace(agent, **overrides)


def checked_broker(broker: BrokerSettings, where: str, config_mode: int = 0o600
                   ) -> BrokerSettings:
    """TLS unless `insecure`; the password read from its file or the environment."""
    if not broker.tls and not broker.insecure:
        raise SettingsError(f"{where}: a plaintext broker is refused: set tls = true (and"
                            " ca_file), or write insecure = true to accept sending in clear")
    if broker.tls and broker.insecure:
        raise SettingsError(f"{where}: tls = true and insecure = true contradict each other")
    password = broker.password
    if broker.password_file:
        password = read_secret(Path(broker.password_file))
    elif os.environ.get(PASSWORD_ENV):
        password = os.environ[PASSWORD_ENV]
    elif password and config_mode & 0o077:
        raise SettingsError(f"{where}: holds a password and others can read it: chmod 600 it,"
                            " or move the password to password_file")
    return replace(broker, password=password)


def read_secret(path: Path) -> str:
    """A secret file's first line; refused when group or others may read it."""
    try:
        mode = _mode(path)
        text = path.read_text("utf-8")
    except OSError as exc:
        raise SettingsError(f"{path}: {exc}") from None
    if mode & 0o077:
        raise SettingsError(f"{path}: a secret readable by others (mode {mode:o}); chmod 600 it")
    return text.splitlines()[0].strip() if text.strip() else ""


def _mode(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o600


def _typed(base: Any, values: dict[str, Any], path: Path) -> Any:
    for key, value in values.items():
        expected = type(getattr(base, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise SettingsError(f"{path}: [sync] {key} must be {expected.__name__}")
    return replace(base, **values)
