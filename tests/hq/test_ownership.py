"""The ownership rule (hq/ownership.py) as a property of its table, on both engines: for every
event type the ingest accepts (hq/schemas.py ACCEPTED_TYPES), a fact of S001-T01 naming an S002
object in any field of its row is refused before any effect, with a security alert; a grant from
a look-up lets exactly what it grants through; and an accepted type without a row stops the
ingest from starting."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cloud_sync.agent import batch_bytes
from cloud_sync.settings import BrokerSettings
from edge.ledger.outbox import canonical_json
from hq import schemas
from hq.ingest import IngestOptions, IngestWorker
from hq.ownership import OWNERSHIP, Kind, Owner, OwnershipTableIncomplete, Ref, enforce, id_prefix
from hq.storage import open_storage
from hq.storage.interface import HqStorage, OwnershipView
from hq.validation import check_batch
from tests.cloud_sync.sales import sale_payload

NOW = datetime.now(UTC)
AT = NOW.isoformat(timespec="milliseconds")


def pay_no(letter: str, store: str, n: int) -> str:
    return f"{letter}{id_prefix(store, 'T01')}{n:010d}"


class Hq:
    """A real HQ storage, fed through the ingest's own path: validation, the ownership rule,
    one transaction."""

    def __init__(self, url: str) -> None:
        self.storage: HqStorage = open_storage(url)
        self.postgres = url.startswith("postgresql")
        self.seqs: dict[str, int] = {}
        self.n = 0

    def send(self, store: str, event_type: str, body: dict[str, Any], at: str = AT) -> str | None:
        """The reason the fact was refused, or None when HQ took it."""
        seq = self.seqs[store] = self.seqs.get(store, 0) + 1
        raw = batch_bytes(store, "T01", 0, [(seq, f"{store}-e{seq}", event_type,
                                              canonical_json(body), at)])
        [batch] = enforce([check_batch(store, "T01", raw)], self.storage.ownership_view)
        [result] = self.storage.ingest_many([batch])
        return {r.seq: r.reason for r in result.ack.rejected}.get(seq)

    def q(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        conn: Any = self.storage.conn  # type: ignore[attr-defined]
        return list(conn.execute(sql if self.postgres else sql.replace("%s", "?"),
                                 args).fetchall())

    def x(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        conn: Any = self.storage.conn  # type: ignore[attr-defined]
        conn.execute(sql if self.postgres else sql.replace("%s", "?"), args)

    def effects(self) -> list[Any]:
        """Everything a fact can change at HQ, bar its dead letter and alert."""
        return [self.q("SELECT store, terminal, seq, type FROM hq_event ORDER BY 1, 2, 3"),
                self.q("SELECT store, sale_id, total FROM hq_sale ORDER BY 1, 2"),
                self.q("SELECT card_no, balance, lock_store, owner_store FROM hq_sv_card"
                       " ORDER BY 1"),
                self.q("SELECT movement_id FROM hq_sv_movement ORDER BY 1"),
                self.q("SELECT out_refund_no FROM hq_payment_refund ORDER BY 1")]

    def alerts(self, store: str) -> int:
        return int(self.q("SELECT count(*) FROM hq_security_alert WHERE store = %s",
                          (store,))[0][0])


@pytest.fixture(params=["sqlite", "postgres"])
def hq(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Hq]:
    url = (request.getfixturevalue("pg_url") if request.param == "postgres"
           else f"sqlite:///{tmp_path / 'hq.sqlite'}")
    h = Hq(url)
    yield h
    h.storage.close()


def sale(store: str, n: int) -> dict[str, Any]:
    body = sale_payload(store, "T01", n, random.Random(f"{store}{n}"), lines=2, at=AT)
    body["tenders"][0].update(type="mobile", reference=pay_no("P", store, n))
    return body


def a_return(store: str, return_id: str, sale_id: str, card: str, total: int = 500
             ) -> dict[str, Any]:
    return {"return_id": return_id, "kind": "receipt", "original_sale_id": sale_id,
            "store_id": store, "terminal_id": "T01", "staff_id": "c01", "approved_by": None,
            "reason": "", "total": total, "tax": 57, "rounding": 0,
            "lines": [{"line_no": 1, "sale_line_no": 1, "sku": "SKU00001", "qty_milli": 1000,
                       "amount": total, "tax_rate_bp": 1300, "tax": 57}],
            "tenders": [{"type": "stored_value", "amount": total, "reference": card}]}


class World:
    """Each store's sale, return, card and member at HQ; the ids S001's samples name."""

    def __init__(self, hq: Hq) -> None:
        self.ids: dict[str, dict[Kind, str]] = {}
        for store in ("S001", "S002"):
            s = sale(store, 1)
            ids = {Kind.SALE: s["sale_id"], Kind.RETURN: f"RET-{store}", Kind.CARD: f"CARD{store}",
                   Kind.MEMBER: f"MEM-{store}", Kind.PAYMENT: pay_no("P", store, 1),
                   Kind.REFUND: pay_no("R", store, 1)}
            self.ids[store] = ids
            facts = [("sale.completed", s),
                     ("stored_value.topup", topup(ids[Kind.CARD], 10_000)),
                     ("return.completed", a_return(store, ids[Kind.RETURN], ids[Kind.SALE],
                                                   ids[Kind.CARD], 2_000)),
                     ("member.registered", {"member_id": ids[Kind.MEMBER], "card_no": None,
                                            "phone": None, "qr_token": None, "name": None,
                                            "tier": "silver"})]
            for event_type, body in facts:
                assert hq.send(store, event_type, body) is None, event_type
            ids[Kind.ORDER] = f"O-{store}"
            hq.x("INSERT INTO hq_channel (channel, secret) VALUES ('mini', 's')"
                   " ON CONFLICT DO NOTHING")
            hq.x("INSERT INTO hq_order (order_id, channel, channel_order_id, store, status,"
                   " pickup_code, paid_online, body, created_at, updated_at) VALUES"
                   f" ('O-{store}', 'mini', 'W-{store}', '{store}', 'sent', '123456', TRUE,"
                   " '{\"lines\": [], \"slot_end\": \"2026-11-22T04:00:00+00:00\"}',"
                   " '2026-11-22T02:00:00Z', '2026-11-22T02:00:00Z')")

    def samples(self) -> dict[str, dict[str, Any]]:
        """A true fact of S001-T01 of every type: HQ takes each (the controls)."""
        own = self.ids["S001"]
        shift = {"shift_id": "sh1", "amount": 100, "reason": "float", "staff_id": "c01"}
        stock = {"items": [{"sku": "SKU00001", "qty_milli": 1000}], "reference": "",
                 "reason": "damaged", "staff_id": "c01"}
        return {
            "sale.completed": sale("S001", 2),
            "sale.cancelled": sale("S001", 3),
            "return.completed": a_return("S001", "RET-new", own[Kind.SALE], own[Kind.CARD], 100),
            "stored_value.topup": topup(own[Kind.CARD], 100),
            "stored_value.spend": {"card_no": own[Kind.CARD], "amount": 100,
                                   "sale_id": own[Kind.SALE], "terminal_id": "T01",
                                   "offline": False},
            "stored_value.refund": {"card_no": own[Kind.CARD], "amount": 100,
                                    "return_id": own[Kind.RETURN], "sale_id": own[Kind.SALE],
                                    "terminal_id": "T01", "offline": False},
            "member.registered": {"member_id": "MEM-new", "card_no": None, "phone": None,
                                  "qr_token": None, "name": None, "tier": "silver"},
            "member.points": {"member_id": own[Kind.MEMBER], "sale_id": own[Kind.SALE],
                              "tier": "silver", "eligible_spend": 100, "earned": 1,
                              "redeemed": 0},
            "coupon.redeemed": {"code": "HQ-500-20261231-ABCDEFGH", "sale_id": own[Kind.SALE],
                                "value": 500, "amount": 500,
                                "terminal_id": "T01", "offline": False},
            "payment.refunded": {"out_refund_no": own[Kind.REFUND],
                                 "out_trade_no": own[Kind.PAYMENT], "provider": "wechat",
                                 "amount": 100, "return_id": own[Kind.RETURN],
                                 "sale_id": own[Kind.SALE], "store_id": "S001",
                                 "terminal_id": "T01", "refund_id": None, "refunded_at": AT},
            "shift.opened": {"shift_id": "sh1", "staff_id": "c01", "float": 0},
            "shift.closed": {"shift_id": "sh1", "staff_id": "c01", "counted": 0, "expected": 0,
                             "over_short": 0, "denominations": {}, "from_seq": 1, "to_seq": 2},
            "shift.z_report": {"z_number": 1, "store_id": "S001", "from_seq": 0, "to_seq": 0},
            "cash.cash_in": shift, "cash.cash_out": shift, "cash.pickup": shift,
            "stock.receipt": stock, "stock.transfer": stock, "stock.adjustment": stock,
            "stock.count_started": {"count_id": "c1", "scope": "full", "category": None},
            "stock.count_approved": {"count_id": "c1", "approved_by": "m01",
                                     "uncounted": "leave", "items": []},
            "order.reserved": {"order_id": own[Kind.ORDER], "result": "reserved", "lines": [
                {"line": 1, "sku": "SKU00001", "requested": 1000, "reserved": 1000}]},
            "order.picked": {"order_id": own[Kind.ORDER], "staff_id": "c01", "difference": 0,
                             "lines": [{"line": 1, "sku": "SKU00001", "picked_sku": "SKU00001",
                                        "ordered": 1000, "qty_milli": 1000, "amount": 100,
                                        "ordered_amount": 100}]},
            "order.handed_over": {"order_id": own[Kind.ORDER], "staff_id": "c01",
                                  "sale_id": own[Kind.SALE], "paid_online": False, "lines": []},
            "order.released": {"order_id": own[Kind.ORDER], "reason": "expired", "lines": []},
            "order.conflict": {"sku": "SKU00001", "short_milli": 1000, "reserved_milli": 1000,
                               "sale_id": own[Kind.SALE], "orders": [own[Kind.ORDER]]},
            "line.voided": {"sale_id": own[Kind.SALE], "line_no": 1, "sku": "SKU00001",
                            "qty_milli": 1000, "total": 100, "staff_id": "c01",
                            "approved_by": "m01", "after_subtotal": True, "reason": "wrong item"},
            "price.overridden": {"sale_id": own[Kind.SALE], "line_no": 1, "sku": "SKU00001",
                                 "original_price": 100, "price": 80, "staff_id": "c01",
                                 "approved_by": "m01", "reason": "damaged"},
            "drawer.no_sale": {"staff_id": "c01", "approved_by": "m01", "reason": "change"},
            "open_price.sold": {"sale_id": own[Kind.SALE], "staff_id": "c01", "lines": [
                {"line_no": 1, "sku": "X0001", "qty_milli": 1000, "unit_price": 500,
                 "total": 500}]},
            "training.sale": {"staff_id": "c01", "status": "completed", "lines": 2,
                              "voided_lines": 0},
            "kiosk.alert": {"terminal_id": "T01", "kind": "age", "raised_at": AT,
                            "cleared_at": AT, "cleared": "age_approved", "cleared_by": "m01",
                            "sale_id": own[Kind.SALE]},
        }


def topup(card: str, amount: int) -> dict[str, Any]:
    return {"card_no": card, "amount": amount, "tender": "cash", "terminal_id": "T01",
            "staff_id": "c01", "offline": False, "shift_id": "sh1"}


def _paths_naming(body: Any, known: set[str], prefix: str = "") -> Iterator[str]:
    """The paths (`field`, `list[].field`) of `body` whose value is one of `known`."""
    for key, value in body.items():
        if isinstance(value, str) and value in known:
            yield f"{prefix}{key}"
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    yield from _paths_naming(item, known, f"{prefix}{key}[].")


def naming(body: dict[str, Any], ref: Ref, value: str) -> dict[str, Any]:
    """`body` with the field of `ref` set to `value`."""
    forged = copy.deepcopy(body)
    if "[]." in ref.path:
        name, item_field = ref.path.split("[].")
        item = forged[name][0]
        if ref.when:
            item[ref.when[0]] = ref.when[1][0]
        item[item_field] = value
    else:
        forged[ref.path] = value
    return forged


@pytest.mark.timeout(120)
def test_a_fact_naming_another_stores_object_is_refused_for_every_accepted_event_type(
        hq: Hq) -> None:
    world = World(hq)
    samples = world.samples()
    for event_type in schemas.ACCEPTED_TYPES:
        assert event_type in OWNERSHIP, f"{event_type}: no row in hq/ownership.py OWNERSHIP"
        assert event_type in samples, f"{event_type}: add a true sample fact to this test"
    # Every field of a sample that names one of S001's objects has its row's Ref: a field the
    # table forgot is found here, not by an attacker.
    known = {value for value in world.ids["S001"].values()}
    for event_type, body in samples.items():
        paths = {ref.path for ref in OWNERSHIP[event_type]}
        for path in sorted(_paths_naming(body, known)):
            assert path in paths, f"{event_type}.{path} names an owned object: add its Ref"
    for event_type in schemas.ACCEPTED_TYPES:  # the controls: every sample is true and taken
        assert hq.send("S001", event_type, samples[event_type]) is None, event_type
    theirs = world.ids["S002"]
    tried = 0
    for event_type in schemas.ACCEPTED_TYPES:
        sample = samples[event_type]
        forgeries = [(f"store_id S002 in {event_type}", dict(sample, store_id="S002"), "")]
        for ref in OWNERSHIP[event_type]:
            if ref.owner is not Owner.NEW:
                forgeries.append((f"{event_type}.{ref.path}", naming(sample, ref,
                                                                   theirs[ref.kind]),
                                  "not_owner"))
        for what, body, why in forgeries:
            before, alerts = hq.effects(), hq.alerts("S001")
            reason = hq.send("S001", event_type, body)
            assert reason is not None and why in reason, (what, reason)
            assert hq.effects() == before, f"{what}: changed what HQ holds"
            if why:
                assert hq.alerts("S001") == alerts + 1, f"{what}: no security alert"
                assert hq.storage.security_alerts("S001", 1)[0][5] == reason
            tried += 1
    assert tried > len(schemas.ACCEPTED_TYPES) + 10
    # S002's own facts about its objects still land, through all of it.
    own = world.samples()
    assert hq.send("S002", "stored_value.spend", dict(
        own["stored_value.spend"], card_no=theirs[Kind.CARD], sale_id=theirs[Kind.SALE])) is None
    assert hq.q("SELECT balance, lock_store FROM hq_sv_card WHERE card_no = %s",
                (theirs[Kind.CARD],)) == [(10_000 - 100, None)]


@pytest.mark.timeout(60)
def test_an_id_a_fact_creates_is_kept_per_sender_and_never_takes_another_stores_object(
        hq: Hq) -> None:
    """Sale and return ids are made by the sender: one S001 sends with S002's id (read off a
    receipt QR) is held apart; S002's own facts about its sale still land, and S001's return
    of "its" sale is not a return of S002's."""
    world = World(hq)
    theirs = world.ids["S002"]
    taken = dict(sale("S001", 5), sale_id=theirs[Kind.SALE])
    assert hq.send("S001", "sale.completed", taken) is None
    assert sorted(r[0] for r in hq.q("SELECT store FROM hq_sale WHERE sale_id = %s",
                                     (theirs[Kind.SALE],))) == ["S001", "S002"]
    assert hq.send("S002", "return.completed", a_return(
        "S002", "RET-2b", theirs[Kind.SALE], theirs[Kind.CARD], 100)) is None
    # Taken all the same, with an alert that the id is held twice: HQ sees the collision.
    [(detail,)] = hq.q("SELECT detail FROM hq_security_alert WHERE store = 'S002'")
    assert detail.startswith("taken_id: sale") and "S001, S002" in detail
    assert hq.send("S001", "return.completed", dict(a_return(
        "S001", "RET-2b", theirs[Kind.SALE], world.ids["S001"][Kind.CARD], 100))) is None
    [(detail,)] = hq.q("SELECT detail FROM hq_security_alert WHERE store = 'S001'")
    assert detail.startswith("taken_id: sale") and "S001, S002" in detail


