"""The sale's lines as a Qt table model: an adapter over the line views the core already formats
(edge.till.view.sale_view). `update` diffs by line number and emits rowsRemoved / rowsInserted
/ dataChanged for the rows that changed, never a reset: a scan on a 100-line basket repaints one
row (plus the rows a promotion touched), which keeps scan-to-paint inside its budget.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from ui.widgets.age_mark import age_mark_icon
from ui.widgets.money_text import MoneyText

LineView = dict[str, Any]
Index = QModelIndex | QPersistentModelIndex

NO, ITEM, QTY, PRICE, PROMOTION, TOTAL = range(6)
LINE_ROLE = Qt.ItemDataRole.UserRole + 1   # the whole line view, for the quantity editor


class SaleLinesModel(QAbstractTableModel):
    def __init__(self, money: MoneyText, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.money = money
        self.lines: list[LineView] = []
        self._headers = [self.tr("No."), self.tr("Item"), self.tr("Qty"), self.tr("Price"),
                         self.tr("Promotion"), self.tr("Total")]

    # --- Qt model interface ------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
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
            return self._text(line, column)
        if role == Qt.ItemDataRole.DecorationRole and column == ITEM and line["age_restricted"]:
            return age_mark_icon()
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (QTY, PRICE, PROMOTION, TOTAL):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == PROMOTION and line["promotions"]:
            return "\n".join(f"{self.discount_label(p)}: -{p['amount']}"
                             for p in line["promotions"])
        if role == Qt.ItemDataRole.UserRole:
            return line["line"]
        if role == LINE_ROLE:
            return line
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        """The Qty cell is editable (the till's inline quantity editor); nothing else is."""
        flags = super().flags(index)
        if index.isValid() and index.column() == QTY:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def _text(self, line: LineView, column: int) -> str:
        if column == NO:
            return str(line["line"])
        if column == ITEM:
            return str(line["name"])
        if column == QTY:
            if line["unit"] == "kg":
                return self.tr("%1 kg").replace("%1", self.money.decimal(line["qty"]))
            return line["qty"]
        if column == PRICE:
            return self.money.amount(line["unit_price"])
        if column == PROMOTION:
            return self.tr("; ").join(f"{self.discount_label(p)} -{self.money.decimal(p['amount'])}"
                                      for p in line["promotions"])
        return self.money.amount(line["total"])

    def discount_label(self, promotion: dict[str, Any]) -> str:
        """A discount in the screen's language (edge.sale.pricing.LineDiscount: the core gives
        its kind and figures, never words): a promotion by its name, a manual discount by its
        kind, percentage and the reason typed with it."""
        kind = promotion.get("kind", "promotion")
        if kind not in ("line", "order"):
            return str(promotion["reason"])
        words = [self.tr("Discount") if kind == "line" else self.tr("Order discount")]
        if promotion.get("percent") is not None:
            words.append(f"{promotion['percent']}%")
        if promotion["reason"]:
            words.append(str(promotion["reason"]))
        return " ".join(words)

    # --- updates -----------------------------------------------------------------------------

    def line_at(self, row: int) -> LineView | None:
        return self.lines[row] if 0 <= row < len(self.lines) else None

    def update(self, lines: list[LineView]) -> None:
        """Bring the rows to `lines` (each with a unique "line" number, in sale order)."""
        keep = {ln["line"] for ln in lines}
        row = len(self.lines) - 1
        while row >= 0:  # removals, from the bottom so row numbers stay valid
            if self.lines[row]["line"] not in keep:
                end = row
                while row - 1 >= 0 and self.lines[row - 1]["line"] not in keep:
                    row -= 1
                self.beginRemoveRows(QModelIndex(), row, end)
                del self.lines[row:end + 1]
                self.endRemoveRows()
            row -= 1
        last_column = self.columnCount() - 1
        for row, new in enumerate(lines):
            old = self.lines[row] if row < len(self.lines) else None
            if old is not None and old["line"] == new["line"]:
                if old != new:
                    self.lines[row] = new
                    self.dataChanged.emit(self.index(row, 0), self.index(row, last_column))
                continue
            self.beginInsertRows(QModelIndex(), row, row)
            self.lines.insert(row, new)
            self.endInsertRows()
