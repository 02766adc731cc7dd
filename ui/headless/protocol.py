"""The headless till's JSON-lines protocol (docs/headless.md): one request object per line, exactly
one answer line per request, in order. Pure: text in, text out; the stdin loop lives in the CLI.

Rule: a request that fails gets `{"ok": false, "error": {"code", "message"}}` and changes nothing;
no input, however malformed, ends the session.
"""

from __future__ import annotations

import json
from typing import IO, Any

from edge.ledger.money import MoneyError, format_amount, format_quantity
from edge.sale.basket import Sale
from edge.sale.receipt import receipt_mark, render_text
from edge.till.reasons import KINDS as REASON_KINDS
from edge.till.reasons import reasons
from edge.till.receipts import sale_receipt
from edge.till.session import Till, TillError
from edge.till.view import sale_view
from ui.headless.orders import ORDER_OPS
from ui.headless.payments import PAYMENT_OPS
from ui.headless.requests import (
    Handler,
    ProtocolError,
    amount_field,
    check_request,
    encode_answer,
    error_answer,
    field,
    optional_field,
)
from ui.headless.store_ops import STORE_OPS

MAX_LINE_BYTES = 64 * 1024


class TillProtocol:
    def __init__(self, till: Till) -> None:
        self.till = till
        self.ops: dict[str, Handler] = {**_OPS, **STORE_OPS, **PAYMENT_OPS, **ORDER_OPS}

    def handle_line(self, line: str) -> str:
        try:
            request = json.loads(line)
        except (ValueError, RecursionError) as exc:  # ValueError: also a 5,000-digit integer
            return error_answer("bad_json", f"not a JSON object: {exc}"[:300])
        if not isinstance(request, dict):
            return error_answer("bad_request", "each line must be a JSON object with an 'op'")
        try:
            check_request(request)
        except ProtocolError as exc:
            return error_answer(exc.code, str(exc))
        op = request.get("op")
        handler = self.ops.get(op) if isinstance(op, str) else None
        if handler is None:
            return error_answer("unknown_op", f"unknown op {str(op)[:40]!r}; "
                                              f"known: {', '.join(sorted(self.ops))}")
        try:
            extra = handler(self.till, request)
        except (TillError, ProtocolError, MoneyError) as exc:
            self.till.settle_approvals(False)
            return error_answer(exc.code, str(exc))
        except Exception as exc:  # a bug must cost one answer, never the session
            self.till.settle_approvals(False)
            return error_answer("internal_error", f"{type(exc).__name__}: {exc}"[:300])
        self.till.settle_approvals(True)
        answer = {"ok": True, "sale": sale_view(self.till.current, self.till)}
        answer.update(extra)
        notices = self.till.take_notices()
        if notices:     # online orders hold stock this sale takes (edge/orders/reservations.py)
            answer["warnings"] = [{"code": "reserved_stock", "sku": n.sku,
                                   "reserved": format_quantity(n.reserved),
                                   "available": format_quantity(max(n.available, 0))}
                                  for n in notices]
        return encode_answer(answer)


