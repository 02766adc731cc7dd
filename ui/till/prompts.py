"""The questions a screen asks the user (a text, a choice, yes/no, a supervisor's PIN, a product
found by search, a discount, an open price, a report), behind one object, so each flow can be
driven by the tests with scripted answers instead of modal dialogs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from edge.catalog.products import Product
from ui.till.discount_dialog import Discount, DiscountDialog
from ui.till.open_price_dialog import OpenPriceDialog
from ui.till.product_search import ProductSearchDialog
from ui.till.report_dialog import PrintDocument, ReportDialog
from ui.widgets.money_text import MoneyText
from ui.widgets.pin_pad import OverrideDialog


class Prompter:
    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def text(self, title: str, label: str, value: str = "") -> str | None:
        text, ok = QInputDialog.getText(self.parent, title, label, text=value)
        return text.strip() if ok and text.strip() else None

    def choose(self, title: str, label: str, items: Sequence[str]) -> int | None:
        if not items:
            return None
        item, ok = QInputDialog.getItem(self.parent, title, label, list(items), 0, False)
        return list(items).index(item) if ok else None

    def confirm(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self.parent, title, question)
        return answer == QMessageBox.StandardButton.Yes

    def inform(self, title: str, text: str) -> None:
        QMessageBox.information(self.parent, title, text)

    def report(self, title: str, body: dict[str, Any], money: MoneyText,
               tender_name: Callable[[str], str], print_document: PrintDocument) -> None:
        ReportDialog(title, body, money, tender_name, print_document, self.parent).exec()

    def override(self, reason: str) -> dict[str, str] | None:
        dialog = OverrideDialog(reason, self.parent)
        dialog.exec()
        return dialog.override

    def discount(self, title: str, digits: int, reasons: Sequence[str] = ()) -> Discount | None:
        dialog = DiscountDialog(title, digits, self.parent, reasons)
        dialog.exec()
        return dialog.discount

    def open_price(self, name: str, category: str, digits: int) -> int | None:
        dialog = OpenPriceDialog(name, category, digits, self.parent)
        dialog.exec()
        return dialog.price

    def find_product(self, conn: sqlite3.Connection, money: MoneyText, locale: str
                     ) -> Product | None:
        dialog = ProductSearchDialog(conn, money, locale, self.parent)
        dialog.exec()
        return dialog.chosen
