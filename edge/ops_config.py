"""The store-operations settings read from the store's TOML (sections `[members]`,
`[stored_value]`, `[returns]`, `[stock]`, passed through by edge.config as `extra`).
Amounts are fen, like every amount in the config file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from edge.config import ConfigError, StoreConfig

TIERS = ("silver", "gold", "diamond")


@dataclass(frozen=True)
class StoreOpsConfig:
    points_per_yuan_redeemed: int = 100            # 100 points pay 1 yuan
    offline_points_allowance: int = 0      # points beyond the local balance, HQ unreachable
    offline_coupon_limit: int = 5_000      # fen: the largest HQ coupon taken, HQ unreachable
    earn_multiplier_pct: dict[str, int] = field(
        default_factory=lambda: {"silver": 100, "gold": 150, "diamond": 200})
    stored_value_offline_card_limit: int = 20_000   # fen a card may spend offline, unconfirmed
    stored_value_offline_store_limit: int = 200_000  # fen all cards may spend offline, unconfirmed
    blind_return_max: int = 10_000                  # fen per blind return
    velocity_days: int = 28                         # replenishment: sales window
    review_days: int = 7                            # replenishment: days until the next order


def store_ops_config(config: StoreConfig) -> StoreOpsConfig:
    extra = config.extra
    members = _table(extra, "members")
    stored = _table(extra, "stored_value")
    returns = _table(extra, "returns")
    stock = _table(extra, "stock")
    default = StoreOpsConfig()
    multipliers = dict(default.earn_multiplier_pct)
    for tier, pct in _table(members, "earn_multiplier_pct").items():
        if tier not in TIERS:
            raise ConfigError(f"members.earn_multiplier_pct.{tier}: tier must be one of {TIERS}")
        multipliers[tier] = _positive(pct, f"members.earn_multiplier_pct.{tier}")
    return StoreOpsConfig(
        points_per_yuan_redeemed=_positive(
            members.get("points_per_yuan_redeemed", default.points_per_yuan_redeemed),
            "members.points_per_yuan_redeemed"),
        earn_multiplier_pct=multipliers,
        offline_points_allowance=_positive(
            members.get("offline_points_allowance", default.offline_points_allowance),
            "members.offline_points_allowance", zero_ok=True),
        offline_coupon_limit=_positive(
            members.get("offline_coupon_limit", default.offline_coupon_limit),
            "members.offline_coupon_limit", zero_ok=True),
        stored_value_offline_card_limit=_positive(
            stored.get("offline_card_limit", default.stored_value_offline_card_limit),
            "stored_value.offline_card_limit", zero_ok=True),
        stored_value_offline_store_limit=_positive(
            stored.get("offline_store_limit", default.stored_value_offline_store_limit),
            "stored_value.offline_store_limit", zero_ok=True),
        blind_return_max=_positive(returns.get("blind_max_amount", default.blind_return_max),
                                   "returns.blind_max_amount", zero_ok=True),
        velocity_days=_positive(stock.get("velocity_days", default.velocity_days),
                                "stock.velocity_days"),
        review_days=_positive(stock.get("review_days", default.review_days), "stock.review_days",
                              zero_ok=True),
    )


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{key}] must be a table")
    return value


def _positive(value: object, key: str, zero_ok: bool = False) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < (0 if zero_ok else 1):
        raise ConfigError(f"{key} must be an integer {'>= 0' if zero_ok else '> 0'}")
    return value
