"""`pos kiosk`: the self-checkout lane (ui/kiosk_app.py)."""

from __future__ import annotations

import argparse

from cli._options import add_store_options, open_configured_store


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("kiosk", help="run a self-checkout lane")
    add_store_options(parser)
    parser.add_argument("--locale", default=None, help="zh_CN or en (default: the store's)")
    parser.set_defaults(run=run_kiosk)


def run_kiosk(args: argparse.Namespace) -> int:
    conn, config = open_configured_store(args)
    from cli._systemd import Watchdog
    from ui.kiosk_app import run_kiosk_app
    from ui.till_app import loop_heartbeats

    loop_heartbeats.append(Watchdog("kiosk running").ping)
    return run_kiosk_app(conn, config, locale_name=args.locale)
