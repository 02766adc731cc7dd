"""The invoice request endpoint the e-receipt page posts to (moved here from http.server):

    POST /invoices/{store}/{terminal}/{sale_id}   JSON {"title", "tax_id", "email", "phone"}
         → 201 {"order_no", "state"} | 400/404/409/413/429 {"error", "message"}
    GET  /invoices/{store}/{terminal}/{sale_id}   → 200 {"invoices": [...]} | 404

Rule: the endpoint only takes requests (one row in hq_invoice); issuing is the worker's job
(`pos invoice run`), so a slow or absent invoice platform never makes the customer's page wait.
It needs no account: the receipt's QR is the customer's only key, so guesses are rate-limited
per client (hq/console/limits.py) and the body is capped at 16 KiB on the stream.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hq.invoices.book import InvoiceBook
from hq.invoices.buyer import InvoiceRequestError, parse_buyer
from hq.invoices.service import describe, find_sale, request_invoice

STATUS = {"unknown_sale": 404, "already_requested": 409}
PATH = "/invoices/{store}/{terminal}/{sale_id}"


class InvoiceEndpoint:
    def __init__(self, book: InvoiceBook) -> None:
        self.book = book
        self.lock = threading.Lock()      # one database connection, one request at a time

    def routes(self) -> list[Route]:
        return [Route(PATH, self.get, methods=["GET"]), Route(PATH, self.post, methods=["POST"])]

    async def post(self, request: Request) -> JSONResponse:
        try:
            form = json.loads(await request.body() or b"{}")
            if not isinstance(form, dict):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            return _error(400, "bad_request", "send the form as a JSON object")
        status, body = await run_in_threadpool(self._post, _ref(request), form)
        return JSONResponse(body, status)

    async def get(self, request: Request) -> JSONResponse:
        status, body = await run_in_threadpool(self._get, _ref(request))
        return JSONResponse(body, status)

    def _post(self, ref: str, form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            buyer = parse_buyer(*(str(form.get(k) or "") for k in ("title", "tax_id", "email",
                                                                   "phone")))
            with self.lock:
                row = request_invoice(self.book, ref, buyer)
        except InvoiceRequestError as exc:
            return STATUS.get(exc.code, 400), {"error": exc.code, "message": str(exc)}
        return 201, {"order_no": row.order_no, "state": row.state}

    def _get(self, ref: str) -> tuple[int, dict[str, Any]]:
        try:
            with self.lock:
                _, sale_id = find_sale(self.book, ref)
                rows = self.book.invoices_of(sale_id)
        except InvoiceRequestError as exc:
            return STATUS.get(exc.code, 400), {"error": exc.code, "message": str(exc)}
        return 200, {"invoices": [{"order_no": r.order_no, "kind": r.kind, "state": r.state,
                                   "invoice_no": r.invoice_no, "shown": describe(r)}
                                  for r in rows]}


def _ref(request: Request) -> str:
    p = request.path_params
    return f"{p['store']}/{p['terminal']}/{p['sale_id']}"


def _error(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status)
