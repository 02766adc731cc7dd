"""Options every store command shares: where the database and the store's config file are."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from cli.main import CommandError
from edge.config import ConfigError, StoreConfig, load_config
from edge.ledger.lease import LeaseError, TerminalLease
from edge.ledger.store import StoreDamaged, StoreError, check_store, open_store

DEFAULT_DB = "store.db"


def add_store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=os.environ.get("POS_DB", DEFAULT_DB),
                        help="the store database (default: $POS_DB or ./store.db)")
    parser.add_argument("--config", default=None,
                        help="the store's TOML config (default: store.toml beside the database)")


def config_path(args: argparse.Namespace) -> Path:
    return Path(args.config) if args.config else Path(args.db).with_name("store.toml")


def add_terminal_options(parser: argparse.ArgumentParser) -> None:
    """For the commands that sell as this terminal (till, kiosk)."""
    add_store_options(parser)
    parser.add_argument("--integrity-check", action="store_true",
                        help="check every page of the database at start (slower than the "
                             "quick check always made)")


def open_configured_store(args: argparse.Namespace,
                          must_exist: bool = True) -> tuple[sqlite3.Connection, StoreConfig]:
    if must_exist and not Path(args.db).exists():
        raise CommandError(f"no store database at {args.db}: create one with `pos init --db {args.db}`")
    try:
        config = load_config(config_path(args))
        conn = open_store(args.db)
    except (ConfigError, StoreError) as exc:
        raise CommandError(str(exc)) from None
    return conn, config


class StartRefused(Exception):
    """A terminal must not start: `kind` is `damaged` or `already_running`; `locale` is the
    store's, for the screen that says so."""

    def __init__(self, kind: str, message: str, locale: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.locale = locale


def refuse_start(exc: StartRefused, headless: bool, locale: str | None = None) -> int:
    """Say why a terminal does not start: one line on stderr, and on a display the translated
    screen instead of the login."""
    if headless:
        raise CommandError(str(exc))
    from ui.till.startup_refusal import show_refusal

    print(f"pos: {exc}", file=sys.stderr)
    return show_refusal(exc.kind, str(exc), locale or exc.locale)


def open_terminal(args: argparse.Namespace, holder: str
                  ) -> tuple[sqlite3.Connection, StoreConfig, TerminalLease]:
    """The store for a till or kiosk: checked by SQLite (quick_check, or integrity_check on
    request) and leased to this process as its terminal. Raises StartRefused."""
    try:
        config = load_config(config_path(args))
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    if not Path(args.db).exists():
        raise CommandError(f"no store database at {args.db}: create one with `pos init --db {args.db}`")
    lease = TerminalLease(args.db, config.terminal_id, holder)
    try:
        lease.acquire()
    except LeaseError as exc:
        raise StartRefused("already_running", str(exc), config.locale) from None
    try:
        conn = open_store(args.db)
        check_store(conn, args.db, full=args.integrity_check)
    except StoreDamaged as exc:
        lease.release()
        raise StartRefused("damaged", str(exc), config.locale) from None
    except StoreError as exc:
        lease.release()
        raise CommandError(str(exc)) from None
    return conn, config, lease


def add_screen_options(parser: argparse.ArgumentParser) -> None:
    """The options every app with a window takes, the same way (`pos till|kiosk|manager`)."""
    parser.add_argument("--locale", default=None, choices=("zh_CN", "en"),
                        help="language of the screens: zh_CN or en (default: the store's)")
    parser.add_argument("--windowed", action="store_true",
                        help="a 1024×768 window instead of full screen (the terminal's default)")
    parser.add_argument("--demo-devices", action="store_true",
                        help="use the simulated scanner, scale, printer and RFID reader, with a"
                             " panel that plays them, instead of the configured devices")


def screen_options(args: argparse.Namespace) -> Any:
    from ui.widgets.screen_mode import ScreenOptions

    if not args.demo_devices:
        return ScreenOptions(windowed=args.windowed)
    from ui.demo.device_panel import demo_stand_ins

    return ScreenOptions(windowed=args.windowed, demo_devices=demo_stand_ins)
