"""The till under an unlucky or hostile day: a disk that fills in the middle of a sale, low free
space, a cashier who voids everything and walks away, wrong supervisor PINs typed at the till,
and full card numbers typed into free text."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.config import StoreConfig, config_from_dict
from edge.ledger.journal import verify
from edge.ledger.store import open_store
from edge.staff import authenticate
from edge.till.session import MB, Till, TillError
from tests.conftest import small_tmpfs
from tests.edge.sale.sale_helpers import SUPERVISOR, demo_gtins, logged_in_till

pytestmark = pytest.mark.dated


def events(conn: sqlite3.Connection) -> list[tuple[str, dict]]:
    import json
    return [(r[0], json.loads(r[1])) for r in conn.execute(
        "SELECT type, payload FROM outbox ORDER BY seq")]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MiB tmpfs: a real disk that really fills up."""
    with small_tmpfs(tmp_path / "disk", "3m") as mount:
        yield mount


def fill(directory: Path) -> Path:
    """Take every free byte of the disk."""
    filler = directory / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def test_disk_full_mid_sale_changes_nothing_and_the_till_recovers_by_itself(
        small_disk: Path, demo_template: Path) -> None:
    db = small_disk / "store.db"
    shutil.copyfile(demo_template, db)
    conn = open_store(db)
    config = config_from_dict({"till": {"storage_floor_mb": 0, "storage_warn_mb": 1}})
    till = logged_in_till(conn, config)
    gtin = demo_gtins(conn, 1)[0]
    till.scan(gtin)
    till.scan(gtin)
    assert till.sale is not None
    due = till.sale.total
    till.tender("card", due // 2, approval_code="A1", masked_pan="622202******1234")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the next write must grow the WAL
    before = till.sale.to_dict()
    filler = fill(small_disk)
    with pytest.raises(TillError) as refused:
        till.tender("cash", 100_00)
    assert refused.value.code == "storage_full"
    assert till.sale is not None and till.sale.to_dict() == before  # still open, card tender only
    assert till.last_sale is None
    assert conn.execute("SELECT count(*) FROM sale").fetchone()[0] == 0
    for action in (lambda: till.cancel(SUPERVISOR), lambda: till.suspend()):
        with pytest.raises(TillError):
            action()
        assert till.sale.to_dict() == before
    filler.unlink()  # space is back: the very same action now works
    done = till.tender("cash", 100_00)
    assert done.status == "completed" and done.receipt_no is not None
    assert [t.type for t in done.tenders] == ["card", "cash"]
    conn.close()
    reopened = open_store(db)
    row = reopened.execute("SELECT status, paid, change FROM sale").fetchone()
    assert tuple(row) == ("completed", done.paid, done.change)
    assert reopened.execute("SELECT count(*) FROM open_sale").fetchone()[0] == 0
    assert verify(reopened) == []
    reopened.close()


def test_low_space_warns_and_below_the_floor_no_new_sale_opens(
        conn: sqlite3.Connection) -> None:
    free = [500 * MB]
    config = config_from_dict({"till": {"storage_warn_mb": 200, "storage_floor_mb": 20}})
    till = Till(conn, config, free_space=lambda: free[0])
    till.login("1001", "1234")
    gtin = demo_gtins(conn, 1)[0]
    assert till.storage_state() == "ok"
    free[0] = 150 * MB
    assert till.storage_state() == "low"
    till.scan(gtin)  # a warning never blocks
    free[0] = 10 * MB
    assert till.storage_state() == "critical"
    till.scan(gtin)  # the sale already open can be finished ...
    till.tender("cash", 100_00)
    with pytest.raises(TillError) as refused:  # ... but no new one starts
        till.scan(gtin)
    assert refused.value.code == "storage_low" and till.sale is None


def test_the_storage_limits_are_checked_at_config_load() -> None:
    from edge.config import ConfigError
    from edge.till.settings import till_settings

    for bad in ({"storage_warn_mb": -1}, {"storage_floor_mb": 300}, {"cancel_approval": 5},
                {"storage_warn_mb": True}):
        with pytest.raises(ConfigError):
            till_settings(config_from_dict({"till": bad}))


def test_void_everything_then_log_out_is_a_cancelled_sale_with_its_voids(
        conn: sqlite3.Connection) -> None:
    config = config_from_dict({"till": {"cancel_approval_above": 100_00}})
    till = logged_in_till(conn, config)
    gtins = demo_gtins(conn, 2)
    till.scan(gtins[0])
    till.scan(gtins[1])
    till.void_line(1)
    till.void_line(2)
    till.logout()
    *voided, (kind, payload) = events(conn)
    assert kind == "sale.cancelled" and payload["lines"] == []
    # Each void went up as its own fact (HQ's loss prevention), naming the cancelled sale.
    assert [(k, v["sale_id"], v["line_no"]) for k, v in voided] == [
        ("line.voided", payload["sale_id"], 1), ("line.voided", payload["sale_id"], 2)]
    assert conn.execute("SELECT count(*) FROM sale_voided_line").fetchone()[0] == 2
    voids = conn.execute("SELECT count(*) FROM journal WHERE kind = 'line.voided'").fetchone()[0]
    assert voids == 2


def test_above_the_limit_a_cashier_cannot_walk_away_from_voids_a_supervisor_cancels(
        conn: sqlite3.Connection, config: StoreConfig) -> None:
    till = logged_in_till(conn, config)  # default limit 0: any voided value needs approval
    till.scan(demo_gtins(conn, 1)[0])
    till.void_line(1)
    with pytest.raises(TillError) as refused:
        till.logout()
    assert refused.value.code == "sale_open"
    with pytest.raises(TillError):
        till.cancel()
    cancelled = till.cancel(SUPERVISOR)
    assert cancelled.status == "cancelled" and cancelled.voided_lines
    till.logout()
    assert [k for k, _ in events(conn)] == ["line.voided", "sale.cancelled"]


def test_a_cashier_typing_wrong_override_pins_slows_the_till_and_never_locks_the_supervisor(
        conn: sqlite3.Connection, config: StoreConfig) -> None:
    now = [1000.0]
    till = Till(conn, config, monotonic=lambda: now[0])
    till.login("1001", "1234")
    till.scan(demo_gtins(conn, 1)[0])
    waits = []
    for _ in range(10):
        with pytest.raises(TillError) as refused:
            till.cancel({"staff": "2001", "pin": "0000"})
        assert refused.value.code == "permission_denied"
        wait = till._override_wait_until - now[0]
        if wait > 0:  # even the right PIN must wait now
            with pytest.raises(TillError) as early:
                till.cancel(SUPERVISOR)
            assert early.value.code == "override_wait"
            waits.append(wait)
            now[0] += wait
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]  # two free tries, then doubling, capped at 60 s
    locked = conn.execute("SELECT locked, failed_attempts FROM staff WHERE id = '2001'").fetchone()
    assert tuple(locked) == (0, 0)
    assert authenticate(conn, "2001", "5678").id == "2001"
    assert till.cancel(SUPERVISOR).status == "cancelled"  # and the right PIN resets the wait
    assert till._override_failures == 0


