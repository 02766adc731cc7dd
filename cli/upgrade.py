"""`pos upgrade`: the health check that decides whether a new release stays, and the return to the
previous release. Releases live in /opt/pos/releases/VERSION; /opt/pos/current and
/opt/pos/previous are symlinks switched atomically (rename), so a rollback is one rename away."""

from __future__ import annotations

import argparse
import os
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from cli._options import add_store_options
from cli.main import CommandError

DEFAULT_ROOT = "/opt/pos"


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("upgrade", help="health check after an upgrade, and rollback")
    sub = parser.add_subparsers(dest="upgrade_command", required=True, metavar="UPGRADE_COMMAND")
    check = sub.add_parser("check", help="migrate (copy aside first) and check the database; "
                                         "optionally wait for the sync agent to report")
    add_store_options(check)
    check.add_argument("--agent-within", type=float, default=0.0, metavar="SECONDS",
                       help="also require a fresh report from the sync agent within this time")
    check.set_defaults(run=run_check)

    rollback = sub.add_parser("rollback", help="switch back to the previous release (and its "
                                               "database schema)")
    rollback.add_argument("--root", default=DEFAULT_ROOT,
                          help=f"where the releases live (default {DEFAULT_ROOT})")
    rollback.add_argument("--db", default="", help="the store database: put back the copy taken "
                                                   "before migrating if the previous release "
                                                   "cannot open it")
    rollback.set_defaults(run=run_rollback)

    status = sub.add_parser("status", help="the running and the previous release")
    status.add_argument("--root", default=DEFAULT_ROOT,
                        help=f"where the releases live (default {DEFAULT_ROOT})")
    status.set_defaults(run=run_status)


def run_check(args: argparse.Namespace) -> int:
    from cli._options import open_configured_store
    from cloud_sync.status import read_status
    from edge.ledger.store import quick_check, schema_version

    conn, _ = open_configured_store(args)
    try:
        problems = [p for p in quick_check(conn) if p != "ok"]
        if problems:
            raise CommandError(f"{args.db} fails quick_check: {'; '.join(problems[:5])}")
        print(f"database ok: schema {schema_version(conn)}, quick_check ok")
        if args.agent_within > 0:
            deadline = time.monotonic() + args.agent_within
            since = datetime.now(UTC).isoformat(timespec="milliseconds")
            while True:
                status = read_status(conn)
                if status.updated_at and status.updated_at >= since:
                    state = "connected" if status.connected else \
                        f"offline ({status.last_error or 'no broker yet'})"
                    print(f"sync agent reporting: {state}")
                    break
                if time.monotonic() > deadline:
                    raise CommandError(f"the sync agent has not reported within "
                                       f"{args.agent_within:.0f} s (last: {status.updated_at or 'never'})")
                time.sleep(0.2)
    finally:
        conn.close()
    return 0


def release_schema(release: Path) -> int:
    """The highest edge migration a release ships (read from its files, not by importing it)."""
    found = list(release.glob("venv/lib/python3*/site-packages/migrations/edge/[0-9][0-9][0-9][0-9]_*.sql"))
    return max((int(p.name[:4]) for p in found), default=0)


def _switch(link: Path, target: Path) -> None:
    new = link.with_name(link.name + ".new")
    new.unlink(missing_ok=True)
    new.symlink_to(target)
    os.replace(new, link)


def run_rollback(args: argparse.Namespace) -> int:
    from edge.ledger.store import connect, copy_database, pre_migration_copy, restore_database, schema_version

    root = Path(args.root)
    current, previous = root / "current", root / "previous"
    if not previous.is_symlink() or not previous.resolve().is_dir():
        raise CommandError(f"no previous release kept under {root} (previous -> nothing)")
    running, target = current.resolve(), previous.resolve()
    if args.db and Path(args.db).exists():
        db = Path(args.db)
        raw = sqlite3.connect(db)
        try:
            have = int(raw.execute("PRAGMA user_version").fetchone()[0])
        finally:
            raw.close()
        knows = release_schema(target)
        if have > knows:
            copy = pre_migration_copy(db, knows)
            if not copy.exists():
                raise CommandError(f"{db} has schema {have}; {target.name} knows {knows} and there "
                                   f"is no copy from before the migration ({copy}); not rolling back")
            conn = connect(db)
            try:
                aside = db.with_name(f"{db.name}.schema-v{have}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
                copy_database(conn, aside)
                restore_database(copy, conn)
                back = schema_version(conn)
            finally:
                conn.close()
            print(f"database put back to schema {back} from {copy}; the migrated one is kept at "
                  f"{aside} (sales made since the upgrade are there, and in HQ once synced)")
    _switch(current, target)
    _switch(previous, running)
    print(f"rolled back: {root / 'current'} -> {target.name} (was {running.name}); restart the "
          "services: systemctl restart 'pos-*'")
    return 0


def run_status(args: argparse.Namespace) -> int:
    root = Path(args.root)
    for name in ("current", "previous"):
        link = root / name
        target = link.resolve() if link.is_symlink() else None
        print(f"{name + ':':<10} {target.name if target else '-'}"
              f"{f' (schema {release_schema(target)})' if target else ''}")
    return 0
