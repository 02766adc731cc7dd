"""A worker's writer lanes (`--writers`): which lane takes a store, and the heartbeat that stops
when one lane hangs (the supervisor's watchdog then restarts the worker)."""

from __future__ import annotations

import threading
import time

import pytest

import hq.ingest
from cloud_sync.settings import BrokerSettings
from hq.ingest import IngestOptions, IngestWorker, lane_of


def test_a_store_always_takes_the_same_lane_and_stores_spread_over_the_lanes() -> None:
    lanes = {lane_of(f"pos/v1/S{n:03d}/T01/up/events", 4) for n in range(40)}
    assert lanes == {0, 1, 2, 3}
    for n in range(40):
        store = f"S{n:03d}"
        assert len({lane_of(f"pos/v1/{store}/{t}/up/{kind}", 4) for t in ("T01", "T02", "T99")
                    for kind in ("events", "health", "request", "presence")}) == 1
    assert lane_of("garbage", 4) == 0
    assert lane_of("pos/v1/S001/T01/up/events", 1) == 0


@pytest.mark.timeout(30)
def test_a_hung_lane_stops_the_heartbeat_until_it_turns_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hq.ingest, "WORKER_STALE_S", 0.5)
    worker = IngestWorker(IngestOptions(db_url="sqlite:///unused.db", broker=BrokerSettings(),
                                        writers=2))
    hung, release = threading.Event(), threading.Event()

    def stuck_write(*_args: object, **_kw: object) -> None:
        hung.set()
        release.wait(20)

    monkeypatch.setattr(worker, "_with_storage", stuck_write)
    beats: list[float] = []
    stop = threading.Event()
    runner = threading.Thread(target=worker._run_lanes,
                              args=(stop, lambda: beats.append(time.monotonic())))
    runner.start()
    try:
        time.sleep(1.0)
        assert beats, "both lanes turning: the worker beats"
        worker.lanes[1].inbox.put(object())  # type: ignore[arg-type]  # lane 1 takes it and hangs
        assert hung.wait(5)
        time.sleep(1.0)  # past WORKER_STALE_S
        before = len(beats)
        time.sleep(1.0)
        assert len(beats) == before, "no beat while a lane hangs"
        release.set()
        time.sleep(1.0)
        assert len(beats) > before, "beating again once the lane turns"
    finally:
        release.set()
        stop.set()
        runner.join(10)
    assert not runner.is_alive()
