"""The store's `[orders]` table: how long an order is held after its slot, and what the till does
with a sale that would take reserved stock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from edge.config import ConfigError, StoreConfig

ReservedStockRule = Literal["warn", "refuse"]
DEFAULT_GRACE = timedelta(minutes=30)


@dataclass(frozen=True)
class OrdersSettings:
    grace: timedelta = DEFAULT_GRACE             # held this long after the pickup slot ends
    reserved_stock: ReservedStockRule = "warn"   # a counter sale of reserved stock


def orders_settings(config: StoreConfig) -> OrdersSettings:
    table = config.extra.get("orders", {})
    if not isinstance(table, dict):
        raise ConfigError("[orders] must be a table")
    minutes = table.get("grace_minutes", 30)
    if isinstance(minutes, bool) or not isinstance(minutes, int | float) or not 0 <= minutes <= 24 * 60:
        raise ConfigError("orders.grace_minutes: a number of minutes from 0 to 1440")
    rule = table.get("reserved_stock", "warn")
    if rule not in ("warn", "refuse"):
        raise ConfigError('orders.reserved_stock: "warn" or "refuse"')
    return OrdersSettings(timedelta(minutes=minutes), rule)
