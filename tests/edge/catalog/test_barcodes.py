"""Barcode interpretation: GTINs with check digits, AIM prefixes, Chinese label-scale codes by rule
table, GS1 element strings, and biip's RCN regions. Golden values: the GS1 General
Specifications §7.9.1 check digit example, and AIM ISO/IEC 15424 symbology identifiers.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edge.catalog.barcodes import BarcodeError, gs1_check_digit, interpret, is_valid_gtin
from edge.config import ScaleBarcodeRule, StoreConfig

pytestmark = pytest.mark.dated

CONFIG = StoreConfig()


def with_check(body: str) -> str:
    return body + str(gs1_check_digit(body))


def test_check_digit_matches_the_gs1_worked_example() -> None:
    # GS1 General Specifications, 7.9.1: GTIN-13 629104150021 → check digit 3.
    assert gs1_check_digit("629104150021") == 3
    assert is_valid_gtin("6291041500213")


@pytest.mark.parametrize("scan, key", [
    ("6901234567892", "06901234567892"),              # EAN-13
    ("]E06901234567892", "06901234567892"),           # with AIM id (EAN-13)
    ("96385074", "00000096385074"),                   # EAN-8
    ("036000291452", "00036000291452"),               # UPC-A
    ("10012345000017", "10012345000017"),             # GTIN-14
    ("6901234567892\r\n", "06901234567892"),          # scanner suffix
])
def test_gtins_normalise_to_14_digits(scan: str, key: str) -> None:
    result = interpret(scan, CONFIG)
    assert (result.kind, result.key) == ("gtin", key)


def test_aim_symbology_is_kept() -> None:
    assert interpret("]E06901234567892", CONFIG).symbology == "]E0"


@pytest.mark.parametrize("scan", ["6901234567893", "96385075", "036000291453", "hello", "", "123",
                                  "]E0", "]", "]E", "6" * 300])
def test_bad_barcodes_are_refused_with_a_code(scan: str) -> None:
    with pytest.raises(BarcodeError) as err:
        interpret(scan, CONFIG)
    assert err.value.code == "invalid_barcode"


def test_chinese_13_digit_price_label() -> None:
    # flag 22, item 00123, price 01234 fen (12.34 yuan), check digit
    scan = interpret(with_check("220012301234"), CONFIG)
    assert (scan.kind, scan.key, scan.price, scan.weight_grams) == ("plu", "123", 1234, None)


def test_chinese_18_digit_price_and_weight_label() -> None:
    scan = interpret(with_check("22000070157901234"), CONFIG)
    assert (scan.key, scan.price, scan.weight_grams, scan.rule) == ("7", 1579, 1234,
                                                                    "cn-18-price-weight")


def test_scale_label_with_wrong_check_digit_is_refused() -> None:
    good = with_check("220012301234")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(BarcodeError):
        interpret(bad, CONFIG)


def test_a_weight_rule_from_config() -> None:
    rule = ScaleBarcodeRule("weight-13", prefix="21", length=13, item_start=2, item_length=5,
                            weight_start=7, weight_length=5)
    config = dataclasses.replace(CONFIG, scale_rules=(rule,))
    scan = interpret(with_check("210004500532"), config)
    assert (scan.key, scan.weight_grams, scan.price) == ("45", 532, None)


def test_gs1_128_with_weight_and_price_ais() -> None:
    scan = interpret("]C1" + "0106901234567892" + "3103001234", CONFIG)
    assert (scan.key, scan.weight_grams) == ("06901234567892", 1234)
    scan = interpret("0106901234567892" + "3922001299", CONFIG)
    assert scan.price == 1299


def test_biip_rcn_region_when_configured() -> None:
    # Sweden's variable-weight RCN (prefix 23): item 88060, weight 1.234 kg — biip's region rules.
    config = dataclasses.replace(CONFIG, scale_rules=(), rcn_region="se")
    scan = interpret("2388060112344", config)
    assert scan.weight_grams == 1234


def test_payment_codes_are_not_products() -> None:
    with pytest.raises(BarcodeError) as err:
        interpret("134567890123456789", CONFIG)   # WeChat Pay 付款码: 18 digits, 10–15
    assert err.value.code == "payment_code"


@given(st.sampled_from([7, 11, 12, 13]), st.data())
def test_generated_valid_gtins_round_trip(length: int, data: st.DataObject) -> None:
    body = data.draw(st.text(alphabet="0123456789", min_size=length, max_size=length))
    if length == 12 and body[0] == "2":
        body = "6" + body[1:]   # keep clear of the store's "2x" scale-label rules
    code = with_check(body)
    assert interpret(code, CONFIG).key == code.zfill(14)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(1, 9))
def test_wrong_check_digits_are_rejected(body: str, delta: int) -> None:
    if body[0] == "2":
        body = "6" + body[1:]
    wrong = body + str((gs1_check_digit(body) + delta) % 10)
    with pytest.raises(BarcodeError):
        interpret(wrong, CONFIG)


@given(st.text(max_size=80))
def test_any_text_gives_a_scan_or_a_barcode_error(text: str) -> None:
    try:
        interpret(text, CONFIG)
    except BarcodeError:
        pass
