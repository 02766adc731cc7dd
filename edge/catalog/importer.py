"""`pos catalog import FILE.csv`: upsert products idempotently from a UTF-8 CSV.

Rule: bad rows are reported with their line number and reason and the good rows are imported;
with `strict` any bad row means nothing is imported. A row is all-or-nothing: its product and its
GTINs change together or not at all. Hostile rows are bad rows like any other: a field longer than
its column allows, a control character (CONTROL_CHARACTERS in edge/safe_text.py), a field the CSV
reader itself refuses. Formula-looking text (`=HYPERLINK(…)`) is stored as the text it is; a
leading single quote that `pos catalog export` put before such text (CSV_FORMULA) is taken off
again, so export → import changes nothing.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from edge.catalog.barcodes import is_valid_gtin, normalize_plu
from edge.catalog.products import tax_code_error
from edge.catalog.search import refresh_index
from edge.ledger.money import MoneyError, parse_amount
from edge.ledger.store import write_transaction
from edge.safe_text import csv_cell, first_control, shown

COLUMNS = ("sku", "gtins", "plu", "name_zh", "name_en", "unit", "price", "tax_class", "category",
           "age_restricted", "active", "tax_code", "open_price")
REQUIRED = ("sku", "name_zh", "unit", "price", "tax_class")
# Longest text per column; anything longer is a typo or an attack, refused with its line.
MAX_LENGTH = {"sku": 64, "gtins": 1000, "plu": 32, "name_zh": 200, "name_en": 200, "unit": 8,
              "price": 20, "tax_class": 64, "category": 100, "age_restricted": 8, "active": 8,
              "tax_code": 64, "open_price": 8}
_MAX_OTHER = 1000   # columns the importer does not read
_BOOL = {"": False, "0": False, "1": True, "false": False, "true": True, "no": False, "yes": True}
_BATCH = 2000

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = True


@dataclass(frozen=True)
class ProductRow:
    sku: str
    gtins: tuple[str, ...]
    plu: str | None
    name_zh: str
    name_en: str
    unit: str
    price: int
    tax_class: str
    category: str
    age_restricted: bool
    active: bool
    tax_code: str = ""
    open_price: bool = False


class CatalogFileError(ValueError):
    """The file as a whole cannot be read (missing columns, not a CSV)."""


def import_catalog(conn: sqlite3.Connection, path: str | Path, tax_classes: dict[str, int],
                   strict: bool = False, progress: Progress | None = None) -> ImportReport:
    data = Path(path).read_bytes()
    report = ImportReport()
    rows: list[tuple[int, ProductRow]] = []
    total_bytes = max(len(data), 1)
    for line, raw, consumed in _rows(data):
        try:
            if isinstance(raw, str):
                raise ValueError(raw)
            rows.append((line, parse_row(raw, tax_classes)))
        except ValueError as exc:
            report.errors.append(RowError(line, str(exc)))
        if progress and line % 5000 == 0:
            progress(consumed, total_bytes)
    if strict and report.errors:
        report.committed = False
        return report
    # Strict: one transaction for the whole file. Otherwise batches, so a huge file does not hold
    # the write lock (and the till) for its whole length.
    batch_size = max(len(rows), 1) if strict else _BATCH
    try:
        for start in range(0, len(rows), batch_size):
            batch = rows[start:start + batch_size]
            with write_transaction(conn):
                for line, row in batch:
                    error = _upsert(conn, row)
                    if error:
                        report.errors.append(RowError(line, error))
                    else:
                        report.imported += 1
                if strict and report.errors:
                    raise _StrictAbort
            if progress:
                progress((start + len(batch)) * total_bytes // len(rows), total_bytes)
    except _StrictAbort:
        report.committed = False
        report.imported = 0
    # The search index follows in its own transaction; a crash before it is healed by the next
    # refresh, which finds every product whose index row is missing or stale.
    with write_transaction(conn):
        refresh_index(conn)
    report.errors.sort(key=lambda e: e.line)
    return report


class _StrictAbort(Exception):
    """Raised inside the strict transaction to roll it back."""


def _rows(data: bytes) -> Iterator[tuple[int, dict[str, str] | str, int]]:
    """(line number, row or why it cannot be read, bytes consumed): undecodable rows and rows the
    CSV reader refuses become error rows, not a crash. After a refused row the reader goes on at
    the next physical line; what follows a broken quoted field shows up as more bad rows."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8", errors="surrogateescape")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CatalogFileError("the file is empty") from None
    except csv.Error as exc:
        raise CatalogFileError(f"line 1: the header cannot be read: {exc}") from None
    header = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise CatalogFileError(f"missing columns: {', '.join(missing)} (expected {', '.join(COLUMNS)})")
    consumed = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, f"cannot read this row: {exc}", consumed
            continue
        line = reader.line_num
        consumed += sum(len(v) + 1 for v in values)
        if not values or all(not v.strip() for v in values):
            continue
        yield line, _as_row(header, values, line), consumed


def _as_row(header: list[str], values: list[str], line: int) -> dict[str, str]:
    row = dict(zip(header, values, strict=False))
    row["__extra__"] = "1" if len(values) > len(header) else ""
    return row


