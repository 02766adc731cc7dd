"""HQ's stored-value ledger on both engines: balances from the ledger, the rules it enforces
(bounded positive amounts, one application per movement id, spends beyond the balance only as
recorded offline overdrafts, refunds only against their return, locks that expire and that HQ
can clear), and topups attributed to the store that took the money."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloud_sync.agent import batch_bytes
from edge.ledger.outbox import canonical_json
from hq.storage import open_storage
from hq.storage.interface import HqStorage
from hq.validation import validate_batch

AT = "2026-11-22T02:00:00.000+00:00"


@pytest.fixture(params=["postgres", "sqlite"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HqStorage]:
    url = (f"sqlite:///{tmp_path / 'hq.sqlite'}" if request.param == "sqlite"
           else request.getfixturevalue("pg_url"))
    s = open_storage(url)
    yield s
    s.close()


class Till:
    """A terminal's stream of events, numbered as its outbox would."""

    def __init__(self, storage: HqStorage, store: str, terminal: str) -> None:
        self.storage, self.store, self.terminal = storage, store, terminal
        self.seq = 0

    def send(self, event_type: str, body: dict[str, Any], event_id: str | None = None,
             seq: int | None = None) -> str | None:
        """Send one event; the reason HQ refused it, or None."""
        if seq is None:
            self.seq += 1
            seq = self.seq
        row = (seq, event_id or f"{self.store}-{self.terminal}-{seq}", event_type,
               canonical_json(body), AT)
        accepted, refused, since = validate_batch(
            self.store, self.terminal, batch_bytes(self.store, self.terminal, 0, [row]))
        ack = self.storage.ingest(self.store, self.terminal, accepted, refused, since).ack
        reasons = {r.seq: r.reason for r in ack.rejected}
        return reasons.get(seq)

    def topup(self, card: str, amount: Any, **extra: Any) -> str | None:
        return self.send("stored_value.topup", {
            "card_no": card, "amount": amount, "tender": "cash", "terminal_id": self.terminal,
            "staff_id": "c01", "offline": False, **extra})

    def spend(self, card: str, amount: Any, offline: bool = False, **extra: Any) -> str | None:
        return self.send("stored_value.spend", {
            "card_no": card, "amount": amount, "sale_id": f"sale-{self.seq + 1}",
            "terminal_id": self.terminal, "offline": offline, "lock": offline, **extra})


def balance(storage: HqStorage, card: str, store: str = "S009", terminal: str = "T09") -> Any:
    reply = storage.card_balance(card, store, terminal)
    return json.loads(reply) if reply else None


def test_amounts_must_be_positive_bounded_integers(storage: HqStorage) -> None:
    till = Till(storage, "S001", "T01")
    assert till.topup("SV1", 10_000) is None
    assert "amount" in (till.topup("SV1", -5) or "")
    assert "amount" in (till.topup("SV1", 100_000_000) or "")  # 1,000,000 yuan: minting
    assert "amount" in (till.spend("SV1", "lots") or "")
    assert "amount" in (till.spend("SV1", 0) or "")
    assert balance(storage, "SV1")["balance"] == 10_000  # and the look-up still answers


def test_a_movement_is_applied_once_even_under_a_new_seq(storage: HqStorage) -> None:
    till = Till(storage, "S001", "T01")
    assert till.topup("SV1", 10_000) is None
    reason = till.send("stored_value.topup", {
        "card_no": "SV1", "amount": 10_000, "tender": "cash", "terminal_id": "T01",
        "staff_id": "c01", "offline": False}, event_id="S001-T01-1")
    assert reason is not None and reason.startswith("duplicate_fact")
    assert balance(storage, "SV1")["balance"] == 10_000


