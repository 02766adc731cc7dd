"""`pos journal verify`: check the hash chain of the electronic journal."""

from __future__ import annotations

import argparse

from cli._options import add_store_options, open_configured_store
from cli.main import CommandError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("journal", help="the electronic journal")
    actions = parser.add_subparsers(dest="action", required=True)
    verify = actions.add_parser("verify", help="report edited, removed or reordered entries")
    add_store_options(verify)
    verify.set_defaults(run=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from edge.ledger.journal import verify
    from edge.ledger.store import StoreDamaged, check_store

    conn, _ = open_configured_store(args)
    try:
        check_store(conn, args.db)  # a chain read from damaged pages would prove nothing
    except StoreDamaged as exc:
        raise CommandError(str(exc)) from None
    problems = verify(conn)
    count = conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    for problem in problems:
        print(f"journal entry {problem.seq}: {problem.problem}")
    if problems:
        print(f"journal BROKEN: {len(problems)} problems in {count} entries")
        return 1
    print(f"journal ok: {count} entries, chain intact")
    return 0
