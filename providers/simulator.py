"""A payment provider on loopback HTTP that speaks both WeChat Pay v3 (codepay, query, reverse,
domestic refunds) and the Alipay gateway (trade.pay bar_code, query, cancel, refund, refund
query), with their signatures both ways, and can be told how the next payments behave.

Quirks kept from the providers' docs (docs/payments.md cites the pages): a payment code pays once
per out_trade_no, a reversed or closed order refuses a later pay with the same out_trade_no;
WeChat's USERPAYING is `202 {"trade_state": "USERPAYING"}` (or, with `userpaying_form = "code"`,
the error-shaped `{"code": "USERPAYING"}`); a pay request can fail before the provider records
anything (UNRECORDED_ERROR), after which WeChat answers query and reverse `404 ORDER_NOT_EXIST` and
Alipay's cancel succeeds without an `action` (only a trade that exists gets one); answers are
signed with the key named in `Wechatpay-Serial` (a platform certificate serial or a
`PUB_KEY_ID_…`) and, when `alipay_cert_sn` is set, name Alipay's certificate; reversing while
the customer is still paying can be refused (WeChat USERPAYING, Alipay retry_flag=Y); a reversal
of a paid order returns the money (Alipay action=refund; WeChat's query then shows REVOKED with
the transaction_id); WeChat closes an unpaid code payment 45 s after creation; a refund is accepted
first and confirmed by its query. The daily trade bills (WeChat `GET /v3/bill/tradebill` then the
signed download of `download_url`, checked by its SHA1; Alipay
`alipay.data.dataservice.bill.downloadurl.query` then a plain GET of `bill_download_url`) are
the ones a test put in `bills`, or else written from the ledger (fee 0.6 %).

Its ledger (`charged`) says what each customer was actually charged, net of reversals and refunds:
the tests compare it with the till's database.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import secrets
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa

from providers.alipay import fen, sign_content, yuan
from providers.bill_files import BillRow, alipay_trade_bill, wechat_trade_bill
from providers.signing import load_private_key, load_public_key, sign, verify

# What the next payment does:
SUCCESS = "success"              # charged at once
USERPAYING = "userpaying"        # the customer confirms on the phone after `paying_s` (then pays)
ABANDON = "abandon"              # USERPAYING for `paying_s`, then the customer gives up (unpaid)
SYSTEMERROR = "systemerror"      # charged, but pay answers a system error
TIMEOUT = "timeout"              # charged, and the answer is held past the client's timeout
DROP = "drop"                    # charged, and the connection is closed without an answer
REFUSE_REVERSAL = "refuse_reversal"  # USERPAYING for `paying_s`; reversal refused meanwhile
LATE_SUCCESS = "late_success"    # USERPAYING until the till reverses: it went through just before
DECLINE = "decline"              # refused for good (not enough balance): not charged
UNRECORDED_ERROR = "unrecorded_error"  # a system error before the provider recorded anything
MODES = (SUCCESS, USERPAYING, ABANDON, SYSTEMERROR, TIMEOUT, DROP, REFUSE_REVERSAL, LATE_SUCCESS,
         DECLINE, UNRECORDED_ERROR)
WECHAT_AUTO_CLOSE_S = 45
# the id WeChat Pay gives a platform public key (a certificate's serial is hex instead)
SIMULATOR_KEY_ID = "PUB_KEY_ID_0119000001092026120600000000"


@dataclass(frozen=True)
class Behaviour:
    mode: str = SUCCESS
    paying_s: float = 0.0
    hang_s: float = 1.0
    hold_s: float = 0.0     # a slow provider: the pay answer (whatever it says) comes this late


@dataclass
class Order:
    provider: str
    out_trade_no: str
    amount: int
    created: float
    behaviour: Behaviour
    state: str = "USERPAYING"         # USERPAYING | SUCCESS | CLOSED | REVOKED
    charged: bool = False
    transaction_id: str | None = None
    refunds: dict[str, int] = field(default_factory=dict)
    refund_seen: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SimulatorKeys:
    merchant_public: rsa.RSAPublicKey     # checks the till's requests
    platform_private: rsa.RSAPrivateKey   # signs the answers (WeChat platform key, Alipay's key)
    platform_serial: str = SIMULATOR_KEY_ID  # what Wechatpay-Serial names it


class ProviderSimulator:
    def __init__(self, keys: SimulatorKeys, clock: Callable[[], float] = time.time,
                 mchid: str = "1900000109", appid: str = "wxd930ea5d5a258f4f",
                 alipay_app_id: str = "2021000000000001") -> None:
        self.keys = keys
        self.clock = clock
        self.mchid = mchid
        self.appid = appid
        self.alipay_app_id = alipay_app_id
        self.orders: dict[tuple[str, str], Order] = {}
        self.requests: list[tuple[float, str, str, str]] = []   # (monotonic, provider, op, id)
        self.behaviour = Behaviour()
        self.choose: Callable[[str, str], Behaviour] | None = None  # (provider, auth_code) →
        self.refuse_requests = False      # answer 500 to everything (a provider outage)
        # (provider, "YYYY-MM-DD") → the bill file to serve; missing: written from the ledger
        self.bills: dict[tuple[str, str], bytes] = {}
        self.hang_s = 1.0
        self.hold_s = 0.0
        self.refund_hold_s = 0.0    # a slow provider: every refund answer comes this late
        self.userpaying_form = "trade_state"   # WeChat's pay answer while paying: or "code"
        self.alipay_cert_sn: str | None = None  # public-key-certificate mode: the cert it names
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- running -----------------------------------------------------------------------------

    def start(self, port: int = 0) -> int:
        sim = self

        class Handler(_Handler):
            simulator = sim

        self._server = _Server(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()
        return int(self._server.server_address[1])

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # --- the ledger --------------------------------------------------------------------------

    def charged(self) -> dict[str, int]:
        """out_trade_no → fen the customer is out of pocket now (charged, not reversed, minus
        confirmed refunds), for every order that ever charged someone."""
        with self._lock:
            now = self.clock()
            for order in self.orders.values():
                self._advance(order, now)
            return {o.out_trade_no: (o.amount if o.state == "SUCCESS" else 0)
                    - sum(o.refunds.values()) for o in self.orders.values() if o.charged}

    def ledger(self) -> list[dict[str, Any]]:
        """Every order the simulator has seen, for a test in another process (`GET /_sim/ledger`)."""
        with self._lock:
            now = self.clock()
            for order in self.orders.values():
                self._advance(order, now)
            return [{"provider": o.provider, "out_trade_no": o.out_trade_no, "amount": o.amount,
                     "state": o.state, "charged": o.charged, "mode": o.behaviour.mode,
                     "refunded": sum(o.refunds.values())} for o in self.orders.values()]

    def order(self, provider: str, out_trade_no: str) -> Order | None:
        with self._lock:
            order = self.orders.get((provider, out_trade_no))
            if order is not None:
                self._advance(order, self.clock())
            return order

    # --- the trade rules, shared by both dialects --------------------------------------------

    def _advance(self, order: Order, now: float) -> None:
        if order.state != "USERPAYING":
            return
        b = order.behaviour
        if b.mode in (USERPAYING, ABANDON, REFUSE_REVERSAL) and now >= order.created + b.paying_s:
            if b.mode == USERPAYING:
                self._charge(order)
            else:
                order.state = "CLOSED"
        if order.state == "USERPAYING" and order.provider == "wechat" \
                and now >= order.created + WECHAT_AUTO_CLOSE_S and b.mode != LATE_SUCCESS:
            order.state = "CLOSED"

    def _charge(self, order: Order) -> None:
        order.state = "SUCCESS"
        order.charged = True
        order.transaction_id = f"42000{int(self.clock()):010d}{next(self._ids):08d}"

    def _pay(self, provider: str, out_trade_no: str, amount: int, auth_code: str) -> tuple[str, Order]:
        """→ (what to answer: success | userpaying | systemerror | hang | drop | decline |
        exists_closed, order)."""
        now = self.clock()
        existing = self.orders.get((provider, out_trade_no))
        if existing is not None:
            self._advance(existing, now)
            if existing.state in ("CLOSED", "REVOKED"):
                return "exists_closed", existing
            return ("success" if existing.state == "SUCCESS" else "userpaying"), existing
        behaviour = self.choose(provider, auth_code) if self.choose else self.behaviour
        self.hang_s = behaviour.hang_s
        self.hold_s = behaviour.hold_s
        order = Order(provider, out_trade_no, amount, now, behaviour)
        mode = behaviour.mode
        if mode == UNRECORDED_ERROR:     # failed before anything was written: no order at all
            return "systemerror", order
        self.orders[(provider, out_trade_no)] = order
        if mode == DECLINE:
            order.state = "CLOSED"
            return "decline", order
        if mode in (SUCCESS, SYSTEMERROR, TIMEOUT, DROP):
            self._charge(order)
            return {SUCCESS: "success", SYSTEMERROR: "systemerror", TIMEOUT: "hang",
                    DROP: "drop"}[mode], order
        return "userpaying", order

    def _reverse(self, provider: str, out_trade_no: str) -> tuple[str, Order | None]:
        """→ (done | retry | missing, order). WeChat has nothing to reverse for an order it never
        created (404); Alipay's cancel rolls back whatever was begun, so it leaves a tombstone
        that refuses a late pay request with that out_trade_no."""
        now = self.clock()
        order = self.orders.get((provider, out_trade_no))
        if order is None:
            if provider == "wechat":
                return "missing", None
            order = Order(provider, out_trade_no, 0, now, Behaviour(), state="REVOKED")
            self.orders[(provider, out_trade_no)] = order
            return "missing", order
        self._advance(order, now)
        if order.state == "USERPAYING":
            if order.behaviour.mode == REFUSE_REVERSAL:
                return "retry", order
            if order.behaviour.mode == LATE_SUCCESS:
                self._charge(order)
        order.state = "REVOKED"
        return "done", order

    def _refund_how(self) -> str:
        """A refund answer is held `refund_hold_s` (the refund itself is already accepted)."""
        return "refund_hold" if self.refund_hold_s > 0 else "answer"

    def _refund(self, provider: str, out_trade_no: str, out_refund_no: str,
                amount: int) -> str:
        """→ accepted | again | too_much | no_trade."""
        order = self.orders.get((provider, out_trade_no))
        if order is None or order.state != "SUCCESS":
            return "no_trade"
        if out_refund_no in order.refunds:
            return "again"
        if amount <= 0 or amount > order.amount - sum(order.refunds.values()):
            return "too_much"
        order.refunds[out_refund_no] = amount
        order.refund_seen[out_refund_no] = self.clock()
        return "accepted"

    def bill(self, provider: str, day: str) -> bytes | None:
        """The trade bill of a Beijing day: the one given in `bills`, or one written from the
        ledger (charged payments and their refunds of that day); None when there was nothing."""
        if (provider, day) in self.bills:
            return self.bills[(provider, day)]
        try:
            wanted = date.fromisoformat(day)
        except ValueError:
            return None
        rows = []
        for o in self.orders.values():
            if o.provider != provider or not o.charged:
                continue
            fee = (Decimal(o.amount) * Decimal("0.00006")).quantize(Decimal("0.00001"))
            if _beijing(o.created).date() == wanted:
                rows.append(BillRow("payment", o.out_trade_no, o.amount, fee,
                                    f"{_beijing(o.created):%Y-%m-%d %H:%M:%S}",
                                    transaction_id=o.transaction_id or ""))
            for orn, amount in o.refunds.items():
                at = _beijing(o.refund_seen.get(orn, o.created))
                if at.date() == wanted:
                    rows.append(BillRow("refund", o.out_trade_no, amount, Decimal("0"),
                                        f"{at:%Y-%m-%d %H:%M:%S}", orn, o.transaction_id or ""))
        if not rows:
            return None
        return wechat_trade_bill(rows) if provider == "wechat" else alipay_trade_bill(rows, wanted)

    def _find_refund(self, provider: str, out_refund_no: str) -> tuple[Order, int] | None:
        for order in self.orders.values():
            if order.provider == provider and out_refund_no in order.refunds:
                return order, order.refunds[out_refund_no]
        return None

    # --- WeChat Pay v3 -----------------------------------------------------------------------

    def wechat(self, method: str, target: str, headers: dict[str, str],
               body: bytes) -> tuple[int, dict[str, Any] | None, str]:
        """→ (status, JSON body or None, how: answer | hang | drop)."""
        if not self.wechat_signed(method, target, headers, body):
            return 401, {"code": "SIGN_ERROR", "message": "signature check failed"}, "answer"
        path = urlsplit(target).path
        data: dict[str, Any] = json.loads(body) if body else {}
        with self._lock:
            if self.refuse_requests:
                return 500, {"code": "SYSTEM_ERROR", "message": "system busy"}, "answer"
            if method == "POST" and path == "/v3/pay/transactions/codepay":
                otn = str(data.get("out_trade_no"))
                self.requests.append((time.monotonic(), "wechat", "pay", otn))
                what, order = self._pay("wechat", otn, int(data["amount"]["total"]),
                                        str(data["payer"]["auth_code"]))
                status, answer, how = self._wechat_pay_answer(what, order)
                return status, answer, _held(how, order)
            prefix = "/v3/pay/transactions/out-trade-no/"
            if path.startswith(prefix) and path.endswith("/reverse") and method == "POST":
                otn = unquote(path[len(prefix):-len("/reverse")])
                self.requests.append((time.monotonic(), "wechat", "reverse", otn))
                what, _ = self._reverse("wechat", otn)
                if what == "retry":
                    return 403, {"code": "USERPAYING", "message": "用户支付中"}, "answer"
                if what == "missing":
                    return 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}, "answer"
                return 200, {"appid": self.appid, "mchid": self.mchid, "out_trade_no": otn}, \
                    "answer"
            if path.startswith(prefix) and method == "GET":
                otn = unquote(path[len(prefix):])
                self.requests.append((time.monotonic(), "wechat", "query", otn))
                found = self.orders.get(("wechat", otn))
                if found is None or (found.state == "REVOKED" and found.amount == 0):
                    return 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}, "answer"
                self._advance(found, self.clock())
                return 200, self._wechat_trade(found), "answer"
            if path == "/v3/refund/domestic/refunds" and method == "POST":
                otn, orn = str(data.get("out_trade_no")), str(data.get("out_refund_no"))
                self.requests.append((time.monotonic(), "wechat", "refund", orn))
                what = self._refund("wechat", otn, orn, int(data["amount"]["refund"]))
                if what in ("accepted", "again"):
                    return 200, self._wechat_refund(orn, "PROCESSING"), self._refund_how()
                return 400, {"code": "INVALID_REQUEST", "message": what}, "answer"
            if path == "/v3/bill/tradebill" and method == "GET":
                day = parse_qs(urlsplit(target).query).get("bill_date", [""])[0]
                self.requests.append((time.monotonic(), "wechat", "tradebill", day))
                bill = self.bill("wechat", day)
                if bill is None:
                    return 400, {"code": "NO_STATEMENT_EXIST", "message": "账单文件不存在"}, \
                        "answer"
                return 200, {"hash_type": "SHA1", "hash_value": hashlib.sha1(bill).hexdigest(),
                             "download_url": f"{self.url}/v3/billdownload/file?token="
                                             f"wechat-{day}"}, "answer"
            refunds = "/v3/refund/domestic/refunds/"
            if path.startswith(refunds) and method == "GET":
                orn = unquote(path[len(refunds):])
                self.requests.append((time.monotonic(), "wechat", "refund_query", orn))
                if self._find_refund("wechat", orn) is None:
                    return 404, {"code": "RESOURCE_NOT_EXISTS", "message": "退款单不存在"}, \
                        "answer"
                return 200, self._wechat_refund(orn, "SUCCESS"), "answer"
        return 404, {"code": "NOT_FOUND", "message": "no such API"}, "answer"

    def _wechat_pay_answer(self, what: str, order: Order) -> tuple[int, dict[str, Any] | None, str]:
        if what == "success":
            return 200, self._wechat_trade(order), "answer"
        if what == "userpaying":
            if self.userpaying_form == "code":
                return 202, {"code": "USERPAYING", "message": "需要用户输入支付密码"}, "answer"
            return 202, {"trade_state": "USERPAYING"}, "answer"
        if what == "systemerror":
            return 500, {"code": "SYSTEM_ERROR", "message": "系统错误"}, "answer"
        if what == "decline":
            return 403, {"code": "NOT_ENOUGH", "message": "用户余额不足"}, "answer"
        if what == "exists_closed":
            return 403, {"code": "ORDER_REVERSED", "message": "订单已撤销"}, "answer"
        return 200, self._wechat_trade(order), what   # hang | drop, after charging

    def _wechat_trade(self, order: Order) -> dict[str, Any]:
        trade: dict[str, Any] = {"appid": self.appid, "mchid": self.mchid,
                                 "out_trade_no": order.out_trade_no, "trade_type": "MICROPAY",
                                 "trade_state": order.state,
                                 "trade_state_desc": order.state.lower(),
                                 "amount": {"total": order.amount, "currency": "CNY"}}
        if order.charged:
            trade["transaction_id"] = order.transaction_id
            trade["amount"]["payer_total"] = order.amount
        return trade

    def _wechat_refund(self, out_refund_no: str, status: str) -> dict[str, Any]:
        found = self._find_refund("wechat", out_refund_no)
        assert found is not None
        order, amount = found
        return {"refund_id": f"50000{abs(hash(out_refund_no)) % 10**12:012d}",
                "out_refund_no": out_refund_no, "transaction_id": order.transaction_id,
                "out_trade_no": order.out_trade_no, "status": status,
                "amount": {"refund": amount, "total": order.amount, "currency": "CNY"}}

    def wechat_signed(self, method: str, target: str, headers: dict[str, str],
                       body: bytes) -> bool:
        auth = headers.get("authorization", "")
        if not auth.startswith("WECHATPAY2-SHA256-RSA2048 "):
            return False
        fields = dict(part.split("=", 1) for part in auth.split(" ", 1)[1].split(",") if "=" in part)
        fields = {k.strip(): v.strip().strip('"') for k, v in fields.items()}
        if fields.get("mchid") != self.mchid or not fields.get("timestamp", "").isdigit():
            return False
        if abs(self.clock() - int(fields["timestamp"])) > 300:
            return False
        message = (f"{method}\n{target}\n{fields['timestamp']}\n{fields.get('nonce_str', '')}\n"
                   .encode() + body + b"\n")
        return verify(self.keys.merchant_public, message, fields.get("signature", ""))

    def wechat_headers(self, body: bytes) -> dict[str, str]:
        timestamp = str(int(self.clock()))
        nonce = secrets.token_hex(16)
        message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"
        return {"Wechatpay-Timestamp": timestamp, "Wechatpay-Nonce": nonce,
                "Wechatpay-Serial": self.keys.platform_serial, "Wechatpay-Signature":
                    sign(self.keys.platform_private, message)}

    # --- Alipay ------------------------------------------------------------------------------

    def alipay(self, body: bytes) -> tuple[str, dict[str, Any], str]:
        """→ (method, response node, how)."""
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
        method = form.get("method", "")
        if form.get("app_id") != self.alipay_app_id or form.get("sign_type") != "RSA2" \
                or not verify(self.keys.merchant_public, sign_content(form).encode(),
                              form.get("sign", "")):
            return method, {"code": "40002", "msg": "Invalid Arguments",
                            "sub_code": "isv.invalid-signature", "sub_msg": "验签出错"}, "answer"
        biz = json.loads(form.get("biz_content", "{}"))
        otn = str(biz.get("out_trade_no", ""))
        with self._lock:
            if self.refuse_requests:
                return method, _ali_error("20000", "ACQ.SYSTEM_ERROR", "系统繁忙"), "answer"
            if method == "alipay.trade.pay":
                self.requests.append((time.monotonic(), "alipay", "pay", otn))
                amount = fen(biz.get("total_amount"))
                if biz.get("scene") != "bar_code" or amount is None:
                    return method, _ali_error("40004", "ACQ.INVALID_PARAMETER", "参数无效"), "answer"
                what, order = self._pay("alipay", otn, amount, str(biz.get("auth_code")))
                return method, self._alipay_pay_answer(what, order), \
                    _held(what if what in ("hang", "drop") else "answer", order)
            if method == "alipay.trade.query":
                self.requests.append((time.monotonic(), "alipay", "query", otn))
                found = self.orders.get(("alipay", otn))
                if found is None or (found.state == "REVOKED" and found.amount == 0):
                    return method, _ali_error("40004", "ACQ.TRADE_NOT_EXIST", "交易不存在"), "answer"
                self._advance(found, self.clock())
                status = {"USERPAYING": "WAIT_BUYER_PAY", "SUCCESS": "TRADE_SUCCESS",
                          "CLOSED": "TRADE_CLOSED", "REVOKED": "TRADE_CLOSED"}[found.state]
                return method, self._alipay_trade(found, status), "answer"
            if method == "alipay.trade.cancel":
                self.requests.append((time.monotonic(), "alipay", "cancel", otn))
                was_charged = bool((o := self.orders.get(("alipay", otn))) and o.charged)
                what, cancelled = self._reverse("alipay", otn)
                if what == "retry":
                    return method, {**_ali_error("40004", "ACQ.SYSTEM_ERROR", "用户支付中"),
                                    "retry_flag": "Y", "out_trade_no": otn}, "answer"
                if what == "missing":      # `action` only when the trade exists
                    return method, {"code": "10000", "msg": "Success", "out_trade_no": otn,
                                    "retry_flag": "N"}, "answer"
                assert cancelled is not None
                action = "refund" if cancelled.charged or was_charged else "close"
                return method, {"code": "10000", "msg": "Success", "out_trade_no": otn,
                                "retry_flag": "N", "action": action}, "answer"
            if method == "alipay.trade.refund":
                orn = str(biz.get("out_request_no", otn))
                self.requests.append((time.monotonic(), "alipay", "refund", orn))
                amount = fen(biz.get("refund_amount")) or 0
                what = self._refund("alipay", otn, orn, amount)
                if what in ("accepted", "again"):
                    return method, {"code": "10000", "msg": "Success", "out_trade_no": otn,
                                    "refund_fee": yuan(amount), "fund_change":
                                        "Y" if what == "accepted" else "N"}, self._refund_how()
                return method, _ali_error("40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
                                          if what == "too_much" else "ACQ.TRADE_NOT_EXIST",
                                          what), "answer"
            if method == "alipay.data.dataservice.bill.downloadurl.query":
                day = str(biz.get("bill_date", ""))
                self.requests.append((time.monotonic(), "alipay", "bill", day))
                if biz.get("bill_type") != "trade" or self.bill("alipay", day) is None:
                    return method, _ali_error("40004", "isp.bill_not_exist", "账单不存在"), \
                        "answer"
                return method, {"code": "10000", "msg": "Success", "bill_download_url":
                                f"{self.url}/_bills/alipay/{day}.csv.zip"}, "answer"
            if method == "alipay.trade.fastpay.refund.query":
                orn = str(biz.get("out_request_no", ""))
                self.requests.append((time.monotonic(), "alipay", "refund_query", orn))
                found_refund = self._find_refund("alipay", orn)
                if found_refund is None:
                    return method, {"code": "10000", "msg": "Success", "out_trade_no": otn}, \
                        "answer"
                return method, {"code": "10000", "msg": "Success", "out_trade_no": otn,
                                "out_request_no": orn, "refund_amount": yuan(found_refund[1]),
                                "refund_status": "REFUND_SUCCESS"}, "answer"
        return method, _ali_error("40004", "isv.invalid-method", "不存在的方法名"), "answer"

    def _alipay_pay_answer(self, what: str, order: Order) -> dict[str, Any]:
        if what == "success" or what in ("hang", "drop"):
            return self._alipay_trade(order, None, code="10000")
        if what == "userpaying":
            return self._alipay_trade(order, None, code="10003", msg="等待用户付款")
        if what == "systemerror":
            return _ali_error("20000", "ACQ.SYSTEM_ERROR", "系统错误")
        if what == "decline":
            return _ali_error("40004", "ACQ.BUYER_BALANCE_NOT_ENOUGH", "买家余额不足")
        return _ali_error("40004", "ACQ.TRADE_HAS_CLOSE", "交易已经关闭")

    def _alipay_trade(self, order: Order, status: str | None, code: str = "10000",
                      msg: str = "Success") -> dict[str, Any]:
        node: dict[str, Any] = {"code": code, "msg": msg, "out_trade_no": order.out_trade_no,
                                "total_amount": yuan(order.amount)}
        if status is not None:
            node["trade_status"] = status
        if order.charged:
            node["trade_no"] = order.transaction_id
            node["gmt_payment"] = (datetime.fromtimestamp(self.clock(), UTC)
                                   + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
        return node

    def alipay_answer(self, method: str, node: dict[str, Any]) -> bytes:
        """The answer as Alipay builds it: the node's exact text is what is signed."""
        text = json.dumps(node, ensure_ascii=False, separators=(",", ":"))
        signature = sign(self.keys.platform_private, text.encode())
        name = method.replace(".", "_") + "_response" if method else "error_response"
        cert = f',"alipay_cert_sn":"{self.alipay_cert_sn}"' if self.alipay_cert_sn else ""
        return f'{{"{name}":{text},"sign":"{signature}"{cert}}}'.encode()