def test_any_store_may_spend_a_card_and_a_topup_belongs_to_the_store_that_took_it(
        storage: HqStorage) -> None:
    s1, s2 = Till(storage, "S001", "T01"), Till(storage, "S002", "T01")
    assert s2.topup("SV1", 10_000) is None
    assert s1.spend("SV1", 4_000) is None
    assert s1.topup("SV2", 500) is None
    assert balance(storage, "SV1")["balance"] == 6_000
    assert balance(storage, "SV2")["balance"] == 500


def test_a_spend_beyond_the_balance_is_only_an_offline_overdraft_within_the_limit(
        storage: HqStorage) -> None:
    till = Till(storage, "S001", "T01")
    assert till.topup("SV1", 1_000) is None
    assert "insufficient_balance" in (till.spend("SV1", 5_000) or "")
    assert "offline card limit" in (till.spend("SV1", 50_000, offline=True) or "")
    assert till.spend("SV1", 5_000, offline=True) is None  # recorded, with an alert
    assert balance(storage, "SV1", "S001", "T01")["balance"] == -4_000


def test_a_refund_needs_its_return_and_never_exceeds_what_it_gave_back(
        storage: HqStorage) -> None:
    till = Till(storage, "S001", "T01")
    assert till.topup("SV1", 1_000) is None
    refund = {"card_no": "SV1", "amount": 700, "return_id": "R1", "sale_id": None,
              "terminal_id": "T01", "offline": False}
    assert "does not hold" in (till.send("stored_value.refund", refund) or "")
    assert till.send("return.completed", {
        "return_id": "R1", "kind": "receipt", "original_sale_id": "X1", "store_id": "S001",
        "terminal_id": "T01", "staff_id": "c01", "approved_by": None, "reason": "broken",
        "total": 700, "tax": 0, "rounding": 0,
        "lines": [{"line_no": 1, "sale_line_no": 1, "sku": "A", "qty_milli": 1000,
                   "amount": 700, "tax_rate_bp": 0, "tax": 0}],
        "tenders": [{"type": "stored_value", "amount": 700, "reference": "SV1"}]}) is None
    assert till.send("stored_value.refund", refund) is None
    assert "exceeds" in (till.send("stored_value.refund", refund) or "")
    assert balance(storage, "SV1")["balance"] == 1_700


def test_an_offline_lock_expires_and_hq_can_clear_it(storage: HqStorage) -> None:
    till = Till(storage, "S001", "T01")
    assert till.topup("SV1", 10_000) is None
    # A gap left open on purpose: seq 5 arrives, 3 and 4 never do.
    till.seq = 4
    assert till.spend("SV1", 1_000, offline=True) is None
    assert balance(storage, "SV1")["locked_by"] == "S001/T01"
    conn: Any = storage.conn  # type: ignore[attr-defined]
    conn.execute("UPDATE hq_sv_card SET lock_until = '2020-01-01T00:00:00+00:00'")
    assert balance(storage, "SV1")["locked_by"] is None  # expired
    assert till.spend("SV1", 1_000, offline=True) is None
    assert balance(storage, "SV1")["locked_by"] == "S001/T01"
    assert storage.clear_lock("SV1") is True
    assert balance(storage, "SV1")["locked_by"] is None
    assert storage.clear_lock("no-such-card") is False


def test_topups_are_reconciled_against_the_stores_z_reports(storage: HqStorage) -> None:
    till = Till(storage, "S001", "T01")
    assert till.topup("SV1", 2_000) is None  # seq 1
    assert till.topup("SV1", 500) is None  # seq 2
    z = {"terminal_id": "T01", "store_id": "S001", "z_number": 1, "from_seq": 0, "to_seq": 3,
         "cash": {"stored_value_topups": {"cash": 2_000}}}
    assert till.send("shift.z_report", z) is None  # seq 3: counts only 2,000 of the 2,500
    assert till.topup("SV1", 700) is None  # seq 4: after the Z, not covered yet
    assert storage.topup_differences("S001") == [
        ("S001", "T01", 1, "cash", 2_000, 2_500), ("S001", "T01", None, "cash", 0, 700)]
    assert storage.topup_differences("S002") == []
