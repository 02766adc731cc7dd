"""SGTIN-96 decoding against the GS1 EPC Tag Data Standard's own example and partition table.

GS1 TDS (1.9+, §14.5.1 SGTIN-96 and the worked example in Annex E):
urn:epc:tag:sgtin-96:3.0614141.812345.6789 encodes to 3074257BF7194E4000001A85 — header 0x30,
filter 3, partition 5 (7-digit company prefix 0614141, 6-digit item reference 812345 with the
indicator digit 8 first), serial 6789. GTIN-14 = 8 + 0614141 + 12345 + check digit 8.
Field widths per partition from the GS1 TDT definition SGTIN-96.xml
(ref.gs1.org/standards/tdt/2.0.0/SGTIN-96.xml), e.g. option 12: '00110000' filter '000' + 40 + 4.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.rfid.epc import (
    SGTIN_PARTITIONS,
    decode_sgtin96,
    encode_sgtin96,
    gs1_check_digit,
)


def test_tds_example_decodes_to_gtin_and_serial() -> None:
    sgtin = decode_sgtin96(bytes.fromhex("3074257BF7194E4000001A85"))
    assert sgtin is not None
    assert sgtin.gtin == "80614141123458"
    assert sgtin.serial == 6789
    assert sgtin.filter == 3
    assert sgtin.company_prefix == "0614141"


def test_tds_example_encodes_back_to_the_same_bytes() -> None:
    assert encode_sgtin96("80614141123458", 6789, 7, filter_value=3) == bytes.fromhex(
        "3074257BF7194E4000001A85"
    )


def test_check_digit_of_known_gtins() -> None:
    assert gs1_check_digit("8061414112345") == 8
    assert gs1_check_digit("0400638133393") == 1  # GTIN-13 4006381333931, GS1's own example
    assert gs1_check_digit("629104150021") == 3  # GTIN-12 629104150021 3


def test_partition_table_digit_counts_always_make_a_gtin() -> None:
    for cp_bits, cp_digits, ir_bits, ir_digits in SGTIN_PARTITIONS.values():
        assert cp_bits + ir_bits == 44
        assert cp_digits + ir_digits == 13


@pytest.mark.parametrize(
    "epc_hex",
    [
        "E2801160600002054DB2D1A5",  # a raw TID-style EPC, header 0xE2
        "3074257BF7194E40000",  # too short
        "307C257BF7194E4000001A85",  # partition 7 does not exist
        "3003FFFFFFFFFC0000000001",  # 12-digit company prefix field > 999999999999
    ],
)
def test_non_sgtin_epcs_are_not_decoded(epc_hex: str) -> None:
    raw = bytes.fromhex(epc_hex + ("0" if len(epc_hex) % 2 else ""))
    assert decode_sgtin96(raw) is None


gtins = st.tuples(
    st.integers(0, 9),  # indicator digit
    st.integers(6, 12),  # company prefix digits
    st.integers(0, 10**12 - 1),
).map(lambda t: (f"{t[0]}{t[2]:012d}", t[1]))


@given(gtin_and_cp=gtins, serial=st.integers(0, (1 << 38) - 1), filter_value=st.integers(0, 7))
def test_sgtin_encode_decode_round_trips(
    gtin_and_cp: tuple[str, int], serial: int, filter_value: int
) -> None:
    body, cp_digits = gtin_and_cp
    gtin = body + str(gs1_check_digit(body))
    epc = encode_sgtin96(gtin, serial, cp_digits, filter_value)
    sgtin = decode_sgtin96(epc)
    assert sgtin is not None
    assert (sgtin.gtin, sgtin.serial, sgtin.filter) == (gtin, serial, filter_value)
    assert sgtin.company_prefix == gtin[1 : 1 + cp_digits]
