"""Function keys: each frequent action is a QAction with its key, and a touch button on screen
labelled with that key, so the same action is reachable by keyboard, touch and mouse.

Rule (one path per action): the key, its button and any shortcut trigger the one QAction, and the
action calls its slot with no arguments: Qt's `triggered(checked)` never reaches a slot, where a
lambda's default parameter would read it as data (F7 once tendered quick amount 0 that way).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget


class FunctionKeyBar(QWidget):
    def __init__(self, columns: int = 6, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(4)
        self.columns = columns
        self.actions_by_key: dict[str, QAction] = {}
        self.buttons: dict[str, QPushButton] = {}
        self.unavailable: set[str] = set()
        self.active = True

    def add(self, key: str, text: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)

        def run(_checked: bool = False) -> None:   # the signal's argument stops here
            slot()

        action.triggered.connect(run)
        self.addAction(action)
        button = QPushButton(self.label(key, text))
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setMinimumHeight(54)
        # A font, not a style sheet: style-sheet buttons cost milliseconds on every window repaint.
        font = button.font()
        font.setPixelSize(14)
        button.setFont(font)
        button.clicked.connect(action.trigger)
        n = len(self.buttons)
        self.grid.addWidget(button, n // self.columns, n % self.columns)
        self.actions_by_key[key] = action
        self.buttons[key] = button
        return action

    @staticmethod
    def label(key: str, text: str) -> str:
        return f"{key}\n{text}"

    def set_text(self, key: str, text: str) -> None:
        """A key whose meaning changes with the screen (a quick-cash amount): its action and its
        button say the same."""
        self.actions_by_key[key].setText(text)
        self.buttons[key].setText(self.label(key, text))

    def scale(self, factor: float) -> None:
        """Key labels and touch targets for the screen's scale (ui/widgets/scaling.py); called when the
        window's size changes, never per scan."""
        for button in self.buttons.values():
            font = button.font()
            font.setPixelSize(round(14 * factor))
            button.setFont(font)
            button.setMinimumHeight(round(54 * factor))

    def set_available(self, key: str, available: bool) -> None:
        """Whether the action can be used at all here (e.g. a tender type the core lacks)."""
        if available:
            self.unavailable.discard(key)
        else:
            self.unavailable.add(key)
        self.set_active(self.active)

    def set_active(self, active: bool) -> None:
        """Only the current screen's keys are live: two screens may bind the same key."""
        self.active = active
        for key, action in self.actions_by_key.items():
            enabled = active and key not in self.unavailable
            action.setEnabled(enabled)
            self.buttons[key].setEnabled(key not in self.unavailable)
