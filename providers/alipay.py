"""Alipay open platform for payment codes (当面付 条码支付): alipay.trade.pay (scene=bar_code),
alipay.trade.query, alipay.trade.cancel, alipay.trade.refund and
alipay.trade.fastpay.refund.query, posted as forms to the gateway.

Rule: every request is signed RSA2 (SHA256withRSA over the sorted `key=value` pairs joined by
`&`, without `sign`, with the merchant key); every answer's signature, over the exact text of its
`<method>_response` node, is checked with Alipay's public key before it is believed; an answer
that fails the check counts as no answer. In Alipay's public-key-certificate mode an answer names
the certificate it was signed with (`alipay_cert_sn`): several are held at once while Alipay
rotates, and an answer naming one we do not hold is not believed.
`alipay.trade.cancel` returns `action` (close | refund) only when the trade exists (Alipay's page
for the method): a successful cancel without it, or `ACQ.TRADE_NOT_EXIST`, means Alipay has no
such trade.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from cryptography.hazmat.primitives.asymmetric import rsa

from edge.payments import provider as p
from providers.http import MAX_BILL, BillUnavailable, exchange
from providers.signing import sign, verify

BEIJING = timedelta(hours=8)
_TRADE_STATUS = {"WAIT_BUYER_PAY": p.USERPAYING, "TRADE_SUCCESS": p.SUCCESS,
                 "TRADE_FINISHED": p.SUCCESS, "TRADE_CLOSED": p.CLOSED}
# sub_codes of alipay.trade.pay after which the customer was certainly not charged
_DECLINED = frozenset({"ACQ.PAYMENT_AUTH_CODE_INVALID", "ACQ.BUYER_BALANCE_NOT_ENOUGH",
                       "ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH", "ACQ.TRADE_HAS_CLOSE",
                       "ACQ.TRADE_HAS_SUCCESS", "ACQ.INVALID_PARAMETER", "ACQ.ACCESS_FORBIDDEN",
                       "ACQ.EXIST_FORBIDDEN_WORD", "ACQ.BUYER_ENABLE_STATUS_FORBID",
                       "ACQ.PAYMENT_FAIL", "ACQ.TOTAL_FEE_EXCEED", "ACQ.BUYER_SELLER_EQUAL",
                       "isv.invalid-signature"})


def sign_content(params: dict[str, str]) -> str:
    """What RSA2 signs: every non-empty parameter but `sign`, sorted by name, `k=v` joined by &."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k] != "")


def response_node(text: str, node: str) -> tuple[str, dict[str, Any]] | None:
    """The exact text of `node`'s value in an answer (what Alipay signed) and its parsed value."""
    key = f'"{node}"'
    start = text.find(key)
    if start < 0:
        return None
    colon = text.find(":", start + len(key))
    if colon < 0:
        return None
    begin = colon + 1
    while begin < len(text) and text[begin] in " \t\r\n":
        begin += 1
    try:
        value, end = json.JSONDecoder().raw_decode(text, begin)
    except ValueError:
        return None
    return (text[begin:end], value) if isinstance(value, dict) else None


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def fen(text: object) -> int | None:
    if not isinstance(text, str) or not text.replace(".", "", 1).isdigit():
        return None
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


@dataclass(frozen=True)
class AlipayAccount:
    gateway_url: str                     # https://openapi.alipay.com/gateway.do (or the simulator)
    app_id: str
    private_key: rsa.RSAPrivateKey
    alipay_public_key: rsa.RSAPublicKey
    timeout_s: float = 10.0
    # alipay_cert_sn → Alipay's public key in that certificate (public-key-certificate mode)
    cert_keys: Mapping[str, rsa.RSAPublicKey] = field(default_factory=dict)


