"""The store's configuration, read from its TOML file (`store.toml`). Another market is another
file, not a fork: currency, tax classes, cash rounding and scale barcode rules all live here.
Sections owned by other parts (`[sync]`, `[devices.*]`) are passed through untouched.
"""

from __future__ import annotations

import re
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
    `allow_payment_overlap` acknowledges that some codes the rule would match are customers'
    payment codes (see PaymentCodeRange): those stay payment codes, the rule gets the rest.
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
    allow_payment_overlap: bool = False


@dataclass(frozen=True)
class PaymentCodeRange:
    """A provider's customer payment code (付款码): `min_length`..`max_length` digits whose first
    len(prefix_from) digits lie between `prefix_from` and `prefix_to` inclusive.

    Rule PAYMENT_CODES_FIRST: a scan matching a range is a payment code before any scale rule or
    GTIN is tried: selling a customer's payment code as produce is the mistake that costs money,
    refusing a label is one the cashier sees and fixes.
    """

    name: str
    prefix_from: str
    prefix_to: str
    min_length: int
    max_length: int

    def matches(self, digits: str) -> bool:
        head = digits[:len(self.prefix_from)]
        return (self.min_length <= len(digits) <= self.max_length
                and self.prefix_from <= head <= self.prefix_to)

    def overlaps(self, rule: ScaleBarcodeRule) -> bool:
        """Could a code of `rule`'s length that starts with its prefix be in this range?"""
        if not self.min_length <= rule.length <= self.max_length:
            return False
        width = len(self.prefix_from)
        lowest, highest = rule.prefix[:width].ljust(width, "0"), rule.prefix[:width].ljust(width, "9")
        return lowest <= self.prefix_to and self.prefix_from <= highest


# The providers' published formats (sources in drivers/scanner/payment_codes.py, which keeps the
# same ranges for the scanner's events: drivers may not import edge).
DEFAULT_PAYMENT_CODES = (
    PaymentCodeRange("wechat", "10", "15", 18, 18),
    PaymentCodeRange("alipay", "25", "30", 16, 24),
)

