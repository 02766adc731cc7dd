"""A stock count's live sheet as a Qt table model: the core's variance lines (edge.store_ops.stock.variance:
expected, counted, variance, value per SKU), updated row by row as scans and RFID rounds arrive.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from edge.ledger.money import format_quantity
from edge.store_ops.stock import VarianceLine
from ui.widgets.money_text import MoneyText

Index = QModelIndex | QPersistentModelIndex
SKU, NAME, EXPECTED, COUNTED, VARIANCE, VALUE = range(6)


def signed_quantity(qty_milli: int) -> str:
    return ("-" if qty_milli < 0 else "") + format_quantity(abs(qty_milli)) if qty_milli else "0"


class StockCountModel(QAbstractTableModel):
    def __init__(self, money: MoneyText, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.money = money
        self.names: dict[str, str] = {}   # sku → name in the screen's language
        self.lines: list[VarianceLine] = []
        self._headers = [self.tr("SKU"), self.tr("Item"), self.tr("Expected"), self.tr("Counted"),
                         self.tr("Variance"), self.tr("Value")]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == SKU:
                return line.sku
            if column == NAME:
                return self.names.get(line.sku, line.name)
            if column == EXPECTED:
                return signed_quantity(line.expected)
            if column == COUNTED:
                return "—" if line.counted is None else format_quantity(line.counted)
            if column == VARIANCE:
                return signed_quantity(line.variance)
            return self.money.minor(line.value)
        if role == Qt.ItemDataRole.ForegroundRole and column in (VARIANCE, VALUE) and line.variance:
            return QColor("#c62828" if line.variance < 0 else "#1565c0")
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= EXPECTED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def row_of(self, sku: str) -> int | None:
        return next((i for i, ln in enumerate(self.lines) if ln.sku == sku), None)

    def update(self, lines: list[VarianceLine]) -> None:
        """Bring the rows to `lines` (sorted by SKU): changed rows, inserted rows, removed rows."""
        new_by_sku = {ln.sku: ln for ln in lines}
        for row in range(len(self.lines) - 1, -1, -1):
            if self.lines[row].sku not in new_by_sku:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self.lines[row]
                self.endRemoveRows()
        for row, new in enumerate(lines):
            if row < len(self.lines) and self.lines[row].sku == new.sku:
                if self.lines[row] != new:
                    self.lines[row] = new
                    self.dataChanged.emit(self.index(row, 0), self.index(row, VALUE))
                continue
            self.beginInsertRows(QModelIndex(), row, row)
            self.lines.insert(row, new)
            self.endInsertRows()
