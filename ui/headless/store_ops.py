"""The store-operations ops of the headless JSON-lines protocol (docs/headless.md, "Store
operations"): members, coupons, returns, post-void, shifts and cash, X/Z reports, stored value,
stock. Each handler checks its input, calls the edge module that owns the fact, and maps OpsError
to the protocol's error answer; a refused op changes nothing.
"""

from __future__ import annotations

from typing import Any

from edge.catalog import products as catalog
from edge.catalog.barcodes import BarcodeError, interpret
from edge.customers import members, stored_value
from edge.ledger.money import format_amount, format_quantity, parse_quantity
from edge.ops_config import store_ops_config
from edge.ops_error import OpsError
from edge.staff import StaffMember
from edge.store_ops import reports, returns, shifts, stock
from edge.till.return_refunds import refund_to_payments
from edge.till.session import Till, TillError
from ui.headless.requests import Handler, ProtocolError, amount_field, field


def _mapped(handler: Handler) -> Handler:
    def run(till: Till, request: dict[str, Any]) -> dict[str, Any]:
        if handler not in _READ_ONLY:
            till.refuse_in_training("a store operation")
        try:
            return handler(till, request)
        except OpsError as exc:
            raise ProtocolError(exc.code, exc.message) from None
    return run


def _staff(till: Till) -> StaffMember:
    if till.staff is None:
        raise TillError("not_logged_in", "log in first")
    return till.staff


def _money(till: Till, value: int) -> str:
    return format_amount(value, till.config.minor_digits)


def _qty(value: object, zero_ok: bool = False) -> int:
    if zero_ok and value in ("0", 0):
        return 0
    return parse_quantity(value)


def _product_sku(till: Till, r: dict[str, Any]) -> str:
    """An item named by `sku`, or by a scanned `data` barcode."""
    if isinstance(r.get("sku"), str):
        return str(r["sku"])
    data = field(r, "data", str)
    try:
        scan = interpret(data, till.config)
    except BarcodeError as exc:
        raise ProtocolError(exc.code, str(exc)) from None
    product = (catalog.by_gtin(till.conn, scan.key) if scan.kind == "gtin"
               else catalog.by_plu(till.conn, scan.key))
    if product is None:
        raise ProtocolError("unknown_product", f"no product for barcode {data[:40]}")
    return product.sku


# --- members and coupons ----------------------------------------------------------------------