@pytest.mark.timeout(60)
def test_a_grant_from_a_look_up_lets_through_what_it_grants_and_no_more(hq: Hq) -> None:
    world = World(hq)
    theirs, mine = world.ids["S002"], world.ids["S001"]
    spend = {"card_no": theirs[Kind.CARD], "amount": 2_000, "sale_id": mine[Kind.SALE],
             "terminal_id": "T01", "offline": False}
    assert "not_owner" in (hq.send("S001", "stored_value.spend", spend) or "")
    # A grant of S001's own object grants nothing; S002's card, up to 3,000 fen for an hour.
    assert not hq.storage.grant("S001", "T01", "card", mine[Kind.CARD], 3_000, NOW,
                                NOW + timedelta(hours=1))
    assert hq.storage.grant("S001", "T01", "card", theirs[Kind.CARD], 3_000, NOW,
                            NOW + timedelta(hours=1))
    assert hq.send("S001", "stored_value.spend", spend) is None
    assert "not_owner" in (hq.send("S001", "stored_value.spend", spend) or "")  # 4,000 > 3,000
    assert hq.send("S001", "stored_value.spend", dict(spend, amount=1_000)) is None
    later = (NOW + timedelta(hours=2)).isoformat()
    assert hq.storage.grant("S001", "T01", "card", theirs[Kind.CARD], 500, NOW,
                            NOW + timedelta(hours=1))
    assert "not_owner" in (hq.send("S001", "stored_value.spend", dict(spend, amount=100),
                                   at=later) or "")  # made after the grant expired
    assert hq.q("SELECT balance FROM hq_sv_card WHERE card_no = %s",
                (theirs[Kind.CARD],)) == [(10_000 - 3_000,)]
    # A cross-store return: within the sale's total, once.
    total = int(hq.q("SELECT total FROM hq_sale WHERE sale_id = %s", (theirs[Kind.SALE],))[0][0])
    ret = a_return("S001", "RET-x", theirs[Kind.SALE], mine[Kind.CARD], total)
    assert "not_owner" in (hq.send("S001", "return.completed", ret) or "")
    assert hq.storage.grant("S001", "T01", "sale", theirs[Kind.SALE], total, NOW,
                            NOW + timedelta(hours=1))
    assert hq.send("S001", "return.completed", ret) is None
    assert "not_owner" in (hq.send("S001", "return.completed",
                                   dict(ret, return_id="RET-y", total=1)) or "")


