"""Picking online orders in the manager app: the pick list by pickup slot, each item scanned
(edge/orders/picking.py refuses a wrong item, allows a substitute only with the customer's
consent), weighed goods from the scale, shortages, and a pick label printed when the order is
finished. The panel holds no rules: every step is one call into edge/orders."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from drivers.printer.document import Block, Cut, Feed, QrCode, Text
from edge.catalog.products import Product
from edge.ledger.money import MoneyError, format_quantity, parse_quantity
from edge.ops_error import OpsError
from edge.orders import orders, picking
from edge.staff import StaffMember
from ui.hardware.device_bridge import CallResult
from ui.hardware.devices import Devices
from ui.widgets.error_messages import error_text
from ui.widgets.scaling import scalable


def pick_label(found: orders.OrderAtStore, columns: int, due: str) -> list[Block]:
    """The label that goes on the picked bag: the pickup code large, the slot, what is in it
    (substitutes and shortages marked), and the QR the till scans at handover (PU:<order id>)."""
    o = found.order
    blocks: list[Block] = [Text(f"PICKUP {o.pickup_code}", bold=True, double=True),
                           Text(o.order_id), Text(f"slot {o.slot_end[:16].replace('T', ' ')}")]
    for ln in o.lines:
        sku, qty, _ = found.picked.get(ln.line, (ln.sku, 0, 0))
        mark = " SHORT" if qty == 0 else (f" SUB {sku}" if sku != ln.sku else "")
        blocks.append(Text(f"{ln.line:>2} {ln.name[:columns - 14]} {format_quantity(qty)}"
                           f"/{format_quantity(ln.qty_milli)}{mark}"[:columns]))
    blocks.append(Text("PAID ONLINE" if o.paid_online else f"PAY AT PICKUP {due}", bold=True))
    blocks.extend([QrCode(f"PU:{o.order_id}", size=5), Feed(2), Cut(partial=True)])
    return blocks


class PickingPanel(QWidget):
    def __init__(self, conn: sqlite3.Connection, devices: Devices,
                 staff: Callable[[], StaffMember | None], product_for: Callable[[str], Product | None],
                 money: Any, prompt: Callable[[], Any]) -> None:
        super().__init__()
        self.conn = conn
        self.devices = devices
        self.staff = staff
        self.product_for = product_for
        self.money = money
        self.prompt = prompt
        self.order_id: str | None = None
        self.open: list[orders.OrderAtStore] = []
        self.print_jobs: list[Any] = []
        self._weighing: CallResult | None = None

        layout = QVBoxLayout(self)
        self.orders_table = self._table([self.tr("Slot"), self.tr("Pickup code"),
                                         self.tr("State"), self.tr("Payment")])
        self.orders_table.itemSelectionChanged.connect(self._order_chosen)
        layout.addWidget(self.orders_table, 1)
        self.lines_table = self._table([self.tr("Line"), self.tr("Item"), self.tr("Ordered"),
                                        self.tr("Picked")])
        layout.addWidget(self.lines_table, 1)
        self.message = QLabel(self.tr("Choose an order, then scan each item"))
        scalable(self.message, "font-size: {px}px;", 16)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for name, text, slot in (("refresh", self.tr("Refresh orders"), self.refresh),
                                 ("short", self.tr("Short"), self.short),
                                 ("finish", self.tr("Finish and print"), self.finish)):
            b = QPushButton(text)
            b.setMinimumHeight(48)
            scalable(b, "font-size: {px}px;", 16, 48)
            b.clicked.connect(slot)
            row.addWidget(b)
            self.buttons[name] = b
        layout.addLayout(row)

    @staticmethod
    def _table(headers: list[str]) -> QTableWidget:
        t = QTableWidget(0, len(headers))
        t.setHorizontalHeaderLabels(headers)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.verticalHeader().hide()
        t.horizontalHeader().setStretchLastSection(True)
        return t

    # ---- the pick list ------------------------------------------------------------------------

    def refresh(self) -> None:
        """Orders still to pick, the earliest slot first (picked ones wait for the till)."""
        self.open = [o for o in orders.open_orders(self.conn) if o.state in ("reserved", "partial")]
        self.orders_table.clearSelection()
        self.orders_table.setRowCount(len(self.open))
        for row, found in enumerate(self.open):
            o = found.order
            pay = self.tr("Paid online") if o.paid_online else self.tr("Pay at pickup")
            for col, text in enumerate((o.slot_end[:16].replace("T", " "), o.pickup_code,
                                        found.state, pay)):
                self.orders_table.setItem(row, col, QTableWidgetItem(text))
        ids = [o.order.order_id for o in self.open]
        if self.order_id in ids:
            self.orders_table.selectRow(ids.index(self.order_id))
        else:
            self.order_id = None
            self._show_lines()

    def _order_chosen(self) -> None:
        rows = self.orders_table.selectionModel().selectedRows()
        if rows:
            self.order_id = self.open[rows[0].row()].order.order_id
            self._show_lines()

    def current(self) -> orders.OrderAtStore | None:
        return None if self.order_id is None else orders.find_order(self.conn, self.order_id)

    def _show_lines(self) -> None:
        found = self.current()
        lines = found.order.lines if found else []
        self.lines_table.setRowCount(len(lines))
        for row, ln in enumerate(lines):
            assert found is not None
            sku, qty, _ = found.picked.get(ln.line, (ln.sku, 0, 0))
            picked = format_quantity(qty) + ("" if sku == ln.sku else f" ({sku})")
            for col, text in enumerate((str(ln.line), f"{ln.sku} {ln.name}",
                                        format_quantity(ln.qty_milli), picked)):
                self.lines_table.setItem(row, col, QTableWidgetItem(text))
        if found is not None:
            sub = self.tr("substitutes allowed") if found.order.substitutions else \
                self.tr("no substitutes")
            self.message.setText(self.tr("Order %1 (%2): scan each item")
                                 .replace("%1", found.order.pickup_code).replace("%2", sub))

    # ---- picking ------------------------------------------------------------------------------

    def scanned(self, code: str) -> None:
        """A piece adds one to its line; a weighed item is picked at the scale's weight. The line
        is the one ordering this product, else the selected line (a substitute)."""
        found = self.current()
        if found is None:
            self.say(self.tr("Choose an order first"), error=True)
            return
        product = self.product_for(code)
        if product is None:
            self.say(self.tr("No product for %1").replace("%1", code[:40]), error=True)
            return
        line = self._line_for(found, product.sku)
        if product.unit == "kg":
            self.weigh(lambda grams: self._pick(line, product.sku, grams))
            return
        sku, qty, _ = found.picked.get(line, (product.sku, 0, 0))
        self._pick(line, product.sku, (qty if sku == product.sku else 0) + 1000)

    def _line_for(self, found: orders.OrderAtStore, sku: str) -> int:
        for ln in found.order.lines:
            done = found.picked.get(ln.line, (ln.sku, 0, 0))
            if ln.sku == sku and done[1] < ln.qty_milli:
                return ln.line
        same = [ln.line for ln in found.order.lines if ln.sku == sku]
        if same:
            return same[0]        # all of it picked already: "too many", not "wrong item"
        rows = self.lines_table.selectionModel().selectedRows()
        if rows:
            return found.order.lines[rows[0].row()].line
        unpicked = [ln.line for ln in found.order.lines if ln.line not in found.picked]
        return unpicked[0] if unpicked else found.order.lines[0].line

    def _pick(self, line: int, scanned: str, qty: int) -> None:
        assert self.order_id is not None
        try:
            sku, picked, _ = picking.pick_line(self.conn, self.order_id, line, scanned, qty)
        except OpsError as exc:
            self.say(self._refusal(exc), error=True)
            return
        self._show_lines()
        self.say(self.tr("Line %1: %2 picked").replace("%1", str(line))
                 .replace("%2", f"{sku} {format_quantity(picked)}"))

    def _refusal(self, exc: OpsError) -> str:
        if exc.code == "wrong_item":
            return self.tr("Wrong item: the customer allowed no substitutes")
        if exc.code == "invalid_quantity":
            return self.tr("Too many: %1").replace("%1", exc.message)
        return error_text(exc)

    def weigh(self, then: Callable[[int], None]) -> None:
        """The actual weight from the scale (on a worker thread), or typed when there is none."""
        if self.devices.scale is None:
            text = self.prompt().text(self.tr("Weight"), self.tr("Weight in kg (e.g. 0.532)"))
            try:
                if text:
                    then(parse_quantity(text))
            except MoneyError as exc:
                self.say(error_text(exc), error=True)
            return
        self.say(self.tr("Weighing…"))
        call = CallResult(self)
        call.done.connect(lambda event: then(event.grams))
        call.failed.connect(lambda exc: self.say(
            self.tr("Scale: %1").replace("%1", error_text(exc)), error=True))
        self._weighing = call
        scale = self.devices.scale
        call.run_in_thread(lambda: scale.read_stable_weight(timeout=3.0))

    def short(self) -> None:
        """The selected line is short: nothing of it on the shelf."""
        found = self.current()
        rows = self.lines_table.selectionModel().selectedRows()
        if found is None or not rows:
            self.say(self.tr("Choose the line that is short"), error=True)
            return
        ln = found.order.lines[rows[0].row()]
        self._pick(ln.line, ln.sku, 0)

    def finish(self) -> None:
        staff = self.staff()
        if self.order_id is None or staff is None:
            self.say(self.tr("Choose an order first"), error=True)
            return
        try:
            picking.finish_picking(self.conn, staff.id, self.order_id)
        except OpsError as exc:
            self.say(error_text(exc), error=True)
            return
        found = orders.find_order(self.conn, self.order_id)
        printed = self.print_label(found)
        self.refresh()
        self.say(self.tr("Order %1 picked. %2").replace("%1", found.order.pickup_code)
                 .replace("%2", printed))

    def print_label(self, found: orders.OrderAtStore) -> str:
        printer = self.devices.printer
        if printer is None:
            return self.tr("No printer: write the pickup code on the bag")
        due = self.money.minor(found.amount_due)
        try:
            self.print_jobs.append(printer.print(pick_label(found, printer.profile.columns, due)))
        except Exception as exc:   # the order stays picked; the label can be written by hand
            return self.tr("Label not printed: %1").replace("%1", error_text(exc))
        return self.tr("Label printed")

    def say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b71c1c;" if error else "")
