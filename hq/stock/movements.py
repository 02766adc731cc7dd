"""Which facts move stock, and by how much, as HQ reads them: the same rules as the store's own
ledger (edge/store_ops/stock.py), so that HQ's on-hand is the sum of the stores' ledgers.

Rule: a completed sale moves −qty of each line (its lines are already in hq_sale_line, so it adds
no movement row); a return +qty of each line; a receipt, transfer or adjustment each item as
signed by the store; an approved count each counted item's variance (counted − expected). A
cancelled sale and a count's start move nothing; an online order handed over paid online moves
its picked lines out (kind `order`; one paid at pickup is a till sale, which moved them).
On-hand per (store, SKU) changes by the sum of one ingest transaction's movements, written once per
key in key order (so that concurrent workers lock the same rows in the same order and never
deadlock).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hq.schemas import STOCK_MOVED_TYPES, CountApproved, OrderHandedOver, Return, StockMoved
from hq.storage.interface import Accepted

MOVEMENT_COLUMNS = ("store", "terminal", "seq", "item_no", "sku", "kind", "qty_milli", "reference")
MOVEMENT_TYPES = ("text", "text", "int8", "int4", "text", "text", "int8", "text")


@dataclass
class StockChanges:
    """Movement rows to write and the on-hand change per (store, SKU), over one transaction."""

    movements: list[tuple[Any, ...]] = field(default_factory=list)
    deltas: dict[tuple[str, str], int] = field(default_factory=dict)
    legs: list[tuple[Any, ...]] = field(default_factory=list)   # see TRANSFER_LEG_SQL

    def add(self, store: str, terminal: str, events: Iterable[Accepted]) -> None:
        for e in events:
            if e.type == "stock.transfer" and isinstance(e.fact, StockMoved):
                self._leg(store, terminal, e.seq, e.fact)
            for item_no, sku, kind, qty, reference in _moves(e):
                if kind != "sale":
                    self.movements.append((store, terminal, e.seq, item_no, sku, kind, qty,
                                           reference))
                key = (store, sku)
                self.deltas[key] = self.deltas.get(key, 0) + qty

    def merge(self, other: StockChanges) -> None:
        self.movements += other.movements
        for key, qty in other.deltas.items():
            self.deltas[key] = self.deltas.get(key, 0) + qty
        self.legs += other.legs

    def on_hand_rows(self) -> list[tuple[str, str, int]]:
        """(store, sku, change) in key order, zero changes left out."""
        return [(store, sku, qty) for (store, sku), qty in sorted(self.deltas.items()) if qty]

    def clear(self) -> None:
        self.movements = []
        self.deltas = {}
        self.legs = []

    def _leg(self, store: str, terminal: str, seq: int, fact: StockMoved) -> None:
        """A transfer fact whose items all go one way may be a leg of an HQ transfer named by
        its reference; TRANSFER_LEG_SQL keeps it only if that transfer has this store on that
        side. Any other reference is the store's own note."""
        signs = {item.qty_milli > 0 for item in fact.items}
        if not fact.reference or len(signs) != 1:
            return
        direction = "in" if signs == {True} else "out"
        lines = json.dumps([{"sku": i.sku, "qty_milli": i.qty_milli} for i in fact.items])
        self.legs.append((fact.reference, direction, store, terminal, seq, lines,
                          fact.reference, direction, store, direction, store))


def _moves(e: Accepted) -> list[tuple[int, str, str, int, str | None]]:
    """(item_no, sku, kind, signed qty_milli, reference) of one accepted fact."""
    if e.type == "sale.completed" and e.sale is not None:
        return [(ln.line_no, ln.sku, "sale", -ln.qty_milli, None) for ln in e.sale.lines]
    fact = e.fact
    if e.type == "return.completed" and isinstance(fact, Return):
        return [(ln.line_no, ln.sku, "return", ln.qty_milli, fact.return_id) for ln in fact.lines]
    if e.type in STOCK_MOVED_TYPES and isinstance(fact, StockMoved):
        kind = e.type.removeprefix("stock.")
        return [(i, item.sku, kind, item.qty_milli, fact.reference or None)
                for i, item in enumerate(fact.items, 1)]
    if e.type == "order.handed_over" and isinstance(fact, OrderHandedOver):
        return [(i, ln.sku, "order", -ln.qty_milli, fact.order_id)
                for i, ln in enumerate(fact.lines, 1)]
    if e.type == "stock.count_approved" and isinstance(fact, CountApproved):
        return [(i, item.sku, "count", item.variance, fact.count_id)
                for i, item in enumerate(fact.items, 1)
                if item.counted is not None and item.variance]
    return []


# A store's leg of an HQ transfer: only from the store on that side, and only once.
TRANSFER_LEG_SQL = (
    "INSERT INTO hq_transfer_leg (transfer_id, direction, store, terminal, seq, lines)"
    " SELECT %s, %s, %s, %s, %s, %s WHERE EXISTS (SELECT 1 FROM hq_transfer WHERE transfer_id = %s"
    "  AND ((%s = 'out' AND from_store = %s) OR (%s = 'in' AND to_store = %s)))"
    " ON CONFLICT DO NOTHING")


# The ledger as HQ holds it, summed per SKU: a completed sale's lines out, every reported movement
# in or out. Both engines run these (SQLite with ? for %s); terminal and seq bound the sums to one
# terminal's facts through one of its seqs, for comparing with that terminal's own digest.
LEDGER_SUMS_SQL = (
    "SELECT sku, SUM(qty) FROM ("
    " SELECT l.sku, -l.qty_milli AS qty FROM hq_sale_line l JOIN hq_sale s"
    "  ON s.store = l.store AND s.terminal = l.terminal AND s.seq = l.seq"
    "  WHERE s.status = 'completed' AND l.store = %s {line_filter}"
    " UNION ALL"
    " SELECT m.sku, m.qty_milli AS qty FROM hq_stock_movement m WHERE m.store = %s {move_filter}"
    ") AS moved GROUP BY sku")


def ledger_sums_sql(store: str, terminal: str | None, through: int | None
                    ) -> tuple[str, tuple[Any, ...]]:
    """The query for a store's sums (all of it, or one terminal through a seq) and its values."""
    if terminal is None:
        return LEDGER_SUMS_SQL.format(line_filter="", move_filter=""), (store, store)
    cut = " AND {t}.terminal = %s AND {t}.seq <= %s"
    return (LEDGER_SUMS_SQL.format(line_filter=cut.format(t="l"), move_filter=cut.format(t="m")),
            (store, terminal, through, store, terminal, through))