def test_an_accepted_event_type_without_a_row_stops_the_ingest_from_starting(
        monkeypatch: pytest.MonkeyPatch) -> None:
    options = IngestOptions(db_url="sqlite:///unused", broker=BrokerSettings(port=1))
    IngestWorker(options)  # the table as it is covers every accepted type
    monkeypatch.setattr(schemas, "ACCEPTED_TYPES", (*schemas.ACCEPTED_TYPES, "order.placed"))
    with pytest.raises(OwnershipTableIncomplete, match=r"no row for \['order.placed'\]"):
        IngestWorker(options)
    # A row whose owner HQ cannot look up stops it too.
    monkeypatch.setattr(schemas, "ACCEPTED_TYPES", (*schemas.ACCEPTED_TYPES, "order.placed"))
    monkeypatch.setitem(OWNERSHIP, "order.placed", (Ref("order_id", Kind.SHIFT, Owner.HQ),))
    with pytest.raises(OwnershipTableIncomplete, match=r"order\.placed\.order_id"):
        IngestWorker(options)


def test_an_event_type_the_ingest_does_not_know_is_refused() -> None:
    raw = batch_bytes("S001", "T01", 0, [(1, "e1", "order.placed", '{"order_id":"o1"}', AT)])
    batch = check_batch("S001", "T01", raw)
    assert not batch.accepted and "unknown event type" in batch.refused[0].reason


