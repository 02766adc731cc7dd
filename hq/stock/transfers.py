"""Transfers between stores as HQ makes them: stored, then sent to both stores as a new version
of each one's signed `transfers` stream (edge/store_ops/transfers.py carries them out).

Rule: a transfer is stored before its versions, and its versions before they are sent, so what a
store receives HQ can always send again; its status comes only from the stores' own facts (the
legs, hq/stock/movements.py): created → shipped → received, and `short` or `over` when what
arrived differs from what was shipped.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloud_sync.protocol import TransferItem, TransferLine
from cloud_sync.signing import Keyring
from hq.publish import PublishError, publish_version
from hq.storage.interface import HqStorage


@dataclass(frozen=True)
class TransferStatus:
    transfer_id: str
    from_store: str
    to_store: str
    lines: list[tuple[str, int]]
    shipped: list[tuple[str, int]] | None      # as the sender moved them out (positive)
    received: list[tuple[str, int]] | None     # as the receiver counted them in

    @property
    def status(self) -> str:
        if self.received is not None:
            return "received" if self.shipped is None or dict(self.received) == dict(
                self.shipped) else ("short" if sum(q for _, q in self.received)
                                    < sum(q for _, q in self.shipped) else "differs")
        return "shipped" if self.shipped is not None else "created"


def create_transfer(storage: HqStorage, key: Ed25519PrivateKey, from_store: str, to_store: str,
                    lines: list[tuple[str, int]], created_by: str, note: str = "",
                    pinned: Keyring | None = None) -> tuple[str, list[tuple[str, str, int, bytes]]]:
    """Store a transfer and a version of the `transfers` stream for each of its stores: (its id,
    the versions to send as `hq.publish.send` takes them)."""
    if from_store == to_store:
        raise PublishError("a transfer goes from one store to another")
    if not lines or any(qty <= 0 for _, qty in lines):
        raise PublishError("a transfer needs lines with positive quantities")
    if len({sku for sku, _ in lines}) != len(lines):
        raise PublishError("a SKU appears twice; add its quantities up")
    transfer_id = f"TR{uuid.uuid4().hex[:20].upper()}"
    storage.add_transfer(transfer_id, from_store, to_store,
                         json.dumps([{"sku": s, "qty_milli": q} for s, q in lines]), note,
                         created_by)
    item = TransferItem(transfer_id, from_store, to_store,
                        [TransferLine(sku, qty) for sku, qty in lines], note)
    sent = []
    for store in (from_store, to_store):
        version, signed = publish_version(storage, key, "transfers", [item], store, pinned)
        sent.append((store, "transfers", version, signed))
    return transfer_id, sent


def transfer_status(row: dict[str, Any]) -> TransferStatus:
    """A row of `HqStorage.transfers` as its status."""
    def pairs(lines: Any, sign: int = 1) -> list[tuple[str, int]] | None:
        if lines is None:
            return None
        decoded = json.loads(lines) if isinstance(lines, str | bytes) else lines
        return [(str(ln["sku"]), sign * int(ln["qty_milli"])) for ln in decoded]

    return TransferStatus(row["transfer_id"], row["from_store"], row["to_store"],
                          pairs(row["lines"]) or [], pairs(row["shipped"], -1),
                          pairs(row["received"]))


TRANSFERS_SQL = (
    "SELECT t.transfer_id, t.from_store, t.to_store, t.lines, o.lines AS shipped,"
    " i.lines AS received FROM hq_transfer t"
    " LEFT JOIN hq_transfer_leg o ON o.transfer_id = t.transfer_id AND o.direction = 'out'"
    " LEFT JOIN hq_transfer_leg i ON i.transfer_id = t.transfer_id AND i.direction = 'in'"
    " WHERE %s = '' OR t.from_store = %s OR t.to_store = %s ORDER BY t.created_at, t.transfer_id")
