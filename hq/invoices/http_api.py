"""The invoice request page's endpoint at HQ, on the standard library's HTTP server.

The receipt's QR is `{e_receipt_url}{store}/{terminal}/{sale_id}`; the e-receipt page it opens
posts the customer's form here:

    POST /invoices/{store}/{terminal}/{sale_id}   JSON {"title", "tax_id", "email", "phone"}
         → 201 {"order_no", "state"} | 400/404/409 {"error", "message"}
    GET  /invoices/{store}/{terminal}/{sale_id}   → 200 {"invoices": [...]} | 404

Rule: the endpoint only takes requests (one row in hq_invoice); issuing is the worker's job
(`pos invoice run`), so a slow or absent invoice platform never makes the customer's page wait.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hq.invoices.book import InvoiceBook
from hq.invoices.buyer import InvoiceRequestError, parse_buyer
from hq.invoices.service import describe, find_sale, request_invoice

MAX_BODY = 16 * 1024
STATUS = {"unknown_sale": 404, "already_requested": 409}


class InvoiceServer:
    def __init__(self, book: InvoiceBook, host: str = "127.0.0.1", port: int = 0) -> None:
        self.book = book
        self.lock = threading.Lock()      # one database connection, one request at a time
        server = self

        class Handler(_Handler):
            api = server

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def serve_in_background(self) -> None:
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def post(self, ref: str, form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            buyer = parse_buyer(*(str(form.get(k) or "") for k in ("title", "tax_id", "email",
                                                                   "phone")))
            with self.lock:
                row = request_invoice(self.book, ref, buyer)
        except InvoiceRequestError as exc:
            return STATUS.get(exc.code, 400), {"error": exc.code, "message": str(exc)}
        return 201, {"order_no": row.order_no, "state": row.state}

    def get(self, ref: str) -> tuple[int, dict[str, Any]]:
        try:
            with self.lock:
                _, sale_id = find_sale(self.book, ref)
                rows = self.book.invoices_of(sale_id)
        except InvoiceRequestError as exc:
            return STATUS.get(exc.code, 400), {"error": exc.code, "message": str(exc)}
        return 200, {"invoices": [{"order_no": r.order_no, "kind": r.kind, "state": r.state,
                                   "invoice_no": r.invoice_no, "shown": describe(r)}
                                  for r in rows]}


class _Handler(BaseHTTPRequestHandler):
    api: InvoiceServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _ref(self) -> str | None:
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) != 4 or parts[0] != "invoices" or not all(parts[1:]):
            return None
        return "/".join(parts[1:])

    def do_GET(self) -> None:
        ref = self._ref()
        self._answer(*(self.api.get(ref) if ref else _not_found()))

    def do_POST(self) -> None:
        ref = self._ref()
        if ref is None:
            self._answer(*_not_found())
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._answer(413, {"error": "too_large", "message": "the form is too large"})
            return
        try:
            form = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(form, dict):
                raise ValueError
        except ValueError:
            self._answer(400, {"error": "bad_request", "message": "send the form as a JSON object"})
            return
        self._answer(*self.api.post(ref, form))

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _not_found() -> tuple[int, dict[str, Any]]:
    return 404, {"error": "not_found", "message": "use /invoices/{store}/{terminal}/{sale_id}"}
