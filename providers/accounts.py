"""The provider adapters a store is configured for, from `[payments.wechat]` and
`[payments.alipay]` in store.toml. Key files hold PEM keys (mode 0600); no secret is ever in the
TOML itself.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from edge.config import ConfigError, StoreConfig
from edge.payments.provider import PaymentProvider
from edge.till.mobile_payment import MobilePayments
from providers.alipay import Alipay, AlipayAccount
from providers.signing import certificate_serial, load_private_key, load_public_key
from providers.wechat_pay import WeChatPay, WeChatPayAccount, normal_serial

WECHAT_KEYS = ("base_url", "mchid", "appid", "serial_no", "private_key_file")
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
            load_private_key(w["private_key_file"]), wechat_platform_keys(w),
            str(w.get("device_ip", "127.0.0.1")), float(w.get("timeout_s", 10.0))))
    if "alipay" in table:
        a = _section(table, "alipay", ALIPAY_KEYS)
        found["alipay"] = Alipay(AlipayAccount(
            a["gateway_url"], a["app_id"], load_private_key(a["private_key_file"]),
            load_public_key(a["alipay_public_key_file"]), float(a.get("timeout_s", 10.0)),
            _keyring(a, "alipay", "alipay_cert_keys", certificates=False)))
    return found


def wechat_platform_keys(section: dict[str, Any]) -> dict[str, rsa.RSAPublicKey]:
    """The keys that check WeChat Pay's answers, by the `Wechatpay-Serial` they come with:
    `platform_public_key_file` (a platform certificate, known by its own serial, or WeChat Pay's
    public key with `platform_public_key_id` = its PUB_KEY_ID_…) and/or the table
    `platform_keys` (serial or id → file), which holds several at once while WeChat rotates."""
    keys = _keyring(section, "wechat", "platform_keys", certificates=True)
    single = section.get("platform_public_key_file")
    if single is not None:
        if not isinstance(single, str) or not single:
            raise ConfigError("payments.wechat.platform_public_key_file must be a file name")
        serial = certificate_serial(single)
        if serial is None:
            serial = section.get("platform_public_key_id")
            if not isinstance(serial, str) or not serial.startswith("PUB_KEY_ID_"):
                raise ConfigError("[payments.wechat] platform_public_key_file is a public key: "
                                  "give its id as platform_public_key_id (PUB_KEY_ID_…, shown "
                                  "with the key in the merchant portal)")
        keys[normal_serial(serial)] = load_public_key(single)
    if not keys:
        raise ConfigError("[payments.wechat] needs platform_public_key_file or platform_keys: "
                          "the keys WeChat Pay signs its answers with")
    return keys


def _keyring(section: dict[str, Any], name: str, key: str,
             certificates: bool) -> dict[str, rsa.RSAPublicKey]:
    """`[payments.NAME.KEY]`: serial → key file. With `certificates` (WeChat's serials are the
    certificates' own), a certificate file must be the one its name says."""
    table = section.get(key, {})
    if not isinstance(table, dict):
        raise ConfigError(f"payments.{name}.{key} must be a table of serial = \"key file\"")
    keys = {}
    for serial, path in table.items():
        if not isinstance(path, str) or not path:
            raise ConfigError(f"payments.{name}.{key}.{serial} must be a file name")
        own = certificate_serial(path) if certificates else None
        if own is not None and own.upper() != str(serial).upper():
            raise ConfigError(f"payments.{name}.{key}: {path} is the certificate with serial "
                              f"{own}, not {serial}")
        keys[normal_serial(str(serial))] = load_public_key(path)
    return keys


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
