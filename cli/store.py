"""`pos init`: create a store database and its config file, optionally seeded as the demo store."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from cli._options import add_store_options, config_path, open_configured_store


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("init", help="create a store database (and store.toml)")
    add_store_options(parser)
    parser.add_argument("--demo", action="store_true",
                        help="seed a demo store: products, weighed produce, staff, members,"
                             " a stored-value card and opening stock")
    parser.set_defaults(run=run_init)


def run_init(args: argparse.Namespace) -> int:
    from edge.catalog.demo_store import DEMO_STAFF, seed_demo_store
    from edge.config import DEFAULT_TOML
    from edge.store_ops.demo_opening import DEMO_CARDS, DEMO_MEMBERS, seed_demo_opening

    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    toml = config_path(args)
    if not toml.exists():
        _create_private(toml, DEFAULT_TOML.encode("utf-8"))
        print(f"wrote {toml}")
    if not Path(args.db).exists():
        # SQLite gives its -wal and -shm files the database file's mode: 0600 for all three.
        _create_private(Path(args.db), b"")
    conn, _ = open_configured_store(args, must_exist=False)
    if args.demo:
        seed_demo_store(conn)
        seed_demo_opening(conn)
        staff = ", ".join(f"{sid} {role} PIN {pin}" for sid, _, role, pin in DEMO_STAFF)
        members = ", ".join(f"{card} {tier} ({qr})" for card, _, qr, _, tier, _ in DEMO_MEMBERS)
        cards = ", ".join(card for card, _, _ in DEMO_CARDS)
        print(f"demo store seeded; staff: {staff}\nmembers: {members}\nstored-value card: {cards}")
    print(f"store database ready at {args.db}")
    return 0


def _create_private(path: Path, content: bytes) -> None:
    """A new file only its owner can read: the config may hold secrets, the database holds
    members' phones and the journal (docs/security.md)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
