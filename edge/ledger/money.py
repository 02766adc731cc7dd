"""Money and quantities as integers: amounts in minor units (fen), quantities in thousandths of a
unit (qty_milli: 1 each = 1000, 0.532 kg = 532). Decimal strings exist only at the edges.

Named roundings (each used by name where it applies):
- HALF_UP (四舍五入): ties go away from zero. Used for line amounts and tax.
"""

from __future__ import annotations

import re

QTY_SCALE = 1000
MAX_AMOUNT = 10**12          # 10 billion yuan in fen: anything larger is a typo or an attack
MAX_QTY_MILLI = 99_999_999   # 99,999.999 units

_AMOUNT = re.compile(r"^(\d{1,13})(?:\.(\d+))?$")
_QUANTITY = re.compile(r"^(\d{1,5})(?:\.(\d{1,3}))?$")


class MoneyError(ValueError):
    """A malformed amount or quantity; `code` is the error code the till reports."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def div_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded HALF_UP (away from zero on ties), in integers only."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return sign * quotient


def line_amount(unit_price: int, qty_milli: int) -> int:
    """Price × quantity, rounded HALF_UP to the minor unit, per line."""
    return div_half_up(unit_price * qty_milli, QTY_SCALE)


def parse_amount(text: object, digits: int = 2) -> int:
    """A non-negative decimal string ("12.5", "12.50") in major units → minor units."""
    if not isinstance(text, str):
        raise MoneyError("invalid_amount", f"amount must be a decimal string, got {type(text).__name__}")
    match = _AMOUNT.match(text.strip())
    if not match:
        raise MoneyError("invalid_amount", f"not an amount: {text[:40]!r}")
    whole, frac = match.group(1), match.group(2) or ""
    if len(frac) > digits:
        raise MoneyError("invalid_amount", f"more than {digits} decimals: {text[:40]!r}")
    value: int = int(whole) * 10**digits + int(frac.ljust(digits, "0") or "0")
    if value > MAX_AMOUNT:
        raise MoneyError("invalid_amount", f"amount too large: {text[:40]!r}")
    return value


def format_amount(minor: int, digits: int = 2) -> str:
    """Minor units → decimal string in major units ("-3.05")."""
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**digits)
    return f"{sign}{whole}.{frac:0{digits}d}" if digits else f"{sign}{whole}"


def parse_quantity(value: object) -> int:
    """A positive quantity ("2", "0.532", or an int) → qty_milli. Floats are refused: they lie."""
    if isinstance(value, bool):
        raise MoneyError("invalid_quantity", "quantity must be a number or decimal string")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise MoneyError("invalid_quantity",
                         f"quantity must be an integer or decimal string, got {type(value).__name__}")
    match = _QUANTITY.match(text)
    if not match:
        raise MoneyError("invalid_quantity", f"not a quantity (up to 3 decimals): {text[:40]!r}")
    qty = int(match.group(1)) * QTY_SCALE + int((match.group(2) or "").ljust(3, "0") or "0")
    if qty <= 0:
        raise MoneyError("invalid_quantity", "quantity must be greater than zero")
    if qty > MAX_QTY_MILLI:
        raise MoneyError("invalid_quantity", f"quantity too large: {text}")
    return qty


def format_quantity(qty_milli: int) -> str:
    """qty_milli → shortest decimal string: 1000 → "1", 532 → "0.532", 1500 → "1.5"."""
    whole, frac = divmod(qty_milli, QTY_SCALE)
    return f"{whole}.{frac:03d}".rstrip("0").rstrip(".") if frac else str(whole)