def _beijing(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None) + timedelta(hours=8)


def _held(how: str, order: Order) -> str:
    """A pay answer of an order whose behaviour holds it is sent `hold_s` late."""
    return "hold" if how == "answer" and order.behaviour.hold_s > 0 else how


def _ali_error(code: str, sub_code: str, sub_msg: str) -> dict[str, Any]:
    return {"code": code, "msg": "Business Failed", "sub_code": sub_code, "sub_msg": sub_msg}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A till killed or timing out mid-request is what the tests do on purpose: not news.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    simulator: ProviderSimulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read the ledger
        return

    def date_time_string(self, timestamp: float | None = None) -> str:
        return formatdate(self.simulator.clock() if timestamp is None else timestamp, usegmt=True)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        sim = self.simulator
        extra: dict[str, str] = {}
        if self.path == "/_sim/ledger":      # the simulator's own control surface, unsigned
            payload = json.dumps(sim.ledger()).encode()
            status, how, extra, content_type = 200, "answer", {}, "application/json"
        elif self.path.startswith("/v3/billdownload/file") and method == "GET":
            # the file itself: signed request, unsigned answer (its SHA1 was in the signed one)
            headers = {k.lower(): v for k, v in self.headers.items()}
            token = parse_qs(urlsplit(self.path).query).get("token", [""])[0]
            bill = sim.bill("wechat", token.removeprefix("wechat-")) \
                if sim.wechat_signed(method, self.path, headers, body) else None
            status, how = (200 if bill else 404), "answer"
            payload, content_type = bill or b"", "application/octet-stream"
        elif self.path.startswith("/_bills/alipay/") and method == "GET":
            bill = sim.bill("alipay", self.path.removeprefix("/_bills/alipay/")
                            .removesuffix(".csv.zip"))
            status, how = (200 if bill else 404), "answer"
            payload, content_type = bill or b"", "application/zip"
        elif self.path.startswith("/v3/"):
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, data, how = sim.wechat(method, self.path, headers, body)
            payload = b"" if data is None else json.dumps(data, ensure_ascii=False).encode()
            extra = sim.wechat_headers(payload)
            content_type = "application/json"
        elif urlsplit(self.path).path == "/gateway.do" and method == "POST":
            name, node, how = sim.alipay(body)
            payload = sim.alipay_answer(name, node)
            status, extra, content_type = 200, {}, "application/json;charset=utf-8"
        else:
            status, payload, how, extra = 404, b"", "answer", {}
            content_type = "text/plain"
        if how == "drop":
            self.close_connection = True
            return
        if how == "hang":
            time.sleep(sim.hang_s)
        if how == "hold":
            time.sleep(sim.hold_s)
        if how == "refund_hold":
            time.sleep(sim.refund_hold_s)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)


