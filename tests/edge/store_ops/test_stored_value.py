"""Stored-value cards: top-up, spend, balance; offline limits per card and per store; locks."""

from __future__ import annotations

import sqlite3

import pytest

from edge.customers.stored_value import apply_hq_balance, balance
from edge.ledger.clock import utc_now_iso
from edge.ledger.outbox import mark_acked
from tests.edge.store_ops.conftest import Client

pytestmark = pytest.mark.dated


def set_online(conn: sqlite3.Connection, online: bool) -> None:
    """As the sync agent reports it: the flag and the time of the report."""
    conn.execute("UPDATE sync_status SET connected = ?, updated_at = ? WHERE id = 1",
                 (int(online), utc_now_iso()))


def test_topup_spend_and_balance(client: Client, conn: sqlite3.Connection, card: str) -> None:
    set_online(conn, True)
    assert client.ok("stored_value_topup", card=card, amount="100.00", tender="card")["card"][
        "balance"] == "400.00"
    client.ok("add", sku="D001", qty="10")
    client.ok("tender", type="stored_value", card=card, amount="120.00")
    client.ok("tender", type="cash", amount="4.00")       # 129.00 − 5.00 basket discount
    assert client.ok("stored_value_balance", card=card)["card"]["balance"] == "280.00"
    types = [r[0] for r in conn.execute("SELECT type FROM outbox WHERE type LIKE 'stored_value.%'")]
    assert types == ["stored_value.topup", "stored_value.spend"]
    assert client("stored_value_balance", card="NOPE1")["error"]["code"] == "unknown_card"


def test_offline_spending_is_limited_per_card(client: Client, conn: sqlite3.Connection,
                                              card: str) -> None:
    client.ok("add", sku="D001", qty="10")
    refused = client("tender", type="stored_value", card=card, amount="50.01")
    assert refused["error"]["code"] == "offline_card_limit"
    client.ok("tender", type="stored_value", card=card, amount="30.00")
    assert client("tender", type="stored_value", card=card,
                  amount="20.01")["error"]["code"] == "offline_card_limit"
    client.ok("tender", type="stored_value", card=card, amount="20.00")
    client.ok("tender", type="cash", amount="74.00")
    assert balance(conn, card).unconfirmed_offline == 5000
    client.ok("add", sku="A001", qty="1")
    assert client("tender", type="stored_value", card=card,
                  amount="0.01")["error"]["code"] == "offline_card_limit"
    # HQ acknowledges the spends: the offline allowance is free again.
    mark_acked(conn, 10**9)
    client.ok("tender", type="stored_value", card=card, amount="3.33")


def test_offline_spending_is_limited_per_store(client: Client, conn: sqlite3.Connection,
                                               card: str) -> None:
    apply_hq_balance(conn, "SV0002", 10_000, 0, None)
    client.ok("add", sku="D001", qty="10")
    client.ok("tender", type="stored_value", card=card, amount="50.00")
    client.ok("tender", type="stored_value", card="SV0002", amount="30.00")
    refused = client("tender", type="stored_value", card="SV0002", amount="0.01")
    assert refused["error"]["code"] == "offline_store_limit"
    set_online(conn, True)
    client.ok("tender", type="stored_value", card="SV0002", amount="44.00")


def test_a_card_locked_by_another_till_cannot_be_spent(client: Client, conn: sqlite3.Connection,
                                                       card: str) -> None:
    apply_hq_balance(conn, card, 30_000, 0, "T07")
    set_online(conn, True)
    client.ok("add", sku="A001", qty="1")
    assert client("tender", type="stored_value", card=card,
                  amount="3.33")["error"]["code"] == "card_locked"
    assert client("tender", type="stored_value", amount="3.33")["error"]["code"] == "bad_request"
    assert client.ok("state")["sale"]["tenders"] == []


def test_hq_balance_replaces_the_confirmed_part_of_the_local_view(
        client: Client, conn: sqlite3.Connection, card: str) -> None:
    set_online(conn, True)
    client.ok("add", sku="A001", qty="1")
    client.ok("tender", type="stored_value", card=card, amount="3.33")
    seq = conn.execute("SELECT MAX(event_seq) FROM stored_value_movement").fetchone()[0]
    assert balance(conn, card).balance == 30_000 - 333
    apply_hq_balance(conn, card, 29_000 - 333, seq, None)   # HQ also saw a spend elsewhere
    assert balance(conn, card).balance == 29_000 - 333


def test_a_topup_names_the_shift_whose_drawer_took_the_money(client: Client,
                                                             conn: sqlite3.Connection,
                                                             card: str) -> None:
    import json

    set_online(conn, True)
    client.ok("stored_value_topup", card=card, amount="10.00", tender="cash")
    shift = client.ok("shift_open", float="100.00")
    client.ok("stored_value_topup", card=card, amount="20.00", tender="cash")
    bodies = [json.loads(r[0]) for r in conn.execute(
        "SELECT payload FROM outbox WHERE type = 'stored_value.topup' ORDER BY seq")]
    opened = conn.execute("SELECT id FROM shift_open").fetchone()[0]
    assert [b["shift_id"] for b in bodies] == [None, opened] and shift["ok"]