def parse_row(raw: dict[str, str], tax_classes: dict[str, int]) -> ProductRow:
    for key, value in raw.items():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"column {shown(key)}: not valid UTF-8 (save the file as UTF-8)"
                             ) from None
    if raw.get("__extra__"):
        raise ValueError("more fields than columns in the header")
    suspect = first_control("".join(raw.values())) is not None   # one search for a clean row
    for key, value in raw.items():
        if key == "__extra__":
            continue
        limit = MAX_LENGTH.get(key, _MAX_OTHER)
        if len(value) > limit:
            raise ValueError(f"column {shown(key)}: {len(value)} characters, at most {limit}")
        # padding the strip takes off is harmless
        control = first_control(value.strip()) if suspect else None
        if control:
            raise ValueError(f"column {shown(key)}: control character {control} (tabs, line"
                             " breaks and printer commands are not allowed in product data)")
    get = {k: _unquote_formula((v or "").strip()) for k, v in raw.items()}
    sku = get.get("sku", "")
    if not sku or len(sku) > 64:
        raise ValueError("sku is empty or longer than 64 characters")
    name_zh = get.get("name_zh", "")
    if not name_zh:
        raise ValueError("name_zh is empty")
    unit = get.get("unit", "")
    if unit not in ("each", "kg"):
        raise ValueError(f"unit must be 'each' or 'kg', not {unit!r}")
    try:
        price = parse_amount(get.get("price", ""))
    except MoneyError as exc:
        raise ValueError(f"price: {exc}") from None
    tax_class = get.get("tax_class", "")
    if tax_class not in tax_classes:
        raise ValueError(f"unknown tax_class {tax_class!r} (known: {', '.join(sorted(tax_classes))})")
    gtins = []
    for code in filter(None, (g.strip() for g in get.get("gtins", "").replace(";", "|").split("|"))):
        if not is_valid_gtin(code):
            raise ValueError(f"invalid GTIN {code!r} (needs 8, 12, 13 or 14 digits and a right "
                             "check digit)")
        gtins.append(code.zfill(14))
    plu = get.get("plu") or None
    tax_code = get.get("tax_code", "")
    bad_code = tax_code_error(tax_code)
    if bad_code:
        raise ValueError(bad_code)
    return ProductRow(sku, tuple(dict.fromkeys(gtins)), normalize_plu(plu) if plu else None,
                      name_zh, get.get("name_en") or name_zh, unit, price, tax_class,
                      get.get("category", ""), _flag(get, "age_restricted", False),
                      _flag(get, "active", True), tax_code, _flag(get, "open_price", False))


def _unquote_formula(value: str) -> str:
    """Undo CSV_FORMULA: "'=SUM(A1)" as exported is the text "=SUM(A1)"."""
    return value[1:] if value.startswith("'") and csv_cell(value[1:]) != value[1:] else value


def _flag(row: dict[str, str], key: str, default: bool) -> bool:
    value = row.get(key, "").lower()
    if value == "":
        return default
    if value not in _BOOL:
        raise ValueError(f"{key} must be 0/1, true/false or yes/no, not {value!r}")
    return _BOOL[value]


def _upsert(conn: sqlite3.Connection, row: ProductRow) -> str | None:
    """Write one product and its GTINs, or return why not (checked before anything is written)."""
    for gtin in row.gtins:
        owner = conn.execute("SELECT sku FROM product_gtin WHERE gtin = ?", (gtin,)).fetchone()
        if owner and owner[0] != row.sku:
            return f"GTIN {gtin.lstrip('0')} already belongs to SKU {owner[0]}"
    if row.plu:
        owner = conn.execute("SELECT sku FROM product WHERE plu = ?", (row.plu,)).fetchone()
        if owner and owner[0] != row.sku:
            return f"PLU {row.plu} already belongs to SKU {owner[0]}"
    conn.execute(
        "INSERT INTO product (sku, plu, name_zh, name_en, unit, price, tax_class, category,"
        " age_restricted, active, tax_code, open_price) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (sku) DO UPDATE SET plu = excluded.plu, name_zh = excluded.name_zh,"
        " name_en = excluded.name_en, unit = excluded.unit, price = excluded.price,"
        " tax_class = excluded.tax_class, category = excluded.category,"
        " age_restricted = excluded.age_restricted, active = excluded.active,"
        " tax_code = excluded.tax_code, open_price = excluded.open_price",
        (row.sku, row.plu, row.name_zh, row.name_en, row.unit, row.price, row.tax_class,
         row.category, int(row.age_restricted), int(row.active), row.tax_code,
         int(row.open_price)),
    )
    if row.gtins:
        conn.execute(f"DELETE FROM product_gtin WHERE sku = ? AND gtin NOT IN "
                     f"({','.join('?' * len(row.gtins))})", (row.sku, *row.gtins))
        conn.executemany("INSERT OR IGNORE INTO product_gtin (gtin, sku) VALUES (?, ?)",
                         [(g, row.sku) for g in row.gtins])
    return None
