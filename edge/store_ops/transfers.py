"""Transfers between stores: created at HQ, sent down both stores' signed `transfers` stream, and
carried out at each store as one stock fact — the sender ships, the receiver receives.

Rule ONE_LEG: a store is one side of a transfer, so it records it once: shipping (sender) writes a
`stock.transfer` fact of −qty per line, receiving (receiver) one of +qty as counted on arrival
(a short delivery is received short; HQ flags the difference). The fact's reference is the
transfer id, so HQ matches both legs; transfer_leg keeps the leg in the fact's transaction.
Rule HQ_SAYS: what a transfer is (its stores and lines) is HQ's signed word; a store cannot
make one up, and a cancelled transfer cannot be shipped (one already shipped can still be received).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Literal

from edge.ledger.clock import utc_now_iso
from edge.ledger.store import write_transaction
from edge.ops_error import OpsError
from edge.store_ops.stock import check_move, record_move

Direction = Literal["out", "in"]


@dataclass(frozen=True)
class Transfer:
    transfer_id: str
    from_store: str
    to_store: str
    lines: list[tuple[str, int]]   # (sku, qty_milli > 0)
    note: str = ""
    cancelled: bool = False


@dataclass(frozen=True)
class TransferAtStore:
    """A transfer as this store sees it: its side, and whether that side is done."""

    transfer: Transfer
    direction: Direction
    done_seq: int | None   # the stock.transfer fact of this store's leg, once recorded


def apply_transfers(conn: sqlite3.Connection, transfers: list[Transfer], snapshot: bool,
                    version: int) -> None:
    """A version of the stream, inside the downlink's transaction. A snapshot replaces the list;
    legs already recorded stay (they are facts)."""
    for t in transfers:
        if not t.lines or any(qty <= 0 for _, qty in t.lines):
            raise ValueError(f"transfer {t.transfer_id}: every line needs a positive quantity")
        if t.from_store == t.to_store:
            raise ValueError(f"transfer {t.transfer_id}: from and to the same store")
    if snapshot:
        conn.execute("DELETE FROM transfer_order")
    conn.executemany(
        "INSERT OR REPLACE INTO transfer_order (transfer_id, from_store, to_store, lines, note,"
        " cancelled, version) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(t.transfer_id, t.from_store, t.to_store,
          json.dumps([{"sku": s, "qty_milli": q} for s, q in t.lines]), t.note, int(t.cancelled),
          version) for t in transfers])


def transfers_at(conn: sqlite3.Connection, store_id: str, open_only: bool = True
                 ) -> list[TransferAtStore]:
    """This store's transfers, oldest version first; `open_only`: its leg not yet recorded and
    (for shipping) not cancelled."""
    out = []
    for row in conn.execute(
            "SELECT o.transfer_id, o.from_store, o.to_store, o.lines, o.note, o.cancelled,"
            " l.event_seq FROM transfer_order o LEFT JOIN transfer_leg l USING (transfer_id)"
            " WHERE o.from_store = ? OR o.to_store = ? ORDER BY o.version, o.transfer_id",
            (store_id, store_id)):
        t = _transfer(row)
        direction: Direction = "out" if t.from_store == store_id else "in"
        done = row[6]
        if open_only and (done is not None or (t.cancelled and direction == "out")):
            continue
        out.append(TransferAtStore(t, direction, done))
    return out


def ship(conn: sqlite3.Connection, store_id: str, staff_id: str, transfer_id: str) -> int:
    """The sender's leg: every line out. Returns the fact's seq."""
    t = _find(conn, transfer_id)
    if t.from_store != store_id:
        raise OpsError("not_found", f"transfer {transfer_id} is not shipped from {store_id}")
    if t.cancelled:
        raise OpsError("transfer_cancelled", f"transfer {transfer_id} was cancelled at HQ")
    return _record(conn, t, "out", staff_id, [(sku, -qty) for sku, qty in t.lines])


def receive(conn: sqlite3.Connection, store_id: str, staff_id: str, transfer_id: str,
            counted: dict[str, int] | None = None) -> int:
    """The receiver's leg: each line in as counted on arrival (default: as sent). A SKU not on the
    transfer cannot be received on it. Returns the fact's seq."""
    t = _find(conn, transfer_id)
    if t.to_store != store_id:
        raise OpsError("not_found", f"transfer {transfer_id} is not received at {store_id}")
    sent = dict(t.lines)
    counted = dict(counted or sent)
    stray = sorted(set(counted) - set(sent))
    if stray:
        raise OpsError("bad_request", f"not on transfer {transfer_id}: {', '.join(stray)}")
    if any(qty < 0 for qty in counted.values()):
        raise OpsError("invalid_quantity", "a received quantity cannot be negative")
    items = [(sku, counted[sku]) for sku, _ in t.lines if counted.get(sku)]
    if not items:
        raise OpsError("invalid_quantity", "nothing received: record a quantity for a line")
    return _record(conn, t, "in", staff_id, items)


def _record(conn: sqlite3.Connection, t: Transfer, direction: Direction, staff_id: str,
            items: list[tuple[str, int]]) -> int:
    check_move(conn, "transfer", items)
    with write_transaction(conn):
        if conn.execute("SELECT 1 FROM transfer_leg WHERE transfer_id = ?",
                        (t.transfer_id,)).fetchone():
            raise OpsError("already_recorded",
                           f"transfer {t.transfer_id} was already {_done_word(direction)} here")
        seq = record_move(conn, staff_id, "transfer", items, t.transfer_id,
                          f"transfer {direction} {t.from_store}→{t.to_store}")
        conn.execute("INSERT INTO transfer_leg (transfer_id, direction, event_seq, staff_id, at)"
                     " VALUES (?, ?, ?, ?, ?)",
                     (t.transfer_id, direction, seq, staff_id, utc_now_iso()))
    return seq


def _done_word(direction: Direction) -> str:
    return "shipped" if direction == "out" else "received"


def _find(conn: sqlite3.Connection, transfer_id: str) -> Transfer:
    row = conn.execute("SELECT transfer_id, from_store, to_store, lines, note, cancelled"
                       " FROM transfer_order WHERE transfer_id = ?", (transfer_id,)).fetchone()
    if row is None:
        raise OpsError("not_found", f"no transfer {transfer_id} from HQ")
    return _transfer(row)


def _transfer(row: sqlite3.Row | tuple[object, ...]) -> Transfer:
    lines = [(str(line["sku"]), int(line["qty_milli"])) for line in json.loads(str(row[3]))]
    return Transfer(str(row[0]), str(row[1]), str(row[2]), lines, str(row[4]), bool(row[5]))
