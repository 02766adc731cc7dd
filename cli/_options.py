"""Options every store command shares: where the database and the store's config file are."""

from __future__ import annotations

import argparse
import os
import sqlite3
from pathlib import Path

from cli.main import CommandError
from edge.config import ConfigError, StoreConfig, load_config
from edge.ledger.store import StoreError, open_store

DEFAULT_DB = "store.db"


def add_store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=os.environ.get("POS_DB", DEFAULT_DB),
                        help="the store database (default: $POS_DB or ./store.db)")
    parser.add_argument("--config", default=None,
                        help="the store's TOML config (default: store.toml beside the database)")


def config_path(args: argparse.Namespace) -> Path:
    return Path(args.config) if args.config else Path(args.db).with_name("store.toml")


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
