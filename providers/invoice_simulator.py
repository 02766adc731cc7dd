"""The Nuonuo invoice platform on loopback HTTP: `requestBillingNew` and `queryInvoiceResult`,
signed requests checked, issuing asynchronously, and the checks the platform makes on a request's
lines, so a wrong sum is refused here as it would be there.

Behaviour, from the platform's public docs and SDKs (docs/invoices.md): a request is accepted
with an `invoiceSerialNum` and issued later (status 20 开票中 for `pending_polls` queries, then
2 开票完成 with a 20-digit 数电 number, or 22 开票失败 with `failCause`); an `orderNo` is taken
once, a repeat is refused (E9106 here) and issues nothing; detail lines must have
taxIncludedAmount = taxExcludedAmount + tax, price × num within 0.01 of the amount, tax within
0.06 of the rate; a discount line (invoiceLineProperty 1) comes right after the line it
discounts (2), same name and code, negative, no larger than it; a red invoice (invoiceType 2)
has only normal lines, all negative, against an issued blue number, never more than it.

Test controls: `fail_next` (the next request fails with that cause), `down` (HTTP 503 to all),
`drop_next_submit` (record the request, close the connection without an answer).
"""

from __future__ import annotations

import argparse
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from providers.invoice_nuonuo import BILLING, QUERY, sign

GOODS_CODE_DIGITS = 19
MAX_DETAIL = 2000


@dataclass
class SimInvoice:
    order_no: str
    serial: str
    kind: str                 # "1" blue, "2" red
    amount: Decimal           # VAT-inclusive yuan
    body: dict[str, Any]
    polls: int = 0
    status: str = "20"        # 20 开票中 → 2 开票完成 | 22 开票失败
    number: str = ""
    fail_cause: str = ""
    original: str = ""        # red: the blue number
    pending_polls: int = 1


