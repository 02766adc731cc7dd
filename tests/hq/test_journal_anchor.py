"""The anchored journal: batches carry the till's journal head, HQ keeps the latest per terminal,
and a journal rewritten whole afterwards (an entry deleted, the rest renumbered and rehashed) passes
the local chain check but not `pos journal verify --heads`."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import main as pos
from cloud_sync.agent import batch_bytes
from edge.ledger.journal import GENESIS_HASH, append_entry, entry_hash, journal_head
from edge.ledger.outbox import canonical_json
from edge.ledger.store import open_store, write_transaction
from hq.storage import open_storage
from hq.validation import check_batch

AT = "2026-11-22T02:00:00.000+00:00"


def rewrite_without(conn: object, gone: int) -> None:
    """What a forger does: delete entry `gone`, renumber the rest and recompute every hash."""
    c = conn  # type: ignore[assignment]
    rows = c.execute("SELECT seq, at, kind, staff_id, body FROM journal ORDER BY seq").fetchall()
    c.execute("DELETE FROM journal")
    prev = GENESIS_HASH
    seq = 0
    for old_seq, at, kind, staff, body in rows:
        if old_seq == gone:
            continue
        seq += 1
        digest = entry_hash(prev, seq, at, kind, staff, body)
        c.execute("INSERT INTO journal (seq, at, kind, staff_id, body, prev_hash, hash)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?)", (seq, at, kind, staff, body, prev, digest))
        prev = digest
    c.execute("UPDATE counter SET value = ? WHERE name = 'journal_seq'", (seq,))


def test_a_journal_rewritten_after_hq_saw_its_head_is_caught(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, config = tmp_path / "store.db", tmp_path / "store.toml"
    assert pos(["init", "--db", str(db), "--config", str(config)]) == 0
    conn = open_store(db)
    with write_transaction(conn):
        for n in range(5):
            append_entry(conn, "drawer.no_sale", "c01", {"n": n})
    head = journal_head(conn)
    assert head[0] == 5
    hq_url = f"sqlite:///{tmp_path / 'hq.sqlite'}"
    storage = open_storage(hq_url)
    row = (1, "e1", "stock.receipt", canonical_json({"items": []}), AT)
    storage.ingest_many([check_batch("S001", "T01",
                                     batch_bytes("S001", "T01", 0, [row], head))])
    assert storage.journal_heads() == [("S001", "T01", 5, head[1])]
    storage.close()
    heads = tmp_path / "heads.json"
    capsys.readouterr()
    assert pos(["hq", "heads", "--db", hq_url]) == 0
    heads.write_text(capsys.readouterr().out)

    with write_transaction(conn):
        rewrite_without(conn, 3)
    conn.close()
    assert pos(["journal", "verify", "--db", str(db), "--config", str(config)]) == 0
    assert "chain intact" in capsys.readouterr().out  # what the local check alone can prove
    assert pos(["journal", "verify", "--db", str(db), "--config", str(config),
                "--heads", str(heads)]) == 1
    out = capsys.readouterr().out
    assert "journal entry 5" in out and "rewritten" in out
