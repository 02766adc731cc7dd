"""`pos manager`: manager mode — stock counts, receiving, price check, reports, shelf labels
(ui/manager/manager_app.py)."""

from __future__ import annotations

import argparse

from cli._options import (
    add_screen_options,
    add_store_options,
    open_configured_store,
    screen_options,
)


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("manager", help="run manager mode (manager PIN)")
    add_store_options(parser)
    add_screen_options(parser)
    parser.set_defaults(run=run_manager)


def run_manager(args: argparse.Namespace) -> int:
    conn, config = open_configured_store(args)
    from ui.manager.manager_app import run_manager_app

    return run_manager_app(conn, config, locale_name=args.locale, screen=screen_options(args))
