"""The summary a manager sees before approving a stock count: items counted, the variance value,
the items never counted with their stock, and the choice of what happens to those (left as they
are, or set to zero). Enter approves, Escape cancels; nothing is posted until Approve.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from edge.ledger.money import format_quantity
from edge.store_ops.stock import ApprovalSummary
from ui.widgets.money_text import MoneyText
from ui.widgets.scaling import scalable


class CountApprovalDialog(QDialog):
    def __init__(self, summary: ApprovalSummary, money: MoneyText, names: dict[str, str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Approve count"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self.counted = QLabel(self.tr("%1 items counted · variance value %2")
                              .replace("%1", str(summary.items_counted))
                              .replace("%2", money.minor(summary.variance_value)))
        scalable(self.counted, "font-size: {px}px; font-weight: bold;", 18)
        layout.addWidget(self.counted)
        self.uncounted_text = QLabel()
        self.uncounted_text.setWordWrap(True)
        scalable(self.uncounted_text, "font-size: {px}px;", 16)
        layout.addWidget(self.uncounted_text)
        self.uncounted_list = QListWidget()
        for line in summary.uncounted:
            self.uncounted_list.addItem(f"{line.sku}  {names.get(line.sku, line.name)}  "
                                        + self.tr("on hand %1").replace(
                                            "%1", format_quantity(line.expected)))
        layout.addWidget(self.uncounted_list, 1)
        self.leave = QRadioButton(self.tr("Leave them as they are"))
        self.zero = QRadioButton(self.tr("Set them to zero (a count movement each, journaled)"))
        self.leave.setChecked(True)
        group = QButtonGroup(self)
        for radio in (self.leave, self.zero):
            group.addButton(radio)
            layout.addWidget(radio)
        if summary.uncounted:
            self.uncounted_text.setText(
                self.tr("%1 items in scope were not counted (stock value %2). What happens to"
                        " them?").replace("%1", str(len(summary.uncounted)))
                .replace("%2", money.minor(summary.uncounted_value)))
        else:
            self.uncounted_text.setText(self.tr("Every item in scope was counted."))
            for widget in (self.uncounted_list, self.leave, self.zero):
                widget.hide()
        buttons = QDialogButtonBox()
        self.approve_button = buttons.addButton(self.tr("Approve"),
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(self.tr("Cancel"),
                                               QDialogButtonBox.ButtonRole.RejectRole)
        self.approve_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def choice(self) -> str:
        """What to do with the uncounted items: "leave" or "zero" (edge.store_ops.stock)."""
        return "zero" if self.zero.isChecked() else "leave"
