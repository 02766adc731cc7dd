"""`pos journal verify`: check the hash chain of the electronic journal, and with `--heads` the
anchors HQ kept (a journal rewritten whole after HQ saw its head)."""

from __future__ import annotations

import argparse

from cli._options import add_store_options, open_configured_store
from cli.main import CommandError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("journal", help="the electronic journal")
    actions = parser.add_subparsers(dest="action", required=True)
    verify = actions.add_parser("verify", help="report edited, removed or reordered entries")
    add_store_options(verify)
    verify.add_argument("--heads", default="",
                        help="JSON from `pos hq heads`: check the journal still holds the heads"
                             " HQ saw from this terminal")
    verify.set_defaults(run=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from edge.ledger.journal import verify, verify_heads
    from edge.ledger.store import StoreDamaged, check_store

    conn, config = open_configured_store(args)
    try:
        check_store(conn, args.db)  # a chain read from damaged pages would prove nothing
    except StoreDamaged as exc:
        raise CommandError(str(exc)) from None
    problems = verify(conn)
    if args.heads:
        try:
            heads = json.loads(Path(args.heads).read_text("utf-8"))
            mine = [(int(h["seq"]), str(h["hash"])) for h in heads
                    if h["store"] == config.store_id and h["terminal"] == config.terminal_id]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"{args.heads}: not a heads file from `pos hq heads`: {exc}"
                               ) from None
        if not mine:
            print(f"no head of {config.store_id}/{config.terminal_id} in {args.heads}")
        problems += verify_heads(conn, mine)
    count = conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    for problem in problems:
        print(f"journal entry {problem.seq}: {problem.problem}")
    if problems:
        print(f"journal BROKEN: {len(problems)} problems in {count} entries")
        return 1
    print(f"journal ok: {count} entries, chain intact")
    return 0
