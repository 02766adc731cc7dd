"""Asks the price of an open-price item (无码商品), showing its name and category so the cashier
knows what is being priced. Enter gives it, Escape cancels; whether the price needs a supervisor is
the till's to say."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from edge.ledger.money import MoneyError, parse_amount
from ui.widgets.error_messages import error_text
from ui.widgets.scaling import scalable


class OpenPriceDialog(QDialog):
    def __init__(self, name: str, category: str, digits: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.digits = digits
        self.price: int | None = None
        self.setWindowTitle(self.tr("Open price"))
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("Price of %1").replace("%1", name))
        scalable(title, "font-size: {px}px; font-weight: bold;", 18)
        layout.addWidget(title)
        self.category = QLabel(self.tr("Category: %1").replace("%1", category or "—"))
        layout.addWidget(self.category)
        self.value = QLineEdit()
        self.value.setPlaceholderText(self.tr("Price, e.g. 12.50"))
        scalable(self.value, "font-size: {px}px;", 20, 44)
        layout.addWidget(self.value)
        self.message = QLabel()
        self.message.setStyleSheet("color: #c62828;")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        buttons.accepted.connect(self.give)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.value.setFocus()

    def give(self) -> None:
        try:
            price = parse_amount(self.value.text().strip(), self.digits)
        except MoneyError as exc:
            self.message.setText(error_text(exc))
            return
        if price <= 0:
            self.message.setText(error_text(MoneyError("invalid_amount", "zero")))
            return
        self.price = price
        self.accept()
