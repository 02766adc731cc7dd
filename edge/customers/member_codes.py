"""Which scanned codes are members' cards and QR codes, by ranges the store configures (like
payment codes): `[[member_codes]]` with `prefix` and `min_length`/`max_length` (the whole code,
prefix included). A code in a range identifies a member instead of selling a product.

Rule: payment-code ranges are read first (a payment code is never taken for anything else), so a
member range never shadows one.
"""

from __future__ import annotations

from dataclasses import dataclass

from edge.catalog.barcodes import payment_code
from edge.config import ConfigError, StoreConfig

AIM_PREFIX_LENGTH = 3   # "]Q1": the symbology a serial scanner may send before the data


@dataclass(frozen=True)
class MemberCodeRange:
    prefix: str
    min_length: int
    max_length: int

    def matches(self, code: str) -> bool:
        return code.startswith(self.prefix) and self.min_length <= len(code) <= self.max_length


# The member QR codes this POS issues ("MQR-" and a token); stores add their card numbers.
DEFAULT_MEMBER_CODES = (MemberCodeRange("MQR-", 8, 64),)


def member_code_ranges(config: StoreConfig) -> tuple[MemberCodeRange, ...]:
    raw = config.extra.get("member_codes")
    if raw is None:
        return DEFAULT_MEMBER_CODES
    if not isinstance(raw, list):
        raise ConfigError("member_codes must be an array of tables ([[member_codes]])")
    ranges = []
    for i, entry in enumerate(raw):
        where = f"member_codes[{i}]"
        if not isinstance(entry, dict) or set(entry) - {"prefix", "min_length", "max_length"}:
            raise ConfigError(f"{where} must be a table of prefix, min_length, max_length")
        prefix, low, high = entry.get("prefix"), entry.get("min_length"), entry.get("max_length")
        if not isinstance(prefix, str) or not prefix or not all(
                isinstance(n, int) and not isinstance(n, bool) for n in (low, high)) or \
                not len(prefix) < low <= high <= 64:  # type: ignore[operator]
            raise ConfigError(f"{where}: prefix must be text, and len(prefix) < min_length <= "
                              "max_length <= 64")
        ranges.append(MemberCodeRange(prefix, low, high))  # type: ignore[arg-type]
    return tuple(ranges)


def member_code(data: str, config: StoreConfig) -> str | None:
    """The member token in a scan (symbology prefix removed), or None when it is none."""
    text = data.strip("\r\n\t ")
    if text.startswith("]") and len(text) > AIM_PREFIX_LENGTH:
        text = text[AIM_PREFIX_LENGTH:]
    if payment_code(text, config) is not None:
        return None
    return text if any(r.matches(text) for r in member_code_ranges(config)) else None