class Alipay:
    name = "alipay"

    def __init__(self, account: AlipayAccount, clock: Callable[[], float] = time.time) -> None:
        self.account = account
        self.clock = clock
        self.clock_offset_s: float | None = None

    def pay(self, request: p.PayRequest) -> p.TradeStatus:
        data = self._call("alipay.trade.pay", {
            "out_trade_no": request.out_trade_no, "scene": "bar_code",
            "auth_code": request.auth_code, "subject": request.description[:256],
            "total_amount": yuan(request.amount), "store_id": request.store_id,
            "terminal_id": request.terminal_id})
        code = str(data.get("code", ""))
        if code == "10000":
            return self._trade(data, p.SUCCESS)
        if code == "10003":      # waiting for the customer to confirm on the phone
            return self._trade(data, p.USERPAYING)
        sub_code = str(data.get("sub_code", ""))
        # 40002: the gateway refused the request itself (arguments, signature): nothing was done
        if code == "40002" or (code == "40004" and sub_code in _DECLINED):
            return p.TradeStatus(p.FAILED, code=sub_code, message=str(data.get("sub_msg", "")))
        return p.TradeStatus(p.UNKNOWN, code=sub_code or code,
                             message=str(data.get("sub_msg", data.get("msg", ""))))

    def query(self, out_trade_no: str) -> p.TradeStatus:
        data = self._call("alipay.trade.query", {"out_trade_no": out_trade_no})
        if data.get("code") == "10000":
            state = _TRADE_STATUS.get(str(data.get("trade_status")), p.UNKNOWN)
            return self._trade(data, state)
        if data.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return p.TradeStatus(p.NOT_FOUND, code="ACQ.TRADE_NOT_EXIST")
        return p.TradeStatus(p.UNKNOWN, code=str(data.get("sub_code", data.get("code", ""))),
                             message=str(data.get("sub_msg", "")))

    def reverse(self, out_trade_no: str) -> p.ReverseResult:
        data = self._call("alipay.trade.cancel", {"out_trade_no": out_trade_no})
        if data.get("code") == "10000" and data.get("retry_flag", "N") != "Y":
            action = str(data.get("action", ""))
            if not action:       # only a trade that exists gets an action: Alipay has none
                return p.ReverseResult(p.REVERSE_NOT_FOUND, was_charged=False,
                                       code="10000 (no action)")
            # action: close (it was unpaid) or refund (it had been paid: the money goes back)
            return p.ReverseResult(p.REVERSE_DONE, was_charged=action == "refund", code=action)
        if data.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return p.ReverseResult(p.REVERSE_NOT_FOUND, was_charged=False,
                                   code="ACQ.TRADE_NOT_EXIST", message=str(data.get("sub_msg", "")))
        return p.ReverseResult(p.REVERSE_RETRY,
                               code=str(data.get("sub_code", data.get("code", ""))),
                               message=str(data.get("sub_msg", "")))

    def refund(self, request: p.RefundRequest) -> p.RefundStatus:
        data = self._call("alipay.trade.refund", {
            "out_trade_no": request.out_trade_no, "refund_amount": yuan(request.amount),
            "out_request_no": request.out_refund_no, "refund_reason": request.reason[:256]})
        if data.get("code") == "10000":
            # accepted; fund_change=Y means the money moved now. Either way, confirm by query.
            return p.RefundStatus(p.REFUND_SUCCESS if data.get("fund_change") == "Y"
                                  else p.REFUND_PROCESSING, code=str(data.get("fund_change", "")))
        sub_code = str(data.get("sub_code", ""))
        if data.get("code") == "40004" and sub_code not in ("ACQ.SYSTEM_ERROR",):
            return p.RefundStatus(p.REFUND_FAILED, code=sub_code,
                                  message=str(data.get("sub_msg", "")))
        return p.RefundStatus(p.REFUND_PROCESSING, code=sub_code or str(data.get("code", "")))

    def query_refund(self, out_trade_no: str, out_refund_no: str) -> p.RefundStatus:
        data = self._call("alipay.trade.fastpay.refund.query",
                          {"out_trade_no": out_trade_no, "out_request_no": out_refund_no})
        if data.get("code") != "10000":
            return p.RefundStatus(p.REFUND_PROCESSING, code=str(data.get("sub_code", "")))
        if data.get("refund_status") == "REFUND_SUCCESS":
            return p.RefundStatus(p.REFUND_SUCCESS, code="REFUND_SUCCESS")
        # no refund_status (and no refund_amount): Alipay has no such refund
        return p.RefundStatus(p.NOT_FOUND if not data.get("refund_amount") else
                              p.REFUND_PROCESSING, code=str(data.get("refund_status", "")))

    # --- the daily trade bill (对账单) ----------------------------------------------------------

    def trade_bill(self, day: date) -> bytes:
        """The trade bill (bill_type=trade, a csv.zip in GBK) of a Beijing day: its address from
        alipay.data.dataservice.bill.downloadurl.query, then the file itself (the address is
        pre-signed and short-lived). Raises BillUnavailable when Alipay has none (yet)."""
        data = self._call("alipay.data.dataservice.bill.downloadurl.query",
                          {"bill_type": "trade", "bill_date": day.isoformat()})
        url = data.get("bill_download_url")
        if data.get("code") != "10000" or not isinstance(url, str):
            raise BillUnavailable(f"Alipay has no bill for {day}: {data.get('sub_code', '')} "
                                  f"{data.get('sub_msg', data.get('msg', ''))}".strip())
        answer = exchange("GET", url, {"Accept": "*/*", "User-Agent": "store-edge-pos"}, b"",
                          self.account.timeout_s, MAX_BILL)
        if answer.status != 200 or answer.body[:2] != b"PK":
            raise BillUnavailable(f"Alipay's bill download answered {answer.status}, not a zip")
        return answer.body

    # --- signing and the exchange ------------------------------------------------------------

    def signed_params(self, method: str, biz: dict[str, Any]) -> dict[str, str]:
        now = datetime.fromtimestamp(self.clock(), UTC) + BEIJING
        params = {"app_id": self.account.app_id, "method": method, "format": "JSON",
                  "charset": "utf-8", "sign_type": "RSA2",
                  "timestamp": now.strftime("%Y-%m-%d %H:%M:%S"), "version": "1.0",
                  "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":"))}
        params["sign"] = sign(self.account.private_key, sign_content(params).encode())
        return params

    def _call(self, method: str, biz: dict[str, Any]) -> dict[str, Any]:
        body = urlencode(self.signed_params(method, biz)).encode()
        answer = exchange("POST", self.account.gateway_url, {
            "Content-Type": "application/x-www-form-urlencoded;charset=utf-8",
            "Accept": "application/json", "User-Agent": "store-edge-pos"},
            body, self.account.timeout_s)
        if (server := answer.server_time()) is not None:
            self.clock_offset_s = server - self.clock()
        try:
            text = answer.body.decode("utf-8")
            whole = json.loads(text)
            signature, cert_sn = whole.get("sign", ""), whole.get("alipay_cert_sn")
        except (UnicodeDecodeError, ValueError, AttributeError):
            raise p.ProviderNoAnswer(f"Alipay answered {answer.status} with no JSON") from None
        key = self.account.alipay_public_key
        if cert_sn is not None:
            found_key = self.account.cert_keys.get(str(cert_sn).strip().upper())
            if found_key is None:
                raise p.ProviderNoAnswer(f"Alipay's answer is signed with certificate "
                                         f"{str(cert_sn)[:64]!r}, which this store does not hold: "
                                         "add it to [payments.alipay] alipay_cert_keys")
            key = found_key
        found = response_node(text, method.replace(".", "_") + "_response")
        if found is None:
            raise p.ProviderNoAnswer(f"Alipay's answer has no {method} response")
        raw, data = found
        if not isinstance(signature, str) or not verify(key, raw.encode(), signature):
            raise p.ProviderNoAnswer("Alipay's answer signature does not verify with its "
                                     "public key")
        return data

    @staticmethod
    def _trade(data: dict[str, Any], state: str) -> p.TradeStatus:
        trade_no = data.get("trade_no")
        return p.TradeStatus(state, str(trade_no) if trade_no else None,
                             fen(data.get("total_amount")), str(data.get("trade_status", "")),
                             str(data.get("msg", "")))