def test_a_group_of_sales_asks_hq_storage_nothing() -> None:
    """The drain's hot path: sale ids are new and payment numbers carry their terminal, so the
    rule needs no database round trip for a group of sales (and one for a group that names
    objects HQ must look up)."""
    rows = [(n, f"e{n}", "sale.completed", canonical_json(sale("S001", n)), AT)
            for n in range(1, 101)]
    batches = [check_batch("S001", "T01", batch_bytes("S001", "T01", 0, rows))] * 64
    asked: list[dict[str, set[str]]] = []

    def lookup(wanted: dict[str, set[str]], _askers: set[tuple[str, str]]) -> Any:
        asked.append(wanted)
        return OwnershipView()

    assert enforce(batches, lookup) == batches and asked == []
    spend = {"card_no": "C1", "amount": 1, "sale_id": "s", "terminal_id": "T01",
             "offline": False}
    more = [check_batch("S001", "T01", batch_bytes("S001", "T01", 0, [
        (101, "e101", "stored_value.spend", canonical_json(spend), AT)]))] * 3
    enforce(batches + more, lookup)
    assert asked == [{"card": {"C1"}, "sale": {"s"}}]


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_the_migration_gives_existing_cards_the_store_of_their_first_topup(
        engine: str, tmp_path: Path, request: pytest.FixtureRequest,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import hq.storage.postgres as pg_module
    import hq.storage.sqlite as sqlite_module
    from hq.storage.interface import hq_migrations

    url = (request.getfixturevalue("pg_url") if engine == "postgres"
           else f"sqlite:///{tmp_path / 'hq.sqlite'}")
    dialect = "postgres" if engine == "postgres" else "sqlite"
    every = hq_migrations(dialect)
    ours = next(i for i, (_, sql) in enumerate(every) if "CREATE TABLE hq_grant" in sql)
    module: Any = pg_module if engine == "postgres" else sqlite_module
    monkeypatch.setattr(module, "hq_migrations", lambda _d: every[:ours])
    before = Hq(url)  # HQ as it was before the ownership migration, with cards in its ledger
    for n, (card, store) in enumerate([("C1", "S002"), ("C1", "S001"), ("C2", "S001")]):
        before.x("INSERT INTO hq_sv_movement (movement_id, card_no, store, terminal, seq, kind,"
                 " amount, delta, offline, at, received_at) VALUES (%s, %s, %s, 'T01', %s,"
                 " 'topup', 100, 100, FALSE, %s, %s)",
                 (f"m{n}", card, store, n + 1, AT, (NOW + timedelta(seconds=n)).isoformat()))
    before.x("INSERT INTO hq_sv_card (card_no, balance) VALUES ('C1', 200), ('C2', 100),"
             " ('C3', 0)")
    before.storage.close()
    monkeypatch.setattr(module, "hq_migrations", lambda _d: every)
    after = Hq(url)
    try:
        assert after.q("SELECT card_no, owner_store FROM hq_sv_card ORDER BY 1") == [
            ("C1", "S002"), ("C2", "S001"), ("C3", None)]
    finally:
        after.storage.close()
