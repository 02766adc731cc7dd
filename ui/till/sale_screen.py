"""The cashier's sale screen: the code entry, the line list (a view on SaleLinesModel), totals in
large type, the message line and the function-key bar. It shows; TillWindow decides what to call.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.till.function_keys import FunctionKeyBar
from ui.till.sale_lines_model import (
    ITEM,
    LINE_ROLE,
    NO,
    PRICE,
    PROMOTION,
    QTY,
    TOTAL,
    SaleLinesModel,
)
from ui.widgets.money_text import MoneyText
from ui.widgets.scaling import scalable

# The totals' fixed boxes at 1024×768 (width, height); they grow with the screen's scale.
FIGURE_BOX = (130, 28)
TOTAL_BOX = (250, 64)
TOTALS_MIN_WIDTH = 260


def pieces(lines: list[dict[str, Any]]) -> int:
    """件数 as the customer counts: pieces for items sold by the piece, one per weighed line."""
    return sum(int(float(ln["qty"])) if ln["unit"] == "each" else 1 for ln in lines)


class SaleLinesView(QTableView):
    """The line list. `painted` fires after each paint, so the latency benchmark can see the
    moment a scanned row reaches the screen."""

    painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(40)
        # A font, not a style sheet: style-sheet painting costs several ms per repaint.
        font = self.font()
        font.setPixelSize(17)
        self.setFont(font)
        self.setWordWrap(False)  # one line per cell: no text layout pass per paint

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.painted.emit()


class QuantityEditor(QStyledItemDelegate):
    """The Qty cell's inline editor: it opens on the selected line with its quantity selected;
    Enter commits (`committed(line number, text)`, which the till checks and may refuse), Escape
    or leaving the cell cancels. The view never writes the model: the till's answer does."""

    committed = Signal(int, str)

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        editor = QLineEdit(parent)
        editor.setObjectName("qtyEditor")
        editor.setFont(option.font)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        line = index.data(LINE_ROLE)
        assert isinstance(editor, QLineEdit)
        editor.setText(str(line["qty"]) if line else "")
        editor.selectAll()

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,
                     index: QModelIndex | QPersistentModelIndex) -> None:
        line = index.data(LINE_ROLE)
        assert isinstance(editor, QLineEdit)
        text = editor.text().strip()
        if line and text and text != str(line["qty"]):
            self.committed.emit(int(line["line"]), text)

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:
        # Qt commits when the editor loses the focus; here only Enter commits.
        if event.type() == QEvent.Type.FocusOut and isinstance(editor, QWidget):
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.RevertModelCache)
            return False
        return super().eventFilter(editor, event)


def fit_columns(table: QTableView, factor: float = 1.0) -> None:
    """Fixed widths for the number columns, the rest to the name: sizing to contents would scan
    every row on every change, which a 100-line basket cannot afford inside the scan budget.
    `factor` is the screen's scale (ui/widgets/scaling.py): the widths grow with the font."""
    header = table.horizontalHeader()
    widths = {NO: 44, QTY: 96, PRICE: 96, PROMOTION: 190, TOTAL: 104}
    for column, width in widths.items():
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, round(width * factor))
    header.setSectionResizeMode(ITEM, QHeaderView.ResizeMode.Stretch)


