"""A QR code drawn by Qt from the `qrcode` library's module matrix (the e-receipt link)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget


class QrWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._matrix: list[list[bool]] = []
        self.payload = ""
        self.setMinimumSize(QSize(160, 160))

    def set_payload(self, payload: str) -> None:
        import qrcode  # only when a receipt is shown: keeps start-up light

        self.payload = payload
        code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data(payload)
        code.make(fit=True)
        self._matrix = code.get_matrix()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if not self._matrix:
            return
        n = len(self._matrix)
        side = min(self.width(), self.height())
        cell = side / n
        x0 = (self.width() - side) / 2
        y0 = (self.height() - side) / 2
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("black"))
        for r, row in enumerate(self._matrix):
            for c, dark in enumerate(row):
                if dark:
                    painter.drawRect(QRectF(x0 + c * cell, y0 + r * cell, cell + 0.5, cell + 0.5))