def random_mix(seed: int, longest_s: float) -> Callable[[str, str], Behaviour]:
    """Every behaviour, picked at random per payment, waits up to `longest_s` real seconds."""
    rng = random.Random(seed)

    def choose(provider: str, auth_code: str) -> Behaviour:
        return Behaviour(rng.choice(MODES), paying_s=rng.uniform(0.0, longest_s),
                         hang_s=longest_s)

    return choose


def main(argv: list[str] | None = None) -> None:
    """`python -m providers.simulator --merchant-public-key PEM --platform-private-key PEM
    [--port N] [--mix SEED --longest-s S]`: serve until killed; prints `listening PORT`."""
    parser = argparse.ArgumentParser(prog="providers.simulator")
    parser.add_argument("--merchant-public-key", required=True)
    parser.add_argument("--platform-private-key", required=True)
    parser.add_argument("--platform-key-id", default=SIMULATOR_KEY_ID,
                        help="the Wechatpay-Serial its answers name")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mix", type=int, help="pick a random behaviour per payment (seed)")
    parser.add_argument("--longest-s", type=float, default=0.5)
    args = parser.parse_args(argv)
    sim = ProviderSimulator(SimulatorKeys(load_public_key(args.merchant_public_key),
                                          load_private_key(args.platform_private_key),
                                          args.platform_key_id))
    if args.mix is not None:
        sim.choose = random_mix(args.mix, args.longest_s)
    port = sim.start(args.port)
    print(f"listening {port}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        sim.stop()
        sys.exit(0)


if __name__ == "__main__":
    main()
