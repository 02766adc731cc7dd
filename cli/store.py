"""`pos init`: create a store database and its config file, optionally seeded as the demo store."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli._options import add_store_options, config_path, open_configured_store


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("init", help="create a store database (and store.toml)")
    add_store_options(parser)
    parser.add_argument("--demo", action="store_true",
                        help="seed a demo store: products, weighed produce, staff")
    parser.set_defaults(run=run_init)


def run_init(args: argparse.Namespace) -> int:
    from edge.catalog.demo_store import DEMO_STAFF, seed_demo_store
    from edge.config import DEFAULT_TOML

    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    toml = config_path(args)
    if not toml.exists():
        toml.write_text(DEFAULT_TOML, "utf-8")
        print(f"wrote {toml}")
    conn, _ = open_configured_store(args, must_exist=False)
    if args.demo:
        seed_demo_store(conn)
        staff = ", ".join(f"{sid} {role} PIN {pin}" for sid, _, role, pin in DEMO_STAFF)
        print(f"demo store seeded; staff: {staff}")
    print(f"store database ready at {args.db}")
    return 0
