"""`pos catalog import FILE.csv [--strict]`: upsert products, report bad rows by line.
`pos catalog export FILE.csv`: the catalog in the same format, safe to open in a spreadsheet.
`pos catalog search TEXT`: products by pinyin initials, SKU or part of a name.
Every failure is one line (`pos: FILE:LINE: reason` for a row, `pos: FILE: reason` for the file)."""

from __future__ import annotations

import argparse
import sqlite3
import sys

from cli._options import add_store_options, open_configured_store
from cli.main import CommandError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("catalog", help="products")
    actions = parser.add_subparsers(dest="action", required=True)
    imp = actions.add_parser("import", help="import products from a UTF-8 CSV (see docs/catalog.md)")
    add_store_options(imp)
    imp.add_argument("file")
    imp.add_argument("--strict", action="store_true", help="any bad row: import nothing")
    imp.set_defaults(run=run_import)
    exp = actions.add_parser("export", help="write the catalog as a CSV that catalog import reads")
    add_store_options(exp)
    exp.add_argument("file")
    exp.set_defaults(run=run_export)
    find = actions.add_parser("search", help="find products by pinyin initials (nfsq), SKU or "
                                             "part of the name")
    add_store_options(find)
    find.add_argument("text", help="what to look for, e.g. nfsq, P00012, 山泉 or Cola")
    find.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    find.set_defaults(run=run_search)


def _progress_bar(done: int, total: int) -> None:
    if not sys.stderr.isatty():
        return
    filled = 30 * done // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {100 * done // max(total, 1):3d}%")
    sys.stderr.flush()


def run_import(args: argparse.Namespace) -> int:
    from edge.catalog.importer import CatalogFileError, import_catalog

    conn, config = open_configured_store(args)
    try:
        report = import_catalog(conn, args.file, config.tax_classes, strict=args.strict,
                                progress=_progress_bar)
    except (OSError, CatalogFileError, sqlite3.Error) as exc:
        raise CommandError(f"{args.file}: {exc}") from None
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    for error in report.errors:
        print(f"{args.file}:{error.line}: {error.reason}", file=sys.stderr)
    if not report.committed:
        print(f"nothing imported: {len(report.errors)} bad rows (--strict)")
        return 1
    print(f"imported {report.imported} products, {len(report.errors)} bad rows")
    return 1 if report.errors else 0


def run_export(args: argparse.Namespace) -> int:
    from edge.catalog.exporter import export_catalog

    conn, _ = open_configured_store(args)
    try:
        count = export_catalog(conn, args.file)
    except (OSError, sqlite3.Error) as exc:
        raise CommandError(f"{args.file}: {exc}") from None
    print(f"exported {count} products to {args.file}")
    return 0


def run_search(args: argparse.Namespace) -> int:
    from edge.catalog.search import search
    from edge.ledger.money import format_amount

    conn, config = open_configured_store(args)
    found = search(conn, args.text, limit=max(1, args.limit), active_only=False)
    for product in found:
        unit = "/kg" if product.unit == "kg" else ""
        state = "" if product.active else "  (inactive)"
        print(f"{product.sku}\t{product.name_zh}\t{product.name_en}\t"
              f"{format_amount(product.price, config.minor_digits)}{unit}{state}")
    if not found:
        print(f"no product matches {args.text!r}", file=sys.stderr)
        return 1
    return 0