def test_an_unknown_staff_id_costs_the_same_scrypt_work_as_a_known_one(
        conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = hashlib.scrypt

    def counting(*args: object, **kwargs: object) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    authenticate_attempts = {}
    for staff_id in ("1001", "no-such-person"):
        try:
            authenticate(conn, staff_id, "9999")
        except Exception:
            pass
        monkeypatch.setattr(hashlib, "scrypt", counting)
        calls.clear()
        try:
            authenticate(conn, staff_id, "9999")
        except Exception:
            pass
        authenticate_attempts[staff_id] = len(calls)
        monkeypatch.setattr(hashlib, "scrypt", real)
    assert authenticate_attempts == {"1001": 1, "no-such-person": 1}


@pytest.mark.parametrize("card", ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111",
                                  "6222020200112233446"])
def test_a_full_card_number_in_a_tender_reference_or_a_reason_is_refused(
        conn: sqlite3.Connection, config: StoreConfig, card: str) -> None:
    till = logged_in_till(conn, config)
    till.scan(demo_gtins(conn, 1)[0])
    before = till.sale.to_dict() if till.sale else None
    for attempt in (lambda: till.tender("other", 100, reference=f"voucher {card}"),
                    lambda: till.override_price(1, 100, f"card {card}", SUPERVISOR),
                    lambda: till.no_sale(card, SUPERVISOR)):
        with pytest.raises(TillError) as refused:
            attempt()
        assert refused.value.code == "full_pan_refused"
    assert till.sale is not None and till.sale.to_dict() == before
    till.tender("other", 100, reference="4200000123456789012345678901")  # a 28-digit provider id


def test_a_till_that_requires_a_shift_sells_only_inside_one(conn: sqlite3.Connection) -> None:
    from edge.store_ops.shifts import open_shift

    config = config_from_dict({"till": {"require_shift": True}})
    till = logged_in_till(conn, config)
    gtin = demo_gtins(conn, 1)[0]
    with pytest.raises(TillError) as refused:
        till.scan(gtin)
    assert refused.value.code == "no_shift" and till.sale is None
    open_shift(conn, config, "1001", 100_00)
    assert till.scan(gtin).lines
    from edge.config import ConfigError
    from edge.till.settings import till_settings

    with pytest.raises(ConfigError, match="require_shift"):
        till_settings(config_from_dict({"till": {"require_shift": 1}}))
