"""Inventory rounds: tag reads deduplicated by EPC, then counted per GTIN for a stock count.

Rule: a read below the RSSI floor is ignored (a tag on the next shelf or in the back room must not
be counted here); every EPC that is not a valid SGTIN-96 is listed apart, never dropped silently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from drivers.rfid.epc import Sgtin, decode_sgtin96
from drivers.rfid.llrp import TagReport


class SeenTag:
    """What one EPC looked like over a round; mutable because it is updated on every read."""

    __slots__ = ("antenna", "best_rssi", "epc", "first_seen_us", "last_seen_us", "reads")

    def __init__(self, epc: bytes, rssi: int, antenna: int | None, when: int | None) -> None:
        self.epc = epc
        self.best_rssi = rssi
        self.antenna = antenna  # the antenna that saw the best RSSI
        self.first_seen_us = when
        self.last_seen_us = when
        self.reads = 1

    def __repr__(self) -> str:
        return f"SeenTag({self.epc.hex()}, reads={self.reads}, rssi={self.best_rssi})"


# An RSSI nobody reports, so a reader that leaves PeakRSSI out still passes a floor of None.
_NO_RSSI = -128


@dataclass(frozen=True)
class StockCount:
    """The result of a round, ready for a stock count: quantity per GTIN and the unknown EPCs."""

    per_gtin: dict[str, int]
    items: dict[bytes, Sgtin]
    unknown_epcs: tuple[bytes, ...]
    reads: int
    ignored_weak_reads: int

    @property
    def unique_tags(self) -> int:
        return len(self.items) + len(self.unknown_epcs)


class InventoryRound:
    """Accumulates TagReports of one round. `rssi_floor` in dBm; reads below it are ignored."""

    def __init__(self, rssi_floor: int | None = None) -> None:
        self.rssi_floor = rssi_floor
        self.seen: dict[bytes, SeenTag] = {}
        self.reads = 0
        self.ignored_weak_reads = 0

    def add(self, reports: Iterable[TagReport]) -> None:
        seen = self.seen
        floor = self.rssi_floor
        reads = ignored = 0
        for epc, antenna, rssi, first, last, count, _ in reports:
            reads += count
            if rssi is None:
                rssi = _NO_RSSI
            elif floor is not None and rssi < floor:
                ignored += count
                continue
            tag = seen.get(epc)
            if tag is None:
                tag = seen[epc] = SeenTag(epc, rssi, antenna, first)
                tag.reads = count
                if last is not None:
                    tag.last_seen_us = last
                continue
            tag.reads += count
            if rssi > tag.best_rssi:
                tag.best_rssi = rssi
                tag.antenna = antenna
            if first is not None:
                if tag.first_seen_us is None or first < tag.first_seen_us:
                    tag.first_seen_us = first
                when = last if last is not None else first
                if tag.last_seen_us is None or when > tag.last_seen_us:
                    tag.last_seen_us = when
        self.reads += reads
        self.ignored_weak_reads += ignored

    def count(self) -> StockCount:
        per_gtin: Counter[str] = Counter()
        items: dict[bytes, Sgtin] = {}
        unknown: list[bytes] = []
        for epc in self.seen:
            sgtin = decode_sgtin96(epc)
            if sgtin is None:
                unknown.append(epc)
            else:
                items[epc] = sgtin
                per_gtin[sgtin.gtin] += 1
        return StockCount(
            dict(sorted(per_gtin.items())),
            items,
            tuple(sorted(unknown)),
            self.reads,
            self.ignored_weak_reads,
        )
