"""Inventory through real TCP against the LLRP reader simulator."""

from __future__ import annotations

import socket

import pytest

from drivers.device import DeviceError, DeviceEvent, ErrorEvent
from drivers.rfid import InventoryEvent, create_rfid_reader
from drivers.rfid.reader import LlrpReader
from drivers.rfid.simulator import LlrpReaderSimulator, ReaderPopulation, sgtin_population

pytestmark = pytest.mark.timeout(30)

QUANTITIES = {"80614141123458": 260, "06901234567892": 150, "06920000000012": 90}


def _reader(sim: LlrpReaderSimulator, **config: object) -> LlrpReader:
    host, port = sim.address
    reader = create_rfid_reader("rfid-1", {"host": host, "port": port, **config})
    reader.open()
    reader.claim()
    reader.enable()
    return reader


def test_500_tags_read_5_times_give_500_epcs_and_right_counts_per_gtin() -> None:
    unknown = [bytes.fromhex("E2801160600002054DB2D1A5")]
    population = ReaderPopulation(sgtin_population(QUANTITIES) + unknown, reads_per_tag=5, seed=7)
    events: list[DeviceEvent] = []
    with LlrpReaderSimulator(population) as sim:
        reader = _reader(sim)
        reader.add_listener(events.append)
        count = reader.inventory(duration_ms=200)
        reader.close()
    assert count.unique_tags == 501
    assert count.reads == 501 * 5
    assert count.per_gtin == dict(sorted(QUANTITIES.items()))
    assert count.unknown_epcs == tuple(unknown)
    assert next(e for e in events if isinstance(e, InventoryEvent)).count == count


def test_rounds_can_repeat_and_the_rssi_floor_drops_far_tags() -> None:
    far = sgtin_population({"06920000000012": 5}, first_serial=1000)
    population = ReaderPopulation(
        sgtin_population({"80614141123458": 20}), reads_per_tag=3, weak_epcs=far, weak_rssi=-88
    )
    with LlrpReaderSimulator(population) as sim:
        reader = _reader(sim, rssi_floor=-80)
        first = reader.inventory(duration_ms=100)
        second = reader.inventory(duration_ms=100)
        assert reader.health().ok
        reader.close()
        assert not reader.health().ok
    assert first.per_gtin == second.per_gtin == {"80614141123458": 20}
    assert first.ignored_weak_reads == 5


def test_unreachable_reader_is_a_device_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    reader = create_rfid_reader("rfid-x", {"host": "127.0.0.1", "port": port, "timeout_s": 1})
    with pytest.raises(DeviceError) as info:
        reader.open()
    assert info.value.code == "unreachable"
    assert not reader.health().ok


def test_reader_error_status_surfaces_as_error_event_and_device_error() -> None:
    with LlrpReaderSimulator(ReaderPopulation([])) as sim:
        reader = _reader(sim)
        events: list[DeviceEvent] = []
        reader.add_listener(events.append)
        with pytest.raises(DeviceError):
            reader.stop()  # no ROSpec 1 exists: the reader answers with a FieldError status
        reader.close()
    assert any(isinstance(e, ErrorEvent) and e.code == "reader_status" for e in events)


def test_inventory_before_enable_is_misuse() -> None:
    reader = create_rfid_reader("rfid-y", {"host": "127.0.0.1"})
    with pytest.raises(DeviceError):
        reader.inventory()


def test_factory_rejects_unknown_protocol() -> None:
    with pytest.raises(DeviceError):
        create_rfid_reader("rfid-z", {"protocol": "impinj-octane", "host": "x"})


def test_the_last_report_after_end_of_rospec_is_still_counted() -> None:
    """LLRP 1.0.1 ties the last RO_ACCESS_REPORT (ROReportTrigger "upon N tags or end of AISpec")
    and the ROSpecEvent End to the ROSpec's end without ordering them; a reader that sends the
    report second must not lose its tags from the count."""
    population = ReaderPopulation(
        sgtin_population(QUANTITIES), reads_per_tag=2, tags_per_report=150, final_report="after_end"
    )
    with LlrpReaderSimulator(population) as sim:
        reader = _reader(sim)
        count = reader.inventory(duration_ms=100)
        reader.close()
    assert count.unique_tags == 500
    assert count.per_gtin == dict(sorted(QUANTITIES.items()))


def test_a_report_later_than_the_round_is_reported_and_never_counted_into_the_next() -> None:
    population = ReaderPopulation(
        sgtin_population(QUANTITIES), reads_per_tag=2, tags_per_report=150, final_report="after_delete"
    )
    events: list[DeviceEvent] = []
    with LlrpReaderSimulator(population) as sim:
        reader = _reader(sim)
        reader.add_listener(events.append)
        first = reader.inventory(duration_ms=100)
        second = reader.inventory(duration_ms=100)
        reader.close()
    late = [e for e in events if isinstance(e, ErrorEvent) and e.code == "late_report"]
    assert len(late) == 2  # each round's held report: one read before round 2, one at close
    # 1,000 reads in reports of 150: the held last one (100 reads) is outside each round.
    assert first.reads == second.reads == 900
    assert first.unique_tags < 500 and second.unique_tags < 500