class SaleScreen(QWidget):
    code_entered = Signal(str)
    qty_entered = Signal(int, str)     # line number, the new quantity as typed (inline editor)
    qty_stepped = Signal(int, int)     # line number, +1 or -1 (the + and - keys)

    def __init__(self, money: MoneyText, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.money = money
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        top = QHBoxLayout()
        self.factor = 1.0
        self.message_is_error = False
        self.staff_label = scalable(QLabel(), "font-size: {px}px; color: #455a64;", 15)
        self.member_label = scalable(QLabel(), "font-size: {px}px; color: #6a1b9a;", 15)
        top.addWidget(self.staff_label)
        top.addStretch(1)
        top.addWidget(self.member_label)
        layout.addLayout(top)

        self.entry = QLineEdit()
        self.entry.setPlaceholderText(self.tr("Scan or type a barcode or PLU, then Enter"))
        scalable(self.entry, "font-size: {px}px;", 20, 44)
        self.entry.returnPressed.connect(self._entered)
        self.entry.installEventFilter(self)  # arrows move the line selection from the entry box
        layout.addWidget(self.entry)

        middle = QHBoxLayout()
        self.model = SaleLinesModel(money, self)
        self.table = SaleLinesView()
        self.table.setModel(self.model)
        fit_columns(self.table)
        # The editor's delegate is set only while editing: a Python delegate on the column would
        # put a Python call into every cell's paint, inside the scan-to-paint budget.
        self.qty_editor = QuantityEditor(self.table)
        self.qty_editor.committed.connect(self.qty_entered)
        self.qty_editor.closeEditor.connect(self._quantity_editor_closed,
                                            Qt.ConnectionType.QueuedConnection)
        self.model.rowsInserted.connect(self._row_added)
        middle.addWidget(self.table, 3)

        self.totals = totals = QFrame()
        totals.setObjectName("totals")
        totals.setStyleSheet("#totals { background: #eceff1; border-radius: 6px; }")
        grid = QGridLayout(totals)
        self.items_label = QLabel()
        self.discount_label = QLabel()
        self.tax_label = QLabel()
        self.total_caption = QLabel(self.tr("TOTAL"))
        scalable(self.total_caption, "font-size: {px}px; font-weight: bold;", 20)
        self.total_label = QLabel()
        self.total_label.setObjectName("total")
        scalable(self.total_label, "font-size: {px}px; font-weight: bold; color: #1b5e20;", 44)
        self.total_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        for i, (caption, label) in enumerate(((self.tr("Items"), self.items_label),
                                              (self.tr("Savings"), self.discount_label),
                                              (self.tr("incl. VAT"), self.tax_label))):
            cap = scalable(QLabel(caption), "font-size: {px}px;", 16)
            scalable(label, "font-size: {px}px;", 18)
            label.setAlignment(Qt.AlignmentFlag.AlignRight)
            grid.addWidget(cap, i, 0)
            grid.addWidget(label, i, 1)
        # Fixed sizes: a label whose size cannot change does not relayout (and repaint) the whole
        # window each time a scan changes its text.
        self._fix_figure_sizes(1.0)
        grid.addWidget(self.total_caption, 3, 0, 1, 2)
        grid.addWidget(self.total_label, 4, 0, 1, 2)
        grid.setRowStretch(5, 1)
        totals.setMinimumWidth(TOTALS_MIN_WIDTH)
        middle.addWidget(totals, 1)
        layout.addLayout(middle, 1)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setMinimumHeight(28)
        layout.addWidget(self.message)
        self.keys = FunctionKeyBar(columns=7)
        layout.addWidget(self.keys)

    def _fix_figure_sizes(self, factor: float) -> None:
        for label in (self.items_label, self.discount_label, self.tax_label):
            label.setFixedSize(round(FIGURE_BOX[0] * factor), round(FIGURE_BOX[1] * factor))
        self.total_label.setFixedSize(round(TOTAL_BOX[0] * factor), round(TOTAL_BOX[1] * factor))

    def apply_scale(self, factor: float) -> None:
        """The parts that are sized, not styled, for the screen's scale: the line list's font,
        rows and columns, the totals' boxes, the message line and the function keys. The styled
        labels are rescaled by the window (ui/widgets/scaling.py). Called on a resize, never per scan."""
        self.factor = factor
        font = self.table.font()
        font.setPixelSize(round(17 * factor))
        self.table.setFont(font)
        self.table.verticalHeader().setDefaultSectionSize(round(40 * factor))
        self.table.setIconSize(QSize(round(20 * factor), round(20 * factor)))   # the 18+ mark
        fit_columns(self.table, factor)
        self._fix_figure_sizes(factor)
        self.totals.setMinimumWidth(round(TOTALS_MIN_WIDTH * factor))
        self.message.setMinimumHeight(round(28 * factor))
        self.keys.scale(factor)
        self.say(self.message.text(), self.message_is_error)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.entry and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.model.rowCount():
                rows = self.table.selectionModel().selectedRows()
                row = rows[0].row() if rows else self.model.rowCount()
                row += -1 if key == Qt.Key.Key_Up else 1
                row = max(0, min(row, self.model.rowCount() - 1))
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                return True
            if key in (Qt.Key.Key_Plus, Qt.Key.Key_Minus) and not self.entry.text():
                line = self.selected_line()
                if line is not None:
                    self.qty_stepped.emit(line, 1 if key == Qt.Key.Key_Plus else -1)
                return True
        return super().eventFilter(watched, event)

    def edit_quantity(self) -> bool:
        """Open the inline editor in the selected line's Qty cell (the last line when none is
        selected); False when the sale has no lines."""
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else self.model.rowCount() - 1
        if row < 0:
            return False
        self.table.selectRow(row)
        index = self.model.index(row, QTY)
        self.table.scrollTo(index)
        self.table.setCurrentIndex(index)
        self.table.setItemDelegateForColumn(QTY, self.qty_editor)
        self.table.edit(index)
        return True

    def _quantity_editor_closed(self) -> None:
        if self.table.state() != QAbstractItemView.State.EditingState:
            self.table.setItemDelegateForColumn(QTY, None)  # type: ignore[arg-type]
        self.entry.setFocus()

    def _entered(self) -> None:
        text = self.entry.text().strip()
        self.entry.clear()
        if text:
            self.code_entered.emit(text)

    def _row_added(self, _parent: Any, first: int, _last: int) -> None:
        self.table.selectRow(first)
        self.table.scrollTo(self.model.index(first, 0))

    def selected_line(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else self.model.rowCount() - 1
        line = self.model.line_at(row)
        return None if line is None else int(line["line"])

    def show_sale(self, view: dict[str, Any] | None, member: str | None = None) -> None:
        open_sale = view is not None and view["status"] in ("open", "suspended")
        lines = view["lines"] if view is not None and open_sale else []
        self.model.update(lines)
        self.member_label.setText(self.tr("Member %1").replace("%1", member)
                                  if member and open_sale else "")
        if not lines:  # a finished (completed or cancelled) sale leaves no totals behind
            for label in (self.items_label, self.discount_label, self.tax_label, self.total_label):
                label.setText("")
            return
        assert view is not None
        self.items_label.setText(str(pieces(view["lines"])))
        self.discount_label.setText(self.money.amount(view["discount"]))
        self.tax_label.setText(self.money.amount(view["tax"]))
        self.total_label.setText(self.money.amount(view["total"]))

    def say(self, text: str, error: bool = False) -> None:
        # Restyle only on a change: setStyleSheet re-polishes and repaints even when equal.
        colour = "#c62828" if error else "#1565c0"
        style = f"font-size: {round(16 * self.factor)}px; color: {colour};"
        self.message_is_error = error
        if self.message.styleSheet() != style:
            self.message.setStyleSheet(style)
        self.message.setText(text)
