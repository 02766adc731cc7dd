"""`pos hq console` (the HQ web console and every HQ HTTP endpoint, hq/console/) and
`pos hq user add|disable` (its accounts). Kept apart from cli/hq.py, which only hooks them in."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from typing import Any

from cli.main import CommandError


def add_console_commands(sub: Any, db_option: Callable[[argparse.ArgumentParser], None],
                         broker_options: Callable[[argparse.ArgumentParser], None],
                         broker_settings: Callable[[argparse.Namespace], Any]) -> None:
    console = sub.add_parser("console", help="serve the HQ web console and the invoice request"
                                             " endpoint (one ASGI app on uvicorn)",
                             allow_abbrev=False)
    console.add_argument("--bind", default="127.0.0.1:8780",
                         help="HOST:PORT to listen on (default 127.0.0.1:8780)")
    db_option(console)
    console.add_argument("--timezone", default="Asia/Shanghai",
                         help="HQ's zone: business days and hours (default Asia/Shanghai)")
    console.add_argument("--plain-http-cookies", action="store_true",
                         help="session cookies without the Secure flag: only for a console"
                              " reached over plain HTTP on a trusted network")
    console.add_argument("--connections-per-client", type=int, default=64,
                         help="open connections one address may hold (default 64); behind a"
                              " reverse proxy every connection comes from the proxy: raise it"
                              " and let the proxy limit each client")
    console.add_argument("--signing-key", default="",
                         help="HQ's private key: with it admins publish prices and promotions on"
                              " /rollout, and the online-order API (/api/v1/orders) is served and"
                              " signs the orders it sends to stores (through the broker options)")
    console.add_argument("--pinned", default="",
                         help="the public key(s) the stores pin: a version they would refuse is"
                              " never stored")
    console.add_argument("--no-webhooks", action="store_true",
                         help="do not deliver order webhooks from this process (run `pos hq"
                              " orders webhooks --loop` instead)")
    broker_options(console)
    console.set_defaults(run=run_console, broker_settings=broker_settings)

    user = sub.add_parser("user", help="HQ console accounts")
    users = user.add_subparsers(dest="user_command", required=True, metavar="USER_COMMAND")
    add = users.add_parser("add", help="add a console account (password from --password-file,"
                                       " or asked)", allow_abbrev=False)
    add.add_argument("username", help="the login name")
    add.add_argument("--role", required=True, choices=["admin", "analyst", "manager"],
                     help="admin: HQ, all; analyst: HQ, read only; manager: only --stores")
    add.add_argument("--stores", default="", help="comma-separated store ids (a manager's)")
    add.add_argument("--password-file", default="",
                     help="file (mode 0600) holding the password; else asked on the terminal"
                          " or read from standard input")
    db_option(add)
    add.set_defaults(run=run_user_add)
    disable = users.add_parser("disable", help="disable a console account and end its sessions")
    disable.add_argument("username", help="the login name")
    db_option(disable)
    disable.set_defaults(run=run_user_disable)


def serve(db: str, bind: str, timezone: str = "Asia/Shanghai", secure_cookies: bool = True,
          what: str = "HQ console", per_client: int | None = None, signing_key: str = "",
          pinned: str = "", broker: Any = None, orders: Any = None) -> int:
    from hq.console.app import ConsoleSettings, create_app
    from hq.console.server import ServerLimits, make_server, parse_bind
    from hq.storage.interface import StorageUnavailable

    try:
        host, port = parse_bind(bind)
        limits = ServerLimits() if per_client is None else ServerLimits(
            connections_per_client=per_client)
        if limits.connections_per_client < 1:
            raise ValueError("--connections-per-client must be at least 1")
        settings = ConsoleSettings(db, timezone, limits, secure_cookies=secure_cookies,
                                   signing_key=signing_key, pinned=pinned, broker=broker,
                                   orders=orders)
        app = create_app(settings)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    except StorageUnavailable as exc:
        raise CommandError(f"HQ database unavailable: {exc}") from None
    server = make_server(app, host, port, settings.limits)
    print(f"{what} at http://{bind}/ (invoice requests at /invoices/{{store}}/{{terminal}}/"
          "{sale_id})" + ("" if settings.console else "; the console itself needs PostgreSQL")
          + ("; online orders at /api/v1/orders" if orders is not None and settings.console
             else ""), flush=True)
    server.run()
    return 0


def run_console(args: argparse.Namespace) -> int:
    if not args.db.startswith(("postgresql://", "postgres://")):
        raise CommandError("the console needs PostgreSQL (--db postgresql://...)")
    if args.signing_key:
        from pathlib import Path

        from cloud_sync.signing import SignatureError, load_private_key

        try:
            load_private_key(Path(args.signing_key))       # refused now, not at the first publish
        except (OSError, ValueError, SignatureError) as exc:
            raise CommandError(f"--signing-key: {exc}") from None
    from cli._hq_orders import orders_settings

    return serve(args.db, args.bind, args.timezone, not args.plain_http_cookies,
                 per_client=args.connections_per_client, signing_key=args.signing_key,
                 pinned=args.pinned,
                 broker=args.broker_settings(args) if args.signing_key else None,
                 orders=orders_settings(args))


def _password(args: argparse.Namespace) -> str:
    if args.password_file:
        try:
            if os.stat(args.password_file).st_mode & 0o077:
                raise CommandError(f"{args.password_file}: readable by others; chmod 600 it")
            with open(args.password_file, encoding="utf-8") as f:
                return f.read().strip()
        except OSError as exc:
            raise CommandError(str(exc)) from None
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise CommandError("the passwords differ")
        return first
    return sys.stdin.readline().strip()


def _connect(db: str) -> Any:
    import psycopg

    from hq.storage import open_storage

    if not db.startswith(("postgresql://", "postgres://")):
        raise CommandError("console accounts live in PostgreSQL (--db postgresql://...)")
    try:
        open_storage(db).close()               # migrates HQ's schema, accounts included
        return psycopg.connect(db, autocommit=True, connect_timeout=5)
    except Exception as exc:
        raise CommandError(f"HQ database unavailable: {exc}") from None


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def run_user_add(args: argparse.Namespace) -> int:
    from hq.console.accounts import AccountError, add_user

    stores = [s for s in args.stores.split(",") if s]
    password = _password(args)
    conn = _connect(args.db)
    try:
        add_user(conn, args.username, args.role, stores, password, _actor())
    except AccountError as exc:
        raise CommandError(str(exc)) from None
    finally:
        conn.close()
    print(f"user {args.username} added ({args.role}{': ' + ','.join(stores) if stores else ''})")
    return 0


def run_user_disable(args: argparse.Namespace) -> int:
    from hq.console.accounts import AccountError, disable_user

    conn = _connect(args.db)
    try:
        disable_user(conn, args.username, _actor())
    except AccountError as exc:
        raise CommandError(str(exc)) from None
    finally:
        conn.close()
    print(f"user {args.username} disabled; its sessions ended")
    return 0