def _login(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    staff = till.login(r.get("staff"), r.get("pin"), r.get("training", False))
    return {"staff": {"id": staff.id, "name": staff.name, "role": staff.role},
            "training": till.training}


def _receipt(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    width = _width(r)
    sale = till.last_sale
    if sale is None:
        raise ProtocolError("not_found", "no finished sale to print")
    return _receipt_answer(till, sale, width)


def _width(r: dict[str, Any]) -> int:
    width: int = optional_field(r, "width", int, 32)
    if width not in (32, 48):
        raise ProtocolError("bad_request", "width must be 32 or 48")
    return width


def _tender(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    sale = till.tender(field(r, "type", str), amount_field(r, "amount", till),
                       r.get("reference", r.get("card")),
                       r.get("approval_code"), r.get("masked_pan"))
    if sale.status == "completed":
        return _receipt_answer(till, sale, 32)
    return {}


def _receipt_answer(till: Till, sale: Sale, width: int, reprint: bool = False) -> dict[str, Any]:
    """The printed text and the e-receipt QR's payload (what `return_lookup` also accepts)."""
    receipt = sale_receipt(till.conn, sale, till.config, _staff_name(till))
    text = render_text(receipt, width)
    kind = "training" if till.training else "reprint" if reprint else None
    mark = receipt_mark(kind, receipt.language) if kind else None
    if mark:
        text = f"{mark}\n{text}{mark}\n"
    return {"receipt": text, "receipt_qr": receipt.qr_payload}


def _reprint(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    """The copy is rendered before the reprint is journaled: a copy that cannot be made must
    leave no `receipt.reprinted` behind."""
    width = _width(r)
    sale = till.last_sale
    if sale is None or sale.receipt_no is None or till.staff is None:
        return _receipt_answer(till, till.reprint_last(), width, reprint=True)  # its refusal
    answer = _receipt_answer(till, sale, width, reprint=True)
    till.reprint_last()
    return answer


def _logout(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    till.logout()
    return {}


def _no_sale(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    till.no_sale(r.get("reason"), r.get("override"))
    return {"drawer": "open"}


def _open_price(till: Till, r: dict[str, Any]) -> int | None:
    """The typed price of an open-price item, when given."""
    return amount_field(r, "price", till) if "price" in r else None


def _discount(till: Till, r: dict[str, Any]) -> tuple[str, int]:
    """`percent` (a whole number) or `amount` (a decimal string), exactly one."""
    if ("percent" in r) == ("amount" in r):
        raise ProtocolError("bad_request", "give exactly one of percent or amount")
    if "percent" in r:
        return "percent", field(r, "percent", int)
    return "amount", amount_field(r, "amount", till)


def _discount_line(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    kind, value = _discount(till, r)
    till.discount_line(field(r, "line", int), kind, value, r.get("reason", ""), r.get("override"))
    return {}


def _discount_order(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    kind, value = _discount(till, r)
    till.discount_order(kind, value, r.get("reason", ""), r.get("override"))
    return {}


def _price_check(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    """What a code costs, its promotions and stock; adds nothing (amounts as decimal strings)."""
    found = till.price_check(field(r, "data", str))
    digits = till.config.minor_digits
    return {"product": {
        **{k: found[k] for k in ("sku", "name_zh", "name_en", "unit", "active")},
        "price": format_amount(found["price"], digits),
        "promotions": [{"id": p["id"], "reason": p["reason"], "qty": format_quantity(p["qty_milli"]),
                        "saving": format_amount(p["amount"], digits)} for p in found["promotions"]],
        "on_hand": _signed_quantity(found["on_hand_milli"])}}


def _signed_quantity(milli: int) -> str:
    return format_quantity(milli) if milli >= 0 else "-" + format_quantity(-milli)


def _reasons(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    """The store's reason list for a kind (void, no_sale, discount, price_override, return)."""
    kind = field(r, "kind", str)
    if kind not in REASON_KINDS:
        raise ProtocolError("bad_request", f"kind must be one of {', '.join(REASON_KINDS)}")
    locale = r.get("locale", till.config.locale)
    if not isinstance(locale, str) or len(locale) > 16:
        raise ProtocolError("bad_request", "locale must be a locale name such as zh_CN or en")
    return {"reasons": reasons(till.config, kind, locale)}


def _staff_name(till: Till) -> str:
    return till.staff.name if till.staff else ""


_OPS: dict[str, Handler] = {
    "login": _login,
    "logout": _logout,
    "state": lambda t, r: {"staff": t.staff.id if t.staff else None,
                           "storage": t.storage_state()},
    "add": lambda t, r: (t.add(r.get("sku"), r.get("plu"), r.get("qty", "1"), _open_price(t, r),
                               r.get("override"), r.get("tare")), {})[1],
    "price_check": _price_check,
    "subtotal": lambda t, r: (t.subtotal(), {})[1],
    "reasons": _reasons,
    "set_qty": lambda t, r: (t.set_qty(field(r, "line", int), field(r, "qty", (str, int)),
                                       r.get("override")), {})[1],
    "void_line": lambda t, r: (t.void_line(field(r, "line", int), r.get("override"),
                                           r.get("reason")), {})[1],
    "override_price": lambda t, r: (t.override_price(field(r, "line", int),
                                                     amount_field(r, "price", t), r.get("reason"),
                                                     r.get("override")), {})[1],
    "discount_line": _discount_line,
    "discount_order": _discount_order,
    "confirm_age": lambda t, r: (t.confirm_age(), {})[1],
    "tender": _tender,
    "cancel": lambda t, r: (t.cancel(r.get("override")), {})[1],
    "suspend": lambda t, r: {"suspended_id": t.suspend().id},
    "resume": lambda t, r: (t.resume(field(r, "id", str)), {})[1],
    "suspended": lambda t, r: {"suspended": [
        {**row, "total": format_amount(row["total"], t.config.minor_digits)}
        for row in t.suspended()]},
    "no_sale": _no_sale,
    "receipt": _receipt,
    "reprint": _reprint,
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
                if not text.strip(" \t\r\n"):  # str.strip() would also take U+001C-U+001F
                    continue
                answer = protocol.handle_line(text)
        stdout.write(answer + "\n")
        stdout.flush()