@dataclass
class InvoiceSimulator:
    app_key: str = "SIMAPPKEY"
    app_secret: str = "SIMAPPSECRET"
    access_token: str = "SIMTOKEN"
    pending_polls: int = 1            # queries answered 开票中 before the invoice is issued
    fail_next: str = ""
    down: bool = False
    drop_next_submit: bool = False
    invoices: dict[str, SimInvoice] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)   # (method, orderNo)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _numbers: Any = field(default_factory=lambda: itertools.count(1))
    _server: ThreadingHTTPServer | None = None

    # ---- running ------------------------------------------------------------------------------

    def start(self, port: int = 0) -> int:
        sim = self

        class Handler(_Handler):
            simulator = sim

        self._server = _Server(("127.0.0.1", port), Handler)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return int(self._server.server_address[1])

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/open/v1/services"

    def issued(self) -> list[SimInvoice]:
        with self._lock:
            return [i for i in self.invoices.values() if i.status == "2"]

    # ---- the platform -------------------------------------------------------------------------

    def handle(self, query: dict[str, str], headers: dict[str, str],
               body: bytes) -> tuple[int, dict[str, Any] | None]:
        """→ (HTTP status, JSON answer or None to drop the connection)."""
        if self.down:
            return 503, {"code": "E9999", "describe": "系统繁忙"}
        content = body.decode("utf-8")
        expected = sign(self.app_secret, query.get("appkey", ""), query.get("senid", ""),
                        query.get("nonce", ""), content, query.get("timestamp", ""))
        if query.get("appkey") != self.app_key or headers.get("x-nuonuo-sign") != expected:
            return 200, {"code": "E1005", "describe": "签名校验失败"}
        if headers.get("accesstoken") != self.access_token:
            return 200, {"code": "E1006", "describe": "accessToken无效"}
        data = json.loads(content)
        method = headers.get("method", "")
        with self._lock:
            if method == BILLING:
                return self._bill(data.get("order") or {})
            if method == QUERY:
                return 200, self._query(data)
        return 200, {"code": "E1001", "describe": f"未知方法 {method}"}

    def _bill(self, order: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        order_no = str(order.get("orderNo", ""))
        self.requests.append(("billing", order_no))
        if not order_no or len(order_no) > 64:
            return 200, _error("E9101", "orderNo 必填且不超过64位")
        if order_no in self.invoices:
            return 200, _error("E9106", "订单编号重复")
        problem = self._check(order)
        if problem:
            return 200, _error("E9102", problem)
        kind = str(order.get("invoiceType"))
        amount = sum((Decimal(d["taxIncludedAmount"]) for d in order["invoiceDetail"]),
                     Decimal(0))
        invoice = SimInvoice(order_no, f"SIM{int(time.time() * 1000)}{next(self._numbers):06d}",
                             kind, amount, order, original=str(order.get("invoiceNum", "")),
                             pending_polls=self.pending_polls)
        if self.fail_next:
            invoice.fail_cause, self.fail_next = self.fail_next, ""
        self.invoices[order_no] = invoice
        answer = {"code": "E0000", "describe": "开票提交成功",
                  "result": {"invoiceSerialNum": invoice.serial}}
        if self.drop_next_submit:
            self.drop_next_submit = False
            return 200, None
        return 200, answer

    def _check(self, order: dict[str, Any]) -> str:
        if not str(order.get("buyerName", "")).strip():
            return "buyerName 必填"
        tax_num = str(order.get("buyerTaxNum", ""))
        if tax_num and len(tax_num) != 18:
            return "buyerTaxNum 长度不正确"
        details = order.get("invoiceDetail") or []
        if not details or len(details) > MAX_DETAIL:
            return f"invoiceDetail 1 至 {MAX_DETAIL} 行"
        red = str(order.get("invoiceType")) == "2"
        try:
            for i, d in enumerate(details):
                problem = self._check_line(i, d, details, red)
                if problem:
                    return problem
            if red:
                blue = next((b for b in self.invoices.values()
                             if b.number == order.get("invoiceNum") and b.kind == "1"), None)
                if blue is None or blue.status != "2":
                    return f"原蓝票 {order.get('invoiceNum')} 不存在或未开具"
                reds = sum((r.amount for r in self.invoices.values()
                            if r.kind == "2" and r.original == blue.number), Decimal(0))
                this = sum((Decimal(d["taxIncludedAmount"]) for d in details), Decimal(0))
                if -(reds + this) > blue.amount:
                    return "红冲金额超过原蓝票可冲红金额"
        except (KeyError, InvalidOperation, TypeError) as exc:
            return f"明细格式错误: {exc}"
        return ""

    @staticmethod
    def _check_line(i: int, d: dict[str, Any], details: list[dict[str, Any]], red: bool) -> str:
        where = f"第{i + 1}行"
        code = str(d.get("goodsCode", ""))
        if len(code) != GOODS_CODE_DIGITS or not code.isdigit():
            return f"{where} goodsCode 须为19位税收分类编码"
        if d.get("withTaxFlag") != "1":
            return f"{where} 本模拟仅受理含税单价 withTaxFlag=1"
        incl, excl, tax = (Decimal(d["taxIncludedAmount"]), Decimal(d["taxExcludedAmount"]),
                           Decimal(d["tax"]))
        rate = Decimal(d["taxRate"])
        if incl != excl + tax:
            return f"{where} 含税金额 ≠ 不含税金额 + 税额"
        if abs(excl * rate - tax) > Decimal("0.06"):
            return f"{where} 税额误差超过0.06"
        prop = d.get("invoiceLineProperty", "0")
        if "num" in d or "price" in d:
            if abs(Decimal(d["num"]) * Decimal(d["price"]) - incl) > Decimal("0.01"):
                return f"{where} 单价×数量 ≠ 含税金额"
        elif prop != "1":
            return f"{where} 缺少数量和单价"
        if red:
            if prop != "0" or incl >= 0:
                return f"{where} 红票只能有负数正常行"
            return ""
        if prop in ("0", "2") and incl < 0:
            return f"{where} 蓝票金额为负"
        if prop == "2":
            after = details[i + 1] if i + 1 < len(details) else None
            if after is None or after.get("invoiceLineProperty") != "1":
                return f"{where} 被折扣行后必须紧跟折扣行"
        if prop == "1":
            before = details[i - 1] if i > 0 else None
            if before is None or before.get("invoiceLineProperty") != "2":
                return f"{where} 折扣行必须紧邻被折扣行"
            if (before.get("goodsName"), before.get("goodsCode")) != (d.get("goodsName"), code):
                return f"{where} 折扣行商品名称须与被折扣行一致"
            if incl > 0 or -incl > Decimal(before["taxIncludedAmount"]):
                return f"{where} 折扣金额须为负且不超过被折扣行"
        return ""

    def _query(self, data: dict[str, Any]) -> dict[str, Any]:
        found = []
        for order_no in data.get("orderNos") or []:
            invoice = self.invoices.get(str(order_no))
            if invoice is None:
                continue
            self.requests.append(("query", invoice.order_no))
            invoice.polls += 1
            if invoice.status == "20" and invoice.polls > invoice.pending_polls:
                if invoice.fail_cause:
                    invoice.status = "22"
                else:
                    invoice.status = "2"
                    invoice.number = f"{26}{next(self._numbers):018d}"   # 20 digits
            found.append({"orderNo": invoice.order_no, "serialNo": invoice.serial,
                          "status": invoice.status,
                          "statusMsg": {"2": "开票完成", "20": "开票中", "22": "开票失败"}
                          [invoice.status],
                          "failCause": invoice.fail_cause if invoice.status == "22" else "",
                          "invoiceCode": "", "invoiceNo": invoice.number,
                          "allElectronicInvoiceNumber": invoice.number})
        return {"code": "E0000", "describe": "查询成功", "result": found}


def _error(code: str, text: str) -> dict[str, Any]:
    return {"code": code, "describe": text, "result": None}


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class _Handler(BaseHTTPRequestHandler):
    simulator: InvoiceSimulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        answer: dict[str, Any] | None
        if parts.path != "/open/v1/services":
            status, answer = 404, _error("E1000", "not found")
        else:
            status, answer = self.simulator.handle(query, headers, body)
        if answer is None:
            self.close_connection = True
            self.connection.close()
            return
        payload = json.dumps(answer, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Nuonuo invoice platform simulator")
    parser.add_argument("--port", type=int, default=8790, help="loopback port")
    parser.add_argument("--pending-polls", type=int, default=1,
                        help="queries answered 开票中 before an invoice is issued")
    args = parser.parse_args(argv)
    sim = InvoiceSimulator(pending_polls=args.pending_polls)
    sim.start(args.port)
    print(f"invoice simulator at {sim.url} (app key {sim.app_key})", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
