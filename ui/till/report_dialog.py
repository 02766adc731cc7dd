"""The X and Z reports as a readable screen (figures in large type, in the screen's language) and
as a print document for the receipt printer. Enter or Escape closes; Print (Ctrl+P) prints.
The figures come from edge/store_ops/reports.py; this only lays them out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from drivers.printer.document import Block, Cut, Feed, Rule, Text
from edge.sale.receipt import center, two_columns
from ui.widgets.money_text import MoneyText
from ui.widgets.scaling import scalable

Row = tuple[str, str]          # (label, value); a value of "" makes the label a heading
# Prints a document composed for the printer's columns; answers what became of it.
PrintDocument = Callable[[Callable[[int], list[Block]]], str]


class ReportDialog(QDialog):
    def __init__(self, title: str, body: dict[str, Any], money: MoneyText,
                 tender_name: Callable[[str], str],
                 print_document: PrintDocument | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.money = money
        self.tender_name = tender_name
        self.print_document = print_document
        self.printed_at = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
        self.rows = self.report_rows(body)
        self.setWindowTitle(title)
        self.resize(560, 640)
        layout = QVBoxLayout(self)
        heading = QLabel(f"{title} · {body.get('terminal_id', '')} · {self.printed_at}")
        scalable(heading, "font-size: {px}px; font-weight: bold;", 20)
        layout.addWidget(heading)
        # Two halves side by side, split at the section heading nearest the middle: with the
        # expected cash per tender the report outgrew a 1024×768 screen in one column.
        halves = _halves(self.rows)
        self.table = QTableWidget(max(len(h) for h in halves), 2 * len(halves))
        self.table.horizontalHeader().hide()
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for half in range(len(halves)):
            self.table.horizontalHeader().setSectionResizeMode(
                2 * half, QHeaderView.ResizeMode.Stretch)
            self.table.horizontalHeader().setSectionResizeMode(
                2 * half + 1, QHeaderView.ResizeMode.ResizeToContents)
        scalable(self.table, "font-size: {px}px;", 17)
        # the dialog is sized to the whole report (ui/widgets/scaling.py): no scrolling
        self.table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        for half, rows in enumerate(halves):
            for i, (label, value) in enumerate(rows):
                left = QTableWidgetItem(label)
                if not value:
                    bold = left.font()
                    bold.setBold(True)
                    left.setFont(bold)
                self.table.setItem(i, 2 * half, left)
                right = QTableWidgetItem(value)
                right.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, 2 * half + 1, right)
        layout.addWidget(self.table, 1)
        self.message = QLabel()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        close.clicked.connect(self.accept)          # Enter closes (accepted), Escape too
        self.print_button = QPushButton(self.tr("Print (Ctrl+P)"))
        self.print_button.setAutoDefault(False)
        self.print_button.setEnabled(print_document is not None)
        self.print_button.clicked.connect(self.print_report)
        print_key = QAction(self)  # an action, not a button shortcut: that one clicks 100 ms late
        print_key.setShortcut(QKeySequence("Ctrl+P"))
        print_key.triggered.connect(self.print_report)
        self.addAction(print_key)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout.addWidget(buttons)
        close.setFocus()

    def report_rows(self, body: dict[str, Any]) -> list[Row]:
        m = self.money.minor
        sales, returns, voids, cash = body["sales"], body["returns"], body["voids"], body["cash"]
        rows: list[Row] = []
        if "z_number" in body:
            rows.append((self.tr("Z number"), str(body["z_number"])))
        rows += [
            (self.tr("Sales"), ""),
            (self.tr("Completed sales"), str(sales["count"])),
            (self.tr("Gross sales"), m(sales["gross"])),
            (self.tr("Discounts"), m(sales["discount"])),
            (self.tr("Sales total"), m(sales["total"])),
            (self.tr("VAT included"), m(sales["tax"])),
            (self.tr("Cash rounding"), m(sales["rounding"])),
            (self.tr("Returns"), str(returns["count"])),
            (self.tr("Returns total"), m(returns["total"])),
            (self.tr("Net sales"), m(body["net_sales"])),
            (self.tr("Voids"), ""),
            (self.tr("Voided lines"), f"{voids['lines']} · {m(voids['gross'])}"),
            (self.tr("Cancelled sales"), f"{voids['cancelled_sales']} · "
                                         f"{m(voids['cancelled_total'])}"),
            (self.tr("Tenders (net)"), ""),
        ]
        rows += [(self.tender_name(kind), m(figures["net"]))
                 for kind, figures in sorted(body["tenders"].items())]
        rows += [
            (self.tr("Cash drawer"), ""),
            (self.tr("Floats"), m(cash["floats"])),
            (self.tr("Cash in"), m(cash["cash_in"])),
            (self.tr("Cash out"), m(cash["cash_out"])),
            (self.tr("Pickups"), m(cash["pickups"])),
            (self.tr("No-sale drawer openings"), str(cash["no_sales"])),
        ]
        if "expected" in body:       # the X report: what the till should hold, per tender
            rows.append((self.tr("Expected in the till"), ""))
            rows += [(self.tr("Expected %1").replace("%1", self.tender_name(kind)), m(amount))
                     for kind, amount in sorted(body["expected"].items())]
        over_short = body.get("over_short", {})
        if over_short.get("shifts_closed"):
            rows.append((self.tr("Over/short"), m(over_short["over_short"])))
        return rows

    def document(self, columns: int) -> list[Block]:
        """The report as printed: the same rows, laid out for the paper's columns."""
        blocks: list[Block] = [Text(center(self.title, columns), bold=True),
                               Text(center(self.printed_at, columns)), Rule()]
        for label, value in self.rows:
            blocks.append(Text(label, bold=True) if not value
                          else Text(two_columns(label, value, columns)))
        blocks += [Rule(), Feed(3), Cut(partial=True)]
        return blocks

    def print_report(self) -> None:
        if self.print_document is not None:
            self.message.setText(self.print_document(self.document))


def _halves(rows: list[Row], one_column_up_to: int = 16) -> list[list[Row]]:
    """The rows in one column, or in two split at the section heading (a row without a value)
    nearest the middle."""
    if len(rows) <= one_column_up_to:
        return [rows]
    headings = [i for i, (_, value) in enumerate(rows) if not value and i > 0]
    cut = min(headings, key=lambda i: abs(i - len(rows) / 2)) if headings else len(rows) // 2
    return [rows[:cut], rows[cut:]]

