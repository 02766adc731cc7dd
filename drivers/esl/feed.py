"""Keeping each assigned shelf label showing its product as the store's database has it: the feed
reads the products the labels show (`esl_shelf`: label → SKU) and queues new content for a label
whose name or price changed, so a price HQ published reaches the shelf once the till applied it.

Rule: the store's database is only read (its `product` and `product_gtin` tables, by SQL: the
drivers know no domain code); a label is queued only when what it should show differs from the
newest content queued for it, so a feed pass over an unchanged store queues nothing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from drivers.esl.shelf_labels import ShelfLabels
from drivers.esl.system import LabelFields


class PriceFeed:
    def __init__(self, store_db: Path, labels: ShelfLabels) -> None:
        self.store_db = store_db
        self.labels = labels

    def _products(self, skus: set[str]) -> dict[str, LabelFields]:
        if not skus:
            return {}
        marks = ",".join("?" * len(skus))
        conn = sqlite3.connect(f"file:{self.store_db}?mode=ro", uri=True, timeout=5)
        try:
            rows = conn.execute(
                f"SELECT p.sku, p.name_zh, p.price, (SELECT min(g.gtin) FROM product_gtin g"
                f" WHERE g.sku = p.sku) FROM product p WHERE p.sku IN ({marks})",
                sorted(skus)).fetchall()
        finally:
            conn.close()
        return {str(sku): LabelFields(str(name), int(price), barcode=_ean13(gtin))
                for sku, name, price, gtin in rows}

    def feed(self) -> int:
        """Queue new content for every label whose product changed; returns how many."""
        assigned = self.labels.outbox.assignments()
        products = self._products({sku for _, sku in assigned})
        queued = 0
        for mac, sku in assigned:
            fields = products.get(sku)
            if fields is None:
                continue        # not (yet) in the store's catalog: nothing to show
            wanted = self.labels.outbox.wanted(mac)
            if wanted is not None and wanted[1] == fields.to_json():
                continue
            queued += self.labels.set_label(mac, fields, (wanted[0] if wanted else 0) + 1)
        return queued


def _ean13(gtin: str | None) -> str:
    """The store keeps GTIN-14; a label draws EAN-13 (the GTIN-14 without its leading 0)."""
    if not gtin:
        return ""
    return gtin[1:] if len(gtin) == 14 and gtin.startswith("0") else gtin
