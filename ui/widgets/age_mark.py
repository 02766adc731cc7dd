"""The age-restricted mark, drawn with QPainter (a red ring around "18+"), so it shows on every
terminal: the U+1F51E emoji needs a colour-emoji font that store Linux images do not have and rendered
as an empty box. One pixmap per size, drawn once."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPen, QPixmap

RED = "#c62828"


@cache
def age_mark_pixmap(size: int = 24) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    ring = max(2.0, size / 10)
    painter.setPen(QPen(QColor(RED), ring))
    painter.setBrush(QColor("white"))
    painter.drawEllipse(QRectF(ring / 2, ring / 2, size - ring, size - ring))
    font = QFont()
    font.setPixelSize(max(6, int(size * 0.42)))
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor(RED))
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, "18+")
    painter.end()
    return pixmap


@cache
def age_mark_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64):       # up to the 1920×1080 row height
        icon.addPixmap(age_mark_pixmap(size))
    return icon
