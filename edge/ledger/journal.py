"""The electronic journal: an append-only, hash-chained record of every fact and every sensitive
action. Each entry's hash is sha256(prev_hash + canonical entry); `verify` finds edits, removals
and reorderings. Alone it cannot find a journal rewritten whole (entries removed, the rest renumbered
and rehashed): for that, HQ keeps the head (seq, hash) each terminal last sent with its events, and
`verify_heads` checks the local chain still holds those anchors.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from typing import Any

from edge.ledger.clock import utc_now_iso
from edge.ledger.outbox import canonical_json
from edge.ledger.store import next_counter

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class JournalProblem:
    seq: int
    problem: str


def entry_hash(prev_hash: str, seq: int, at: str, kind: str, staff_id: str | None, body: str) -> str:
    entry = canonical_json([seq, at, kind, staff_id, body])
    return hashlib.sha256((prev_hash + entry).encode("utf-8")).hexdigest()


def append_entry(conn: sqlite3.Connection, kind: str, staff_id: str | None,
                 body: dict[str, Any]) -> int:
    """Append one entry; call inside the write transaction of the fact it records."""
    seq = next_counter(conn, "journal_seq")
    row = conn.execute("SELECT hash FROM journal WHERE seq = ?", (seq - 1,)).fetchone()
    prev_hash = row[0] if row else GENESIS_HASH
    at = utc_now_iso()
    body_text = canonical_json(body)
    conn.execute(
        "INSERT INTO journal (seq, at, kind, staff_id, body, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (seq, at, kind, staff_id, body_text, prev_hash,
         entry_hash(prev_hash, seq, at, kind, staff_id, body_text)),
    )
    return seq


def verify(conn: sqlite3.Connection) -> list[JournalProblem]:
    """Every problem in the chain; an empty list means the journal is intact."""
    problems: list[JournalProblem] = []
    expected_seq = 1
    prev_hash = GENESIS_HASH
    for seq, at, kind, staff_id, body, stored_prev, stored_hash in conn.execute(
        "SELECT seq, at, kind, staff_id, body, prev_hash, hash FROM journal ORDER BY seq"
    ):
        if seq != expected_seq:
            problems.append(JournalProblem(expected_seq, f"entries {expected_seq}..{seq - 1} removed"))
        if stored_prev != prev_hash:
            problems.append(JournalProblem(seq, "does not follow the entry before it "
                                                "(removed or reordered)"))
        if entry_hash(stored_prev, seq, at, kind, staff_id, body) != stored_hash:
            problems.append(JournalProblem(seq, "content edited (hash mismatch)"))
        prev_hash = stored_hash
        expected_seq = seq + 1
    last = conn.execute("SELECT value FROM counter WHERE name = 'journal_seq'").fetchone()
    if last is not None and last[0] != expected_seq - 1:
        problems.append(JournalProblem(expected_seq, f"entries {expected_seq}..{last[0]} removed "
                                                     "from the end"))
    return problems


def journal_head(conn: sqlite3.Connection) -> tuple[int, str]:
    """(seq, hash) of the last entry; (0, GENESIS_HASH) for an empty journal."""
    row = conn.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS_HASH)


def verify_heads(conn: sqlite3.Connection, heads: list[tuple[int, str]]) -> list[JournalProblem]:
    """Problems where the local journal disagrees with heads HQ saw earlier (seq, hash): an entry
    missing or with another hash there means the journal was rewritten after HQ saw it."""
    problems: list[JournalProblem] = []
    for seq, expected in heads:
        if seq == 0:
            continue
        row = conn.execute("SELECT hash FROM journal WHERE seq = ?", (seq,)).fetchone()
        if row is None:
            problems.append(JournalProblem(seq, "HQ saw this entry as the journal's head; it is"
                                                " gone (journal rewritten)"))
        elif row[0] != expected:
            problems.append(JournalProblem(seq, "HQ saw another hash at this entry (journal"
                                                " rewritten after HQ saw its head)"))
    return problems
