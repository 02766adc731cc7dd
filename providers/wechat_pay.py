"""WeChat Pay API v3 for payment codes (付款码支付): codepay, query by out_trade_no, reverse,
domestic refunds and their query, over HTTPS with the v3 signature scheme.

Rule: every request is signed (`WECHATPAY2-SHA256-RSA2048`, SHA256withRSA over
method\\nurl\\ntimestamp\\nnonce\\nbody\\n with the merchant key) and every answer's signature
(Wechatpay-Timestamp\\nWechatpay-Nonce\\nbody\\n with the platform key) is checked before it is
believed; an answer that fails the check counts as no answer (the outcome is then queried).
The key is chosen by the answer's `Wechatpay-Serial`: a platform certificate's serial number or a
WeChat Pay public key's id (`PUB_KEY_ID_…`); several are configured at once while WeChat rotates
them, and an answer naming a serial we do not hold is not believed.
Answers follow pay.weixin.qq.com's v3 pages for code payments (docs/payments.md cites them):
USERPAYING comes as `202 {"trade_state": "USERPAYING"}` or as `{"code": "USERPAYING"}`; a reverse or
query of an order WeChat never created answers `404 ORDER_NOT_EXIST`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa

from edge.payments import provider as p
from providers.http import MAX_BILL, BillUnavailable, Response, exchange
from providers.signing import sign, verify

SCHEMA = "WECHATPAY2-SHA256-RSA2048"
MAX_SKEW_S = 300          # WeChat refuses requests (SIGN_ERROR) more than 5 minutes off; so do we
_TRADE_STATES = {"SUCCESS": p.SUCCESS, "USERPAYING": p.USERPAYING, "NOTPAY": p.NOTPAY,
                 "CLOSED": p.CLOSED, "REVOKED": p.REVOKED, "REFUND": p.REFUNDED,
                 "PAYERROR": p.FAILED}
# codepay errors after which the customer was certainly not charged
_DECLINED = frozenset({"AUTH_CODE_ERROR", "AUTHCODEEXPIRE", "AUTH_CODE_INVALID", "NOT_ENOUGH",
                       "NOTENOUGH", "PARAM_ERROR", "INVALID_REQUEST", "SIGN_ERROR",
                       "ORDER_REVERSED", "ORDER_CLOSED", "BUYER_MISMATCH", "RULE_LIMIT",
                       "TRADE_ERROR", "NO_AUTH", "OUT_TRADE_NO_USED", "MCH_NOT_EXISTS",
                       "APPID_MCHID_NOT_MATCH", "ACCOUNT_ERROR"})
_REFUND_STATES = {"SUCCESS": p.REFUND_SUCCESS, "PROCESSING": p.REFUND_PROCESSING,
                  "ABNORMAL": p.REFUND_FAILED, "CLOSED": p.REFUND_FAILED}


@dataclass(frozen=True)
class WeChatPayAccount:
    base_url: str                        # https://api.mch.weixin.qq.com (or the simulator)
    mchid: str
    appid: str
    serial_no: str                       # the merchant certificate's serial number
    private_key: rsa.RSAPrivateKey
    # Wechatpay-Serial → the key that checks answers signed with it: platform certificates by
    # serial number (upper-case hex), WeChat Pay public keys by id (PUB_KEY_ID_…)
    platform_keys: Mapping[str, rsa.RSAPublicKey]
    device_ip: str = "127.0.0.1"
    timeout_s: float = 10.0


def normal_serial(serial: str) -> str:
    """A platform certificate's serial is hex (compared upper-case); a public key id is kept as
    written (`PUB_KEY_ID_` and digits)."""
    serial = serial.strip()
    return serial if serial.startswith("PUB_KEY_ID_") else serial.upper()


class WeChatPay:
    name = "wechat"

    def __init__(self, account: WeChatPayAccount, clock: Callable[[], float] = time.time) -> None:
        self.account = account
        self.clock = clock
        self.clock_offset_s: float | None = None

    def pay(self, request: p.PayRequest) -> p.TradeStatus:
        a = self.account
        body = {"appid": a.appid, "mchid": a.mchid, "description": request.description[:127],
                "out_trade_no": request.out_trade_no,
                "payer": {"auth_code": request.auth_code},
                "amount": {"total": request.amount, "currency": "CNY"},
                "scene_info": {"store_info": {"out_id": request.store_id},
                               "device_ip": a.device_ip},
                "attach": request.terminal_id}
        status, data = self._call("POST", "/v3/pay/transactions/codepay", body)
        code = str(data.get("code", ""))
        message = str(data.get("message", ""))
        # the customer confirms on the phone: `202 {"trade_state": "USERPAYING"}` (nothing else in
        # the body) or an error-shaped `{"code": "USERPAYING"}`; both mean "query again"
        if code == "USERPAYING" or data.get("trade_state") == "USERPAYING":
            return p.TradeStatus(p.USERPAYING, code="USERPAYING", message=message)
        if status == 200:
            return self._trade(data)
        if code in _DECLINED:
            return p.TradeStatus(p.FAILED, code=code, message=message)
        return p.TradeStatus(p.UNKNOWN, code=code or str(status), message=message)

    def query(self, out_trade_no: str) -> p.TradeStatus:
        status, data = self._call("GET", f"/v3/pay/transactions/out-trade-no/{quote(out_trade_no)}"
                                         f"?mchid={quote(self.account.mchid)}", None)
        if status == 200:
            return self._trade(data)
        if status == 404 or data.get("code") == "ORDER_NOT_EXIST":
            return p.TradeStatus(p.NOT_FOUND, code="ORDER_NOT_EXIST")
        return p.TradeStatus(p.UNKNOWN, code=str(data.get("code", status)),
                             message=str(data.get("message", "")))

    def reverse(self, out_trade_no: str) -> p.ReverseResult:
        status, data = self._call(
            "POST", f"/v3/pay/transactions/out-trade-no/{quote(out_trade_no)}/reverse",
            {"appid": self.account.appid, "mchid": self.account.mchid})
        if status in (200, 204):
            return p.ReverseResult(p.REVERSE_DONE)
        code = str(data.get("code", status))
        if status == 404 or code == "ORDER_NOT_EXIST":   # WeChat never created this order
            return p.ReverseResult(p.REVERSE_NOT_FOUND, was_charged=False, code=code,
                                   message=str(data.get("message", "")))
        # USERPAYING (the customer is still entering a password), SYSTEM_ERROR, anything else:
        # the order is not settled, so the reversal is tried again.
        return p.ReverseResult(p.REVERSE_RETRY, code=code, message=str(data.get("message", "")))

    def refund(self, request: p.RefundRequest) -> p.RefundStatus:
        body = {"out_trade_no": request.out_trade_no, "out_refund_no": request.out_refund_no,
                "reason": request.reason[:80] or None,
                "amount": {"refund": request.amount, "total": request.total, "currency": "CNY"}}
        status, data = self._call("POST", "/v3/refund/domestic/refunds",
                                  {k: v for k, v in body.items() if v is not None})
        return self._refund(status, data)

    def query_refund(self, out_trade_no: str, out_refund_no: str) -> p.RefundStatus:
        status, data = self._call("GET", f"/v3/refund/domestic/refunds/{quote(out_refund_no)}",
                                  None)
        return self._refund(status, data)

    # --- the daily trade bill (对账单) ----------------------------------------------------------

    def trade_bill(self, day: date) -> bytes:
        """The trade bill (bill_type=ALL) of a Beijing day, downloaded and checked against the
        SHA1 the signed answer gave. Raises BillUnavailable when WeChat has none (yet: bills
        are ready after 10:00 the next day) or the file does not match its hash."""
        status, data = self._call("GET", f"/v3/bill/tradebill?bill_date={day.isoformat()}"
                                         "&bill_type=ALL", None)
        url = data.get("download_url")
        if status != 200 or not isinstance(url, str):
            raise BillUnavailable(f"WeChat Pay has no bill for {day}: "
                                  f"{data.get('code', status)} {data.get('message', '')}".strip())
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        timestamp, nonce = str(int(self.clock())), secrets.token_hex(16)
        # the file's answer carries no signature (WeChat's rule): its hash is what is checked
        answer = exchange("GET", url, {
            "Authorization": self.authorization("GET", target, "", timestamp, nonce),
            "Accept": "*/*", "User-Agent": "store-edge-pos"}, b"", self.account.timeout_s,
            MAX_BILL)
        if answer.status != 200:
            raise BillUnavailable(f"WeChat Pay's bill download answered {answer.status}")
        if hashlib.sha1(answer.body).hexdigest() != str(data.get("hash_value", "")).lower():
            raise BillUnavailable("the downloaded WeChat Pay bill does not match its SHA1: "
                                  "download it again")
        return answer.body

    # --- signing and the exchange ------------------------------------------------------------

    def authorization(self, method: str, url: str, body: str, timestamp: str, nonce: str) -> str:
        message = f"{method}\n{url}\n{timestamp}\n{nonce}\n{body}\n".encode()
        signature = sign(self.account.private_key, message)
        return (f'{SCHEMA} mchid="{self.account.mchid}",nonce_str="{nonce}",'
                f'signature="{signature}",timestamp="{timestamp}",'
                f'serial_no="{self.account.serial_no}"')

    def _call(self, method: str, url: str, body: dict[str, Any] | None) -> tuple[int, dict[str, Any]]:
        text = "" if body is None else json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        timestamp = str(int(self.clock()))
        nonce = secrets.token_hex(16)
        headers = {"Authorization": self.authorization(method, url, text, timestamp, nonce),
                   "Accept": "application/json", "User-Agent": "store-edge-pos"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        answer = exchange(method, self.account.base_url.rstrip("/") + url, headers,
                          text.encode(), self.account.timeout_s)
        if (server := answer.server_time()) is not None:
            self.clock_offset_s = server - self.clock()
        self._check_signature(answer)
        if not answer.body:
            return answer.status, {}
        try:
            data = json.loads(answer.body)
        except ValueError:
            raise p.ProviderNoAnswer("WeChat Pay answered something that is not JSON") from None
        if not isinstance(data, dict):
            raise p.ProviderNoAnswer("WeChat Pay answered JSON that is not an object")
        return answer.status, data

    def _check_signature(self, answer: Response) -> None:
        timestamp = answer.headers.get("wechatpay-timestamp", "")
        nonce = answer.headers.get("wechatpay-nonce", "")
        signature = answer.headers.get("wechatpay-signature", "")
        serial = answer.headers.get("wechatpay-serial", "").strip()
        if not (timestamp.isdigit() and nonce and signature and serial):
            raise p.ProviderNoAnswer(f"WeChat Pay answer {answer.status} is not signed")
        key = self.account.platform_keys.get(normal_serial(serial))
        if key is None:
            raise p.ProviderNoAnswer(f"WeChat Pay answer is signed with key {serial[:64]!r}, which "
                                     "this store does not hold: add that platform certificate or "
                                     "public key to [payments.wechat] platform_keys")
        if abs(self.clock() - int(timestamp)) > MAX_SKEW_S:
            raise p.ProviderNoAnswer("WeChat Pay answer's timestamp is more than 5 minutes off: "
                                     "check the till's clock")
        message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + answer.body + b"\n"
        if not verify(key, message, signature):
            raise p.ProviderNoAnswer(f"WeChat Pay answer's signature does not verify with the "
                                     f"platform key {serial[:64]}")

    @staticmethod
    def _trade(data: dict[str, Any]) -> p.TradeStatus:
        state = _TRADE_STATES.get(str(data.get("trade_state")), p.UNKNOWN)
        amount = data.get("amount") if isinstance(data.get("amount"), dict) else {}
        total = amount.get("total") if isinstance(amount, dict) else None
        transaction_id = data.get("transaction_id")
        return p.TradeStatus(state, str(transaction_id) if transaction_id else None,
                             total if isinstance(total, int) else None,
                             str(data.get("trade_state", "")),
                             str(data.get("trade_state_desc", "")))

    @staticmethod
    def _refund(status: int, data: dict[str, Any]) -> p.RefundStatus:
        if status == 200:
            state = _REFUND_STATES.get(str(data.get("status")), p.REFUND_PROCESSING)
            refund_id = data.get("refund_id")
            return p.RefundStatus(state, str(refund_id) if refund_id else None,
                                  str(data.get("status", "")))
        code = str(data.get("code", status))
        if status == 404 or code == "RESOURCE_NOT_EXISTS":
            return p.RefundStatus(p.NOT_FOUND, code=code)
        if status in (400, 403) and code not in ("SYSTEM_ERROR", "FREQUENCY_LIMITED"):
            return p.RefundStatus(p.REFUND_FAILED, code=code, message=str(data.get("message", "")))
        return p.RefundStatus(p.REFUND_PROCESSING, code=code, message=str(data.get("message", "")))
