"""The store's configuration, read from its TOML file (`store.toml`). Another market is another
file, not a fork: currency, tax classes, cash rounding and scale barcode rules all live here.
Sections owned by other parts (`[sync]`, `[devices.*]`) are passed through untouched.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """The configuration file is wrong; the message names the key."""


@dataclass(frozen=True)
class CashRounding:
    """Applied to cash tenders only. `step` in minor units; mode "down" (抹零) or "nearest"."""

    step: int = 1
    mode: str = "nearest"

    def apply(self, amount: int) -> int:
        """Round a cash amount due. Rule CASH_ROUNDING: down → floor to the step; nearest → to the
        closest step, ties up (0.025 → 0.05)."""
        if self.step == 1:
            return amount
        base, rest = divmod(amount, self.step)
        if self.mode == "down" or 2 * rest < self.step:
            return base * self.step
        return (base + 1) * self.step


CASH_ROUNDINGS = {
    "none": CashRounding(1, "nearest"),
    "down_0.10": CashRounding(10, "down"),
    "nearest_0.05": CashRounding(5, "nearest"),
}


@dataclass(frozen=True)
class ScaleBarcodeRule:
    """A variable-measure barcode layout from a label scale. Positions are 0-based digit offsets.

    Example (a common Chinese label scale 18-digit format): flag "2" + 1 digit, item code 5
    digits, price in fen 5 digits, weight in grams 5 digits, check digit.
    """

    name: str
    prefix: str
    length: int
    item_start: int
    item_length: int
    price_start: int | None = None
    price_length: int = 0
    weight_start: int | None = None
    weight_length: int = 0
    check_digit: bool = True


DEFAULT_SCALE_RULES = (
    ScaleBarcodeRule("cn-18-price-weight", prefix="2", length=18, item_start=2, item_length=5,
                     price_start=7, price_length=5, weight_start=12, weight_length=5),
    ScaleBarcodeRule("cn-13-price", prefix="2", length=13, item_start=2, item_length=5,
                     price_start=7, price_length=5),
)

DEFAULT_TAX_CLASSES = {"standard": 1300, "reduced": 900, "zero": 0}


@dataclass(frozen=True)
class StoreConfig:
    store_id: str = "S001"
    terminal_id: str = "T01"
    store_name: str = "Demo Store"
    store_address: str = ""
    tax_id: str = ""
    locale: str = "zh_CN"
    currency: str = "CNY"
    currency_symbol: str = "¥"
    minor_digits: int = 2
    prices_include_tax: bool = True
    cash_rounding: CashRounding = CashRounding()
    cash_rounding_name: str = "none"
    tax_classes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_TAX_CLASSES))
    scale_rules: tuple[ScaleBarcodeRule, ...] = DEFAULT_SCALE_RULES
    rcn_region: str | None = None
    e_receipt_url: str = "https://r.example.com/r/"
    extra: dict[str, Any] = field(default_factory=dict)


def load_config(path: str | Path | None) -> StoreConfig:
    """Read the TOML file; a missing path gives the defaults."""
    if path is None or not Path(path).exists():
        return StoreConfig()
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return config_from_dict(data)


def config_from_dict(data: dict[str, Any]) -> StoreConfig:
    store = _table(data, "store")
    money = _table(data, "money")
    tax = _table(data, "tax")
    rounding_name = _get(money, "money", "cash_rounding", str, "none")
    if rounding_name not in CASH_ROUNDINGS:
        raise ConfigError(f"money.cash_rounding must be one of {sorted(CASH_ROUNDINGS)}, "
                          f"not {rounding_name!r}")
    classes = dict(DEFAULT_TAX_CLASSES)
    for name, rate in _table(tax, "classes").items():
        if not isinstance(rate, int) or isinstance(rate, bool) or not 0 <= rate <= 10_000:
            raise ConfigError(f"tax.classes.{name} must be basis points 0..10000 (13 % = 1300)")
        classes[name] = rate
    rules: tuple[ScaleBarcodeRule, ...] = DEFAULT_SCALE_RULES
    if "scale_barcodes" in data:
        rules = tuple(_scale_rule(i, r) for i, r in enumerate(data["scale_barcodes"]))
    known = {"store", "money", "tax", "scale_barcodes"}
    return StoreConfig(
        store_id=_get(store, "store", "store_id", str, "S001"),
        terminal_id=_get(store, "store", "terminal_id", str, "T01"),
        store_name=_get(store, "store", "name", str, "Demo Store"),
        store_address=_get(store, "store", "address", str, ""),
        tax_id=_get(store, "store", "tax_id", str, ""),
        locale=_get(store, "store", "locale", str, "zh_CN"),
        currency=_get(money, "money", "currency", str, "CNY"),
        currency_symbol=_get(money, "money", "symbol", str, "¥"),
        minor_digits=_get(money, "money", "minor_digits", int, 2),
        prices_include_tax=_get(money, "money", "prices_include_tax", bool, True),
        cash_rounding=CASH_ROUNDINGS[rounding_name],
        cash_rounding_name=rounding_name,
        tax_classes=classes,
        scale_rules=rules,
        rcn_region=_get(store, "store", "rcn_region", str, "") or None,
        e_receipt_url=_get(store, "store", "e_receipt_url", str, "https://r.example.com/r/"),
        extra={k: v for k, v in data.items() if k not in known},
    )


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{key}] must be a table")
    return value


def _get(table: dict[str, Any], section: str, key: str, kind: type, default: Any) -> Any:
    value = table.get(key, default)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{section}.{key} must be {kind.__name__}, not {value!r}")
    return value


def _scale_rule(index: int, raw: Any) -> ScaleBarcodeRule:
    if not isinstance(raw, dict):
        raise ConfigError(f"scale_barcodes[{index}] must be a table")
    try:
        rule = ScaleBarcodeRule(**raw)
    except TypeError as exc:
        raise ConfigError(f"scale_barcodes[{index}]: {exc}") from exc
    if rule.price_start is None and rule.weight_start is None:
        raise ConfigError(f"scale_barcodes[{index}] ({rule.name}) embeds neither price nor weight")
    return rule


DEFAULT_TOML = """\
# The store's configuration. Money amounts are in minor units unless said otherwise.
[store]
store_id = "S001"
terminal_id = "T01"
name = "示范超市 Demo Store"
address = "上海市浦东新区 Demo Road 1"
tax_id = "91310000DEMO00000X"
locale = "zh_CN"

[money]
currency = "CNY"
symbol = "¥"
minor_digits = 2
prices_include_tax = true
# none | down_0.10 (抹零) | nearest_0.05 — applied to cash tenders only
cash_rounding = "none"

[tax.classes]
standard = 1300
reduced = 900
zero = 0
"""
