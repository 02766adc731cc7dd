"""Staff id + PIN entry with an on-screen keypad (touch) that also takes the keyboard: the login
screen, the supervisor override dialog and the kiosk's attendant mode all use it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.scaling import scalable


class PinPad(QWidget):
    """Two fields (staff id, PIN) and a keypad; `submitted(staff, pin)` on Enter/OK."""

    submitted = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.staff = QLineEdit()
        self.staff.setPlaceholderText(self.tr("Staff number"))
        self.pin = QLineEdit()
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        for field in (self.staff, self.pin):
            scalable(field, "font-size: {px}px;", 22, 48)
            layout.addWidget(field)
        self.staff.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self.submit)
        grid = QGridLayout()
        keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3", "⌫", "0", "OK"]
        for i, key in enumerate(keys):
            button = QPushButton(self.tr("OK") if key == "OK" else key)
            button.setMinimumWidth(72)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            scalable(button, "font-size: {px}px;", 20, 56)
            button.clicked.connect(lambda _=False, k=key: self._key(k))
            grid.addWidget(button, i // 3, i % 3)
        layout.addLayout(grid)
        self.message = QLabel()
        scalable(self.message, "color: #c62828; font-size: {px}px;", 15)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

    def _target(self) -> QLineEdit:
        return self.staff if self.staff.hasFocus() or not self.staff.text() else self.pin

    def _key(self, key: str) -> None:
        if key == "OK":
            self.submit()
            return
        target = self._target()
        if key == "⌫":
            target.backspace()
        else:
            target.insert(key)

    def submit(self) -> None:
        self.submitted.emit(self.staff.text().strip(), self.pin.text())

    def clear(self, message: str = "") -> None:
        self.staff.clear()
        self.pin.clear()
        self.message.setText(message)
        self.staff.setFocus()


class OverrideDialog(QDialog):
    """Asks for a supervisor's staff number and PIN; `override` is the dict the till takes."""

    def __init__(self, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Supervisor approval"))
        layout = QVBoxLayout(self)
        label = QLabel(reason)
        label.setWordWrap(True)
        scalable(label, "font-size: {px}px;", 16)
        layout.addWidget(label)
        self.pad = PinPad()
        layout.addWidget(self.pad)
        # Enter approves, Escape cancels: OK is the default button, so Enter in either field ends
        # in the pad's submit (which waits for both fields), never in Cancel.
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setDefault(True)
        ok.clicked.connect(self.pad.submit)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.pad.submitted.connect(self._submitted)
        self.override: dict[str, str] | None = None

    def _submitted(self, staff: str, pin: str) -> None:
        if staff and pin:
            self.override = {"staff": staff, "pin": pin}
            self.accept()
