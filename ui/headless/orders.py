"""The online-order ops of the headless JSON-lines protocol (docs/headless.md, "Online orders"):
the pick list, picking by scan, and the handover at the till (核销) by pickup code. Each calls
edge/orders/ and maps OpsError to the protocol's error answer; a refused op changes nothing."""

from __future__ import annotations

from typing import Any

from edge.ledger.money import format_amount, format_quantity, parse_quantity
from edge.ops_error import OpsError
from edge.orders import orders, picking
from edge.till.session import Till, TillError
from ui.headless.requests import Handler, ProtocolError, field


def _mapped(handler: Handler) -> Handler:
    def run(till: Till, request: dict[str, Any]) -> dict[str, Any]:
        if till.staff is None:
            raise TillError("not_logged_in", "log in first")
        if handler is not _orders and handler is not _order:
            till.refuse_in_training("an online order")
        try:
            return handler(till, request)
        except OpsError as exc:
            raise ProtocolError(exc.code, exc.message) from None
    return run


def _shown(till: Till, found: orders.OrderAtStore) -> dict[str, Any]:
    d = orders.describe(found)
    money = till.config.minor_digits
    d["amount_due"] = format_amount(d["amount_due"], money)
    for line in d["lines"]:
        for key in ("ordered", "reserved", "picked"):
            line[key] = format_quantity(line[key])
    return d


def _orders(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    return {"orders": [_shown(till, o) for o in orders.open_orders(till.conn)]}


def _order(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    return {"order": _shown(till, orders.find_order(till.conn, field(r, "code", str)))}


def _pick(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    line = field(r, "line", int)
    picking.pick_line(till.conn, field(r, "order", str), line, field(r, "data", str),
                      parse_quantity(r.get("qty", "1")) if r.get("qty") not in ("0", 0) else 0)
    return {"order": _shown(till, orders.find_order(till.conn, field(r, "order", str)))}


def _pick_done(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    assert till.staff is not None
    seq = picking.finish_picking(till.conn, till.staff.id, field(r, "order", str))
    return {"event_seq": seq,
            "order": _shown(till, orders.find_order(till.conn, field(r, "order", str)))}


def _collect(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    """A pay-at-pickup order's picked lines into a new sale that names the order (its own
    reservation is the sale's); pay it with any tender, then `order_handover`."""
    found = orders.find_order(till.conn, field(r, "code", str))
    if found.state != "picked":
        raise OpsError("not_picked", f"order {found.order.order_id} is not picked yet")
    if found.order.paid_online:
        raise OpsError("paid_online", f"order {found.order.order_id} is paid: hand it over")
    till.collect_order(found.order.order_id,
                       [(sku, qty) for sku, qty, _ in found.picked.values() if qty])
    return {"order": _shown(till, found)}


def _handover(till: Till, r: dict[str, Any]) -> dict[str, Any]:
    """By the customer's code; a pay-at-pickup order names the till sale that took its money
    (`sale_id`, default: the sale just completed on this till)."""
    assert till.staff is not None
    code = field(r, "code", str)
    found = orders.find_order(till.conn, code)
    sale_id = r.get("sale_id")
    if not found.order.paid_online and sale_id is None and till.last_sale is not None:
        sale_id = till.last_sale.id
    if sale_id is not None and not isinstance(sale_id, str):
        raise ProtocolError("bad_request", "sale_id must be a string")
    seq = orders.hand_over(till.conn, till.staff.id, code, sale_id)
    return {"event_seq": seq, "order": _shown(till, orders.find_order(till.conn,
                                                                      found.order.order_id))}


ORDER_OPS: dict[str, Handler] = {op: _mapped(h) for op, h in {
    "orders": _orders,
    "order": _order,
    "order_pick": _pick,
    "order_pick_done": _pick_done,
    "order_collect": _collect,
    "order_handover": _handover,
}.items()}
