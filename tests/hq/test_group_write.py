"""A group of batches written in one transaction (what a worker writes when its queue holds many):
batches of many terminals, a resend inside the same group, events HQ already holds — each sale
lands once, every terminal is acked to its top, and the group costs the same few statements
however many terminals it holds."""

from __future__ import annotations

import random
import re
from typing import Any

import psycopg
import pytest

from cloud_sync.agent import batch_bytes
from edge.ledger.outbox import canonical_json
from hq.storage import open_storage
from hq.storage.interface import BatchIn
from hq.validation import check_batch
from tests.cloud_sync.sales import sale_payload

AT = "2026-11-22T02:00:00.000+00:00"


def batch(store: str, terminal: str, seqs: range, acked: int = 0) -> BatchIn:
    rng = random.Random(f"{store}{terminal}")
    rows = []
    for seq in range(1, seqs.stop):
        payload = sale_payload(store, terminal, seq, rng, lines=3, at=AT)
        if seq in seqs:
            rows.append((seq, f"{store}-{terminal}-{seq}", "sale.completed",
                         canonical_json(payload), AT))
    return check_batch(store, terminal, batch_bytes(store, terminal, acked, rows))


def counts(url: str) -> tuple[int, int, int]:
    with psycopg.connect(url) as pg:
        row = pg.execute("SELECT (SELECT count(*) FROM hq_sale), (SELECT count(*) FROM"
                         " hq_sale_line), (SELECT count(*) FROM hq_received)").fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


class StatementCount:
    """The statements one connection sends, by their first words."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: list[str] = []
        original = psycopg.Cursor.execute

        def execute(cur: psycopg.Cursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
            self.seen.append(re.sub(r"\s+", " ", str(query))[:40])
            return original(cur, query, *args, **kwargs)

        monkeypatch.setattr(psycopg.Cursor, "execute", execute)


def test_a_group_of_forty_terminals_costs_the_statements_of_one(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    storage = open_storage(pg_url)
    try:
        storage.ingest_many([batch("S001", "T01", range(1, 4))])
        statements = StatementCount(monkeypatch)
        storage.ingest_many([batch("S001", "T01", range(4, 7), acked=3)])
        one = len(statements.seen)
        statements.seen.clear()
        group = [batch(f"S{100 + n // 4}", f"T{n % 4:02d}", range(1, 4)) for n in range(40)]
        results = storage.ingest_many(group)
        assert len(statements.seen) == one, "\n".join(statements.seen)
    finally:
        storage.close()
    assert [r.ack.acked_to for r in results] == [3] * 40
    assert [(r.new_events, r.duplicates) for r in results] == [(3, 0)] * 40
    assert counts(pg_url) == (6 + 120, 3 * (6 + 120), 6 + 120)


def test_a_resend_in_the_same_group_and_events_already_held_land_once(pg_url: str) -> None:
    storage = open_storage(pg_url)
    try:
        [first] = storage.ingest_many([batch("S001", "T01", range(1, 6))])
        assert first.ack.acked_to == 5
        # The agent sent 4-9 again (no ack in time) and then 6-11, and both wait in one group
        # beside another terminal's batch; 4 and 5 are already at HQ.
        results = storage.ingest_many([batch("S001", "T01", range(4, 10), acked=5),
                                       batch("S001", "T02", range(1, 3)),
                                       batch("S001", "T01", range(6, 12), acked=5)])
    finally:
        storage.close()
    assert [r.ack.acked_to for r in results] == [9, 2, 11]
    assert [(r.new_events, r.duplicates) for r in results] == [(4, 2), (2, 0), (2, 4)]
    assert counts(pg_url) == (13, 39, 13)
    with psycopg.connect(pg_url) as pg:
        assert pg.execute("SELECT acked_to, max_seq FROM hq_terminal WHERE terminal = 'T01'"
                          ).fetchone() == (11, 11)
        assert pg.execute("SELECT count(*) FROM hq_dead_letter").fetchone() == (0,)
        assert pg.execute("SELECT sum(sales) FROM hq_rollup_sales_hour").fetchone() == (13,)
