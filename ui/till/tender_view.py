"""The tender screen: what is due, the tenders taken so far, an amount field and one button per
tender type (cash with quick amounts and change due, card, mobile, stored value, points), then
the change, the e-receipt QR and the printer's answer once the sale completes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from edge.ledger.money import MoneyError, format_amount, parse_amount
from ui.till.function_keys import FunctionKeyBar
from ui.widgets.money_text import MoneyText
from ui.widgets.qr_widget import QrWidget
from ui.widgets.scaling import scalable

QUICK_CASH = (1000, 5000, 10000)  # 10, 50, 100 yuan notes, in fen
QUICK_KEYS = ("F6", "F7", "F8", "F9")


def quick_amounts(due: int) -> list[int]:
    """Exact, then the next whole 10 / 50 / 100 above what is due (no duplicates)."""
    amounts = [due]
    for note in QUICK_CASH:
        up = -(-due // note) * note
        if up > due and up not in amounts:
            amounts.append(up)
    return amounts[:4]


class TenderView(QWidget):
    tender = Signal(str, int)        # type, amount in fen
    back = Signal()
    void_line = Signal()             # F11: void a line of a part-paid sale (a supervisor approves)
    code_entered = Signal(str)       # a scanner's code typed into the amount field (HID scanner)
    new_sale = Signal()

    def __init__(self, money: MoneyText, is_code: Callable[[str], bool] = lambda _text: False,
                 parent: QWidget | None = None) -> None:
        """`is_code` tells a scanner's code typed into the amount field from an amount."""
        super().__init__(parent)
        self.money = money
        self.is_code = is_code
        self.digits = money.digits
        self.due = 0
        self.factor = 1.0
        self.message_is_error = False
        self.pages = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.addWidget(self.pages, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        outer.addWidget(self.message)
        self.pages.addWidget(self._paying_page())
        self.pages.addWidget(self._done_page())

    # --- paying ------------------------------------------------------------------------------

    def _paying_page(self) -> QWidget:
        page = QWidget()
        layout = QHBoxLayout(page)
        left = QVBoxLayout()
        self.total_label = QLabel()
        scalable(self.total_label, "font-size: {px}px;", 22)
        self.due_label = QLabel()
        self.due_label.setObjectName("due")
        scalable(self.due_label, "font-size: {px}px; font-weight: bold; color: #b71c1c;", 44)
        self.tenders_list = QListWidget()
        self.tenders_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scalable(self.tenders_list, "font-size: {px}px;", 17)
        left.addWidget(self.total_label)
        left.addWidget(self.due_label)
        left.addWidget(QLabel(self.tr("Payments")))
        left.addWidget(self.tenders_list, 1)
        layout.addLayout(left, 1)

        right = QVBoxLayout()
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        scalable(self.amount, "font-size: {px}px;", 26, 52)
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.amount.returnPressed.connect(self._amount_entered)
        right.addWidget(QLabel(self.tr("Amount")))
        right.addWidget(self.amount)
        # Quick cash: one key each, its button and its label made from the amounts computed once
        # per due (show_sale); the slot tenders exactly the amount the label shows.
        self.quick_amounts: list[int] = []
        self.quick_keys = FunctionKeyBar(columns=4)
        for i, key in enumerate(QUICK_KEYS):
            self.quick_keys.add(key, "", partial(self._quick, i))
        right.addWidget(self.quick_keys)
        self.keys = FunctionKeyBar(columns=3)
        self.type_actions = {
            "cash": self.keys.add("F1", self.tr("Cash"), lambda: self._pay("cash")),
            "card": self.keys.add("F2", self.tr("Card"), lambda: self._pay("card")),
            "mobile": self.keys.add("F3", self.tr("Mobile pay"), lambda: self._pay("mobile")),
            "stored_value": self.keys.add("F4", self.tr("Stored value"),
                                          lambda: self._pay("stored_value")),
            "points": self.keys.add("F5", self.tr("Points"), lambda: self._pay("points")),
        }
        self.keys.add("F11", self.tr("Void line"), self.void_line.emit)
        self.keys.add("Esc", self.tr("Back to sale"), self.back.emit)
        right.addWidget(self.keys)
        right.addStretch(1)
        layout.addLayout(right, 1)
        return page

    def set_available(self, types: set[str]) -> None:
        for name, action in self.type_actions.items():
            self.keys.set_available(action.shortcut().toString(), name in types)

    def _amount(self) -> int | None:
        try:
            return parse_amount(self.amount.text().replace(",", "") or "0", self.digits)
        except MoneyError:
            self.say(self.tr("Not an amount: %1").replace("%1", self.amount.text()), True)
            return None

    def _amount_entered(self) -> None:
        """Enter in the amount field: cash for the amount, or, when a HID scanner typed a
        customer's payment code there (the field has the focus), that code."""
        text = self.amount.text().strip()
        if self.is_code(text):
            self.amount.clear()
            self.code_entered.emit(text)
            return
        self._pay("cash")

    def _pay(self, type_name: str) -> None:
        amount = self._amount()
        if amount is not None:
            self.tender.emit(type_name, amount)

    def _quick(self, n: int) -> None:
        if n < len(self.quick_amounts):
            self.tender.emit("cash", self.quick_amounts[n])

    def set_active(self, active: bool) -> None:
        self.keys.set_active(active and not self.done)
        self.quick_keys.set_active(active and not self.done)
        self.done_keys.set_active(active and self.done)

    def show_sale(self, view: dict[str, Any], due_minor: int) -> None:
        self.pages.setCurrentIndex(0)
        self.set_active(True)
        self.due = due_minor
        self.total_label.setText(self.tr("Total %1").replace("%1", self.money.amount(view["total"])))
        self.due_label.setText(self.tr("Due %1").replace("%1", self.money.amount(view["due"])))
        self.tenders_list.clear()
        for t in view["tenders"]:
            self.tenders_list.addItem(f"{self.tender_name(t['type'])}  {self.money.amount(t['amount'])}")
        self.amount.setText(format_amount(due_minor, self.digits))
        self.amount.selectAll()
        self.amount.setFocus()
        self.quick_amounts = quick_amounts(due_minor)
        for i, key in enumerate(QUICK_KEYS):
            shown = i < len(self.quick_amounts)
            self.quick_keys.set_available(key, shown)
            self.quick_keys.buttons[key].setVisible(shown)
            if shown:
                self.quick_keys.set_text(key, self.money.minor(self.quick_amounts[i]))

    def tender_name(self, type_name: str) -> str:
        names = {"cash": self.tr("Cash"), "card": self.tr("Card"), "mobile": self.tr("Mobile pay"),
                 "stored_value": self.tr("Stored value"), "points": self.tr("Points"),
                 "other": self.tr("Other")}
        return names.get(type_name, type_name)

    # --- done --------------------------------------------------------------------------------

    def _done_page(self) -> QWidget:
        page = QWidget()
        layout = QHBoxLayout(page)
        left = QVBoxLayout()
        self.change_label = QLabel()
        self.change_label.setObjectName("change")
        scalable(self.change_label, "font-size: {px}px; font-weight: bold; color: #1b5e20;", 44)
        self.receipt_label = QLabel()
        self.receipt_label.setWordWrap(True)
        scalable(self.receipt_label, "font-size: {px}px;", 17)
        left.addWidget(self.change_label)
        left.addWidget(self.receipt_label)
        left.addStretch(1)
        self.done_keys = done_keys = FunctionKeyBar(columns=2)
        done_keys.add("F12", self.tr("Next customer"), self.new_sale.emit)
        left.addWidget(done_keys)
        layout.addLayout(left, 1)
        right = QVBoxLayout()
        right.addWidget(QLabel(self.tr("Scan for your e-receipt")))
        self.qr = QrWidget()
        self.qr.setMinimumSize(220, 220)
        right.addWidget(self.qr)
        right.addStretch(1)
        layout.addLayout(right)
        return page

    def show_done(self, view: dict[str, Any], qr_payload: str, printer_note: str) -> None:
        self.pages.setCurrentIndex(1)
        self.set_active(True)
        self.change_label.setText(self.tr("Change %1").replace("%1", self.money.amount(view["change"])))
        self.receipt_label.setText(
            self.tr("Receipt No. %1 · total %2").replace("%1", str(view["receipt_no"]))
            .replace("%2", self.money.amount(view["total"])) + "\n" + printer_note)
        self.qr.set_payload(qr_payload)
        self.say("")

    def apply_scale(self, factor: float) -> None:
        """The sized parts for the screen's scale (the styled ones are rescaled by the window)."""
        self.factor = factor
        self.keys.scale(factor)
        self.quick_keys.scale(factor)
        self.done_keys.scale(factor)
        self.qr.setMinimumSize(round(220 * factor), round(220 * factor))
        self.say(self.message.text(), self.message_is_error)

    @property
    def done(self) -> bool:
        return self.pages.currentIndex() == 1

    def say(self, text: str, error: bool = False) -> None:
        # Restyle only on a change: setStyleSheet re-polishes and repaints even when equal.
        colour = "#c62828" if error else "#1565c0"
        style = f"font-size: {round(16 * self.factor)}px; color: {colour};"
        self.message_is_error = error
        if self.message.styleSheet() != style:
            self.message.setStyleSheet(style)
        self.message.setText(text)
