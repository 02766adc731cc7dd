"""Find a product by typing: pinyin initials (nfsq → 农夫山泉), SKU or part of its name; the list
follows every keystroke, arrows choose, Enter adds, Escape closes. For items without a readable
barcode and for cashiers who know the product but not its code."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QListWidget, QVBoxLayout, QWidget

from edge.catalog.products import Product
from edge.catalog.search import search
from ui.widgets.money_text import MoneyText
from ui.widgets.scaling import scalable


class ProductSearchDialog(QDialog):
    def __init__(self, conn: sqlite3.Connection, money: MoneyText, locale: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conn = conn
        self.money = money
        self.locale_name = locale
        self.results: list[Product] = []
        self.chosen: Product | None = None
        self.setWindowTitle(self.tr("Find a product"))
        self.resize(640, 480)
        layout = QVBoxLayout(self)
        hint = QLabel(self.tr("Pinyin initials (e.g. nfsq), SKU or part of the name"))
        layout.addWidget(hint)
        self.query = QLineEdit()
        scalable(self.query, "font-size: {px}px;", 20, 44)
        self.query.textChanged.connect(self.refresh)
        self.query.installEventFilter(self)
        layout.addWidget(self.query)
        self.list = QListWidget()
        scalable(self.list, "font-size: {px}px;", 17)
        self.list.itemActivated.connect(lambda _item: self.choose())
        layout.addWidget(self.list, 1)
        self.query.setFocus()

    def refresh(self, text: str) -> None:
        self.results = search(self.conn, text)
        self.list.clear()
        for product in self.results:
            name = product.name_zh if self.locale_name.startswith("zh") else product.name_en
            unit = self.tr(" / kg") if product.unit == "kg" else ""
            self.list.addItem(f"{product.sku}  {name}  {self.money.minor(product.price)}{unit}")
        if self.results:
            self.list.setCurrentRow(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.query and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.results:
                step = -1 if key == Qt.Key.Key_Up else 1
                row = max(0, min(self.list.currentRow() + step, len(self.results) - 1))
                self.list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.choose()
                return True
        return super().eventFilter(watched, event)

    def choose(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.results):
            self.chosen = self.results[row]
            self.accept()
