"""HQ's validation reads a batch the cheap way when it can and the careful way when it must, and
the two ways give the same verdicts: every known-bad event (the poison list and more) is refused
with the same reason and bytes whichever reading ran, and its neighbours are taken the same. The
sale check, done in one pass, gives the reason the rule-by-rule check gave for any broken sale;
and `sale_rows` writes each field in the column of its name."""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest

from cloud_sync.agent import batch_bytes
from edge.ledger.outbox import canonical_json
from hq import validation
from hq.schemas import Sale, check_sale
from hq.storage.interface import LINE_COLUMNS, SALE_COLUMNS, TENDER_COLUMNS, BatchIn, sale_rows
from hq.validation import BatchUnreadable, check_batch
from tests.cloud_sync.sales import sale_payload
from tests.hq.test_poison import AT, POISON, Row, generic, sale

_sale = msgspec.json.Decoder(Sale)


def _edited(store: str, seq: int, **fields: Any) -> Row:
    return sale(store, seq, lambda body: body.update(fields))


def _event(seq: int, raw_event: str) -> bytes:
    """A batch of three events of S001-T01, the middle one written by hand."""
    good = batch_bytes("S001", "T01", 0, [sale("S001", seq - 1), sale("S001", seq + 1)])
    first_end = good.index(b'},{"seq"') + 1
    return good[:first_end] + b"," + raw_event.encode() + good[first_end:]


# Faults inside an event's payload or envelope fields (the one-pass reading runs for all but
# the deep nesting, which only the careful reading can cut).
PAYLOAD_FAULTS: list[tuple[str, Any]] = [
    *[(name, make) for name, make, _why in POISON],
    ("another store's sale", lambda n: sale("S002", n)),
    ("member with a phone", lambda n: generic(n, canonical_json(
        {"member_id": "M1", "card_no": None, "phone": "13812345678", "qr_token": None,
         "name": "张三", "tier": "silver"}), "member.registered")),
    ("bad member", lambda n: generic(n, canonical_json(
        {"member_id": "M1", "card_no": None, "phone": "12", "qr_token": None,
         "name": "张三", "tier": "silver"}), "member.registered")),
    ("unknown type", lambda n: generic(n, "{}", "order.placed")),
    ("malformed type", lambda n: generic(n, "{}", "Sale Completed")),
    ("type of 65 characters", lambda n: generic(n, "{}", "a." + "b" * 63)),
    ("created_at without offset", lambda n: generic(n, "{}", at="2026-11-22T02:00:00")),
    ("created_at in 1999", lambda n: generic(n, "{}", at="1999-11-22T02:00:00+00:00")),
    ("control character in the event id", lambda n: (n, "e\x07", "shift.opened", "{}", AT)),
    ("empty event id", lambda n: (n, "", "shift.opened", "{}", AT)),
    ("the cut marker as a text", lambda n: generic(n, '{"reason":"<nested too deep>"}')),
    ("line totals off", lambda n: _edited("S001", n, subtotal=1)),
    ("unknown field", lambda n: _edited("S001", n, coupon="x")),
    ("no lines", lambda n: _edited("S001", n, lines=[])),
]

# Faults the one-pass reading cannot place: the careful reading refuses that event alone.
EVENT_FAULTS: list[tuple[str, str]] = [
    ("event missing its digest", '{"seq":{n},"event_id":"x","type":"shift.opened",'
                                 '"created_at":"' + AT + '","payload":{}}'),
    ("event with an unknown field", '{"seq":{n},"event_id":"x","type":"shift.opened",'
                                    '"created_at":"' + AT + '","digest":"","payload":{},"x":1}'),
    ("event that is a number", "{n}"),
    ("seq 0", '{"seq":0,"event_id":"x","type":"shift.opened","created_at":"' + AT +
              '","digest":"","payload":{}}'),
    ("seq beyond int8", '{"seq":9223372036854775808,"event_id":"x","type":"shift.opened",'
                        '"created_at":"' + AT + '","digest":"","payload":{}}'),
    ("seq repeated", '{"seq":{prev},"event_id":"x","type":"shift.opened","created_at":"' + AT +
                     '","digest":"","payload":{}}'),
    ("nesting 5000 deep in the event", '{"seq":{n},"event_id":"x","type":"shift.opened",'
                                       '"created_at":"' + AT + '","digest":"","payload":' +
                                       "[" * 5000 + "]" * 5000 + "}"),
]


