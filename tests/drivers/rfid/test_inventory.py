"""Inventory rounds: deduplication by EPC, RSSI floor, counting per GTIN, unknown EPCs apart."""

from __future__ import annotations

from drivers.rfid.epc import encode_sgtin96
from drivers.rfid.inventory import InventoryRound
from drivers.rfid.llrp import TagReport

A = encode_sgtin96("80614141123458", 1, 7)
B = encode_sgtin96("80614141123458", 2, 7)
C = encode_sgtin96("06901234567892", 1, 7)
ODD = bytes.fromhex("E2801160600002054DB2D1A5")


def test_repeated_reads_count_once_with_first_last_best_rssi_and_its_antenna() -> None:
    rnd = InventoryRound()
    rnd.add(
        [
            TagReport(A, antenna=1, peak_rssi=-60, first_seen_us=200),
            TagReport(A, antenna=3, peak_rssi=-41, first_seen_us=100),
            TagReport(A, antenna=2, peak_rssi=-55, first_seen_us=300, last_seen_us=450),
        ]
    )
    tag = rnd.seen[A]
    assert (tag.reads, tag.best_rssi, tag.antenna) == (3, -41, 3)
    assert (tag.first_seen_us, tag.last_seen_us) == (100, 450)


def test_tag_seen_count_adds_up_reads() -> None:
    rnd = InventoryRound()
    rnd.add([TagReport(A, peak_rssi=-50, seen_count=7), TagReport(A, peak_rssi=-50)])
    assert rnd.seen[A].reads == 8
    assert rnd.reads == 8


def test_reads_below_the_rssi_floor_are_ignored_and_counted_as_such() -> None:
    rnd = InventoryRound(rssi_floor=-70)
    rnd.add([TagReport(A, peak_rssi=-71), TagReport(B, peak_rssi=-70), TagReport(C)])
    count = rnd.count()
    assert set(count.items) == {B, C}  # a reader that omits PeakRSSI is not filtered
    assert count.ignored_weak_reads == 1


def test_count_per_gtin_and_unknown_epcs_listed_apart() -> None:
    rnd = InventoryRound()
    rnd.add([TagReport(e, peak_rssi=-50) for e in (A, B, C, ODD, A, ODD)])
    count = rnd.count()
    assert count.per_gtin == {"06901234567892": 1, "80614141123458": 2}
    assert count.unknown_epcs == (ODD,)
    assert count.unique_tags == 4
    assert count.reads == 6
