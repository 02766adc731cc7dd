"""How an app takes the screen: full-screen on the terminal (the default for `pos till`,
`pos kiosk`, `pos manager`), or a 1024×768 window with `--windowed`; `--demo-devices` runs the
simulated devices and their panel instead of the configured devices."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

WINDOWED_SIZE = (1024, 768)


@dataclass(frozen=True)
class ScreenOptions:
    windowed: bool = False
    demo_devices: bool = False


def show_window(window: QWidget, windowed: bool) -> None:
    if windowed:
        window.resize(*WINDOWED_SIZE)
        window.show()
    else:
        window.showFullScreen()


def place_on_screen(panel: QWidget, window: QWidget) -> None:
    """A helper window (the simulated-device panel) on top, in the top-right corner of the
    screen the app is on: never off-screen, whatever the app's size."""
    panel.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
    screen = window.screen() or QApplication.primaryScreen()
    area = screen.availableGeometry()
    panel.adjustSize()
    panel.move(area.right() - panel.width() - 16, area.top() + 16)
