"""Recognises a customer's mobile-payment code (WeChat Pay, Alipay) among scanned barcodes.

The rules are the providers' published formats for the "付款码" (payment code) a customer shows:
- WeChat Pay micropay, https://pay.weixin.qq.com/wiki/doc/api/micropay.php?chapter=5_1 :
  18 digits starting with 10, 11, 12, 13, 14 or 15.
- Alipay alipay.trade.pay, https://opendocs.alipay.com/open/194/106039/ : digits starting with
  25 to 30, 16 to 24 long.
(Both restated in e.g. https://www.cnblogs.com/westsoft/p/15140406.html, found with the search
tool.) The providers may change the rule; keep it in this one place.
"""

from __future__ import annotations

# GS1 symbologies carry product data (GTIN, SSCC, weights), never a payment code, so a GS1 scan
# that happens to match the digit rule stays a product scan. AIM ids: ]E EAN/UPC, ]C1 GS1-128,
# ]e DataBar, ]d2 GS1 DataMatrix, ]Q3 GS1 QR.
_GS1_SYMBOLOGIES = ("]E", "]C1", "]e", "]d2", "]Q3")


def classify_payment_code(data: str, symbology: str = "") -> str | None:
    """Return "wechat" or "alipay" when `data` is that provider's payment code, else None."""
    if symbology.startswith(_GS1_SYMBOLOGIES):
        return None
    if not (data.isascii() and data.isdigit()):
        return None
    head = int(data[:2]) if len(data) >= 2 else -1
    if len(data) == 18 and 10 <= head <= 15:
        return "wechat"
    if 16 <= len(data) <= 24 and 25 <= head <= 30:
        return "alipay"
    return None
