"""The Nuonuo (诺诺) open platform as an invoice provider: `requestBillingNew` to ask for a 数电
invoice, `queryInvoiceResult` by our order number to learn its fate (docs/invoices.md says what
was checked against which public source).

Protocol: POST {url}?senid&nonce&timestamp&appkey with the JSON content as body and headers
`X-Nuonuo-Sign` (base64 HMAC-SHA1, key the app secret, over
`a=services&l=v1&p=open&k={appkey}&i={senid}&n={nonce}&t={timestamp}&f={content}`),
`accessToken`, `userTax`, `method`. Answers are `{"code", "describe", "result"}`, `E0000` meaning
success. Amounts are yuan strings; a red-letter invoice has negative amounts and quantities.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from edge.ledger.money import QTY_SCALE
from hq.invoices.provider import (
    InvoiceLine,
    InvoiceOrder,
    InvoiceRejected,
    InvoiceResult,
    ProviderNoAnswer,
)
from providers.http import exchange

BILLING = "nuonuo.ElectronInvoice.requestBillingNew"
QUERY = "nuonuo.ElectronInvoice.queryInvoiceResult"
OK = "E0000"
DUPLICATE = "E9106"   # the simulator's code for a repeated orderNo; the text is what we match
LINE_PROPERTY = {"normal": "0", "discount": "1", "discounted": "2"}
ISSUED = {"2"}                      # 开票完成
PENDING = {"1", "20", "21"}         # 开票中, 开票成功签章中
FAILED = {"22", "24", "3", "31"}    # 开票失败, 签章失败, 已作废, 作废中


@dataclass(frozen=True)
class NuonuoSettings:
    url: str                     # https://sdk.nuonuo.com/open/v1/services (sandbox: sandbox.nuonuocs.cn)
    app_key: str
    app_secret: str
    access_token: str
    seller_tax_id: str           # salerTaxNum, also the userTax header
    seller_phone: str = ""
    seller_address: str = ""
    clerk: str = "系统"          # 开票员
    invoice_line: str = "pc"     # 数电普票(电子)
    timeout_s: float = 10.0


def sign(secret: str, app_key: str, senid: str, nonce: str, content: str, timestamp: str) -> str:
    message = (f"a=services&l=v1&p=open&k={app_key}&i={senid}&n={nonce}&t={timestamp}"
               f"&f={content}")
    digest = hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def yuan(fen: int) -> str:
    return f"{'-' if fen < 0 else ''}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def fen(text: str) -> int:
    return int((Decimal(text) * 100).to_integral_value())


def plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros after the point: 10, 1.234, 0.13."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def quantity(qty_milli: int) -> str:
    return plain(Decimal(qty_milli) / QTY_SCALE)


def unit_price(amount: int, qty_milli: int) -> str:
    """VAT-inclusive price per unit, 8 decimals at most (the platform's precision)."""
    price = (Decimal(abs(amount)) / 100) / (Decimal(abs(qty_milli)) / QTY_SCALE)
    return plain(price.quantize(Decimal("0.00000001")))


def detail(line: InvoiceLine) -> dict[str, str]:
    out = {"goodsName": line.name, "goodsCode": line.tax_code, "withTaxFlag": "1",
           "taxRate": plain(Decimal(line.tax_rate_bp) / 10_000),
           "taxIncludedAmount": yuan(line.amount), "tax": yuan(line.tax),
           "taxExcludedAmount": yuan(line.amount - line.tax),
           "invoiceLineProperty": LINE_PROPERTY[line.kind],
           "unit": "千克" if line.unit == "kg" else ""}
    if line.qty_milli is not None:       # a discount line has neither quantity nor price
        out["num"] = quantity(line.qty_milli)
        out["price"] = unit_price(line.amount, line.qty_milli)
    return out


def order_body(settings: NuonuoSettings, order: InvoiceOrder, now: datetime) -> dict[str, Any]:
    b = order.buyer
    push = "2" if b.email and b.phone else "0" if b.email else "1"
    body: dict[str, Any] = {
        "buyerName": b.title, "buyerTaxNum": b.tax_id, "buyerPhone": b.phone, "email": b.email,
        "pushMode": push, "salerTaxNum": settings.seller_tax_id, "salerTel": settings.seller_phone,
        "salerAddress": settings.seller_address, "orderNo": order.order_no,
        "invoiceDate": now.strftime("%Y-%m-%d %H:%M:%S"), "clerk": settings.clerk,
        "invoiceType": "2" if order.kind == "red" else "1",
        "invoiceLine": settings.invoice_line, "remark": order.note,
        "naturalPersonFlag": "0" if b.tax_id else "1",
        "invoiceDetail": [detail(x) for x in order.lines]}
    if order.kind == "red":
        body["invoiceCode"] = ""                      # 数电 invoices have no separate code
        body["invoiceNum"] = order.original_invoice_no
    return body


class NuonuoProvider:
    def __init__(self, settings: NuonuoSettings,
                 clock: Callable[[], datetime] = lambda: datetime.now()) -> None:
        self.settings = settings
        self.clock = clock

    def call(self, method: str, content: dict[str, Any]) -> dict[str, Any]:
        s = self.settings
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        senid, nonce, stamp = uuid.uuid4().hex, str(10_000_000 + secrets.randbelow(90_000_000)), \
            str(int(time.time()))
        query = urlencode({"senid": senid, "nonce": nonce, "timestamp": stamp,
                           "appkey": s.app_key})
        headers = {"Content-Type": "application/json; charset=UTF-8",
                   "X-Nuonuo-Sign": sign(s.app_secret, s.app_key, senid, nonce, text, stamp),
                   "accessToken": s.access_token, "userTax": s.seller_tax_id, "method": method}
        answer = exchange("POST", f"{s.url}?{query}", headers, text.encode("utf-8"), s.timeout_s)
        if not 200 <= answer.status < 300:
            raise ProviderNoAnswer(f"HTTP {answer.status} from the invoice platform")
        try:
            data = json.loads(answer.body)
        except ValueError:
            raise ProviderNoAnswer("the invoice platform's answer is not JSON") from None
        if not isinstance(data, dict) or "code" not in data:
            raise ProviderNoAnswer("the invoice platform's answer has no code")
        return data

    def submit(self, order: InvoiceOrder) -> str:
        data = self.call(BILLING, {"order": order_body(self.settings, order, self.clock())})
        code, text = str(data.get("code")), str(data.get("describe", ""))
        if code == OK:
            return str((data.get("result") or {}).get("invoiceSerialNum", ""))
        if code == DUPLICATE or "重复" in text:
            # Asked before (our answer was lost): the first request stands; find its serial.
            return self.query(order.order_no).provider_serial
        raise InvoiceRejected(f"{code} {text}".strip())

    def query(self, order_no: str) -> InvoiceResult:
        data = self.call(QUERY, {"orderNos": [order_no], "isOfferInvoiceDetail": "0"})
        if str(data.get("code")) != OK:
            raise ProviderNoAnswer(f"query: {data.get('code')} {data.get('describe', '')}")
        found = [r for r in data.get("result") or [] if r.get("orderNo") == order_no]
        if not found:
            return InvoiceResult("unknown")
        r = found[0]
        status, serial = str(r.get("status", "")), str(r.get("serialNo", ""))
        if status in ISSUED:
            number = str(r.get("allElectronicInvoiceNumber") or r.get("invoiceNo") or "")
            return InvoiceResult("issued", invoice_no=number, provider_serial=serial)
        if status in FAILED:
            reason = str(r.get("failCause") or r.get("statusMsg") or f"status {status}")
            return InvoiceResult("failed", reason=reason, provider_serial=serial)
        return InvoiceResult("pending", provider_serial=serial)
