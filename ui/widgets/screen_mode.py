"""How an app takes the screen: full-screen on the terminal (the default for `pos till`,
`pos kiosk`, `pos manager`), or a 1024×768 window with `--windowed`; `--demo-devices` runs
stand-in devices with a companion window instead of the configured devices. The stand-ins are
given by the caller (the command line passes the demo's simulators and their panel), so the apps
never import the demo."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QWidget

WINDOWED_SIZE = (1024, 768)


@dataclass
class StandIns:
    """Devices an app runs with instead of the configured ones; `attach(window)` opens their
    companion (the panel that plays them) once the window shows; `close()` ends both."""

    devices: Any
    attach: Callable[[QWidget], None]
    close: Callable[[], None]


# Starts stand-ins on the store's database, their state files in the given folder.
StandInFactory = Callable[[sqlite3.Connection, Path], StandIns]


@dataclass(frozen=True)
class ScreenOptions:
    windowed: bool = False
    demo_devices: StandInFactory | None = None


def show_window(window: QWidget, windowed: bool) -> None:
    if windowed:
        window.resize(*WINDOWED_SIZE)
        window.show()
    else:
        window.showFullScreen()


def place_beside(panel: QWidget, window: QWidget) -> None:
    """A companion window (the simulated-device panel) beside the app's window, never over it:
    to its right or left where the screen has room; where it has none (a full-screen app, a
    1024×768 screen) the app's window gives up the panel's width and the panel takes the strip
    beside it. The app's layouts scale down to 0.75 (ui/widgets/scaling.py), so nothing is lost."""
    screen = window.screen() or QApplication.primaryScreen()
    area = screen.availableGeometry()
    if not panel.isVisible():
        panel.show()                      # its frame is known only once shown
    panel.adjustSize()
    extra_w = panel.frameGeometry().width() - panel.width()
    extra_h = panel.frameGeometry().height() - panel.height()
    outer_w = panel.width() + extra_w
    frame = window.frameGeometry()
    if not window.isFullScreen():
        for left in (frame.right() + 1, frame.left() - outer_w):
            if area.left() <= left and left + outer_w - 1 <= area.right():
                panel.move(left, max(frame.top(), area.top()))
                panel.resize(panel.width(), min(frame.height(), area.height()) - extra_h)
                return
    if window.isFullScreen() or window.isMaximized():
        window.showNormal()
    window_extra_w = window.frameGeometry().width() - window.width()
    window_extra_h = window.frameGeometry().height() - window.height()
    window.move(area.left(), area.top())
    window.resize(area.width() - outer_w - window_extra_w, area.height() - window_extra_h)
    panel.move(area.right() - outer_w + 1, area.top())
    panel.resize(panel.width(), area.height() - extra_h)
