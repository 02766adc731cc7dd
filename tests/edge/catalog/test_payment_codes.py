"""Customers' payment codes are read before any scale rule (rule PAYMENT_CODES_FIRST in
edge/config.py): an Alipay code that also fits the 18-digit "2F" scale layout is a payment code,
never produce and never an invalid barcode; scale rules overlapping a payment range are refused
when the config is loaded unless the rule says it knows."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edge.catalog.barcodes import BarcodeError, gs1_check_digit, interpret
from edge.config import ConfigError, StoreConfig, config_from_dict
from edge.till.session import TillError
from tests.edge.sale.sale_helpers import logged_in_till

CONFIG = StoreConfig()


def with_check(body: str) -> str:
    return body + str(gs1_check_digit(body))


def payment_provider(scan: str, config: StoreConfig = CONFIG) -> str:
    with pytest.raises(BarcodeError) as err:
        interpret(scan, config)
    assert err.value.code == "payment_code", err.value
    return str(err.value)


@pytest.mark.parametrize("scan, provider", [
    ("280000101579012343", "alipay"),   # fits cn-18-price-weight with a valid check digit
    ("281234567890123456", "alipay"),   # fits it with a wrong check digit
    ("2512345678901234", "alipay"),     # 16 digits
    ("301234567890123456789012", "alipay"),  # 24 digits
    ("134567890123456789", "wechat"),
    ("101234567890123456", "wechat"),
])
def test_payment_codes_answer_payment_code_never_a_product(scan: str, provider: str) -> None:
    assert provider in payment_provider(scan)


def test_the_alipay_code_that_looks_like_apples_is_not_sold(conn: sqlite3.Connection,
                                                           config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    for scan in ("280000101579012343", "281234567890123456"):
        with pytest.raises(TillError) as err:
            till.scan(scan)
        assert err.value.code == "payment_code"
    assert till.sale is None or till.sale.lines == []
    sale = till.scan("220000101579012349")   # a real label: PLU 1, 15.79 for 1.234 kg
    assert [(ln.sku, ln.qty_milli, ln.total) for ln in sale.lines] == [("F0001", 1234, 1579)]


@pytest.mark.parametrize("body, key, price, grams", [
    ("22001230123", "123", 1234, None),          # 13 digits, flag 22
    ("20001230123", "123", 1234, None),          # 13 digits, flag 20
    ("24001230123", "123", 1234, None),          # 13 digits, flag 24
    ("25001230123", "123", 1234, None),          # 13 digits, flag 25: too short for Alipay
    ("20000070157901234", "7", 1579, 1234),      # 18 digits, flag 20
    ("24000070157901234", "7", 1579, 1234),      # 18 digits, flag 24
])
def test_scale_labels_outside_the_payment_ranges_still_sell(body: str, key: str, price: int,
                                                            grams: int | None) -> None:
    if len(body) == 11:
        body += "4"   # the 13-digit layout: flag + item + price + check
    scan = interpret(with_check(body), CONFIG)
    assert (scan.kind, scan.key, scan.price, scan.weight_grams) == ("plu", key, price, grams)


def rule(**fields: Any) -> dict[str, Any]:
    return {"name": "mine", "prefix": "2", "length": 18, "item_start": 2, "item_length": 5,
            "price_start": 7, "price_length": 5, "weight_start": 12, "weight_length": 5, **fields}


def test_a_scale_rule_overlapping_alipay_is_refused_at_load() -> None:
    with pytest.raises(ConfigError) as err:
        config_from_dict({"scale_barcodes": [rule()]})
    message = str(err.value)
    assert "scale_barcodes[0] (mine)" in message and "alipay" in message
    assert "allow_payment_overlap" in message


def test_an_overlapping_rule_loads_when_allowed_and_payment_codes_still_win() -> None:
    config = config_from_dict({"scale_barcodes": [rule(allow_payment_overlap=True)]})
    assert "alipay" in payment_provider("280000101579012343", config)
    assert interpret(with_check("22000070157901234"), config).rule == "mine"


def test_a_rule_clear_of_the_payment_ranges_loads() -> None:
    config = config_from_dict({"scale_barcodes": [rule(prefix="21"), rule(name="13", length=13,
                               prefix="2", weight_start=None, weight_length=0)]})
    assert [r.name for r in config.scale_rules] == ["mine", "13"]


def test_configured_payment_ranges_add_to_the_providers_and_are_read_first() -> None:
    config = config_from_dict({"payment_codes": [
        {"name": "bankapp", "prefix_from": "62", "prefix_to": "62", "min_length": 19,
         "max_length": 19}]})
    assert [r.name for r in config.payment_codes] == ["wechat", "alipay", "bankapp"]
    assert "bankapp" in payment_provider("6212345678901234567", config)
    assert "alipay" in payment_provider("280000101579012343", config)


def test_a_configured_payment_range_overlapping_a_scale_rule_is_refused() -> None:
    with pytest.raises(ConfigError) as err:
        config_from_dict({"scale_barcodes": [rule(prefix="21")], "payment_codes": [
            {"name": "store-card", "prefix_from": "21", "prefix_to": "21", "min_length": 18,
             "max_length": 18}]})
    assert "scale_barcodes[0] (mine)" in str(err.value) and "store-card" in str(err.value)


@pytest.mark.parametrize("bad", [
    {"name": "x", "prefix_from": "1", "prefix_to": "15", "min_length": 18, "max_length": 18},
    {"name": "x", "prefix_from": "15", "prefix_to": "10", "min_length": 18, "max_length": 18},
    {"name": "x", "prefix_from": "6", "prefix_to": "6", "min_length": 13, "max_length": 13},
    {"name": "x", "prefix_from": "6", "prefix_to": "6", "min_length": 18},
    {"name": "x", "prefix_from": 6, "prefix_to": "6", "min_length": 18, "max_length": 18},
])
def test_bad_payment_ranges_are_refused_with_their_index(bad: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=r"payment_codes\[0\]"):
        config_from_dict({"payment_codes": [bad]})


@pytest.mark.parametrize("bad", [
    rule(prefix=2), rule(length="18"), rule(item_start=15), rule(weight_start=13),
    rule(check_digit="yes"), rule(allow_payment_overlap=1),
])
def test_bad_scale_rules_are_refused_with_their_index(bad: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=r"scale_barcodes\[0\]"):
        config_from_dict({"scale_barcodes": [bad]})


def test_custom_scale_rules_replace_the_defaults() -> None:
    config = config_from_dict({"scale_barcodes": [rule(prefix="21")]})
    assert [r.name for r in config.scale_rules] == ["mine"]
    # the default cn-13-price is gone: a 13-digit "22…" label is read as a plain GTIN-13 now
    assert interpret(with_check("220012301234"), config).kind == "gtin"
    assert config_from_dict({"scale_barcodes": []}).scale_rules == ()



@given(st.integers(25, 30), st.integers(16, 24), st.data())
def test_every_alipay_shaped_code_is_a_payment_code(head: int, length: int,
                                                    data: st.DataObject) -> None:
    rest = data.draw(st.text(alphabet="0123456789", min_size=length - 2, max_size=length - 2))
    assert "alipay" in payment_provider(f"{head}{rest}")


@given(st.integers(10, 15), st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_every_wechat_shaped_code_is_a_payment_code(head: int, rest: str) -> None:
    assert "wechat" in payment_provider(f"{head}{rest}")


def test_payment_code_says_whose_and_gives_the_code_without_its_aim_id() -> None:
    # The one rule the till, the kiosk, member codes and interpret() ask (edge/catalog/barcodes.py).
    from edge.catalog.barcodes import PaymentCode, payment_code

    bank = config_from_dict({"payment_codes": [
        {"name": "bankapp", "prefix_from": "62", "prefix_to": "62", "min_length": 19,
         "max_length": 19}]})
    assert payment_code("134567890123456789", CONFIG) == PaymentCode("wechat", "134567890123456789")
    assert payment_code("]Q1280000101579012343\r\n", CONFIG) == PaymentCode(
        "alipay", "280000101579012343")
    assert payment_code("6212345678901234567", bank) == PaymentCode("bankapp", "6212345678901234567")
    assert payment_code("6212345678901234567", CONFIG) is None
    assert payment_code(with_check("690123456789"), CONFIG) is None        # an EAN-13
    assert payment_code("13456789012345678²", CONFIG) is None               # "²" is no digit here
    assert payment_code("]C0MQR-DEMO-0002", CONFIG) is None
