"""`pos backup` and `pos restore`: checked copies of the store database, rotated, and putting
one back without ever giving an outbox seq twice (thin over edge.ledger.backup)."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from cli._options import add_store_options
from cli.main import CommandError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    backup = commands.add_parser("backup", help="copy the store database (online, checked) and "
                                                "rotate old copies")
    add_store_options(backup)
    backup.add_argument("--to", default=os.environ.get("POS_BACKUP_DIR", ""),
                        help="directory: a USB stick, the store server's share (default: "
                             "$POS_BACKUP_DIR or backups/ beside the database)")
    backup.add_argument("--keep-hourly", type=int, default=24, help="hours that keep one copy each")
    backup.add_argument("--keep-daily", type=int, default=7, help="days that keep one copy each")
    backup.add_argument("--json", action="store_true", help="print the result as JSON")
    backup.set_defaults(run=run_backup)

    restore = commands.add_parser("restore", help="put a backup back (refused if older than what "
                                                  "HQ acknowledged, unless --force)")
    restore.add_argument("file", help="a store-*.db made by `pos backup`")
    add_store_options(restore)
    restore.add_argument("--hq-acked", type=int, default=None,
                         help="HQ's acked_to for this terminal (`pos hq stats`); default: what the "
                              "current database last heard from HQ")
    restore.add_argument("--hq-max-seq", type=int, default=None,
                         help="HQ's max_seq for this terminal, when above acked_to")
    restore.add_argument("--force", action="store_true",
                         help="restore even a backup older than what HQ acknowledged")
    restore.add_argument("--dry-run", action="store_true", help="explain, change nothing")
    restore.set_defaults(run=run_restore)


def backup_dir(args: argparse.Namespace) -> Path:
    return Path(args.to) if args.to else Path(args.db).resolve().parent / "backups"


def run_backup(args: argparse.Namespace) -> int:
    from edge.ledger.backup import BackupError, rotate, take_backup

    if not Path(args.db).exists():
        raise CommandError(f"no store database at {args.db}")
    directory = backup_dir(args)
    now = datetime.now(UTC)
    try:
        taken = take_backup(args.db, directory, now)
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    removed = rotate(directory, now, args.keep_hourly, args.keep_daily)
    if args.json:
        print(json.dumps({**taken.as_dict(), "removed": [str(p) for p in removed]}, indent=2))
        return 0
    s = taken.snapshot
    print(f"backup ok: {taken.path} (schema {s.schema_version}, outbox seq {s.outbox_first}.."
          f"{s.outbox_last}, {s.pending_rows} pending, journal {s.journal_entries} entries, "
          "integrity and journal chain checked)")
    for path in removed:
        print(f"rotated out: {path}")
    return 0


def _current(db: Path) -> tuple[int | None, int]:
    """What the database being replaced knows: HQ's last ack and its own last seq."""
    if not db.exists():
        return None, 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            acked = conn.execute("SELECT last_acked_seq FROM sync_status WHERE id = 1").fetchone()[0]
            counter = conn.execute("SELECT value FROM counter WHERE name = 'outbox_seq'").fetchone()[0]
        finally:
            conn.close()
    except (sqlite3.Error, TypeError):
        return None, 0
    return int(acked), int(counter)


def run_restore(args: argparse.Namespace) -> int:
    from edge.ledger.backup import BackupError, plan_restore, read_backup, restore
    from edge.ledger.lease import LeaseError, hold_lease

    db = Path(args.db)
    try:
        snapshot = read_backup(args.file)
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    known_acked, counter = _current(db)
    hq_acked = args.hq_acked if args.hq_acked is not None else known_acked
    if hq_acked is None:
        raise CommandError(f"{db} cannot tell what HQ acknowledged; give --hq-acked N "
                           "(`pos hq stats` shows acked_to for this terminal)")
    plan = plan_restore(snapshot, hq_acked, args.hq_max_seq, counter)
    print(f"backup {args.file}: outbox seq {snapshot.outbox_first}..{snapshot.outbox_last}, "
          f"HQ acknowledged up to {hq_acked}")
    for line in plan.explain():
        print(f"  {line}")
    if args.dry_run:
        return 0
    try:
        with hold_lease(db, "pos restore"):
            aside = restore(args.file, db, plan, force=args.force)
    except (BackupError, LeaseError) as exc:
        raise CommandError(str(exc)) from None
    if aside:
        print(f"the database it replaced is kept at {aside}")
    print(f"restored {args.file} to {db}")
    return 0
