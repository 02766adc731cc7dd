"""Handing over an online order at the till (核销): the cashier presses Pickup (Ctrl+K), types the
customer's 6-digit code or scans their QR (`PU:<order id>`), sees the order, and hands it over.
A paid-online order is handed over at once; a pay-at-pickup order's picked lines go into a sale,
paid with any tender, and the handover is recorded when that sale completes, naming it
(edge/orders/orders.py HAND_OVER_ONCE). The desk holds no rules: edge/orders decides."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from edge.ledger.money import MoneyError, format_quantity
from edge.ops_error import OpsError
from edge.orders import orders
from edge.till.session import TillError
from ui.widgets.error_messages import error_text


class PickupDesk(QObject):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.collecting: str | None = None     # a pay-at-pickup order whose sale is open
        window.sale_completed.connect(self.sale_completed)

    def start(self, scanned: str | None = None) -> None:
        """The Pickup key (asks for the code), or the customer's QR scanned on the sale screen."""
        w = self.window
        till = w.till
        if till.staff is None:
            return
        if till.sale is not None:
            w.sale_screen.say(self.tr("Finish or suspend the sale first"), error=True)
            return
        code = scanned or w.prompt.text(self.tr("Pickup"),
                                        self.tr("Pickup code (6 digits), or scan the customer's QR"))
        if not code:
            return
        try:
            till.refuse_in_training("an online order")
            found = orders.find_order(till.conn, code)
        except (OpsError, TillError) as exc:
            w.sale_screen.say(self._refusal(exc), error=True)
            return
        if not w.prompt.confirm(self.tr("Pickup"), self.describe(found)):
            return
        if found.state != "picked":
            w.sale_screen.say(self.tr("Order %1 is not picked yet").replace(
                "%1", found.order.pickup_code), error=True)
            return
        if found.order.paid_online:
            self._hand_over(found, None)
            return
        self._ring_up(found)

    def describe(self, found: orders.OrderAtStore) -> str:
        o = found.order
        lines = []
        for ln in o.lines:
            sku, qty, amount = found.picked.get(ln.line, (ln.sku, 0, 0))
            name = ln.name if sku == ln.sku else f"{ln.name} → {sku}"
            lines.append(f"{name}  {format_quantity(qty)} / {format_quantity(ln.qty_milli)}"
                         f"  {self.window.money.minor(amount)}")
        pay = self.tr("Paid online") if o.paid_online else self.tr("To pay now: %1").replace(
            "%1", self.window.money.minor(found.amount_due))
        return "\n".join([self.tr("Order %1").replace("%1", o.pickup_code), *lines, pay,
                          self.tr("Hand it over?")])

    def _ring_up(self, found: orders.OrderAtStore) -> None:
        """The picked lines into a new sale; the cashier takes payment as for any sale."""
        till = self.window.till
        picked = [(sku, qty) for sku, qty, _ in found.picked.values() if qty]
        try:
            till.collect_order(found.order.order_id, picked)
        except (TillError, MoneyError) as exc:
            self.window.error(exc)
            return
        self.collecting = found.order.order_id
        self.window.refresh()
        self.window.sale_screen.say(self.tr("Order %1: take payment (Pay, F12)").replace(
            "%1", found.order.pickup_code))

    def sale_completed(self, sale: Any) -> None:
        if self.collecting is None:
            return
        order_id, self.collecting = self.collecting, None
        found = orders.find_order(self.window.till.conn, order_id)
        self._hand_over(found, sale.id)

    def _hand_over(self, found: orders.OrderAtStore, sale_id: str | None) -> None:
        w = self.window
        assert w.till.staff is not None
        try:
            orders.hand_over(w.till.conn, w.till.staff.id, found.order.order_id, sale_id)
        except OpsError as exc:
            w.sale_screen.say(self._refusal(exc), error=True)
            w.tender_view.say(self._refusal(exc), error=True)
            return
        done = self.tr("Order %1 handed over").replace("%1", found.order.pickup_code)
        w.sale_screen.say(done)
        w.tender_view.say(done)

    def _refusal(self, exc: OpsError | TillError) -> str:
        messages = {"not_found": self.tr("No open order with this code"),
                    "already_handed_over": self.tr("This order was handed over already"),
                    "order_closed": self.tr("This order is closed (expired or cancelled)"),
                    "not_picked": self.tr("This order is not picked yet")}
        return messages.get(exc.code, error_text(exc))