def _member_identify(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    _staff(till)
    member = members.identify(till.conn, field(r, "token", str))
    till.set_member(member.id, member.tier)
    return {"member": member.view()}


def _member_enquiry(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    _staff(till)
    return {"member": members.identify(till.conn, field(r, "token", str)).view()}


def _coupon(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    sale = till.add_coupon(field(r, "code", str))
    # An HQ member coupon is a tender: it may have paid the sale.
    return {"coupons": list(sale.coupons), "sale_id": sale.id, "status": sale.status,
            "remaining": _money(till, sale.remaining)}


# --- returns ------------------------------------------------------------------------------------

def _return_view(till: Till, record: returns.ReturnRecord) -> dict[str, Any]:
    # a payment-code share goes back to the customer's original payment now; pending: the
    # provider could not confirm it yet and the sync agent asks again (not the cashier)
    payment_refunds = [{"out_refund_no": f.out_refund_no, "out_trade_no": f.out_trade_no,
                        "amount": _money(till, f.amount), "state": f.state}
                       for f in refund_to_payments(till, record)]
    return {"return": {
        "id": record.id, "kind": record.kind, "original_sale_id": record.original_sale_id,
        "total": _money(till, record.total), "tax": _money(till, record.tax),
        "rounding": _money(till, record.rounding), "event_seq": record.event_seq,
        "lines": [{"line": ln.sale_line_no, "sku": ln.sku, "qty": format_quantity(ln.qty_milli),
                   "amount": _money(till, ln.amount)} for ln in record.lines],
        "refund": [{"type": t.type, "amount": _money(till, t.amount)} for t in record.tenders],
        "payment_refunds": payment_refunds,
        "points_refunded": record.points_refunded, "points_reversed": record.points_reversed}}


def _return_lookup(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    _staff(till)
    sale_id = returns.sale_id_from_receipt(r.get("receipt"))
    return {"sale_id": sale_id, "returnable": [
        {"line": x["line"], "sku": x["sku"], "name": x["name"],
         "sold": format_quantity(int(x["qty_milli"])), "left": format_quantity(int(x["left_milli"]))}
        for x in returns.returnable(till.conn, sale_id)]}


def _return(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    staff = _staff(till)
    raw = field(r, "lines", list)
    items = []
    for item in raw:
        if not isinstance(item, dict):
            raise ProtocolError("bad_request", "each line is {line, qty}")
        items.append((field(item, "line", int), _qty(item.get("qty", "1"))))
    record = returns.return_sale_items(till.conn, till.config, staff.id, r.get("receipt"), items,
                                       str(r.get("reason") or ""))
    return _return_view(till, record)


def _blind_return(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    staff = _staff(till)
    items = []
    for item in field(r, "lines", list):
        if not isinstance(item, dict):
            raise ProtocolError("bad_request", "each line is {sku or data, qty}")
        items.append((_product_sku(till, item), _qty(item.get("qty", "1"))))
    reason = field(r, "reason", str)
    approver = till.authorize("blind_return", r.get("override"))
    record = returns.blind_return(till.conn, till.config, staff.id, approver.id, items, reason)
    return _return_view(till, record)


def _post_void(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    staff = _staff(till)
    sale = till.last_sale
    if sale is None or sale.status != "completed":
        raise ProtocolError("not_found", "post-void applies to the sale just completed on this till")
    if "sale_id" in r and r["sale_id"] != sale.id:
        raise ProtocolError("not_last_sale", "only the sale just completed can be post-voided")
    approver = till.authorize("post_void", r.get("override"))
    record = returns.return_sale_items(till.conn, till.config, staff.id, sale.id, [],
                                       str(r.get("reason") or "post-void"), approver.id,
                                       kind="post_void")
    return _return_view(till, record)


# --- shifts, cash, reports ----------------------------------------------------------------------

def _shift_open(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    shift = shifts.open_shift(till.conn, till.config, _staff(till).id, amount_field(r, "float", till))
    return {"shift": {"id": shift.id, "float": _money(till, shift.float)}}


def _cash_move(kind: str) -> Handler:
    def run(till: Till, r: dict[str, Any]) -> dict[str, Any]:
        seq = shifts.cash_move(till.conn, till.config, _staff(till).id, kind,
                               amount_field(r, "amount", till), r.get("reason"))
        return {"event_seq": seq}
    return run


def _shift_close(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    closed = shifts.close_shift(till.conn, till.config, _staff(till).id, r.get("count"))
    return {"shift": {"id": closed.shift_id, "counted": _money(till, closed.counted),
                      "expected": _money(till, closed.expected),
                      "over_short": _money(till, closed.over_short)}}


def _report_x(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    _staff(till)
    return {"report": reports.x_report(till.conn, till.config)}


def _supervisor(till: Till, r: dict[str, Any]) -> StaffMember:
    """Z reports and count approvals need a supervisor, the level that may post-void."""
    return till.authorize("post_void", r.get("override"))


def _report_z(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    staff = _supervisor(till, r)
    return {"report": reports.z_report(till.conn, till.config, staff.id)}


# --- stored value -------------------------------------------------------------------------------

def _card_view(till: Till, card: stored_value.CardBalance) -> dict[str, Any]:
    return {"card": {"card_no": card.card_no, "balance": _money(till, card.balance),
                     "offline_unconfirmed": _money(till, card.unconfirmed_offline),
                     "locked_by": card.locked_by}}


def _sv_topup(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    card = stored_value.topup(till.conn, _staff(till).id, till.config.terminal_id,
                              field(r, "card", str), amount_field(r, "amount", till),
                              r.get("tender", "cash"))
    return _card_view(till, card)


def _sv_balance(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    _staff(till)
    return _card_view(till, stored_value.balance(till.conn, field(r, "card", str)))


# --- stock --------------------------------------------------------------------------------------

def _variance_view(till: Till, lines: list[stock.VarianceLine]) -> dict[str, Any]:
    return {"variance": [{"sku": ln.sku, "name": ln.name, "expected": format_signed(ln.expected),
                          "counted": None if ln.counted is None else format_quantity(ln.counted)
                          if ln.counted else "0",
                          "variance": format_signed(ln.variance), "value": _money(till, ln.value)}
                         for ln in lines]}


def format_signed(qty_milli: int) -> str:
    if qty_milli == 0:
        return "0"
    return ("-" if qty_milli < 0 else "") + format_quantity(abs(qty_milli))


def _count_start(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    category = r.get("category")
    if category is not None and not isinstance(category, str):
        raise ProtocolError("bad_request", "category must be a string")
    return {"count": stock.start_count(till.conn, _staff(till).id, category)}


def _count_item(recount: bool) -> Handler:
    def run(till: Till, r: dict[str, Any]) -> dict[str, Any]:
        staff = _staff(till)
        sku = _product_sku(till, r)
        counted = stock.count_item(till.conn, r.get("count"), sku,
                                   _qty(r.get("qty", "1"), zero_ok=recount), staff.id, recount)
        return {"sku": sku, "counted": format_quantity(counted) if counted else "0"}
    return run


def _count_variance(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    _staff(till)
    return _variance_view(till, stock.variance(till.conn, r.get("count")))


def _count_approve(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    approver = _supervisor(till, r)
    return _variance_view(till, stock.approve_count(till.conn, r.get("count"), approver.id,
                                                    approver.role, r.get("uncounted", "leave")))


def _stock_receive(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    staff = _staff(till)
    items = []
    for item in field(r, "items", list):
        if not isinstance(item, dict):
            raise ProtocolError("bad_request", "each item is {sku or data, qty}")
        items.append((_product_sku(till, item), _qty(item.get("qty"))))
    seq = stock.move(till.conn, staff.id, "receipt", items, str(r.get("reference") or ""))
    return {"event_seq": seq}


def _stock_alerts(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    _staff(till)
    return {"negative": [{"sku": sku, "on_hand": format_signed(q)}
                         for sku, q in stock.negative_stock(till.conn)],
            "reorder": [{"sku": s.sku, "on_hand": format_signed(s.on_hand),
                         "order": format_quantity(s.order_qty) if s.order_qty else "0"}
                        for s in stock.suggestions(till.conn, store_ops_config(till.config))]}


_OPS: dict[str, Handler] = {
    "member_identify": _member_identify,
    "member_enquiry": _member_enquiry,
    "coupon": _coupon,
    "return_lookup": _return_lookup,
    "return": _return,
    "blind_return": _blind_return,
    "post_void": _post_void,
    "shift_open": _shift_open,
    "cash_in": _cash_move("cash_in"),
    "cash_out": _cash_move("cash_out"),
    "pickup": _cash_move("pickup"),
    "shift_close": _shift_close,
    "report_x": _report_x,
    "report_z": _report_z,
    "stored_value_topup": _sv_topup,
    "stored_value_balance": _sv_balance,
    "stock_count_start": _count_start,
    "stock_count": _count_item(False),
    "stock_recount": _count_item(True),
    "stock_variance": _count_variance,
    "stock_approve": _count_approve,
    "stock_receive": _stock_receive,
    "stock_alerts": _stock_alerts,
}

STORE_OPS: dict[str, Handler] = {op: _mapped(handler) for op, handler in _OPS.items()}

# Store ops that record nothing, so a trainee may use them.
_READ_ONLY = {_member_identify, _member_enquiry, _coupon, _return_lookup, _report_x, _sv_balance,
              _count_variance, _stock_alerts}
