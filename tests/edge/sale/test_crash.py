"""Crash safety: a process completing sales in a loop is killed with SIGKILL at random moments.
After every kill the database is intact, no sale is partial, outbox seqs are gapless and the
journal verifies."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from edge.config import StoreConfig
from edge.ledger.journal import verify
from edge.ledger.store import open_store
from edge.staff import StaffMember
from edge.till.session import Till

KILLS = 200


def sell_forever(db: Path, gtins: list[str], seed: int) -> None:
    """The child: complete sales as fast as it can until it is killed."""
    rng = random.Random(seed)
    till = Till(open_store(db), StoreConfig())
    till.staff = StaffMember("1001", "crash", "cashier")   # no scrypt: it would only slow kills
    if till.sale is not None:        # a sale paid by card before the last kill: finish it first
        till.tender("cash", 10**7)
    while True:
        for gtin in rng.sample(gtins, rng.randint(1, 6)):
            till.scan(gtin)
        if rng.random() < 0.3:
            till.tender("card", 100, approval_code="A1", masked_pan="622202******1234")
        till.tender("cash", 10**7)


def check_consistent(conn: sqlite3.Connection) -> int:
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    seqs = [r[0] for r in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
    assert seqs == list(range(1, len(seqs) + 1)), "outbox seqs have a gap"
    assert conn.execute("SELECT value FROM counter WHERE name = 'outbox_seq'").fetchone()[0] == len(seqs)
    partial = conn.execute("""
        SELECT s.id FROM sale s
        LEFT JOIN outbox o ON o.seq = s.event_seq
        WHERE o.seq IS NULL
           OR s.line_count != (SELECT count(*) FROM sale_line l WHERE l.sale_id = s.id)
           OR s.paid != (SELECT coalesce(sum(amount), 0) FROM sale_tender t WHERE t.sale_id = s.id)
           OR s.total != (SELECT coalesce(sum(total), 0) FROM sale_line l WHERE l.sale_id = s.id)
           OR NOT EXISTS (SELECT 1 FROM journal j WHERE j.kind = 'sale.completed'
                          AND json_extract(j.body, '$.sale_id') = s.id)
    """).fetchall()
    assert partial == [], f"partial sales: {partial}"
    orphans = conn.execute("SELECT count(*) FROM outbox o WHERE o.type LIKE 'sale.%'"
                           " AND NOT EXISTS (SELECT 1 FROM sale s WHERE s.event_seq = o.seq)"
                           ).fetchone()[0]
    assert orphans == 0, "an outbox event without its sale"
    assert verify(conn) == []
    return len(seqs)


@pytest.mark.timeout(300)
def test_sigkill_at_random_moments_never_leaves_a_partial_sale(db_path: Path) -> None:
    conn = open_store(db_path)
    gtins = [r[0].lstrip("0") for r in conn.execute(
        "SELECT g.gtin FROM product_gtin g JOIN product p USING (sku) WHERE p.age_restricted = 0")]
    rng = random.Random(2026)
    sales_seen = [0]
    window = 0.060  # the longest a child lives; widened while a loaded machine starves it
    for kill in range(KILLS):
        pid = os.fork()
        if pid == 0:                                  # the child never returns to pytest
            try:
                sell_forever(db_path, gtins, kill)
            finally:
                os._exit(1)
        time.sleep(rng.uniform(0.002, window))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        sales_seen.append(check_consistent(conn))
        if len(sales_seen) > 5 and sales_seen[-1] == sales_seen[-6]:
            window = min(window * 1.5, 0.5)  # five kills without a sale: give children longer
    assert sales_seen[-1] > KILLS, "the children completed too few sales for the test to mean much"
    result = subprocess.run([sys.executable, "-m", "cli.main", "journal", "verify", "--db",
                             str(db_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "chain intact" in result.stdout
