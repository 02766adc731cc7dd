"""What a scanned string means: a GTIN, a label-scale barcode (item code + price or weight), or a
GS1 element string (GTIN + weight/price AIs). AIM symbology prefixes are honoured; anything with
a wrong check digit is refused, never guessed at.

Order of interpretation: customers' payment codes first (rule PAYMENT_CODES_FIRST in
edge/config.py: a payment code is never sold as a product), then the store's scale-barcode rules
(Chinese label scales use "2x" prefixes that are not GTINs), then GTIN-8/12/13/14 (with biip's
built-in RCN regions when configured), then GS1 element strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import biip
from biip.rcn import Rcn

from edge.config import ScaleBarcodeRule, StoreConfig

_AIM_PREFIX_LENGTH = 3
_MAX_SCAN_LENGTH = 256


class BarcodeError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Scan:
    """A product reference read from a barcode. `kind` is "gtin" (key = 14 digits) or "plu"."""

    kind: str
    key: str
    price: int | None = None          # fen, embedded by a label scale or a GS1 price AI
    weight_grams: int | None = None   # embedded weight
    symbology: str | None = None
    rule: str | None = None


def gs1_check_digit(digits: str) -> int:
    """The GS1 mod-10 check digit for the digits before it (GTIN, SSCC, scale codes)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def is_valid_gtin(code: str) -> bool:
    return (len(code) in (8, 12, 13, 14) and code.isdigit()
            and gs1_check_digit(code[:-1]) == int(code[-1]))


@dataclass(frozen=True)
class PaymentCode:
    """A customer's payment code: whose it is, and the code as the provider takes it (without
    the scanner's AIM symbology id)."""

    provider: str
    code: str


def payment_code(data: str, config: StoreConfig) -> PaymentCode | None:
    """Whether a scan is a customer's payment code, and whose: digits in one of the payment-code
    ranges (store.toml's `payment_codes` and the published ones, edge/config.py), however the
    scan came in (an AIM id in front or not). The one rule every lane asks before selling a scan
    (PAYMENT_CODES_FIRST): the till would charge the code at once."""
    body = data.strip("\r\n\t ")
    if body.startswith("]") and len(body) > _AIM_PREFIX_LENGTH:
        body = body[_AIM_PREFIX_LENGTH:]
    if not (body.isascii() and body.isdigit()):  # isdigit alone accepts "²"
        return None
    provider = next((r.name for r in config.payment_codes if r.matches(body)), None)
    return None if provider is None else PaymentCode(provider, body)


def normalize_plu(code: str) -> str:
    """Numeric PLUs compare without leading zeros (scale item code "00123" is PLU "123")."""
    return str(int(code)) if code.isdigit() else code


def interpret(data: str, config: StoreConfig) -> Scan:
    text = data.strip("\r\n\t ")
    if not text:
        raise BarcodeError("invalid_barcode", "empty scan")
    if len(text) > _MAX_SCAN_LENGTH:
        raise BarcodeError("invalid_barcode", f"scan longer than {_MAX_SCAN_LENGTH} characters")
    symbology = None
    body = text
    if text.startswith("]") and len(text) > _AIM_PREFIX_LENGTH:
        symbology, body = text[:_AIM_PREFIX_LENGTH], text[_AIM_PREFIX_LENGTH:]
    paying = payment_code(text, config)
    if paying is not None:
        raise BarcodeError("payment_code", f"this is a customer's {paying.provider} payment code:"
                                           " use it to pay, not to sell")
    if body.isascii() and body.isdigit():  # isdigit alone accepts "²"
        for rule in config.scale_rules:
            if len(body) == rule.length and body.startswith(rule.prefix):
                return _scale_scan(body, rule, symbology)
        if len(body) in (8, 12, 13, 14):
            return _gtin_scan(body, config, symbology)
    return _gs1_scan(text, symbology)


def _scale_scan(body: str, rule: ScaleBarcodeRule, symbology: str | None) -> Scan:
    if rule.check_digit and gs1_check_digit(body[:-1]) != int(body[-1]):
        raise BarcodeError("invalid_barcode", f"wrong check digit in scale barcode {body}")
    item = body[rule.item_start:rule.item_start + rule.item_length]
    price = weight = None
    if rule.price_start is not None:
        price = int(body[rule.price_start:rule.price_start + rule.price_length])
    if rule.weight_start is not None:
        weight = int(body[rule.weight_start:rule.weight_start + rule.weight_length])
    return Scan("plu", normalize_plu(item), price, weight, symbology, rule.name)


def _gtin_scan(body: str, config: StoreConfig, symbology: str | None) -> Scan:
    result = biip.parse(body, config=biip.ParseConfig(rcn_region=config.rcn_region))
    gtin = result.gtin
    if gtin is None:
        raise BarcodeError("invalid_barcode", result.gtin_error or f"not a valid GTIN: {body}")
    if isinstance(gtin, Rcn) and (gtin.weight is not None or gtin.price is not None):
        weight = int(gtin.weight * 1000) if gtin.weight is not None else None
        price = _major_to_minor(gtin.price) if gtin.price is not None else None
        base = gtin.without_variable_measure()
        return Scan("gtin", base.as_gtin_14(), price, weight, symbology, f"rcn:{config.rcn_region}")
    return Scan("gtin", gtin.as_gtin_14(), symbology=symbology)


def _gs1_scan(text: str, symbology: str | None) -> Scan:
    try:
        result = biip.parse(text)
    except (biip.ParseError, IndexError, ValueError) as exc:
        # biip is fed raw scanner input; some malformed inputs (a lone "]") escape it as
        # IndexError rather than ParseError.
        raise BarcodeError("invalid_barcode", f"not a barcode: {text[:40]!r} ({exc})") from exc
    message = result.gs1_message
    if message is None or message.element_strings.get(ai="01") is None:
        reason = result.gtin_error or result.gs1_message_error or "not a product barcode"
        raise BarcodeError("invalid_barcode", reason)
    gtin_element = message.element_strings.get(ai="01")
    assert gtin_element is not None
    if gtin_element.gtin is None:
        raise BarcodeError("invalid_barcode", f"bad GTIN in GS1 data: {gtin_element.value}")
    weight = price = None
    for element in message.element_strings:
        if element.ai.ai.startswith("310") and element.decimal is not None:
            weight = int(element.decimal * 1000)        # AI 310n: net weight in kg
        elif element.ai.ai.startswith("392") and element.decimal is not None:
            price = _major_to_minor(element.decimal)     # AI 392n: price in local currency
    return Scan("gtin", gtin_element.gtin.as_gtin_14(), price, weight, symbology, "gs1")


def _major_to_minor(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())

