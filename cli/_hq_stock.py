"""`pos hq stock`: a store's stock as HQ holds it (`show`) and the proof that it equals the
terminals' own ledgers (`verify`, hq/stock/verify.py). Kept apart from cli/hq.py, which only
hooks it in."""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cli.main import CommandError


def add_stock_command(sub: Any, db_option: Callable[[argparse.ArgumentParser], None],
                      broker_option: Callable[[argparse.ArgumentParser], None],
                      broker_settings: Callable[[argparse.Namespace], Any]) -> None:
    parser = sub.add_parser("stock", help="stock at HQ: on-hand per store and SKU, and its check"
                                          " against the stores' ledgers")
    stock = parser.add_subparsers(dest="stock_command", required=True, metavar="STOCK_COMMAND")
    show = stock.add_parser("show", help="a store's on-hand per SKU as HQ holds it")
    db_option(show)
    show.add_argument("--store", required=True, help="the store id")
    show.add_argument("--json", action="store_true", help="print as JSON")
    show.set_defaults(run=run_show)
    verify = stock.add_parser("verify", help="HQ's stock for a store equals its terminals'"
                                             " ledgers; exit 1 when not")
    db_option(verify)
    verify.add_argument("--store", required=True, help="the store id")
    verify.add_argument("--edge-db", action="append", default=[], metavar="TERMINAL=PATH",
                        help="compare SKU by SKU with this terminal's own database (repeatable)"
                             " instead of its last reported digest")
    verify.add_argument("--json", action="store_true", help="print the result as JSON")
    verify.set_defaults(run=run_verify)
    transfer = stock.add_parser("transfer", help="send stock from one store to another: both"
                                                 " stores get it as a signed instruction",
                                allow_abbrev=False)
    transfer.add_argument("items", nargs="+", metavar="SKU=QTY",
                          help="what to send: SKU=QTY, QTY in pieces or kg (e.g. P00001=24)")
    transfer.add_argument("--from", dest="from_store", required=True, help="the sending store")
    transfer.add_argument("--to", dest="to_store", required=True, help="the receiving store")
    transfer.add_argument("--note", default="", help="a note both stores see")
    transfer.add_argument("--by", default="hq", help="who made it, for the record (default hq)")
    db_option(transfer)
    broker_option(transfer)
    transfer.add_argument("--signing-key", required=True,
                          help="HQ's Ed25519 private key file (pos hq keygen)")
    transfer.add_argument("--pinned", default="",
                          help="the public keys the stores pin: a version they would refuse is"
                               " not stored")
    transfer.set_defaults(run=run_transfer, broker_settings=broker_settings)
    transfers = stock.add_parser("transfers", help="transfers and where each stands: created,"
                                                   " shipped, received, short or differs")
    db_option(transfers)
    transfers.add_argument("--store", default="", help="only this store's (either side)")
    transfers.add_argument("--json", action="store_true", help="print as JSON")
    transfers.set_defaults(run=run_transfers)


def run_show(args: argparse.Namespace) -> int:
    from hq.storage import open_storage

    storage = open_storage(args.db)
    try:
        rows = storage.stock_on_hand(args.store)
    finally:
        storage.close()
    if args.json:
        print(json.dumps([{"sku": sku, "qty_milli": qty} for sku, qty in rows]))
    else:
        for sku, qty in rows:
            print(f"{sku:<20} {qty / 1000:>14.3f}")
    return 0


def run_transfer(args: argparse.Namespace) -> int:
    from cli.stock import parse_items
    from cloud_sync.signing import SignatureError, load_keyring, load_private_key
    from hq.publish import PublishError, send
    from hq.stock.transfers import create_transfer
    from hq.storage import open_storage

    lines = parse_items(args.items)
    try:
        key = load_private_key(Path(args.signing_key))
        pinned = load_keyring(Path(args.pinned)) if args.pinned else None
    except (SignatureError, OSError) as exc:
        raise CommandError(str(exc)) from None
    broker = args.broker_settings(args)
    storage = open_storage(args.db)
    try:
        transfer_id, sent = create_transfer(storage, key, args.from_store, args.to_store, lines,
                                            args.by, args.note, pinned)
    except PublishError as exc:
        raise CommandError(str(exc)) from None
    finally:
        storage.close()
    print(f"transfer {transfer_id}: {args.from_store} → {args.to_store}, {len(lines)} lines")
    try:
        send(broker, sent)
    except OSError as exc:
        raise CommandError(f"stored, but the broker is unreachable ({exc}); the stores will catch"
                           " up from the retained head when it is back") from None
    return 0


def run_transfers(args: argparse.Namespace) -> int:
    from hq.stock.transfers import transfer_status
    from hq.storage import open_storage

    storage = open_storage(args.db)
    try:
        found = [transfer_status(row) for row in storage.transfers(args.store)]
    finally:
        storage.close()
    if args.json:
        print(json.dumps([{"transfer_id": t.transfer_id, "from": t.from_store, "to": t.to_store,
                           "status": t.status, "lines": dict(t.lines),
                           "shipped": None if t.shipped is None else dict(t.shipped),
                           "received": None if t.received is None else dict(t.received)}
                          for t in found]))
        return 0
    for t in found:
        print(f"{t.transfer_id}  {t.from_store} → {t.to_store}  {t.status:<8}  {len(t.lines)} lines")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from edge.ledger.store import connect
    from hq.stock.verify import verify_store
    from hq.storage import open_storage

    edge_dbs: dict[str, sqlite3.Connection] = {}
    for spec in args.edge_db:
        terminal, _, path = spec.partition("=")
        if not terminal or not path or not Path(path).is_file():
            raise CommandError(f"--edge-db {spec!r}: want TERMINAL=PATH of an existing database")
        edge_dbs[terminal] = connect(path)
    storage = open_storage(args.db)
    try:
        result = verify_store(storage, args.store, edge_dbs)
    finally:
        storage.close()
        for conn in edge_dbs.values():
            conn.close()
    if args.json:
        print(json.dumps({"store": result.store, "ok": result.ok,
                          "on_hand_differs": [{"sku": s, "on_hand": k, "movements": m}
                                              for s, k, m in result.on_hand_differs],
                          "terminals": [{"terminal": t.terminal, "status": t.status,
                                         "detail": t.detail,
                                         "skus": [{"sku": s, "hq": h, "store": w}
                                                  for s, h, w in t.skus]}
                                        for t in result.terminals]}))
        return 0 if result.ok else 1
    print(_describe(result))
    return 0 if result.ok else 1


def _describe(result: Any) -> str:
    out = []
    if result.on_hand_differs:
        out.append(f"on-hand differs from the movements for {len(result.on_hand_differs)} SKUs:")
        out += [f"  {sku}: on hand {k / 1000:.3f}, movements {m / 1000:.3f}"
                for sku, k, m in result.on_hand_differs[:50]]
    else:
        out.append("on-hand equals the sum of the movements for every SKU")
    for t in result.terminals:
        out.append(f"{t.terminal:<10} {t.status:<9} {t.detail}")
        out += [f"  {sku}: HQ {h / 1000:.3f}, the terminal {w / 1000:.3f}" for sku, h, w in t.skus[:50]]
    out.append(f"store {result.store}: {'equal' if result.ok else 'NOT EQUAL'}")
    return "\n".join(out)
