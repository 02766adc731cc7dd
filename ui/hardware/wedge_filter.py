"""Keyboard-wedge scanners without focus in a text box: an application-wide event filter that
collects printable keystrokes arriving while no text field has focus and hands the code over on
Enter. A wedge scanner types a whole code in a few milliseconds; a person typing digits on the
numeric pad without focusing the entry box gets the same path, which keeps every action reachable
from the keyboard.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

_TEXT_INPUTS = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)
# Slower than this between two keys starts a new code: a stale half-typed buffer is dropped.
MAX_GAP_SECONDS = 2.0


class WedgeFilter(QObject):
    """Install on the QApplication; `code(text, fast)` fires on Enter. `fast` says whether the
    keys came at scanner speed (under 50 ms apart)."""

    code = Signal(str, bool)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.enabled = True
        self._buffer: list[str] = []
        self._times: list[float] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not self.enabled:
            return False
        if not self._applies(watched):
            return False
        assert isinstance(event, QKeyEvent)
        key = event.key()
        now = time.monotonic()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if not self._buffer:
                return False
            text = "".join(self._buffer)
            gaps = [b - a for a, b in zip(self._times, self._times[1:], strict=False)]
            fast = bool(gaps) and max(gaps) < 0.05
            self._buffer.clear()
            self._times.clear()
            self.code.emit(text, fast)
            return True
        text = event.text()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if (len(text) != 1 or not text.isprintable()
                or modifiers & ~Qt.KeyboardModifier.ShiftModifier):
            return False
        if self._times and now - self._times[-1] > MAX_GAP_SECONDS:
            self._buffer.clear()
            self._times.clear()
        self._buffer.append(text)
        self._times.append(now)
        return True

    def _applies(self, watched: QObject) -> bool:
        # Only for keys sent to our window, with no dialog up, and never to a text field, which
        # takes the keys itself (its Enter reaches the till the same way).
        if QApplication.activeModalWidget() is not None or not self.window.isVisible():
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self.window:
            return False
        focus = QApplication.focusWidget()
        return not isinstance(watched, _TEXT_INPUTS) and not isinstance(focus, _TEXT_INPUTS)

    @property
    def pending(self) -> str:
        return "".join(self._buffer)
