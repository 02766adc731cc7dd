"""Payment-code rules as published by WeChat Pay (micropay, chapter 5_1: 18 digits, 10–15) and
Alipay (opendocs 194/106039: 16–24 digits, 25–30)."""

from __future__ import annotations

import pytest

from drivers.scanner.payment_codes import classify_payment_code


@pytest.mark.parametrize(
    ("data", "symbology", "expected"),
    [
        ("134567890123456789", "", "wechat"),
        ("104567890123456789", "]Q1", "wechat"),
        ("164567890123456789", "", None),  # 16 is not a WeChat prefix
        ("13456789012345678", "", None),  # 17 digits
        ("2512345678901234", "", "alipay"),  # 16 digits
        ("301234567890123456789012", "", "alipay"),  # 24 digits
        ("3012345678901234567890123", "", None),  # 25 digits
        ("311234567890123456", "", None),
        ("6901234567892", "]E0", None),  # EAN-13 product
        ("134567890123456789", "]C1", None),  # GS1-128 is product data
        ("13456789012345678A", "", None),
        ("１３４５６７８９０１２３４５６７８９", "", None),  # full-width digits are not a code
    ],
)
def test_classify_payment_code(data: str, symbology: str, expected: str | None) -> None:
    assert classify_payment_code(data, symbology) == expected
