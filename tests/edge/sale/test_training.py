"""Training mode: a trainee sells as usual and no sale becomes a fact; the practice is journaled
and reaches HQ only as `training.sale` facts that carry no money, sku or sale id."""

from __future__ import annotations

import json
import sqlite3

import pytest

from edge.config import StoreConfig, config_from_dict
from edge.till.session import Till, TillError
from tests.edge.sale.sale_helpers import SUPERVISOR, demo_gtins

pytestmark = pytest.mark.dated


def facts(conn: sqlite3.Connection) -> tuple[int, ...]:
    """What a sale makes: rows, events other than training's, stock, drafts."""
    return tuple(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in
                 ("sale", "sale_line", "outbox WHERE type != 'training.sale'", "stock_movement",
                  "open_sale", "suspended_sale"))


def test_a_training_sale_records_nothing_but_its_journal_entry_and_training_fact(
        conn: sqlite3.Connection) -> None:
    before = facts(conn)
    receipt_no = conn.execute("SELECT value FROM counter WHERE name = 'receipt_no'").fetchone()[0]
    till = Till(conn, config_from_dict({"till": {"cancel_approval_above": 100_00}}))
    till.login("1001", "1234", training=True)
    gtins = demo_gtins(conn, 3)
    till.scan(gtins[0])
    till.scan(gtins[1])
    till.void_line(2)
    till.tender("card", 100, approval_code="T1", masked_pan="622202******1234")  # no draft kept
    assert facts(conn) == before
    done = till.tender("cash", 100_00)
    assert done.status == "completed" and done.receipt_no is None
    till.scan(gtins[2])
    till.cancel(SUPERVISOR)
    till.scan(gtins[2])
    with pytest.raises(TillError) as refused:
        till.suspend()
    assert refused.value.code == "training_mode"
    till.void_line(1)
    till.logout()  # abandoned with a void: cancelled, as practice too
    assert facts(conn) == before
    assert conn.execute("SELECT value FROM counter WHERE name = 'receipt_no'").fetchone()[0] == \
        receipt_no
    kinds = [r[0] for r in conn.execute("SELECT kind FROM journal ORDER BY seq")]
    assert kinds.count("training.sale") == 3
    # HQ sees who trained and how big each practice sale was; never an amount, sku or sale id.
    sent = [json.loads(p) for t, p in conn.execute("SELECT type, payload FROM outbox ORDER BY seq")]
    assert sent == [{"staff_id": "1001", "status": "completed", "lines": 1, "voided_lines": 1},
                    {"staff_id": "1001", "status": "cancelled", "lines": 1, "voided_lines": 0},
                    {"staff_id": "1001", "status": "cancelled", "lines": 0, "voided_lines": 1}]
    assert [t for (t,) in conn.execute("SELECT type FROM outbox")] == ["training.sale"] * 3
    with pytest.raises(TillError):
        till.reprint_last()  # a practice receipt has no number to reprint


def test_training_ends_with_the_login_and_a_paid_sale_blocks_it(conn: sqlite3.Connection,
                                                                config: StoreConfig) -> None:
    till = Till(conn, config)
    till.login("1001", "1234", training=True)
    till.logout()
    till.login("1001", "1234")
    assert not till.training
    till.scan(demo_gtins(conn, 1)[0])
    till.tender("card", 100, approval_code="A1", masked_pan="622202******1234")
    restarted = Till(conn, config)  # the paid draft is back after a restart
    with pytest.raises(TillError) as refused:
        restarted.login("1001", "1234", training=True)
    assert refused.value.code == "sale_open"
    with pytest.raises(TillError):
        restarted.login("1001", "1234", training="yes")


def test_a_trainee_can_never_charge_a_real_payment_code(conn: sqlite3.Connection,
                                                        config: StoreConfig) -> None:
    till = Till(conn, config)
    till.login("1001", "1234", training=True)
    till.scan(demo_gtins(conn, 1)[0])
    with pytest.raises(TillError) as refused:
        till.pay_code("134567890123456789")
    assert refused.value.code == "training_mode"


def test_a_training_fact_that_cannot_be_written_leaves_no_journal_entry_and_the_sale_open(
        conn: sqlite3.Connection, config: StoreConfig) -> None:
    till = Till(conn, config)
    till.login("1001", "1234", training=True)
    till.scan(demo_gtins(conn, 1)[0])
    journal = conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    conn.execute("CREATE TEMP TRIGGER refuse_fact BEFORE INSERT ON outbox_event"
                 " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    with pytest.raises(TillError) as failed:
        till.tender("cash", 100_00)
    assert failed.value.code.startswith("storage_")
    assert conn.execute("SELECT count(*) FROM journal").fetchone()[0] == journal
    assert till.sale is not None and not till.sale.tenders      # nothing changed
    conn.execute("DROP TRIGGER refuse_fact")
    assert till.tender("cash", 100_00).status == "completed"
    assert conn.execute("SELECT count(*) FROM journal").fetchone()[0] == journal + 1
    assert [t for (t,) in conn.execute("SELECT type FROM outbox")] == ["training.sale"]
