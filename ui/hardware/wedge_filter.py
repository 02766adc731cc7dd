"""Keyboard-wedge scanners without focus in a text box: an application-wide event filter that
collects printable keystrokes arriving while no text field has focus and hands the code over on
Enter. A wedge scanner types a whole code in a few milliseconds; a person typing digits on the
numeric pad without focusing the entry box gets the same path, which keeps every action reachable
from the keyboard.

A code typed at scanner speed (here or into a text field, the till's scan box) is read as a
scanner types it (`read`): the desktop made its characters from the keys in its own layout
(`[scanner] desktop_layout`), so they are translated back to the scanner's (`[scanner]
keyboard_layout`), then checked as the serial path checks them (drivers/scanner/symbology.py). A
key the desktop gives no character for (AltGr of a layout it lacks: Alt held) spoils the scan. A
misread is refused as `not_a_barcode`, never sold or paid. A person's typing is left as typed.
"""

from __future__ import annotations

import re
import time
from itertools import pairwise

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

from drivers.device import DeviceError
from drivers.scanner.keymap import DEFAULT_LAYOUT, layout_named, translate
from drivers.scanner.symbology import refusal

_TEXT_INPUTS = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)
# Slower than this between two keys starts a new code: a stale half-typed buffer is dropped.
MAX_GAP_SECONDS = 2.0
# Keys closer than this are a scanner's, not a person's.
SCANNER_GAP_SECONDS = 0.05
# Stands for a key the desktop gave no character for (Alt or Ctrl held) inside a code.
UNREADABLE = "\x00"
_AIM_ID = re.compile(r"\][A-Za-z][0-9A-Za-z]")
# Shift picks a character; AltGr (reported as the group switch) too. Alt or Ctrl make a chord.
_CHARACTER_MODIFIERS = (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
                        | Qt.KeyboardModifier.GroupSwitchModifier)


def _fast(times: list[float]) -> bool:
    gaps = [b - a for a, b in pairwise(times)]
    return bool(gaps) and max(gaps) < SCANNER_GAP_SECONDS


class WedgeFilter(QObject):
    """Install on the QApplication; `code(text, fast)` fires on Enter. `fast` says whether the
    keys came at scanner speed (under 50 ms apart); pass both to `read` for the scan itself."""

    code = Signal(str, bool)

    def __init__(self, window: QWidget, scanner_layout: str = DEFAULT_LAYOUT,
                 desktop_layout: str | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.enabled = True
        self.scanner_layout = layout_named(scanner_layout).name
        self.desktop_layout = layout_named(desktop_layout or scanner_layout).name
        self._buffer: list[str] = []
        self._times: list[float] = []
        self._field_times: list[float] = []
        self._field_chord = False
        self._field_scan = (False, False)  # the last code a text field took: spoiled, fast

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not self.enabled:
            return False
        assert isinstance(event, QKeyEvent)
        if self._into_field(watched):
            self._time_field_key(event)
            return False
        if not self._applies(watched):
            return False
        key = event.key()
        now = time.monotonic()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            fast = _fast(self._times)
            text = "".join(self._buffer)
            self._buffer.clear()
            self._times.clear()
            if not fast:
                text = text.replace(UNREADABLE, "")
            if not text:
                return False
            self.code.emit(text, fast)
            return True
        text = event.text()
        if len(text) != 1 or not text.isprintable():
            return False
        if self._times and now - self._times[-1] > MAX_GAP_SECONDS:
            self._buffer.clear()
            self._times.clear()
        chord = bool(event.modifiers() & ~_CHARACTER_MODIFIERS)
        self._buffer.append(UNREADABLE if chord else text)
        self._times.append(now)
        return not chord      # a chord may be a shortcut: it goes on

    def read(self, text: str, fast: bool, spoiled: bool = False) -> str:
        """The code the scanner meant by `text` when it came at scanner speed (translated from
        the desktop's layout to the scanner's and checked), else `text` as a person typed it.
        DeviceError `not_a_barcode` when a scan cannot be a barcode (`spoiled`: a key of it had
        no character)."""
        if not fast:
            return text
        read = None if spoiled or UNREADABLE in text else text
        if read is not None and self.scanner_layout != self.desktop_layout:
            read = translate(read, typed_in=self.scanner_layout, read_as=self.desktop_layout)
        if read is None:
            raise DeviceError("not_a_barcode", f"{text!r}: keys the {self.desktop_layout} layout "
                              f"cannot have typed: is the scanner set to {self.scanner_layout}?")
        symbology, data = ("", read) if not _AIM_ID.match(read) else (read[:3], read[3:])
        reason = refusal(data, symbology)
        if reason is not None:
            raise DeviceError("not_a_barcode", f"{symbology or 'scan'} {read!r}: {reason}")
        return read

    def read_field(self, text: str, keep: bool = False) -> str:
        """`read` for a code a text field (the scan box) handed over on Enter; `keep`: only a
        look, the next read_field reads it again."""
        spoiled, fast = self._field_scan
        if not keep:
            self._field_scan = (False, False)
        return self.read(text, fast, spoiled)

    def _into_field(self, watched: QObject) -> bool:
        return (isinstance(watched, _TEXT_INPUTS) and isinstance(watched, QWidget)
                and watched.window() is self.window)

    def _time_field_key(self, event: QKeyEvent) -> None:
        """Keys into a text field (the scan box) are the field's; only their pace is noted, so
        that the code it hands over on Enter is read as a scan when a scanner typed it."""
        now = time.monotonic()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._field_scan = (self._field_chord, _fast(self._field_times))
            self._field_times.clear()
            self._field_chord = False
            return
        self._field_scan = (False, False)
        if self._field_times and now - self._field_times[-1] > MAX_GAP_SECONDS:
            self._field_times.clear()
            self._field_chord = False
        text = event.text()
        if len(text) == 1 and text.isprintable() and event.modifiers() & ~_CHARACTER_MODIFIERS:
            self._field_chord = True
        self._field_times.append(now)

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
