"""Settings of the sync agent and of HQ, read from the store's TOML (`[store]`, `[sync]`).

Rule: every timing that the tests shorten is a setting here, with the production default.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A setting is missing or has the wrong type; the message names it."""


@dataclass(frozen=True)
class BrokerSettings:
    host: str = "127.0.0.1"
    port: int = 1883
    tls: bool = False
    ca_file: str = ""
    username: str = ""
    password: str = ""
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
    # A backlog drains in batches this big (one HQ transaction each); an idle link sends what
    # is pending at once, so a single sale never waits for a batch to fill.
    batch_size: int = 500
    window_batches: int = 8
    # No ack progress for this long while events are in flight: reconnect and resend.
    ack_timeout: float = 20.0
    backoff_min: float = 0.5
    backoff_max: float = 30.0
    status_interval: float = 1.0
    # Offline longer than this: ask for a snapshot instead of the missed deltas.
    snapshot_after: float = 6 * 3600.0


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
    broker = _typed(BrokerSettings(), {k: v for k, v in sync.items() if k in _BROKER_KEYS}, path)
    agent = AgentSettings(store_id=store["store_id"], terminal_id=store["terminal_id"],
                          broker=broker)
    agent: AgentSettings = _typed(agent, {k: v for k, v in sync.items() if k in _AGENT_KEYS}, path)
    return replace(agent, **overrides)


def _typed(base: Any, values: dict[str, Any], path: Path) -> Any:
    for key, value in values.items():
        expected = type(getattr(base, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise SettingsError(f"{path}: [sync] {key} must be {expected.__name__}")
    return replace(base, **values)
