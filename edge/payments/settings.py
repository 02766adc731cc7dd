"""The payment-code tender's timing, from the `[payments]` table of store.toml (through
StoreConfig.extra; the providers' own sub-tables `[payments.wechat]`, `[payments.alipay]` are read
by their adapters). Seconds throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

from edge.config import ConfigError, StoreConfig

PROVIDER_TABLES = ("wechat", "alipay")


@dataclass(frozen=True)
class PaymentSettings:
    # How long the till waits for the customer (USERPAYING or no clear answer) before reversing.
    timeout_s: float = 30.0
    # Pause between queries while waiting; the providers ask for 3 to 5 s.
    query_interval_s: float = 4.0
    # Pause between reversal attempts the provider refused ("still paying") or did not answer.
    reverse_interval_s: float = 5.0
    # How long one reversal keeps trying before the attempt is left `reversing` for later
    # (next payment code, next start); WeChat closes an unpaid code payment after 45 s.
    reverse_for_s: float = 90.0
    # A reversal answered "no such order" is believed only this long after the pay request left:
    # WeChat asks for 15 s between a pay request and its reversal, and a pay answered with a
    # system error may still be in flight before that.
    not_found_after_s: float = 15.0


def payment_settings(config: StoreConfig) -> PaymentSettings:
    table = config.extra.get("payments", {})
    if not isinstance(table, dict):
        raise ConfigError("[payments] must be a table")
    values: dict[str, float] = {}
    for key, value in table.items():
        if key in PROVIDER_TABLES:
            continue
        if key not in PaymentSettings.__dataclass_fields__:
            raise ConfigError(f"[payments] has an unknown key: {key}")
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise ConfigError(f"payments.{key} must be a number of seconds > 0")
        values[key] = float(value)
    settings = PaymentSettings(**values)
    if not 3 <= settings.query_interval_s <= 5:
        raise ConfigError("payments.query_interval_s must be 3 to 5 s (the providers' rule)")
    if settings.timeout_s > 45:
        raise ConfigError("payments.timeout_s must be at most 45 s: WeChat closes an unpaid "
                          "code payment then")
    return settings


def configured_providers(config: StoreConfig) -> list[str]:
    """The providers this store has a `[payments.<name>]` table for."""
    table = config.extra.get("payments", {})
    return [name for name in PROVIDER_TABLES if isinstance(table, dict) and name in table]


def payment_code_body(code: str) -> str:
    """A scanned payment code without spaces and the scanner's AIM symbology prefix (`]Q1…`)."""
    code = code.strip()
    return code[3:] if code.startswith("]") and len(code) > 3 else code


def provider_for_code(code: str) -> str | None:
    """Which provider issued a customer's payment code: WeChat Pay 18 digits starting 10-15,
    Alipay 16-24 digits starting 25-30 (the ranges edge/catalog/barcodes.py refuses as products)."""
    body = code.strip()
    if not (body.isascii() and body.isdigit()) or len(body) < 16:   # "²" is a digit to isdigit
        return None
    prefix = int(body[:2])
    if len(body) == 18 and 10 <= prefix <= 15:
        return "wechat"
    if 16 <= len(body) <= 24 and 25 <= prefix <= 30:
        return "alipay"
    return None
