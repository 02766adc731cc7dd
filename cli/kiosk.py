"""`pos kiosk`: the self-checkout lane (ui/kiosk/kiosk_app.py)."""

from __future__ import annotations

import argparse

from cli._options import (
    StartRefused,
    add_screen_options,
    add_terminal_options,
    config_path,
    open_terminal,
    refuse_start,
    screen_options,
)


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("kiosk", help="run a self-checkout lane")
    add_terminal_options(parser)
    add_screen_options(parser)
    parser.set_defaults(run=run_kiosk)


def run_kiosk(args: argparse.Namespace) -> int:
    try:
        conn, config, lease = open_terminal(args, "pos kiosk")
    except StartRefused as exc:
        return refuse_start(exc, headless=False, locale=args.locale)
    from cli._systemd import Watchdog
    from cloud_sync.lookup import hq_lookups_for
    from ui.kiosk.kiosk_app import run_kiosk_app
    from ui.till.till_app import loop_heartbeats

    loop_heartbeats.append(Watchdog("kiosk running").ping)
    with lease:
        return run_kiosk_app(conn, config, locale_name=args.locale, screen=screen_options(args),
                             hq=hq_lookups_for(config_path(args)))  # points, coupons (docs/members.md)
