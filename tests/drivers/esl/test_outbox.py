"""The ESL outbox: superseding, delivery only on the system's report, a baseline kept from the
first upload, backoff with jitter for uploads and for confirmation queries, no timed resend,
the stale report with reasons, durability across a reopen and from the first outbox's tables.
A fake clock drives time."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from drivers.esl.outbox import Backoff, EslOutbox, Shown


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
        tmp_path / "store.db", clock=clock, backoff=Backoff(base_s=2.0, cap_s=60.0), rng=random.Random(1)
    )


def due(outbox: EslOutbox) -> list[tuple[str, int]]:
    return [(i.mac, i.version) for i in outbox.due_uploads(100)]


def test_newer_version_supersedes_an_unsent_older_one(outbox: EslOutbox) -> None:
    assert outbox.enqueue("AA", 1, "{}")
    assert outbox.enqueue("AA", 2, "{}")
    assert due(outbox) == [("AA", 2)]
    assert outbox.state_of("AA", 1) == "superseded"


def test_newer_version_supersedes_a_sent_unconfirmed_one(outbox: EslOutbox, clock: FakeClock) -> None:
    outbox.enqueue("AA", 1, "{}")
    outbox.mark_sent("AA", 1, "md5-1")
    outbox.enqueue("AA", 2, "{}")
    clock.now += 100
    assert outbox.due_checks(10) == []
    # A late confirmation of the old version must not count as the label being current.
    assert not outbox.mark_delivered("AA", 1, Shown("hash1", "md5-1"))
    assert [s.wanted_version for s in outbox.stale_labels()] == [2]


def test_an_older_or_equal_version_is_ignored(outbox: EslOutbox) -> None:
    outbox.enqueue("AA", 5, "{}")
    assert not outbox.enqueue("AA", 4, "{}")
    assert not outbox.enqueue("AA", 5, "{}")
    assert due(outbox) == [("AA", 5)]


def test_delivered_only_when_the_system_reports_it(outbox: EslOutbox) -> None:
    outbox.enqueue("AA", 1, "{}")
    outbox.mark_sent("AA", 1, "md5-1")
    assert len(outbox.stale_labels()) == 1
    assert outbox.mark_delivered("AA", 1, Shown("hash1", "md5-1"))
    assert outbox.stale_labels() == []
    assert outbox.pending_count() == 0
    assert outbox.shown("AA") == Shown("hash1", "md5-1")


def test_a_sent_row_is_never_due_for_upload_again_by_itself(outbox: EslOutbox, clock: FakeClock) -> None:
    outbox.enqueue("AA", 1, "{}")
    outbox.mark_sent("AA", 1, "md5-1")
    clock.now += 365 * 24 * 3600
    assert due(outbox) == []  # no timed resend: only a check that finds it not taken re-queues it
    assert [(i.mac, i.version) for i in outbox.due_checks(10)] == [("AA", 1)]


def test_the_baseline_is_the_one_from_before_the_first_upload(outbox: EslOutbox, clock: FakeClock) -> None:
    # The first upload may have got through though its answer was lost: a second attempt must
    # still be judged against what the label showed before the first.
    outbox.enqueue("AA", 1, "{}")
    outbox.set_baseline("AA", 1, "before-first")
    outbox.retry_upload("AA", 1, "upload_failed", "dropped")
    outbox.set_baseline("AA", 1, "before-second")
    clock.now += 10
    (item,) = outbox.due_uploads(10)
    assert item.baseline == "before-first"


def test_failed_upload_steps_back_off_exponentially_with_jitter(outbox: EslOutbox, clock: FakeClock) -> None:
    outbox.enqueue("AA", 1, "{}")
    delays = []
    for _ in range(7):
        (item,) = outbox.due_uploads(10)
        delays.append(outbox.retry_upload(item.mac, item.version, "upload_failed", "HTTP 500"))
        assert outbox.due_uploads(10) == []  # not due again before its delay
        clock.now += delays[-1]
    steps = [2, 4, 8, 16, 32, 60, 60]  # base 2 s doubling, capped at 60 s
    for delay, step in zip(delays, steps, strict=True):
        assert step / 2 <= delay <= step


def test_confirmation_queries_back_off_too(outbox: EslOutbox, clock: FakeClock) -> None:
    outbox.enqueue("AA", 1, "{}")
    outbox.mark_sent("AA", 1, "md5")
    delays = []
    for _ in range(6):
        clock.now += 61
        (item,) = outbox.due_checks(10)
        delays.append(outbox.check_later(item.mac, item.version, "tag_asleep", "lastseen 1"))
        assert outbox.due_checks(10) == []
    # The first query came a base step after the upload; each later one doubles it, to the cap.
    for delay, step in zip(delays, [4, 8, 16, 32, 60, 60], strict=True):
        assert step / 2 <= delay <= step


def test_a_query_the_system_did_not_answer_is_asked_again_after_the_same_step(
    outbox: EslOutbox, clock: FakeClock
) -> None:
    outbox.enqueue("AA", 1, "{}")
    outbox.mark_sent("AA", 1, "md5")
    delays = [outbox.check_later("AA", 1, "unreachable", "HTTP 500", answered=False) for _ in range(5)]
    assert all(1 <= delay <= 2 for delay in delays)  # the first step (base 2 s), never doubled


def test_jitter_spreads_retries_of_many_labels(outbox: EslOutbox) -> None:
    for i in range(50):
        outbox.enqueue(f"L{i}", 1, "{}")
    delays = {round(outbox.retry_upload(i.mac, i.version, "x", ""), 6) for i in outbox.due_uploads(100)}
    assert len(delays) > 40


def test_batches_are_bounded_and_oldest_first(outbox: EslOutbox, clock: FakeClock) -> None:
    for i in range(10):
        outbox.enqueue(f"L{i}", 1, "{}")
        clock.now += 1
    assert [i.mac for i in outbox.due_uploads(3)] == ["L0", "L1", "L2"]


def test_stale_report_gives_versions_age_and_reason(outbox: EslOutbox, clock: FakeClock) -> None:
    outbox.enqueue("AA", 1, "{}")
    outbox.mark_sent("AA", 1, "h")
    outbox.mark_delivered("AA", 1, Shown("t", "h"))
    clock.now += 10
    outbox.enqueue("AA", 2, "{}")
    outbox.enqueue("BB", 7, "{}")
    outbox.retry_upload("BB", 7, "unknown_mac", "the AP knows no tag BB")
    clock.now += 90
    report = {s.mac: s for s in outbox.stale_labels()}
    assert (report["AA"].wanted_version, report["AA"].confirmed_version) == (2, 1)
    assert report["AA"].age_s == pytest.approx(90)
    assert (report["BB"].confirmed_version, report["BB"].reason) == (None, "unknown_mac")


def test_overdue_rows_are_reported_once(outbox: EslOutbox, clock: FakeClock) -> None:
    outbox.enqueue("AA", 1, "{}")
    outbox.mark_sent("AA", 1, "h")
    outbox.check_later("AA", 1, "tag_asleep", "lastseen 5")
    clock.now += 599
    assert outbox.overdue(600) == []
    clock.now += 1
    assert outbox.overdue(600) == [("AA", 1, "tag_asleep", "lastseen 5")]
    assert outbox.overdue(600) == []


def test_the_queue_survives_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    first = EslOutbox(tmp_path / "store.db", clock=clock)
    first.enqueue("AA", 3, '{"name": "x"}')
    first.close()
    again = EslOutbox(tmp_path / "store.db", clock=clock)
    (item,) = again.due_uploads(10)
    assert (item.mac, item.version, item.fields, item.baseline) == ("AA", 3, '{"name": "x"}', None)


def test_the_first_outboxs_tables_are_migrated(tmp_path: Path, clock: FakeClock) -> None:
    db = sqlite3.connect(tmp_path / "store.db")
    db.executescript(
        """
        CREATE TABLE esl_outbox (mac TEXT NOT NULL, version INTEGER NOT NULL, image BLOB NOT NULL,
            fields TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL, token TEXT, enqueued_at REAL NOT NULL, sent_at REAL,
            delivered_at REAL, last_error TEXT, PRIMARY KEY (mac, version));
        CREATE INDEX esl_outbox_due ON esl_outbox (state, next_attempt_at);
        CREATE TABLE esl_labels (mac TEXT PRIMARY KEY, wanted_version INTEGER NOT NULL,
            wanted_at REAL NOT NULL, confirmed_version INTEGER, confirmed_at REAL);
        INSERT INTO esl_outbox VALUES ('AA', 1, x'00', '{}', 'delivered', 1, 0, 't', 5, 6, 7, NULL);
        INSERT INTO esl_outbox VALUES ('AA', 2, x'00', '{"v": 2}', 'sent', 1, 0, 't', 8, 9, NULL, NULL);
        INSERT INTO esl_outbox VALUES ('BB', 4, x'00', '{"v": 4}', 'queued', 3, 0, NULL, 8, NULL, NULL, 'x');
        INSERT INTO esl_labels VALUES ('AA', 2, 8, 1, 7), ('BB', 4, 8, NULL, NULL);
        """
    )
    db.close()
    outbox = EslOutbox(tmp_path / "store.db", clock=clock)
    assert sorted(due(outbox)) == [("AA", 2), ("BB", 4)]
    assert [(s.mac, s.confirmed_version) for s in outbox.stale_labels()] == [("AA", 1), ("BB", None)]