DEFAULT_SCALE_RULES = (
    # Its flags 25-29 are Alipay codes (read first): scales must print 20-24 in this format.
    ScaleBarcodeRule("cn-18-price-weight", prefix="2", length=18, item_start=2, item_length=5,
                     price_start=7, price_length=5, weight_start=12, weight_length=5,
                     allow_payment_overlap=True),
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
    payment_codes: tuple[PaymentCodeRange, ...] = DEFAULT_PAYMENT_CODES
    rcn_region: str | None = None
    e_receipt_url: str = ""                 # empty: the QR holds store/terminal/sale id only
    # `[scanner] keyboard_layout`: the xkb layout keyboard-wedge scanners type (drivers/scanner/
    # layouts.py holds the ones known; the device config checks the name against them).
    scanner_keyboard_layout: str = "us"
    # `[scanner] desktop_layout`: the layout the desktop reads the keyboard in, where wedge scans
    # reach the Qt apps as key events; None: keyboard_layout's (nothing to translate).
    scanner_desktop_layout: str | None = None
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
        rules = tuple(_scale_rule(i, r) for i, r in enumerate(_array(data, "scale_barcodes")))
    payment_codes = DEFAULT_PAYMENT_CODES + tuple(
        _payment_range(i, r) for i, r in enumerate(_array(data, "payment_codes")))
    _refuse_payment_overlaps(rules, payment_codes, custom="scale_barcodes" in data)
    scanner = _table(data, "scanner")
    layout = _get(scanner, "scanner", "keyboard_layout", str, "us")
    desktop_layout = _get(scanner, "scanner", "desktop_layout", str, layout)
    for key, name in (("keyboard_layout", layout), ("desktop_layout", desktop_layout)):
        if not re.fullmatch(r"[a-z]{2,3}", name):
            raise ConfigError(f"scanner.{key} must be an xkb layout name such as us, de or fr,"
                              f" not {name!r}")
    known = {"store", "money", "tax", "scale_barcodes", "payment_codes", "scanner"}
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
        payment_codes=payment_codes,
        rcn_region=_get(store, "store", "rcn_region", str, "") or None,
        e_receipt_url=_get(store, "store", "e_receipt_url", str, ""),
        scanner_keyboard_layout=layout,
        scanner_desktop_layout=desktop_layout,
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


def _array(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(f"{key} must be an array of tables ([[{key}]])")
    return value


def _scale_rule(index: int, raw: Any) -> ScaleBarcodeRule:
    where = f"scale_barcodes[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table")
    try:
        rule = ScaleBarcodeRule(**raw)
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    where = f"{where} ({rule.name})"
    if not isinstance(rule.name, str) or not isinstance(rule.prefix, str) or not (
            rule.prefix.isascii() and rule.prefix.isdigit()):
        raise ConfigError(f"{where}: name must be text and prefix a string of digits")
    for key in ("check_digit", "allow_payment_overlap"):
        if not isinstance(getattr(rule, key), bool):
            raise ConfigError(f"{where}: {key} must be true or false")
    if not _count(rule.length) or not len(rule.prefix) < rule.length <= 64:
        raise ConfigError(f"{where}: length must be an integer longer than the prefix, up to 64")
    if rule.price_start is None and rule.weight_start is None:
        raise ConfigError(f"{where} embeds neither price nor weight")
    end = rule.length - 1 if rule.check_digit else rule.length
    for field_name, start, length in (("item", rule.item_start, rule.item_length),
                                      ("price", rule.price_start, rule.price_length),
                                      ("weight", rule.weight_start, rule.weight_length)):
        if start is None and field_name != "item":
            continue
        if not (isinstance(start, int) and _count(start, zero_ok=True) and _count(length)) or (
                start + length > end):
            raise ConfigError(f"{where}: {field_name}_start/{field_name}_length must lie inside"
                              f" the {end} digits before any check digit (positions are 0-based)")
    return rule


def _payment_range(index: int, raw: Any) -> PaymentCodeRange:
    where = f"payment_codes[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table")
    try:
        rng = PaymentCodeRange(**raw)
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    prefixes = (rng.prefix_from, rng.prefix_to)
    if not isinstance(rng.name, str) or not all(
            isinstance(p, str) and p.isascii() and p.isdigit() for p in prefixes):
        raise ConfigError(f"{where}: name must be text, prefix_from and prefix_to strings of digits")
    if len(rng.prefix_from) != len(rng.prefix_to) or rng.prefix_from > rng.prefix_to:
        raise ConfigError(f"{where} ({rng.name}): prefix_from and prefix_to must have the same"
                          " number of digits, from ≤ to")
    # 15 digits or more: a shorter range would shadow GTIN-8/12/13/14 product codes.
    if not (_count(rng.min_length) and _count(rng.max_length)
            and 15 <= rng.min_length <= rng.max_length <= 64):
        raise ConfigError(f"{where} ({rng.name}): need 15 ≤ min_length ≤ max_length ≤ 64")
    return rng


def _refuse_payment_overlaps(rules: tuple[ScaleBarcodeRule, ...],
                             ranges: tuple[PaymentCodeRange, ...], custom: bool) -> None:
    """PAYMENT_CODES_FIRST leaves a scale rule's codes inside a payment range unsellable: say so
    at load, unless the rule says it knows (allow_payment_overlap = true)."""
    for index, rule in enumerate(rules):
        for rng in ranges:
            if rule.allow_payment_overlap or not rng.overlaps(rule):
                continue
            where = f"scale_barcodes[{index}] ({rule.name})" if custom else (
                f"the default scale rule {rule.name}")
            raise ConfigError(
                f"{where} overlaps the {rng.name} payment codes ({rng.min_length}-"
                f"{rng.max_length} digits starting {rng.prefix_from}-{rng.prefix_to}), which are"
                " read first: narrow the rule's prefix or length, or set"
                " allow_payment_overlap = true on it")


def _count(value: object, zero_ok: bool = False) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= (0 if zero_ok else 1)


DEFAULT_TOML = """\
# The store's configuration. Money amounts are in minor units unless said otherwise.
[store]
store_id = "S001"
terminal_id = "T01"
name = "示范超市 Demo Store"
address = "上海市浦东新区 Demo Road 1"
tax_id = "91310000DEMO00000X"
locale = "zh_CN"
# The e-receipt page the receipt's QR opens ({url}{store_id}/{terminal_id}/{sale_id}); unset, the
# QR holds store/terminal/sale only and `pos demo` serves a page of its own.
# e_receipt_url = "https://<the store's e-receipt page>/r/"

[receipt]
language = "zh"   # zh | en | both

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

# The till (docs/store-operations.md, "At the till"); the defaults, uncomment to change:
# [till]
# void_approval = "after_subtotal"   # none | after_subtotal | always
# require_shift = true               # pos till: sell inside an open shift (kiosks: false)
# tare_presets_g = [5, 15, 30]
"""
