"""The ESL outbox: superseding, delivery only on confirmation, backoff with jitter, stale report,
durability across a reopen. A fake clock drives time."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from drivers.esl.outbox import Backoff, EslOutbox


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox(tmp_path: Path, clock: FakeClock) -> EslOutbox:
    return EslOutbox(
        tmp_path / "store.db",
        clock=clock,
        backoff=Backoff(base_s=2.0, cap_s=60.0),
        rng=random.Random(1),
        confirm_timeout_s=30.0,
    )


def test_newer_version_supersedes_an_unsent_older_one(outbox: EslOutbox) -> None:
    assert outbox.enqueue("AA", 1, b"v1", "{}")
    assert outbox.enqueue("AA", 2, b"v2", "{}")
    due = outbox.due(10)
    assert [(i.mac, i.version) for i in due] == [("AA", 2)]
    assert outbox.state_of("AA", 1) == "superseded"


def test_newer_version_supersedes_a_sent_unconfirmed_one(outbox: EslOutbox) -> None:
    outbox.enqueue("AA", 1, b"v1", "{}")
    outbox.mark_sent("AA", 1, "hash1")
    outbox.enqueue("AA", 2, b"v2", "{}")
    assert outbox.awaiting_confirmation() == {}
    # A late confirmation of the old version must not count as the label being current.
    assert outbox.mark_delivered([("AA", 1)]) == 0
    assert [s.wanted_version for s in outbox.stale_labels()] == [2]


def test_an_older_or_equal_version_is_ignored(outbox: EslOutbox) -> None:
    outbox.enqueue("AA", 5, b"v5", "{}")
    assert not outbox.enqueue("AA", 4, b"v4", "{}")
    assert not outbox.enqueue("AA", 5, b"v5", "{}")
    assert [i.version for i in outbox.due(10)] == [5]


def test_delivered_only_when_confirmed_not_when_sent(outbox: EslOutbox) -> None:
    outbox.enqueue("AA", 1, b"v1", "{}")
    outbox.mark_sent("AA", 1, "hash1")
    assert outbox.awaiting_confirmation() == {"AA": (1, "hash1")}
    assert len(outbox.stale_labels()) == 1
    assert outbox.mark_delivered([("AA", 1)]) == 1
    assert outbox.stale_labels() == []
    assert outbox.pending_count() == 0


def test_failures_back_off_exponentially_with_jitter(outbox: EslOutbox, clock: FakeClock) -> None:
    outbox.enqueue("AA", 1, b"v1", "{}")
    delays = []
    for _ in range(7):
        (item,) = outbox.due(10)
        delays.append(outbox.mark_failed(item.mac, item.version, "HTTP 500"))
        assert outbox.due(10) == []  # not due again before its delay
        clock.now += delays[-1]
    steps = [2, 4, 8, 16, 32, 60, 60]  # base 2 s doubling, capped at 60 s
    for delay, step in zip(delays, steps, strict=True):
        assert step / 2 <= delay <= step


def test_jitter_spreads_retries_of_many_labels(outbox: EslOutbox) -> None:
    for i in range(50):
        outbox.enqueue(f"L{i}", 1, b"x", "{}")
    delays = {round(outbox.mark_failed(i.mac, i.version, "drop"), 6) for i in outbox.due(100)}
    assert len(delays) > 40


def test_batches_are_bounded_and_oldest_first(outbox: EslOutbox, clock: FakeClock) -> None:
    for i in range(10):
        outbox.enqueue(f"L{i}", 1, b"x", "{}")
        clock.now += 1
    assert [i.mac for i in outbox.due(3)] == ["L0", "L1", "L2"]


def test_sent_but_never_shown_is_sent_again(outbox: EslOutbox, clock: FakeClock) -> None:
    outbox.enqueue("AA", 1, b"v1", "{}")
    outbox.mark_sent("AA", 1, "hash1")
    clock.now += 29
    assert outbox.due(10) == []
    clock.now += 2
    assert [(i.mac, i.version) for i in outbox.due(10)] == [("AA", 1)]


def test_stale_report_gives_versions_and_age(outbox: EslOutbox, clock: FakeClock) -> None:
    outbox.enqueue("AA", 1, b"v1", "{}")
    outbox.mark_sent("AA", 1, "h")
    outbox.mark_delivered([("AA", 1)])
    clock.now += 10
    outbox.enqueue("AA", 2, b"v2", "{}")
    outbox.enqueue("BB", 7, b"b7", "{}")
    clock.now += 90
    report = {s.mac: s for s in outbox.stale_labels()}
    assert (report["AA"].wanted_version, report["AA"].confirmed_version) == (2, 1)
    assert report["AA"].age_s == pytest.approx(90)
    assert report["BB"].confirmed_version is None


def test_the_queue_survives_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    first = EslOutbox(tmp_path / "store.db", clock=clock)
    first.enqueue("AA", 3, b"jpeg", '{"name": "x"}')
    first.close()
    again = EslOutbox(tmp_path / "store.db", clock=clock)
    (item,) = again.due(10)
    assert (item.mac, item.version, item.image, item.fields) == ("AA", 3, b"jpeg", '{"name": "x"}')
