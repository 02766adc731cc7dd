"""The till's own settings, from the `[till]` table of store.toml (through StoreConfig.extra).
Amounts are fen, sizes megabytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from edge.config import ConfigError, StoreConfig


@dataclass(frozen=True)
class TillSettings:
    # Cancelling (or abandoning at logout) a sale whose lines and voided lines are worth more than
    # this needs a supervisor; 0 means every sale with something in it.
    cancel_approval_above: int = 0
    # Free disk below this shows a warning on the status line ...
    storage_warn_mb: int = 200
    # ... and below this no new sale is opened (one already open can still be finished).
    storage_floor_mb: int = 20
    # A staffed till sells only inside an open shift (its drawer is counted at the close); off for
    # self-checkout lanes, which have no drawer.
    require_shift: bool = False


def till_settings(config: StoreConfig) -> TillSettings:
    table = config.extra.get("till", {})
    if not isinstance(table, dict):
        raise ConfigError("[till] must be a table")
    unknown = set(table) - set(TillSettings.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"[till] has unknown keys: {', '.join(sorted(unknown))}")
    values: dict[str, int | bool] = {}
    for key, value in table.items():
        if key == "require_shift":
            if not isinstance(value, bool):
                raise ConfigError("till.require_shift must be true or false")
        elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"till.{key} must be an integer >= 0")
        values[key] = value
    settings = TillSettings(**values)  # type: ignore[arg-type]
    if settings.storage_floor_mb > settings.storage_warn_mb:
        raise ConfigError("till.storage_floor_mb must not be above till.storage_warn_mb")
    return settings
