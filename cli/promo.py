"""`pos promo import FILE [--strict]` and `pos promo list`: promotions kept on this till.
Every failure is one line: `FILE:LINE: reason` per bad promotion, `pos: FILE:LINE: reason` when the
file cannot be read at all."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from cli._options import add_store_options, open_configured_store
from cli.main import CommandError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("promo", help="promotions")
    actions = parser.add_subparsers(dest="action", required=True)
    imp = actions.add_parser("import", help="import promotions from a JSON file (docs/promotions.md)")
    add_store_options(imp)
    imp.add_argument("file", help="the promotions file (JSON; docs/promotions.md)")
    imp.add_argument("--strict", action="store_true", help="any bad promotion: import nothing")
    imp.set_defaults(run=run_import)
    listing = actions.add_parser("list", help="the promotions the till applies")
    add_store_options(listing)
    listing.set_defaults(run=run_list)


def run_import(args: argparse.Namespace) -> int:
    from edge.promotions.local_table import import_promotions

    conn, _ = open_configured_store(args)
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise CommandError(f"{args.file}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CommandError(f"{args.file}:{line}: not UTF-8 (save the file as UTF-8)") from None
    try:
        report = import_promotions(conn, text, strict=args.strict)
    except sqlite3.Error as exc:
        raise CommandError(f"{args.file}: {exc}") from None
    whole_file = [p for p in report.problems if p.index < 0]
    if whole_file:
        raise CommandError(f"{args.file}:{whole_file[0].line}: {whole_file[0].message}")
    for problem in report.problems:
        print(f"{args.file}:{problem.line}: {problem}", file=sys.stderr)
    if not report.committed:
        print(f"nothing imported: {len(report.problems)} bad promotions (--strict)")
        return 1
    print(f"imported {report.imported} promotions, {len(report.problems)} bad")
    return 1 if report.problems else 0


def run_list(args: argparse.Namespace) -> int:
    from edge.promotions.local_table import stored_promotions

    conn, _ = open_configured_store(args)
    for promotion in stored_promotions(conn):
        print(f"{promotion.id}\t{promotion.kind}\t{promotion.name_zh} {promotion.name_en}")
    return 0
