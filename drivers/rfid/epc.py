"""EPC binary decoding after the GS1 EPC Tag Data Standard: SGTIN-96 to GTIN-14 and serial.

Rule: only a well-formed SGTIN-96 becomes a GTIN; anything else is returned as `None` so the caller
lists it apart as an unknown EPC instead of counting it against a wrong product.
"""

from __future__ import annotations

from typing import NamedTuple

SGTIN96_HEADER = 0x30

# TDS table "SGTIN Partition Table": partition value -> (company prefix bits, digits,
# item reference (with indicator digit) bits, digits). The two digit counts always sum to 13.
SGTIN_PARTITIONS: dict[int, tuple[int, int, int, int]] = {
    0: (40, 12, 4, 1),
    1: (37, 11, 7, 2),
    2: (34, 10, 10, 3),
    3: (30, 9, 14, 4),
    4: (27, 8, 17, 5),
    5: (24, 7, 20, 6),
    6: (20, 6, 24, 7),
}
SERIAL_BITS = 38
MAX_SERIAL = (1 << SERIAL_BITS) - 1


class Sgtin(NamedTuple):
    gtin: str  # GTIN-14 with its check digit
    serial: int
    filter: int
    company_prefix: str


def gs1_check_digit(digits: str) -> int:
    """The GS1 mod-10 check digit: weights 3,1,3,... from the rightmost data digit."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def decode_sgtin96(epc: bytes) -> Sgtin | None:
    """Decode a 12-byte EPC; `None` when it is not a valid SGTIN-96."""
    if len(epc) != 12 or epc[0] != SGTIN96_HEADER:
        return None
    value = int.from_bytes(epc, "big")
    filter_value = (value >> 85) & 0x7
    partition = (value >> 82) & 0x7
    layout = SGTIN_PARTITIONS.get(partition)
    if layout is None:
        return None
    cp_bits, cp_digits, ir_bits, ir_digits = layout
    serial = value & MAX_SERIAL
    item_ref = (value >> SERIAL_BITS) & ((1 << ir_bits) - 1)
    company = (value >> (SERIAL_BITS + ir_bits)) & ((1 << cp_bits) - 1)
    # A field whose value needs more digits than the partition grants is not a valid encoding.
    if company >= 10**cp_digits or item_ref >= 10**ir_digits:
        return None
    company_s = str(company).zfill(cp_digits)
    item_s = str(item_ref).zfill(ir_digits)
    body = item_s[0] + company_s + item_s[1:]
    return Sgtin(body + str(gs1_check_digit(body)), serial, filter_value, company_s)


def encode_sgtin96(gtin: str, serial: int, company_prefix_digits: int, filter_value: int = 1) -> bytes:
    """Build the 12-byte SGTIN-96 for a GTIN-14 (check digit included); for tests and simulators."""
    if len(gtin) != 14 or not gtin.isdigit():
        raise ValueError(f"GTIN-14 expected, got {gtin!r}")
    if gs1_check_digit(gtin[:13]) != int(gtin[13]):
        raise ValueError(f"bad check digit in {gtin}")
    if not 0 <= serial <= MAX_SERIAL:
        raise ValueError(f"serial {serial} does not fit 38 bits")
    if not 0 <= filter_value <= 7:
        raise ValueError(f"filter {filter_value} out of 0..7")
    partition = next((p for p, lay in SGTIN_PARTITIONS.items() if lay[1] == company_prefix_digits), None)
    if partition is None:
        raise ValueError(f"company prefix of {company_prefix_digits} digits has no partition")
    cp_bits, cp_digits, ir_bits, _ = SGTIN_PARTITIONS[partition]
    company = int(gtin[1 : 1 + cp_digits])
    item_ref = int(gtin[0] + gtin[1 + cp_digits : 13])
    value = SGTIN96_HEADER
    value = (value << 3) | filter_value
    value = (value << 3) | partition
    value = (value << cp_bits) | company
    value = (value << ir_bits) | item_ref
    value = (value << SERIAL_BITS) | serial
    return value.to_bytes(12, "big")
