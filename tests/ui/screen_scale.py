"""What a scaled screen must hold, for the scaling tests: the font of every visible text widget
(labels, buttons, text fields, tables) at one size and another, and whether any text overflows
its widget or any widget its window."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QFontInfo, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QWidget,
)

TEXT_WIDGETS = (QLabel, QAbstractButton, QLineEdit, QAbstractItemView)


def visible_text_widgets(root: QWidget) -> list[QWidget]:
    """Every widget under `root` (and `root`) that shows text and is visible now."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, TEXT_WIDGETS) or not widget.isVisible():
            continue
        if isinstance(widget, QLabel) and (not widget.text() or (widget.pixmap() is not None
                                           and not widget.pixmap().isNull())):
            continue                      # an empty label or a picture: no text to size
        if isinstance(widget, QAbstractButton) and not widget.text():
            continue
        found.append(widget)
    return found


def font_px(widget: QWidget) -> int:
    widget.ensurePolished()
    return QFontInfo(widget.font()).pixelSize()


def fonts(root: QWidget) -> dict[int, tuple[str, int]]:
    """The font size of each visible text widget, by the widget's identity."""
    return {id(w): (_name(w), font_px(w)) for w in visible_text_widgets(root)}


def not_grown(small: dict[int, tuple[str, int]],
              large: dict[int, tuple[str, int]]) -> list[str]:
    """The widgets (seen at both sizes) whose text did not grow."""
    return [f"{name}: {px} → {large[key][1]} px" for key, (name, px) in small.items()
            if key in large and large[key][1] <= px]


def overflowing(root: QWidget) -> list[str]:
    """Texts wider than their widget (one-line labels and buttons) and widgets reaching past
    `root`'s edges."""
    problems = []
    bounds = QRect(0, 0, root.width(), root.height())
    from ui.widgets.status_bar import ElidedLabel

    for widget in visible_text_widgets(root):
        if widget is root or isinstance(widget, ElidedLabel):   # it ends in "…" by design
            continue
        placed = QRect(widget.mapTo(root, widget.rect().topLeft()), widget.size())
        if not bounds.contains(placed):
            problems.append(f"{_name(widget)} at {placed.getRect()} outside {bounds.getRect()}")
        if (isinstance(widget, QLabel) and not widget.wordWrap()) or isinstance(widget,
                                                                                QAbstractButton):
            metrics = QFontMetrics(widget.font())
            room = widget.contentsRect().width() - (8 if isinstance(widget, QAbstractButton)
                                                    else 0)
            for line in widget.text().replace("&&", "&").split("\n"):  # type: ignore[attr-defined]
                if metrics.horizontalAdvance(line) > room:
                    problems.append(f"{_name(widget)}: {line!r} needs "
                                    f"{metrics.horizontalAdvance(line)} px, has {room}")
    return problems


def settle(window: QWidget, size: tuple[int, int]) -> None:
    window.resize(*size)
    for _ in range(3):
        QApplication.processEvents()


def _name(widget: QWidget) -> str:
    text = widget.text() if hasattr(widget, "text") else ""  # type: ignore[attr-defined]
    return f"{type(widget).__name__}({widget.objectName() or text[:30]!r})"
