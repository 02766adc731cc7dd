"""`pos hq stock verify`: HQ's stock for a store equals the stores' own ledgers.

Rule: two checks, both exact. (1) On-hand as kept in the ingest transaction equals the sum of
every movement HQ holds for the store, SKU by SKU. (2) For each terminal, HQ's movements through
the seq the terminal last reported its ledger digest at (`pos doctor --publish`, check `stock`)
digest to the same value as the terminal's own ledger (edge/store_ops/stock.py, `digest_of`);
a terminal HQ has not yet received through that seq is "behind", not wrong. With the terminal's
database at hand (`--edge-db`), the comparison goes SKU by SKU through the seq both hold.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Literal

from edge.store_ops.stock import LedgerDigest, digest_of
from hq.storage.interface import HqStorage

TerminalStatus = Literal["ok", "differs", "behind", "no_report"]


@dataclass(frozen=True)
class TerminalLedger:
    terminal: str
    status: TerminalStatus
    detail: str
    skus: list[tuple[str, int, int]] = field(default_factory=list)  # (sku, at HQ, at the store)


@dataclass(frozen=True)
class StoreStock:
    store: str
    on_hand_differs: list[tuple[str, int, int]]  # (sku, kept on hand, sum of movements)
    terminals: list[TerminalLedger]

    @property
    def ok(self) -> bool:
        return not self.on_hand_differs and all(t.status == "ok" for t in self.terminals)


def verify_store(storage: HqStorage, store: str,
                 edge_dbs: dict[str, sqlite3.Connection] | None = None) -> StoreStock:
    """Both checks for `store`; `edge_dbs` maps a terminal id to its own database, if at hand."""
    kept = dict(storage.stock_on_hand(store))
    summed = dict(storage.stock_sums(store))
    differs = [(sku, kept.get(sku, 0), summed.get(sku, 0)) for sku in sorted(kept.keys() | summed)
               if kept.get(sku, 0) != summed.get(sku, 0)]
    watermarks = storage.watermarks(store)
    reported = _reported_digests(storage, store)
    terminals = []
    for terminal in sorted(watermarks.keys() | reported.keys() | (edge_dbs or {}).keys()):
        conn = (edge_dbs or {}).get(terminal)
        if conn is not None:
            terminals.append(_against_database(storage, store, terminal, conn,
                                               watermarks.get(terminal, 0)))
        else:
            terminals.append(_against_report(storage, store, terminal, reported.get(terminal),
                                             watermarks.get(terminal, 0)))
    return StoreStock(store, differs, terminals)


def _against_report(storage: HqStorage, store: str, terminal: str, digest: LedgerDigest | None,
                    acked_to: int) -> TerminalLedger:
    if digest is None:
        return TerminalLedger(terminal, "no_report", "no stock digest reported yet "
                              "(pos doctor --publish on the terminal)")
    if acked_to < digest.through_seq:
        return TerminalLedger(terminal, "behind", f"HQ holds its facts through seq {acked_to},"
                              f" the digest is through seq {digest.through_seq}")
    ours = digest_of(digest.through_seq, storage.stock_sums(store, terminal, digest.through_seq))
    if ours.digest == digest.digest:
        return TerminalLedger(terminal, "ok", f"{ours.skus} SKUs equal through seq"
                              f" {digest.through_seq}")
    return TerminalLedger(terminal, "differs",
                          f"through seq {digest.through_seq}: HQ {ours.skus} SKUs summing"
                          f" {ours.sum_milli}, the terminal {digest.skus} summing {digest.sum_milli}")


def _against_database(storage: HqStorage, store: str, terminal: str, conn: sqlite3.Connection,
                      acked_to: int) -> TerminalLedger:
    top = conn.execute("SELECT value FROM counter WHERE name = 'outbox_seq'").fetchone()
    through = min(acked_to, int(top[0]) if top else 0)
    theirs = {row[0]: int(row[1]) for row in conn.execute(
        "SELECT sku, SUM(qty_milli) FROM stock_movement WHERE event_seq <= ? GROUP BY sku",
        (through,))}
    ours = dict(storage.stock_sums(store, terminal, through))
    skus = [(sku, ours.get(sku, 0), theirs.get(sku, 0)) for sku in sorted(ours.keys() | theirs)
            if ours.get(sku, 0) != theirs.get(sku, 0)]
    if skus:
        return TerminalLedger(terminal, "differs", f"{len(skus)} SKUs differ through seq {through}",
                              skus)
    return TerminalLedger(terminal, "ok", f"{sum(1 for q in theirs.values() if q)} SKUs equal"
                          f" through seq {through} (its database)")


def _reported_digests(storage: HqStorage, store: str) -> dict[str, LedgerDigest]:
    found = {}
    for kept in storage.health():
        if kept.store != store:
            continue
        report = json.loads(kept.report)
        for check in report.get("checks", []):
            data = check.get("data") or {}
            if check.get("name") == "stock" and isinstance(data.get("through_seq"), int):
                found[kept.terminal] = LedgerDigest(data["through_seq"], int(data.get("skus", 0)),
                                                    int(data.get("sum_milli", 0)),
                                                    str(data.get("digest", "")))
    return found
