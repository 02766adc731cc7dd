"""Screens that scale from 1024×768 to 1920×1080: a widget marked `scalable` keeps its style as a
template with `{px}` for its font size in pixels at 1024×768 (and, for touch targets, a minimum
height); `rescale` applies them for the window's size, so text and targets grow with the screen
and a layout drawn for the smallest screen never clips on the largest.

Rule: factor = min(width / 1024, height / 768), kept between 0.75 and 2.5, so both axes fit.
Unstyled text (a caption, a standard dialog's label and buttons) follows its window's base font,
BASE_FONT_PX at 1024×768. A dialog takes the scale of the window it opens over (`DialogScaler`,
installed on each app window) and is sized to show all it holds, within that window.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget

BASE_WIDTH, BASE_HEIGHT = 1024, 768
BASE_FONT_PX = 15
W = TypeVar("W", bound=QWidget)


def factor_for(width: int, height: int) -> float:
    return max(0.75, min(2.5, min(width / BASE_WIDTH, height / BASE_HEIGHT)))


def scalable(widget: W, template: str, px: int, min_height: int = 0) -> W:
    """Mark `widget`: `template` is its style sheet with `{px}` where its font size goes."""
    widget.setProperty("scaledCss", template)
    widget.setProperty("scaledPx", px)
    widget.setProperty("scaledMinHeight", min_height)
    _apply(widget, 1.0)
    return widget


def rescale(root: QWidget, factor: float) -> None:
    """Apply `factor` to every marked widget under `root` (and `root` itself), and to the base
    font the unmarked ones inherit."""
    root.setProperty("scaleFactor", factor)
    font = root.font()
    font.setPixelSize(round(BASE_FONT_PX * factor))
    root.setFont(font)
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.property("scaledCss"):
            _apply(widget, factor)


def window_factor(widget: QWidget) -> float:
    """The scale of the app window `widget` belongs to (or opens over); from its screen when it
    has none."""
    window: QWidget | None = widget.window()
    while window is not None:
        factor = window.property("scaleFactor")
        if factor is not None:
            return float(factor)
        parent = window.parentWidget()
        window = parent.window() if parent is not None else None
    screen = widget.screen() or QApplication.primaryScreen()
    area = screen.availableGeometry()
    return factor_for(area.width(), area.height())


class DialogScaler(QObject):
    """Watches one app window (never the whole application: a Python filter there would run
    for every event, the scan path's paints included): each dialog opened over it, as it first
    shows, takes the window's scale and the size to show all it holds (never more than the
    window): the X report without scrolling."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ChildPolished:          # a child about to show: is it a dialog?
            child = event.child()  # type: ignore[attr-defined]
            if isinstance(child, QDialog) and child.property("scaleFactor") is None:
                child.installEventFilter(self)
        elif kind == QEvent.Type.Show and isinstance(watched, QDialog):
            watched.removeEventFilter(self)
            if watched.property("scaleFactor") is None:
                fit_dialog(watched)
        return False


def fit_dialog(dialog: QDialog) -> None:
    parent = dialog.parentWidget()
    factor = window_factor(parent) if parent is not None else window_factor(dialog)
    base = dialog.size()
    rescale(dialog, factor)
    layout = dialog.layout()
    if layout is not None:
        layout.activate()
    hint = dialog.sizeHint()
    room = (parent.window().size() if parent is not None
            else (dialog.screen() or QApplication.primaryScreen()).availableGeometry().size())
    wanted = hint
    if dialog.testAttribute(Qt.WidgetAttribute.WA_Resized):   # a size its code asked for
        wanted = QSize(max(round(base.width() * factor), hint.width()),
                       max(round(base.height() * factor), hint.height()))
    dialog.resize(min(wanted.width(), room.width()), min(wanted.height(), room.height()))
    if parent is not None:
        centre = parent.window().frameGeometry().center()
        dialog.move(centre.x() - dialog.width() // 2, centre.y() - dialog.height() // 2)


def follow_scale_in_dialogs(window: QWidget) -> None:
    """Scale every dialog opened over `window` (an app window calls this once)."""
    window.installEventFilter(DialogScaler(window))


def restyle(widget: QWidget, template: str, px: int = 16) -> None:
    """A new style for a widget (a colour that changes), at its window's current scale; `px` is
    its font size at 1024×768 unless it was marked `scalable` with one."""
    widget.setProperty("scaledCss", template)
    if widget.property("scaledPx") is None:
        widget.setProperty("scaledPx", px)
    _apply(widget, float(widget.window().property("scaleFactor") or 1.0))


def _apply(widget: QWidget, factor: float) -> None:
    px = round(int(widget.property("scaledPx")) * factor)
    widget.setStyleSheet(str(widget.property("scaledCss")).replace("{px}", str(px)))
    min_height = int(widget.property("scaledMinHeight") or 0)
    if min_height:
        widget.setMinimumHeight(round(min_height * factor))
