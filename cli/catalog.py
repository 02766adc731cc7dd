"""`pos catalog import FILE.csv [--strict]`: upsert products, report bad rows by line.
`pos catalog export FILE.csv`: the catalog in the same format, safe to open in a spreadsheet.
`pos catalog search TEXT`: products by pinyin initials, SKU or part of a name.
`pos catalog list [filters] [--page N]`: the catalog a page at a time.
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
    imp.add_argument("file", help="the CSV to import (UTF-8, header row; docs/catalog.md)")
    imp.add_argument("--strict", action="store_true", help="any bad row: import nothing")
    imp.set_defaults(run=run_import)
    exp = actions.add_parser("export", help="write the catalog as a CSV that catalog import reads")
    add_store_options(exp)
    exp.add_argument("file", help="the CSV to write (replaced if it exists)")
    exp.set_defaults(run=run_export)
    find = actions.add_parser("search", help="find products by pinyin initials (nfsq), SKU or "
                                             "part of the name")
    add_store_options(find)
    find.add_argument("text", help="what to look for, e.g. nfsq, P00012, 山泉 or Cola")
    find.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    find.set_defaults(run=run_search)
    listing = actions.add_parser("list", help="the catalog a page at a time, with filters")
    add_store_options(listing)
    listing.add_argument("--category", help="only categories whose name contains this, e.g. 饮料"
                                            " or Drinks")
    listing.add_argument("--unit", choices=("each", "kg"), help="only products sold by the piece"
                                                               " (each) or weighed (kg)")
    listing.add_argument("--status", choices=("active", "inactive", "all"), default="all",
                         help="active products, inactive ones, or all (default)")
    age = listing.add_mutually_exclusive_group()
    age.add_argument("--age-restricted", dest="age", action="store_const", const=True,
                     help="only age-restricted products")
    age.add_argument("--no-age-restricted", dest="age", action="store_const", const=False,
                     help="only products without an age limit")
    listing.add_argument("--page", type=int, default=1, help="which page, from 1 (default 1)")
    listing.add_argument("--per-page", type=int, default=50,
                         help="products per page, 1 to 1000 (default 50)")
    listing.set_defaults(run=run_list)


def run_import(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    from edge.catalog.importer import CatalogFileError, import_catalog

    conn, config = open_configured_store(args)
    # On a terminal only: a log or a pipe gets the report lines and nothing else.
    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                  TimeRemainingColumn(), console=Console(stderr=True),
                  disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task(args.file, total=None)
        try:
            report = import_catalog(
                conn, args.file, config.tax_classes, strict=args.strict,
                progress=lambda done, total: bar.update(task, completed=done, total=total))
        except (OSError, CatalogFileError, sqlite3.Error) as exc:
            raise CommandError(f"{args.file}: {exc}") from None
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


def run_list(args: argparse.Namespace) -> int:
    from edge.catalog.listing import ListingError, list_products
    from edge.ledger.money import format_amount

    conn, config = open_configured_store(args)
    try:
        page = list_products(conn, category=args.category, unit=args.unit, status=args.status,
                             age_restricted=args.age, page=args.page, per_page=args.per_page)
    except ListingError as exc:
        raise CommandError(str(exc)) from None
    for product in page.products:
        unit = "/kg" if product.unit == "kg" else ""
        marks = ("  18+" if product.age_restricted else "") + (
            "" if product.active else "  (inactive)")
        print(f"{product.sku}\t{product.name_zh}\t{product.name_en}\t{product.category}\t"
              f"{format_amount(product.price, config.minor_digits)}{unit}{marks}")
    print(f"page {page.page} of {page.pages}: {len(page.products)} of {page.total} products",
          file=sys.stderr)
    return 0
