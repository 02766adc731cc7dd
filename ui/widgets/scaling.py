"""Screens that scale from 1024×768 to 1920×1080: a widget marked `scalable` keeps its style as a
template with `{px}` for its font size in pixels at 1024×768 (and, for touch targets, a minimum
height); `rescale` applies them for the window's size, so text and targets grow with the screen
and a layout drawn for the smallest screen never clips on the largest.

Rule: factor = min(width / 1024, height / 768), kept between 0.75 and 2.5, so both axes fit.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

BASE_WIDTH, BASE_HEIGHT = 1024, 768
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
    """Apply `factor` to every marked widget under `root` (and `root` itself)."""
    root.setProperty("scaleFactor", factor)
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.property("scaledCss"):
            _apply(widget, factor)


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
