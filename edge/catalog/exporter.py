"""`pos catalog export FILE.csv`: the catalog in the import's own CSV format, so a store can edit it
in a spreadsheet and import it back unchanged.

Rule: every text cell goes through CSV_FORMULA (edge/safe_text.py): a name such as
`=HYPERLINK(…)` is written `'=HYPERLINK(…)`, shown as text by the spreadsheet, and the importer
takes the quote off again. The file is UTF-8 with a BOM, which spreadsheets need to read Chinese.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from edge.catalog.importer import COLUMNS
from edge.ledger.money import format_amount
from edge.safe_text import csv_cell


def export_catalog(conn: sqlite3.Connection, path: str | Path) -> int:
    """Write every product (active or not) to `path`; returns how many."""
    gtins: dict[str, list[str]] = {}
    for gtin, sku in conn.execute("SELECT gtin, sku FROM product_gtin ORDER BY gtin"):
        gtins.setdefault(sku, []).append(gtin)
    count = 0
    with Path(path).open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for row in conn.execute("SELECT sku, plu, name_zh, name_en, unit, price, tax_class,"
                                " category, age_restricted, active, tax_code, open_price FROM product"
                                " ORDER BY sku"):
            values = {"sku": row[0], "gtins": "|".join(gtins.get(row[0], [])),
                      "plu": row[1] or "", "name_zh": row[2], "name_en": row[3], "unit": row[4],
                      "price": format_amount(row[5]), "tax_class": row[6], "category": row[7],
                      "age_restricted": int(row[8]), "active": int(row[9]),
                      "tax_code": row[10], "open_price": int(row[11])}
            writer.writerow([csv_cell(values[column]) for column in COLUMNS])
            count += 1
    return count
