"""`pos hq channel add|disable`, `pos hq store locate` and `pos hq orders list|resend|webhooks`:
online orders at HQ (hq/orders/). Kept apart from cli/hq.py, which only hooks them in."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cli.main import CommandError

STATUSES = ("held", "sent", "reserved", "partial", "declined", "picked", "handed_over",
            "expired", "cancelled")


def add_orders_commands(sub: Any, db_option: Callable[[argparse.ArgumentParser], None],
                        broker_option: Callable[[argparse.ArgumentParser], None],
                        broker_settings: Callable[[argparse.Namespace], Any]) -> None:
    channel = sub.add_parser("channel", help="online sales channels that may place orders")
    channels = channel.add_subparsers(dest="channel_command", required=True,
                                      metavar="CHANNEL_COMMAND")
    add = channels.add_parser("add", help="add a channel (or give it a new secret): the secret"
                                          " is printed once or written to --secret-file",
                              allow_abbrev=False)
    add.add_argument("name", help="the channel's name (its X-Pos-Channel header)")
    add.add_argument("--webhook", default="", help="URL HQ posts signed status changes to")
    add.add_argument("--secret-file", default="",
                     help="write the secret to this new file (mode 0600) instead of printing it")
    db_option(add)
    add.set_defaults(run=run_channel_add)
    disable = channels.add_parser("disable", help="refuse a channel's requests from now on")
    disable.add_argument("name", help="the channel's name")
    db_option(disable)
    disable.set_defaults(run=run_channel_disable)

    store = sub.add_parser("store", help="stores as HQ routes orders to them")
    stores = store.add_subparsers(dest="store_command", required=True, metavar="STORE_COMMAND")
    locate = stores.add_parser("locate", help="where a store is, for orders placed `near` a"
                                              " customer")
    locate.add_argument("store", help="the store id")
    locate.add_argument("--lat", type=float, required=True, help="latitude, degrees")
    locate.add_argument("--lon", type=float, required=True, help="longitude, degrees")
    locate.add_argument("--name", default=None, help="the store's name")
    db_option(locate)
    locate.set_defaults(run=run_store_locate)

    orders = sub.add_parser("orders", help="online orders at HQ")
    actions = orders.add_subparsers(dest="orders_command", required=True,
                                    metavar="ORDERS_COMMAND")
    listing = actions.add_parser("list", help="orders, newest first, with their status")
    listing.add_argument("--store", default=None, help="only this store's")
    listing.add_argument("--status", default=None, choices=STATUSES, help="only in this status")
    listing.add_argument("--json", action="store_true", help="print as JSON")
    db_option(listing)
    listing.set_defaults(run=run_orders_list)
    resend = actions.add_parser("resend", help="send again the orders still `held` (their"
                                               " store's version never reached the broker)",
                                allow_abbrev=False)
    db_option(resend)
    broker_option(resend)
    resend.add_argument("--signing-key", required=True,
                        help="HQ's Ed25519 private key file (pos hq keygen)")
    resend.set_defaults(run=run_orders_resend, broker_settings=broker_settings)
    hooks = actions.add_parser("webhooks", help="deliver the status webhooks due and list those"
                                                " still undelivered; --loop keeps delivering")
    hooks.add_argument("--loop", action="store_true",
                       help="keep delivering, every --interval seconds, until stopped")
    hooks.add_argument("--interval", type=float, default=1.0,
                       help="seconds between rounds with --loop (default 1)")
    db_option(hooks)
    hooks.set_defaults(run=run_orders_webhooks)


def _connect(db: str) -> Any:
    import psycopg

    from hq.storage import open_storage

    if not db.startswith(("postgresql://", "postgres://")):
        raise CommandError("online orders live in PostgreSQL (--db postgresql://...)")
    try:
        open_storage(db).close()               # migrates HQ's schema
        return psycopg.connect(db, autocommit=True, connect_timeout=5)
    except Exception as exc:
        raise CommandError(f"HQ database unavailable: {exc}") from None


def _refused(run: Callable[[], Any]) -> Any:
    from hq.orders.book import OrderRefused

    try:
        return run()
    except OrderRefused as exc:
        raise CommandError(str(exc)) from None


def run_channel_add(args: argparse.Namespace) -> int:
    from hq.orders.admin import add_channel

    target = Path(args.secret_file) if args.secret_file else None
    if target is not None and target.exists():
        raise CommandError(f"{target} exists; not overwriting a secret")
    with _connect(args.db) as conn:
        secret = _refused(lambda: add_channel(conn, args.name, args.webhook))
    if target is None:
        print(f"channel {args.name}: secret {secret}\n(shown once: keep it in the channel's"
              " secret store)")
        return 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secret + "\n")
    print(f"channel {args.name}: secret written to {target} (mode 0600)")
    return 0


def run_channel_disable(args: argparse.Namespace) -> int:
    from hq.orders.admin import disable_channel

    with _connect(args.db) as conn:
        _refused(lambda: disable_channel(conn, args.name))
    print(f"channel {args.name} disabled")
    return 0


def run_store_locate(args: argparse.Namespace) -> int:
    from hq.orders.admin import locate_store

    with _connect(args.db) as conn:
        _refused(lambda: locate_store(conn, args.store, args.lat, args.lon, args.name))
    print(f"store {args.store} at {args.lat}, {args.lon}")
    return 0


def run_orders_list(args: argparse.Namespace) -> int:
    from hq.orders.admin import list_orders

    with _connect(args.db) as conn:
        found = list_orders(conn, args.store, args.status)
    if args.json:
        print(json.dumps(found, ensure_ascii=False))
        return 0
    for o in found:
        flag = "  CONFLICT" if "conflict" in o else ""
        print(f"{o['order_id']}  {o['channel']}:{o['channel_order_id']}  {o['store']}"
              f"  {o['status']:<11}  slot {o['slot_end']}{flag}")
    return 0


def run_orders_resend(args: argparse.Namespace) -> int:
    from cloud_sync.signing import SignatureError, load_private_key
    from hq.orders.admin import resend_held
    from hq.publish import send
    from hq.storage import open_storage

    try:
        key = load_private_key(Path(args.signing_key))
    except (SignatureError, OSError) as exc:
        raise CommandError(str(exc)) from None
    broker = args.broker_settings(args)
    storage = open_storage(args.db)
    try:
        with _connect(args.db) as conn:
            sent = resend_held(conn, storage, key, lambda versions: send(broker, versions))
    except OSError as exc:
        raise CommandError(f"the broker is unreachable ({exc}); the orders stay held") from None
    finally:
        storage.close()
    print(f"{len(sent)} held order(s) sent" + (f": {', '.join(sent)}" if sent else ""))
    return 0


def run_orders_webhooks(args: argparse.Namespace) -> int:
    import signal
    import threading

    from hq.orders.admin import undelivered_webhooks
    from hq.orders.webhooks import deliver_due, deliver_forever

    if args.loop:
        _connect(args.db).close()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            deliver_forever(args.db, stop, args.interval)
        except KeyboardInterrupt:
            pass
        return 0
    with _connect(args.db) as conn:
        delivered = 0
        while (n := deliver_due(conn)):
            delivered += n
        waiting = undelivered_webhooks(conn)
    print(f"{delivered} delivered; {len(waiting)} undelivered")
    for w in waiting:
        print(f"  {w['channel']} {w['order_id']} attempts {w['attempts']} next {w['next_at']}"
              f"  {w['last_error'] or ''}")
    return 0


def orders_settings(args: argparse.Namespace) -> Any:
    """The order API's settings from `pos hq console`'s options (`--signing-key`, HQ's broker,
    `--no-webhooks`), or None when it is not served."""
    if not args.signing_key:
        return None
    from hq.orders.service import OrdersSettings

    if not Path(args.signing_key).is_file():
        raise CommandError(f"no signing key at {args.signing_key}")
    return OrdersSettings(Path(args.signing_key), args.broker_settings(args),
                          webhooks=not args.no_webhooks)
