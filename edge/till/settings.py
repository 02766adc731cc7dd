"""The till's own settings, from the `[till]` table of store.toml (through StoreConfig.extra).
Amounts are fen, sizes megabytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from edge.config import ConfigError, StoreConfig
from edge.staff import ROLES

VOID_APPROVALS = ("none", "after_subtotal", "always")
MAX_TARE_G = 5_000

# The largest manual discount (percent of what it applies to) each role may give on its own.
DEFAULT_DISCOUNT_LIMITS = {"cashier": 10, "supervisor": 50, "manager": 100}


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
    # self-checkout lanes, which have no drawer. None: by the lane (see Till's `lane`).
    require_shift: bool | None = None
    # Who approves voiding a line (VOID_APPROVALS): nobody but the cashier ("none"), a supervisor
    # once the sale was subtotalled ("after_subtotal"), or a supervisor always ("always"). A line
    # of a sale that has taken a payment is always voided with a supervisor.
    void_approval: str = "after_subtotal"
    # grams: the preset tares a cashier picks for a weighed item's container (bag, tray, box).
    tare_presets_g: tuple[int, ...] = (5, 15, 30)
    # Per role: the largest line or order discount, in percent of what it applies to, that role
    # may give alone; above it a member of a role whose limit covers it approves. Roles left out
    # keep DEFAULT_DISCOUNT_LIMITS.
    discount_limit_percent: dict[str, int] = field(
        default_factory=lambda: dict(DEFAULT_DISCOUNT_LIMITS))
    # fen: an open-price item (the cashier types its price) priced above this needs a supervisor.
    open_price_approval_above: int = 10_000

    def discount_limit(self, role: str) -> int:
        return self.discount_limit_percent.get(role, 0)


def till_settings(config: StoreConfig) -> TillSettings:
    table = config.extra.get("till", {})
    if not isinstance(table, dict):
        raise ConfigError("[till] must be a table")
    unknown = set(table) - set(TillSettings.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"[till] has unknown keys: {', '.join(sorted(unknown))}")
    values: dict[str, object] = {}
    for key, value in table.items():
        if key == "discount_limit_percent":
            values[key] = {**DEFAULT_DISCOUNT_LIMITS, **_discount_limits(value)}
            continue
        if key == "void_approval":
            if value not in VOID_APPROVALS:
                raise ConfigError(f"till.void_approval must be one of {', '.join(VOID_APPROVALS)}")
            values[key] = value
            continue
        if key == "tare_presets_g":
            values[key] = _tare_presets(value)
            continue
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


def _discount_limits(table: object) -> dict[str, int]:
    if not isinstance(table, dict):
        raise ConfigError("till.discount_limit_percent must be a table of role = percent, "
                          "e.g. { cashier = 10, supervisor = 50 }")
    for role, percent in table.items():
        if role not in ROLES:
            raise ConfigError(f"till.discount_limit_percent: unknown role {role!r} "
                              f"(roles: {', '.join(ROLES)})")
        if not isinstance(percent, int) or isinstance(percent, bool) or not 0 <= percent <= 100:
            raise ConfigError(f"till.discount_limit_percent.{role} must be a whole percent "
                              "from 0 to 100")
    return dict(table)


def _tare_presets(value: object) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(
            isinstance(g, int) and not isinstance(g, bool) and 0 < g <= MAX_TARE_G for g in value):
        raise ConfigError(f"till.tare_presets_g must be a list of grams, each 1 to {MAX_TARE_G}")
    return tuple(value)
