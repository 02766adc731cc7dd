"""`pos till [--headless] [--windowed] [--demo-devices] [--locale L]`: the cashier's till
(full-screen), or its JSON-lines protocol on stdin/stdout."""

from __future__ import annotations

import argparse
import sys

from cli._options import (
    StartRefused,
    add_screen_options,
    add_terminal_options,
    config_path,
    open_terminal,
    refuse_start,
    screen_options,
)
from cli.main import CommandError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("till", help="run the till")
    add_terminal_options(parser)
    add_screen_options(parser)
    parser.add_argument("--headless", action="store_true",
                        help="speak JSON lines on stdin/stdout instead of showing a window "
                             "(docs/headless.md)")
    parser.set_defaults(run=run_till)


def run_till(args: argparse.Namespace) -> int:
    from cloud_sync.lookup import hq_lookups_for
    from edge.config import ConfigError
    from edge.promotions.local_table import engine_for
    from edge.till.session import Till
    from providers.accounts import mobile_payments_for
    from ui.headless.protocol import serve

    try:
        conn, config, lease = open_terminal(args, "pos till")
    except StartRefused as exc:
        return refuse_start(exc, args.headless, args.locale)
    with lease:
        if args.headless:
            try:
                payments = mobile_payments_for(conn, config)
            except ConfigError as exc:
                raise CommandError(str(exc)) from None
            serve(Till(conn, config, engine_for(conn, config), payments=payments, lane="till",
                       hq=hq_lookups_for(config_path(args))),  # points, coupons (docs/members.md)
                  sys.stdin.buffer, sys.stdout)
            return 0
        from cli._systemd import Watchdog
        from ui.till.till_app import loop_heartbeats, run_till_app

        loop_heartbeats.append(Watchdog("till running").ping)
        return run_till_app(conn, config, locale_name=args.locale, screen=screen_options(args),
                            hq=hq_lookups_for(config_path(args)))  # as headless, above
