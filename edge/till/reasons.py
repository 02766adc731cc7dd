"""The reasons a cashier picks from (no typing at a till without an input method): for a void,
opening the drawer without a sale, a manual discount, a price override and a return. A store sets
its own in store.toml's `[reasons]` table, per kind either one list (in the store's language) or a
table of lists by locale; the defaults below exist in Chinese and English.

Rule: a reason is data the store chose; the core records whatever reason it is given (the
headless protocol may send its own) and never needs it translated back.
"""

from __future__ import annotations

from edge.config import ConfigError, StoreConfig

KINDS = ("void", "no_sale", "discount", "price_override", "return")
MAX_REASON = 100

DEFAULT_REASONS: dict[str, dict[str, tuple[str, ...]]] = {
    "void": {"zh_CN": ("扫错商品", "顾客不要了", "数量错误", "价格有异议"),
             "en": ("Scanned by mistake", "Customer changed their mind", "Wrong quantity",
                    "Price disputed")},
    "no_sale": {"zh_CN": ("找零兑换", "核对现金", "收银员交接"),
                "en": ("Change for a customer", "Cash check", "Cashier handover")},
    "discount": {"zh_CN": ("商品瑕疵", "临期商品", "员工折扣", "顾客投诉"),
                 "en": ("Damaged item", "Near expiry", "Staff discount", "Customer complaint")},
    "price_override": {"zh_CN": ("价签不符", "系统价格错误", "店长特价"),
                       "en": ("Shelf label differs", "Wrong price in the system",
                              "Manager's special")},
    "return": {"zh_CN": ("质量问题", "顾客不喜欢", "买错了", "过期"),
               "en": ("Faulty", "Customer did not like it", "Bought by mistake", "Expired")},
}


def reasons(config: StoreConfig, kind: str, locale: str | None = None) -> list[str]:
    """The reasons for `kind` in `locale` (the store's by default): the store's list when it set
    one, else the default list (Chinese for zh*, else English)."""
    if kind not in KINDS:
        raise ValueError(f"unknown reason kind {kind}")
    locale = locale or config.locale
    table = config.extra.get("reasons", {})
    if not isinstance(table, dict):
        raise ConfigError("[reasons] must be a table")
    own = table.get(kind)
    if isinstance(own, dict):
        own = own.get(locale, own.get(_language(locale)))
    if own is not None:
        return list(own)
    return list(DEFAULT_REASONS[kind][_language(locale)])


def check_reasons(config: StoreConfig) -> None:
    """Refuse a malformed `[reasons]` table at start, not when a cashier opens a list."""
    table = config.extra.get("reasons", {})
    if not isinstance(table, dict):
        raise ConfigError("[reasons] must be a table")
    for kind, value in table.items():
        if kind not in KINDS:
            raise ConfigError(f"reasons.{kind}: unknown kind (kinds: {', '.join(KINDS)})")
        lists = value.items() if isinstance(value, dict) else [("", value)]
        for locale, items in lists:
            where = f"reasons.{kind}" + (f".{locale}" if locale else "")
            if not isinstance(items, list) or not items or not all(
                    isinstance(i, str) and i.strip() and len(i) <= MAX_REASON for i in items):
                raise ConfigError(f"{where} must be a list of 1 or more reasons of 1 to "
                                  f"{MAX_REASON} characters")


def _language(locale: str) -> str:
    return "zh_CN" if locale.startswith("zh") else "en"
