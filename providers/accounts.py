"""The provider adapters a store is configured for, from `[payments.wechat]` and
`[payments.alipay]` in store.toml. Key files hold PEM keys (mode 0600); no secret is ever in the
TOML itself.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from edge.config import ConfigError, StoreConfig
from edge.payments.provider import PaymentProvider
from edge.till.mobile_payment import MobilePayments
from providers.alipay import Alipay, AlipayAccount
from providers.signing import load_private_key, load_public_key
from providers.wechat_pay import WeChatPay, WeChatPayAccount

WECHAT_KEYS = ("base_url", "mchid", "appid", "serial_no", "private_key_file",
               "platform_public_key_file")
ALIPAY_KEYS = ("gateway_url", "app_id", "private_key_file", "alipay_public_key_file")


def providers_from_config(config: StoreConfig) -> dict[str, PaymentProvider]:
    table = config.extra.get("payments", {})
    found: dict[str, PaymentProvider] = {}
    if not isinstance(table, dict):
        return found
    if "wechat" in table:
        w = _section(table, "wechat", WECHAT_KEYS)
        found["wechat"] = WeChatPay(WeChatPayAccount(
            w["base_url"], w["mchid"], w["appid"], w["serial_no"],
            load_private_key(w["private_key_file"]), load_public_key(w["platform_public_key_file"]),
            str(w.get("device_ip", "127.0.0.1")), float(w.get("timeout_s", 10.0))))
    if "alipay" in table:
        a = _section(table, "alipay", ALIPAY_KEYS)
        found["alipay"] = Alipay(AlipayAccount(
            a["gateway_url"], a["app_id"], load_private_key(a["private_key_file"]),
            load_public_key(a["alipay_public_key_file"]), float(a.get("timeout_s", 10.0))))
    return found


def mobile_payments_for(conn: sqlite3.Connection, config: StoreConfig) -> MobilePayments | None:
    """The till's payment-code tender, when the store is configured for a provider."""
    try:
        providers = providers_from_config(config)
    except (OSError, ValueError) as exc:   # a key file missing, unreadable or not a key
        raise ConfigError(f"[payments]: {exc}") from None
    return MobilePayments(conn, config, providers) if providers else None


def _section(table: dict[str, Any], name: str, required: tuple[str, ...]) -> dict[str, Any]:
    section = table[name]
    if not isinstance(section, dict):
        raise ConfigError(f"[payments.{name}] must be a table")
    missing = [k for k in required if not isinstance(section.get(k), str) or not section[k]]
    if missing:
        raise ConfigError(f"[payments.{name}] needs {', '.join(missing)}")
    return section
