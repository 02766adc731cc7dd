"""Asks for a manual discount: "10%" is a percentage, "5" or "5.00" an amount, and an optional
reason picked from the store's list (edge/till/reasons.py: nothing to type). Enter gives it,
Escape cancels; a discount above the cashier's limit is the till's to refuse (then the supervisor
dialog follows), not this dialog's."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from edge.ledger.money import MoneyError, parse_amount
from ui.widgets.error_messages import error_text
from ui.widgets.scaling import scalable

Discount = tuple[str, int, str]   # kind ("percent" | "amount"), value (percent or fen), reason


def parse_discount(text: str, digits: int) -> tuple[str, int]:
    """ "10%" → ("percent", 10); "5.5" → ("amount", 550)."""
    text = text.strip().replace("％", "%")
    if text.endswith("%"):
        number = text[:-1].strip()
        if not number.isdigit():
            raise MoneyError("invalid_amount", f"not a whole percentage: {text}")
        return "percent", int(number)
    return "amount", parse_amount(text, digits)


class DiscountDialog(QDialog):
    def __init__(self, title: str, digits: int, parent: QWidget | None = None,
                 reasons: Sequence[str] = ()) -> None:
        super().__init__(parent)
        self.digits = digits
        self.discount: Discount | None = None
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Discount: a percentage (10%) or an amount (5.00)")))
        self.value = QLineEdit()
        self.value.setPlaceholderText(self.tr("10% or 5.00"))
        scalable(self.value, "font-size: {px}px;", 20, 44)
        layout.addWidget(self.value)
        layout.addWidget(QLabel(self.tr("Reason (optional)")))
        self.reason = QComboBox()
        self.reason.addItem(self.tr("(no reason)"), "")
        for reason in reasons:
            self.reason.addItem(reason, reason)
        layout.addWidget(self.reason)
        self.message = QLabel()
        self.message.setStyleSheet("color: #c62828;")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        buttons.accepted.connect(self.give)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.value.setFocus()

    def give(self) -> None:
        try:
            kind, value = parse_discount(self.value.text(), self.digits)
        except MoneyError as exc:
            self.message.setText(error_text(exc))
            self.value.setFocus()
            return
        self.discount = (kind, value, str(self.reason.currentData()))
        self.accept()
