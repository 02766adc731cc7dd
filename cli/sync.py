"""`pos sync`: run the store's sync agent; `pos sync status`: print what it last reported."""

from __future__ import annotations

import argparse
import json
from typing import Any

from cli.main import CommandError


def register(commands: Any) -> None:
    parser = commands.add_parser("sync", help="run the cloud sync agent / show its status")
    parser.add_argument("--db", default="store.db", help="the till's SQLite database")
    parser.add_argument("--config", default="store.toml", help="TOML with [store] and [sync]")
    parser.set_defaults(run=run_agent)
    sub = parser.add_subparsers(dest="sync_command")
    status = sub.add_parser("status", help="connected, pending events, oldest, last ack, error")
    status.add_argument("--db", default=argparse.SUPPRESS, help="as for `pos sync`")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.set_defaults(run=show_status)


def run_agent(args: argparse.Namespace) -> int:
    import logging
    import signal
    import threading
    from pathlib import Path

    from cli._logging import setup_logging
    from cloud_sync.agent import Agent
    from cloud_sync.settings import SettingsError, load_agent_settings

    setup_logging(logging.INFO)         # JSON lines to the journal, secrets masked
    from edge.config import ConfigError, load_config
    from edge.orders.settings import orders_settings

    try:
        settings = load_agent_settings(Path(args.config))
        grace = orders_settings(load_config(Path(args.config))).grace
    except (SettingsError, ConfigError) as exc:
        raise CommandError(str(exc)) from None
    discover = None
    if settings.broker.discover:
        from cloud_sync.discovery import find_broker
        discover = find_broker
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    from cli._systemd import Watchdog, ping_after_each
    from edge.ledger.lease import LeaseError, hold_lease

    try:
        with hold_lease(args.db, "pos sync"):       # one agent per database, or two fight
            agent = Agent(settings, args.db, discover, order_grace=grace)
            # `systemctl reload pos-sync` (or kill -HUP): read the rotated credential file now.
            signal.signal(signal.SIGHUP, lambda *_: agent.request_credential_reload())
            from cli._payment_job import start_payment_job
            start_payment_job(args.db, Path(args.config), stop)
            agent.step = ping_after_each(agent.step, Watchdog("sync agent running"))  # type: ignore[method-assign]
            agent.run(stop)
    except LeaseError as exc:
        raise CommandError(str(exc)) from None
    except KeyboardInterrupt:
        pass
    return 0


def show_status(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cloud_sync.status import read_status
    from edge.ledger.store import open_store

    if not Path(args.db).exists():
        raise CommandError(f"no database at {args.db}")
    conn = open_store(args.db)
    try:
        status = read_status(conn)
    finally:
        conn.close()
    if args.json:
        print(json.dumps(status.as_dict(), ensure_ascii=False, indent=2))
        return 0
    age = f"{status.oldest_pending_age_s:.0f} s" if status.oldest_pending_age_s is not None else "-"
    print(f"connected:      {'yes' if status.connected else 'no'} {status.broker}")
    print(f"pending events: {status.pending} (oldest {age})")
    print(f"rejected:       {status.rejected}")
    print(f"last ack:       {status.last_ack_at or '-'} (seq {status.last_acked_seq})")
    print(f"last error:     {status.last_error or '-'} {status.last_error_at or ''}".rstrip())
    print(f"updated:        {status.updated_at or '-'}")
    return 0
