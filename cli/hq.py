"""`pos hq`: HQ ingest workers, publishing signed downlink versions, stats, key generation,
terminal credentials (enroll, revoke), stored-value locks, the web console and its users."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from typing import Any

from cli.main import CommandError


def register(commands: Any) -> None:
    parser = commands.add_parser("hq", help="HQ: ingest, publish, stats, keygen")
    sub = parser.add_subparsers(dest="hq_command", required=True, metavar="HQ_COMMAND")

    # No abbreviations: `--password SECRET` must fail, not be taken for --password-file (and
    # echo the secret back in the error).
    ingest = sub.add_parser("ingest", help="run ingest workers on the shared subscription",
                            allow_abbrev=False)
    _db(ingest)
    _broker(ingest)
    ingest.add_argument("--workers", type=int, default=1,
                        help="ingest workers on the shared subscription (default 1)")
    ingest.add_argument("--writers", type=int, default=1,
                        help="writer lanes per worker: a connection each, every store always in"
                             " the same lane (default 1)")
    ingest.add_argument("--signing-key", default="", help="HQ private key, to sign snapshots")
    ingest.add_argument("--timezone", default="Asia/Shanghai", help="for business dates")
    ingest.add_argument("--lock-hours", type=float, default=24.0,
                        help="an offline stored-value spend locks the card for other terminals"
                             " this long at most")
    ingest.add_argument("--sweep-retained", type=float, default=30.0, metavar="SECONDS",
                        help="clear what terminals leave retained on their uplink topics this"
                             " often (default 30; 0: never)")
    ingest.set_defaults(run=run_ingest)

    publish = sub.add_parser("publish", help="make and send a new signed version to stores",
                             allow_abbrev=False)
    publish.add_argument("stream", choices=["catalog", "prices", "promotions"],
                         help="what to publish to the stores")
    publish.add_argument("file", help="a JSON array of items")
    _db(publish)
    _broker(publish)
    publish.add_argument("--signing-key", required=True,
                         help="HQ's Ed25519 private key file (pos hq keygen)")
    publish.add_argument("--stores", default="", help="comma-separated; default: every store")
    publish.add_argument("--pinned", default="",
                         help="the public keys the stores pin: a version they would refuse is"
                              " not stored")
    publish.set_defaults(run=run_publish)

    rollover = sub.add_parser("rollover", help="announce the next signing key to stores, signed"
                                               " by the current one", allow_abbrev=False)
    rollover.add_argument("next_public", help="the next key's public file (pos hq keygen)")
    _db(rollover)
    _broker(rollover)
    rollover.add_argument("--signing-key", required=True, help="the current private key")
    rollover.add_argument("--pinned", default="",
                          help="HQ's copy of the stores' pinned keys: the next key is added")
    rollover.add_argument("--stores", default="", help="comma-separated; default: every store")
    rollover.set_defaults(run=run_rollover)

    stats = sub.add_parser("stats", help="per store and terminal: seen, seqs, gaps, sales")
    _db(stats)
    stats.add_argument("--json", action="store_true", help="print the figures as JSON")
    stats.add_argument("--date", default="", help="business date (default: today at HQ)")
    stats.add_argument("--timezone", default="Asia/Shanghai",
                       help="the time zone days are cut in (default Asia/Shanghai)")
    stats.set_defaults(run=run_stats)

    enroll = sub.add_parser("enroll", help="make a terminal's (or store bridge's) broker "
                                           "credential, secret written 0600")
    _identity(enroll)
    enroll.add_argument("--rotate", action="store_true", help="replace an existing credential")
    enroll.set_defaults(run=run_enroll)

    revoke = sub.add_parser("revoke", help="remove a terminal's (or store bridge's) credential")
    _identity(revoke)
    revoke.set_defaults(run=run_revoke)

    topups = sub.add_parser("topups", help="stored-value topups against the Z reports: every"
                                           " difference, and topups no Z covers yet")
    _db(topups)
    topups.add_argument("--store", default=None, help="only this store (default: every store)")
    topups.set_defaults(run=run_topups)

    clear = sub.add_parser("clear-lock", help="lift a stored-value card's offline lock")
    clear.add_argument("card", help="the stored-value card number")
    _db(clear)
    clear.set_defaults(run=run_clear_lock)

    heads = sub.add_parser("heads", help="the journal head HQ last saw from each terminal, as"
                                         " JSON for `pos journal verify --heads`")
    _db(heads)
    heads.add_argument("--store", default=None, help="only this store (default: every store)")
    heads.set_defaults(run=run_heads)

    alerts = sub.add_parser("alerts", help="security alerts: facts that named another store's"
                                           " object, ids held by two senders")
    _db(alerts)
    alerts.add_argument("--store", default=None, help="only this store (default: every store)")
    alerts.add_argument("--limit", type=int, default=100, help="the latest N (default 100)")
    alerts.set_defaults(run=run_alerts)

    from cli._fleet import add_fleet_command  # the fleet view lives in its own module

    add_fleet_command(sub, _db)

    from cli._hq_stock import add_stock_command

    add_stock_command(sub, _db, _broker, _broker_settings)
    from cli._hq_orders import add_orders_commands

    add_orders_commands(sub, _db, _broker, _broker_settings)

    from cli._console import add_console_commands  # the web console and its accounts

    add_console_commands(sub, _db, _broker, _broker_settings)

    from cli._hq_loyalty import add_loyalty_commands

    add_loyalty_commands(sub, _db)

    keygen = sub.add_parser("keygen", help="make HQ's Ed25519 signing key pair")
    keygen.add_argument("--private", required=True,
                        help="where to write the private key (mode 0600)")
    keygen.add_argument("--public", required=True, help="where to write the public key")
    keygen.set_defaults(run=run_keygen)


def _identity(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("store", help="the store id")
    parser.add_argument("terminal", nargs="?", default=None,
                        help="omit for the store broker's bridge credential")
    parser.add_argument("--secrets", default="/etc/pos/secrets",
                        help="directory for the secret files (mode 0600)")
    parser.add_argument("--passwd", default="/etc/mosquitto/pos/passwd",
                        help="the broker's password file")
    parser.add_argument("--acl", default="/etc/mosquitto/pos/acl", help="the broker's ACL file")


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True,
                        help="postgresql://... or a SQLite path (sqlite:///path) for a demo")


def _broker(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="the HQ broker's host (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8883,
                        help="the HQ broker's port (default 8883, MQTT over TLS)")
    parser.add_argument("--username", default="", help="the broker user (default: none)")
    # Never the password itself: a command line is visible to every user in `ps`.
    parser.add_argument("--password-file", default="",
                        help="file (mode 0600) holding the broker password; or set "
                             "POS_SYNC_PASSWORD")
    parser.add_argument("--ca-file", default="", help="CA of the broker's certificate")
    parser.add_argument("--insecure", action="store_true",
                        help="plaintext MQTT (no TLS): only for a broker on this machine")
    parser.add_argument("--keepalive", type=int, default=10,
                        help="MQTT keepalive in seconds (default 10)")


def _broker_settings(args: argparse.Namespace) -> Any:
    from cloud_sync.settings import BrokerSettings, SettingsError, checked_broker

    settings = BrokerSettings(host=args.host, port=args.port, tls=not args.insecure,
                              ca_file=args.ca_file, username=args.username,
                              password_file=args.password_file, insecure=args.insecure,
                              keepalive=args.keepalive)
    try:
        return checked_broker(settings, "pos hq")
    except SettingsError as exc:
        raise CommandError(str(exc)) from None


def run_ingest(args: argparse.Namespace) -> int:
    import logging
    import signal
    import threading

    from cli._logging import setup_logging
    from hq.ingest import IngestOptions, run_workers

    setup_logging(logging.INFO)         # JSON lines to the journal, secrets masked
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if not 1 <= args.writers <= 64:
        raise CommandError("--writers must be 1 to 64")
    if not 0 < args.lock_hours <= 24 * 30:
        raise CommandError("--lock-hours must be more than 0 and at most 720")
    options = IngestOptions(db_url=args.db, broker=_broker_settings(args),
                            signing_key=args.signing_key, timezone=args.timezone,
                            lock_hours=args.lock_hours, writers=args.writers)
    from cli._systemd import Watchdog

    # pos-hq-ingest@.service is Type=notify with WatchdogSec: READY=1 on the first turn of the
    # ingest loop, WATCHDOG=1 from that loop (hq/ingest.py: run_workers) while it keeps turning.
    watchdog = Watchdog(f"ingest: {args.workers} worker(s)")
    sweeper = None
    if args.sweep_retained > 0:
        import os

        from hq.retained import RetainedSweeper

        sweeper = threading.Thread(
            target=RetainedSweeper(options.broker, args.sweep_retained,
                                   f"hq-retained-sweeper-{os.getpid()}").run,
            args=(stop,), daemon=True)
        sweeper.start()
    try:
        run_workers(options, args.workers, stop, watchdog.ping)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        if sweeper is not None:
            sweeper.join(5)
    return 0


def run_publish(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cloud_sync.signing import SignatureError, load_keyring, load_private_key
    from hq.publish import PublishError, publish_version, read_items, send
    from hq.storage import open_storage

    try:
        key = load_private_key(Path(args.signing_key))
        items = read_items(args.stream, Path(args.file))
        pinned = load_keyring(Path(args.pinned)) if args.pinned else None
    except (PublishError, SignatureError, OSError) as exc:
        raise CommandError(str(exc)) from None
    storage = open_storage(args.db)
    try:
        stores = [s for s in args.stores.split(",") if s] or storage.stores()
        if not stores:
            raise CommandError("no stores known yet; name them with --stores")
        sent = []
        for store in stores:
            try:
                version, signed = publish_version(storage, key, args.stream, items, store, pinned)
            except PublishError as exc:
                raise CommandError(str(exc)) from None
            sent.append((store, args.stream, version, signed))
            print(f"{store}: {args.stream} version {version} ({len(items)} items)")
    finally:
        storage.close()
    try:
        send(_broker_settings(args), sent)
    except OSError as exc:
        raise CommandError(f"stored, but the broker is unreachable ({exc}); stores will catch"
                           " up from the retained head when it is back") from None
    return 0


def run_stats(args: argparse.Namespace) -> int:
    from dataclasses import asdict
    from zoneinfo import ZoneInfo

    from hq.storage import open_storage

    day = date.fromisoformat(args.date) if args.date else \
        datetime.now(ZoneInfo(args.timezone)).date()
    storage = open_storage(args.db, args.timezone)
    try:
        rows = storage.stats(day)
    finally:
        storage.close()
    if args.json:
        print(json.dumps({"date": day.isoformat(), "terminals": [asdict(r) for r in rows]},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"{'store':<10} {'terminal':<10} {'online':<6} {'acked_to':>9} {'max_seq':>9} "
          f"{'sales':>7} {'amount':>14} {'dead':>5}  last seen / gaps")
    for r in rows:
        sign, fen = ("-" if r.amount_today < 0 else ""), abs(r.amount_today)
        amount = f"{sign}{fen // 100}.{fen % 100:02d}"
        gaps = " ".join(f"{a}-{b}" for a, b in r.gaps)
        print(f"{r.store:<10} {r.terminal:<10} {'yes' if r.online else 'no':<6} "
              f"{r.acked_to:>9} {r.max_seq:>9} {r.sales_today:>7} {amount:>14} "
              f"{r.dead_letters:>5}  {r.last_seen or '-'} {gaps}".rstrip())
    return 0


def run_keygen(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cloud_sync.signing import generate_keypair

    if Path(args.private).exists():
        raise CommandError(f"{args.private} exists; not overwriting a signing key")
    key_id = generate_keypair(Path(args.private), Path(args.public))
    print(f"key id {key_id}; pin {args.public} on every store ([sync] hq_public_key)")
    return 0


def run_enroll(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hq.identity import EnrollError, enroll

    try:
        secret = enroll(args.store, args.terminal, Path(args.secrets), Path(args.passwd),
                        Path(args.acl), rotate=args.rotate)
    except (EnrollError, OSError) as exc:
        raise CommandError(str(exc)) from None
    if args.rotate:
        print(f"credential written to {secret} (mode 0600); copy it over the terminal's"
              f" [sync] password_file, then reload the broker: the running agent takes the new"
              f" secret by itself (at once with `systemctl reload pos-sync`)")
    else:
        print(f"credential written to {secret} (mode 0600); copy it to the terminal and set"
              f" [sync] password_file; reload the broker (SIGHUP)")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hq.identity import EnrollError, revoke

    try:
        revoke(args.store, args.terminal, Path(args.secrets), Path(args.passwd), Path(args.acl))
    except (EnrollError, OSError) as exc:
        raise CommandError(str(exc)) from None
    print("revoked; reload the broker (SIGHUP): it ends the credential's sessions")
    return 0


def run_clear_lock(args: argparse.Namespace) -> int:
    from hq.storage import open_storage

    storage = open_storage(args.db)
    try:
        if not storage.clear_lock(args.card):
            raise CommandError(f"no card {args.card} at HQ")
    finally:
        storage.close()
    print(f"lock on {args.card} cleared")
    return 0


def run_rollover(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cloud_sync.signing import (
        SignatureError,
        load_private_key,
        load_public_key,
        public_pem,
        rollover_dir,
    )
    from hq.publish import rollover_bytes, send_rollover
    from hq.storage import open_storage

    try:
        key = load_private_key(Path(args.signing_key))
        nxt = load_public_key(Path(args.next_public))
    except (SignatureError, OSError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    body = rollover_bytes(key, nxt)
    storage = open_storage(args.db)
    try:
        stores = [s for s in args.stores.split(",") if s] or storage.stores()
    finally:
        storage.close()
    if args.pinned:
        folder = rollover_dir(Path(args.pinned))
        folder.mkdir(exist_ok=True)
        (folder / Path(args.next_public).with_suffix(".pem").name).write_bytes(public_pem(nxt))
    try:
        send_rollover(_broker_settings(args), stores, body)
    except OSError as exc:
        raise CommandError(f"the broker is unreachable ({exc}); run it again") from None
    print(f"rollover sent to {len(stores)} stores; sign with the next key once they pin it")
    return 0


def run_heads(args: argparse.Namespace) -> int:
    from hq.storage import open_storage

    storage = open_storage(args.db)
    try:
        heads = storage.journal_heads(args.store)
    finally:
        storage.close()
    print(json.dumps([{"store": s, "terminal": t, "seq": seq, "hash": h}
                      for s, t, seq, h in heads], indent=2))
    return 0


def run_alerts(args: argparse.Namespace) -> int:
    """Exit 1 when there is any alert: something to look at (docs/security.md)."""
    from hq.storage import open_storage

    storage = open_storage(args.db)
    try:
        rows = storage.security_alerts(args.store, args.limit)
    finally:
        storage.close()
    for at, store, terminal, seq, event_type, detail in rows:
        print(f"{at} {store}/{terminal} seq {seq} {event_type}: {detail}")
    print(f"{len(rows)} security alerts")
    return 1 if rows else 0


def run_topups(args: argparse.Namespace) -> int:
    from hq.storage import open_storage

    storage = open_storage(args.db)
    try:
        rows = storage.topup_differences(args.store)
    finally:
        storage.close()
    for store, terminal, z_number, tender, counted, held in rows:
        where = f"Z {z_number}" if z_number is not None else "no Z report yet"
        print(f"{store}/{terminal} {where} {tender}: Z counted {counted}, HQ holds {held} topped up")
    mismatches = [r for r in rows if r[2] is not None]
    print(f"{len(mismatches)} Z reports differ; {len(rows) - len(mismatches)} topup totals not"
          " covered by a Z report yet")
    return 1 if mismatches else 0
