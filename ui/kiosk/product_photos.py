"""Product photos from the store's photos directory, one file per SKU (`<SKU>.jpg`, `.jpeg`,
`.png` or `.webp`; docs/catalog.md "Product photos"). A product without a file, or with one Qt
cannot read, simply has no photo: the screens draw their own picture instead.

The directory is `[kiosk] photos_dir` (relative to the database's folder) or `photos/` next to
the database. Files are local on purpose: the kiosk never waits for the network to show a basket.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap

EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")


class ProductPhotos:
    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._cache: dict[tuple[str, int], QPixmap | None] = {}

    def path(self, sku: str) -> Path | None:
        if self.directory is None or not sku or "/" in sku or sku.startswith("."):
            return None
        for extension in EXTENSIONS:
            candidate = self.directory / f"{sku}{extension}"
            if candidate.is_file():
                return candidate
        return None

    def pixmap(self, sku: str, size: int) -> QPixmap | None:
        """The photo scaled to fit a `size` square, or None."""
        key = (sku, size)
        if key not in self._cache:
            path = self.path(sku)
            image = QPixmap(str(path)) if path is not None else QPixmap()
            self._cache[key] = None if image.isNull() else image.scaled(
                size, size, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation)
        return self._cache[key]


def photos_for(conn: sqlite3.Connection, kiosk_config: dict[str, object]) -> ProductPhotos:
    """The photos directory for the store whose database `conn` is."""
    db_file = conn.execute("PRAGMA database_list").fetchone()[2]
    base = Path(db_file).parent if db_file else None
    configured = kiosk_config.get("photos_dir")
    if isinstance(configured, str) and configured:
        directory = Path(configured) if base is None else base / configured
    else:
        directory = base / "photos" if base is not None else None
    return ProductPhotos(directory)
