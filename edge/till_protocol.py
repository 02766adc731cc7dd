"""The headless till's JSON-lines protocol (docs/headless.md): one request object per line, exactly
one answer line per request, in order. Pure: text in, text out; the stdin loop lives in the CLI.

Rule: a request that fails gets `{"ok": false, "error": {"code", "message"}}` and changes nothing;
no input, however malformed, ends the session.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO, Any

from edge.money import MoneyError, format_amount, format_quantity, parse_amount
from edge.receipt import build_receipt, render_text
from edge.sale import Sale
from edge.till import Till, TillError

MAX_LINE_BYTES = 64 * 1024

Handler = Callable[[Till, dict[str, Any]], dict[str, Any]]


class ProtocolError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def error_answer(code: str, message: str) -> str:
    return json.dumps({"ok": False, "error": {"code": code, "message": message}},
                      ensure_ascii=False)


class TillProtocol:
    def __init__(self, till: Till) -> None:
        self.till = till
        self.ops: dict[str, Handler] = dict(_OPS)
        from edge.store_ops_protocol import register_store_ops  # it imports this module

        register_store_ops(self)

    def register(self, op: str, handler: Handler) -> None:
        """Other parts (store operations) add their ops here."""
        self.ops[op] = handler

    def handle_line(self, line: str) -> str:
        try:
            request = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            return error_answer("bad_json", f"not a JSON object: {exc}"[:300])
        if not isinstance(request, dict):
            return error_answer("bad_request", "each line must be a JSON object with an 'op'")
        op = request.get("op")
        handler = self.ops.get(op) if isinstance(op, str) else None
        if handler is None:
            return error_answer("unknown_op", f"unknown op {str(op)[:40]!r}; "
                                              f"known: {', '.join(sorted(self.ops))}")
        try:
            extra = handler(self.till, request)
        except (TillError, ProtocolError, MoneyError) as exc:
            return error_answer(exc.code, str(exc))
        except Exception as exc:  # a bug must cost one answer, never the session
            return error_answer("internal_error", f"{type(exc).__name__}: {exc}"[:300])
        answer = {"ok": True, "sale": sale_view(self.till.current, self.till)}
        answer.update(extra)
        return json.dumps(answer, ensure_ascii=False)


def sale_view(sale: Sale | None, till: Till) -> dict[str, Any] | None:
    if sale is None:
        return None
    digits = till.config.minor_digits
    locale = till.config.locale

    def amount(value: int) -> str:
        return format_amount(value, digits)

    return {
        "id": sale.id,
        "status": sale.status,
        "receipt_no": sale.receipt_no,
        "lines": [{"line": ln.line_no, "sku": ln.sku, "name": ln.name(locale), "qty":
                   format_quantity(ln.qty_milli), "unit": ln.unit,
                   "unit_price": amount(ln.unit_price), "discount": amount(ln.discount),
                   "total": amount(ln.total), "age_restricted": ln.age_restricted,
                   "promotions": [{"id": d.promotion_id, "amount": amount(d.amount),
                                   "reason": d.reason} for d in ln.discounts]}
                  for ln in sale.lines],
        "subtotal": amount(sale.subtotal),
        "discount": amount(sale.discount),
        "tax": amount(sale.tax),
        "total": amount(sale.total),
        "rounding": amount(sale.rounding),
        "paid": amount(sale.paid),
        "change": amount(sale.change),
        "due": amount(max(sale.remaining, 0)),
        "tenders": [{"type": t.type, "amount": amount(t.amount)} for t in sale.tenders],
        "member": sale.member_id,
    }


def field(request: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = request.get(name)
    if value is None:
        raise ProtocolError("bad_request", f"missing field {name!r}")
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ProtocolError("bad_request", f"field {name!r} has the wrong type")
    return value


def amount_field(request: dict[str, Any], name: str, till: Till) -> int:
    return parse_amount(request.get(name), till.config.minor_digits)


def _login(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    staff = till.login(r.get("staff"), r.get("pin"))
    return {"staff": {"id": staff.id, "name": staff.name, "role": staff.role}}


def _receipt(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    sale = till.last_sale
    if sale is None:
        raise ProtocolError("not_found", "no finished sale to print")
    width = r.get("width", 32)
    if width not in (32, 48):
        raise ProtocolError("bad_request", "width must be 32 or 48")
    return {"receipt": render_text(build_receipt(sale, till.config, _staff_name(till)), width)}


def _tender(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    sale = till.tender(field(r, "type", str), amount_field(r, "amount", till),
                       r.get("reference", r.get("card")),
                       r.get("approval_code"), r.get("masked_pan"))
    if sale.status == "completed":
        return {"receipt": render_text(build_receipt(sale, till.config, _staff_name(till)), 32)}
    return {}


def _logout(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    till.logout()
    return {}


def _no_sale(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    till.no_sale(r.get("reason"), r.get("override"))
    return {"drawer": "open"}


def _staff_name(till: Till) -> str:
    return till.staff.name if till.staff else ""


_OPS: dict[str, Handler] = {
    "login": _login,
    "logout": _logout,
    "state": lambda t, r: {"staff": t.staff.id if t.staff else None},
    "scan": lambda t, r: (t.scan(field(r, "data", str), r.get("weight")), {})[1],
    "add": lambda t, r: (t.add(r.get("sku"), r.get("plu"), r.get("qty", "1")), {})[1],
    "set_qty": lambda t, r: (t.set_qty(field(r, "line", int), field(r, "qty", (str, int)),
                                       r.get("override")), {})[1],
    "void_line": lambda t, r: (t.void_line(field(r, "line", int), r.get("override")), {})[1],
    "override_price": lambda t, r: (t.override_price(field(r, "line", int),
                                                     amount_field(r, "price", t), r.get("reason"),
                                                     r.get("override")), {})[1],
    "confirm_age": lambda t, r: (t.confirm_age(), {})[1],
    "tender": _tender,
    "cancel": lambda t, r: (t.cancel(r.get("override")), {})[1],
    "suspend": lambda t, r: {"suspended_id": t.suspend().id},
    "resume": lambda t, r: (t.resume(field(r, "id", str)), {})[1],
    "suspended": lambda t, r: {"suspended": t.suspended()},
    "no_sale": _no_sale,
    "receipt": _receipt,
}


def serve(till: Till, stdin: IO[bytes], stdout: IO[str]) -> None:
    """Answer requests from `stdin` until it ends. Blank lines are ignored; a line longer than
    MAX_LINE_BYTES is read to its end and answered with `line_too_long`."""
    protocol = TillProtocol(till)
    while True:
        raw = stdin.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while (rest := stdin.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
            answer = error_answer("line_too_long", f"a request line is limited to "
                                                   f"{MAX_LINE_BYTES} bytes")
        else:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                answer = error_answer("bad_json", "the line is not valid UTF-8")
            else:
                if not text.strip():
                    continue
                answer = protocol.handle_line(text)
        stdout.write(answer + "\n")
        stdout.flush()