def _careful(monkeypatch: pytest.MonkeyPatch, raw: bytes) -> BatchIn:
    with monkeypatch.context() as m:
        m.setattr(validation, "_read_whole", lambda _raw: None)
        return check_batch("S001", "T01", raw)


@pytest.mark.parametrize(("name", "make"), PAYLOAD_FAULTS, ids=[n for n, _ in PAYLOAD_FAULTS])
def test_a_bad_payload_is_refused_alike_by_the_one_pass_and_the_careful_reading(
        name: str, make: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = batch_bytes("S001", "T01", 0, [sale("S001", 1), make(2), sale("S001", 3)])
    one_pass = validation._read_whole(raw) is not None
    assert one_pass == (name != "nesting 5000 deep"), name
    batch = check_batch("S001", "T01", raw)
    assert batch == _careful(monkeypatch, raw)
    # Taken here: a true member (its phone masked), a sale id HQ's storage finds taken.
    taken = name in ("member with a phone", "duplicate sale_id")
    assert [e.seq for e in batch.accepted] == ([1, 2, 3] if taken else [1, 3]), name
    assert [r.seq for r in batch.refused] == ([] if taken else [2]), name


@pytest.mark.parametrize(("name", "event"), EVENT_FAULTS, ids=[n for n, _ in EVENT_FAULTS])
def test_a_malformed_event_is_refused_alone_by_the_careful_reading(
        name: str, event: str, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _event(2, event.replace("{n}", "2").replace("{prev}", "1"))
    assert validation._read_whole(raw) is None, f"{name}: the one-pass reading took it"
    batch = check_batch("S001", "T01", raw)
    assert batch == _careful(monkeypatch, raw)
    assert [e.seq for e in batch.accepted] == [1, 3] and len(batch.refused) == 1, name


def test_an_altered_payload_is_refused_alike_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [sale("S001", 1), sale("S001", 2), sale("S001", 3)]
    sale_id = json.loads(rows[1][3])["sale_id"]
    raw = batch_bytes("S001", "T01", 0, rows).replace(sale_id.encode(), sale_id[::-1].encode())
    assert validation._read_whole(raw) is not None
    batch = check_batch("S001", "T01", raw)
    assert batch == _careful(monkeypatch, raw)
    assert [r.seq for r in batch.refused] == [2] and "digest" in batch.refused[0].reason


def test_a_batch_refused_whole_or_unreadable_is_alike_both_ways(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [sale("S001", 1), sale("S001", 2)]
    for raw in (batch_bytes("S002", "T01", 0, rows),  # on S001's topic
                batch_bytes("S001", "T01", 0, rows).replace(b'"v":1', b'"v":2', 1),
                batch_bytes("S001", "T01", 0, rows, journal=(7, "a" * 64))):
        assert validation._read_whole(raw) is not None
        assert check_batch("S001", "T01", raw) == _careful(monkeypatch, raw)
    for raw in (b"\xff not json", batch_bytes("S001", "T01", 0, rows)[:-1],
                batch_bytes("S001", "T01", 0, rows, journal=(7, "xyz"))):
        with pytest.raises(BatchUnreadable) as fast:
            check_batch("S001", "T01", raw)
        with pytest.raises(BatchUnreadable) as careful:
            _careful(monkeypatch, raw)
        assert str(fast.value) == str(careful.value)


def _rule_by_rule(sale: Sale, event_type: str, store: str, terminal: str) -> str | None:
    """The sale check as first written, one rule at a time: the oracle for the one-pass one."""
    if sale.store_id != store or sale.terminal_id != terminal:
        return f"sale belongs to {sale.store_id}/{sale.terminal_id}, sent by {store}/{terminal}"
    for ln in sale.lines:
        if ln.total != ln.gross - ln.discount:
            return f"line {ln.line_no}: total is not gross - discount"
    if len({ln.line_no for ln in sale.lines}) != len(sale.lines):
        return "line numbers repeat"
    if len({t.tender_no for t in sale.tenders}) != len(sale.tenders):
        return "tender numbers repeat"
    if sum(line.total for line in sale.lines) != sale.subtotal - sale.discount:
        return "line totals do not add up to subtotal - discount"
    if sum(line.tax for line in sale.lines) != sale.tax:
        return "line taxes do not add up to the sale's tax"
    if sale.closed_at < sale.opened_at:
        return "closed before it was opened"
    if event_type == "sale.completed":
        if not sale.lines:
            return "completed sale has no lines"
        if sale.total <= 0:
            return "a completed sale's total must be positive (returns are their own events)"
        if sum(t.amount for t in sale.tenders) != sale.paid:
            return "tenders do not add up to paid"
        if sale.paid - sale.change != sale.total + sale.rounding:
            return "paid - change differs from total + rounding"
    return None


def _break(body: dict[str, Any], rng: random.Random) -> None:
    """One way a sale can fail to add up (or a harmless change)."""
    lines, tenders = body["lines"], body["tenders"]
    ln = rng.choice(lines) if lines else None
    match rng.randrange(12):
        case 0 if ln:
            ln["total"] += rng.choice((-1, 1))
        case 1 if len(lines) > 1:
            lines[-1]["line_no"] = lines[0]["line_no"]
        case 2:
            tenders.append(dict(tenders[0], tender_no=rng.choice((1, 2))))
        case 3:
            body["subtotal"] += 1
        case 4 if ln:
            ln["tax"] += 1
        case 5:
            body["opened_at"] = "2026-11-22T03:00:00.000+00:00"
        case 6:
            body.update(lines=[], subtotal=0, discount=0, tax=0)
        case 7:
            body["total"] = rng.choice((0, 1))
        case 8:
            tenders[0]["amount"] += 1
        case 9:
            body["change"] = rng.randrange(3)
        case 10:
            body["terminal_id"] = "T02"
        case _:
            body["rounding"] = rng.randrange(-3, 4)


def test_the_one_pass_sale_check_gives_the_rule_by_rule_reason_for_any_broken_sale() -> None:
    rng = random.Random(22)
    reasons: set[str | None] = set()
    for n in range(3000):
        body = sale_payload("S001", "T01", n + 1, rng, lines=rng.randint(1, 6), at=AT)
        for _ in range(rng.randrange(4)):
            _break(body, rng)
        decoded = _sale.decode(json.dumps(body))
        for event_type in ("sale.completed", "sale.cancelled"):
            reason = check_sale(decoded, event_type, "S001", "T01")
            assert reason == _rule_by_rule(decoded, event_type, "S001", "T01"), body
            reasons.add(reason and re.sub(r"^line \d+:", "line n:", reason))
    assert len(reasons) == 12  # every rule (and a true sale) came up


def test_sale_rows_put_every_field_in_the_column_of_its_name() -> None:
    body = sale_payload("S001", "T01", 7, random.Random(1), lines=3, at=AT)
    body["tenders"].append({"tender_no": 2, "type": "card", "amount": 0, "reference": None,
                            "approval_code": "A1", "masked_pan": "6222****1234"})
    raw = batch_bytes("S001", "T01", 0, [(5, "e5", "sale.cancelled", canonical_json(body), AT)])
    [event] = check_batch("S001", "T01", raw).accepted
    assert event.sale is not None
    sales, lines, tenders = sale_rows("S001", "T01", [event], ZoneInfo("Asia/Shanghai"))
    key = {"store": "S001", "terminal": "T01", "seq": 5}
    [row] = sales
    assert dict(zip(SALE_COLUMNS, row, strict=True)) == {
        **key, **{c: body[c] for c in SALE_COLUMNS if c in body}, "event_id": "e5",
        "status": "cancelled", "opened_at": datetime(2026, 11, 22, 2, tzinfo=UTC),
        "closed_at": datetime(2026, 11, 22, 2, tzinfo=UTC),
        "business_date": date(2026, 11, 22), "line_count": 3}
    assert [dict(zip(LINE_COLUMNS, r, strict=True)) for r in lines] == [
        {**key, **ln} for ln in body["lines"]]
    assert [dict(zip(TENDER_COLUMNS, r, strict=True)) for r in tenders] == [
        {**key, **t} for t in body["tenders"]]
