"""The produce picker for weighed items without barcodes: categories as tabs, one tile per product
with its photo (ui/kiosk/product_photos.py) or else a drawn picture (the product's first character on
its own colour), a tap picks it.
"""

from __future__ import annotations

import sqlite3
import zlib

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QGridLayout, QScrollArea, QTabWidget, QToolButton, QVBoxLayout, QWidget

from ui.kiosk.product_photos import ProductPhotos
from ui.widgets.catalog_text import category_label
from ui.widgets.scaling import scalable

PALETTE = ("#e53935", "#fb8c00", "#fdd835", "#7cb342", "#43a047", "#00897b", "#1e88e5",
           "#8e24aa", "#6d4c41", "#d81b60")


def produce_picture(name: str, size: int = 96) -> QPixmap:
    """A picture for a product: a disc in a colour fixed by the name, with its first character."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(PALETTE[zlib.crc32(name.encode()) % len(PALETTE)]))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(4, 4, size - 8, size - 8)
    painter.setPen(QColor("white"))
    font = QFont()
    font.setPixelSize(size // 2)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, name[:1])
    painter.end()
    return pixmap


class ProducePicker(QWidget):
    picked = Signal(str, str)   # plu, display name

    def __init__(self, conn: sqlite3.Connection, locale_name: str,
                 parent: QWidget | None = None, photos: ProductPhotos | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        scalable(self.tabs, "QTabBar::tab { min-height: 44px; min-width: 120px; font-size: {px}px; }", 17)
        layout.addWidget(self.tabs)
        self.tiles: dict[str, QToolButton] = {}
        self.photographed: set[str] = set()   # PLUs whose tile shows the product's photo
        rows = conn.execute("SELECT plu, name_zh, name_en, category, sku FROM product"
                            " WHERE unit = 'kg' AND plu IS NOT NULL AND active = 1"
                            " ORDER BY category, CAST(plu AS INTEGER)").fetchall()
        by_category: dict[str, list[tuple[str, str, str]]] = {}
        for plu, zh, en, category, sku in rows:
            name = zh if locale_name.startswith("zh") else en
            by_category.setdefault(category, []).append((plu, name, sku))
        for category, items in by_category.items():
            page = QWidget()
            grid = QGridLayout(page)
            for i, (plu, name, sku) in enumerate(items):
                tile = QToolButton()
                tile.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
                photo = photos.pixmap(sku, 96) if photos is not None else None
                if photo is not None:
                    self.photographed.add(plu)
                tile.setIcon(QIcon(photo or produce_picture(name)))
                tile.setText(name.replace("&", "&&"))
                scalable(tile, "font-size: {px}px;", 16)
                tile.clicked.connect(lambda _=False, p=plu, n=name: self.picked.emit(p, n))
                grid.addWidget(tile, i // 5, i % 5)
                self.tiles[plu] = tile
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(page)
            # A tab title's "&" marks a shortcut key: "Fruit & veg" must show its "&".
            self.tabs.addTab(scroll, category_label(category, locale_name).replace("&", "&&"))
        self.scale_tiles(1.0)


    def scale_tiles(self, factor: float) -> None:
        """Tiles and pictures sized for the screen (ui/widgets/scaling.py): 140×120 at 1024×768."""
        for tile in self.tiles.values():
            tile.setIconSize(QSize(round(72 * factor), round(72 * factor)))
            tile.setMinimumSize(round(140 * factor), round(120 * factor))


