"""The one ownership rule of HQ's ingest, and its table: which field of which event names which
owned object, and how HQ finds that object's owner store.

Rule: a fact may name only objects owned by its sending terminal's store (the store of its topic,
which the broker's ACL ties to the terminal's credential), or objects an HQ look-up granted that
terminal (a row of hq_grant: terminal, object, amount, expiry). Every event type the ingest
accepts (hq/schemas.py ACCEPTED_TYPES) has a row in OWNERSHIP, possibly empty; the ingest refuses
to start when one is missing (`check_table`). A fact that breaks the rule is dead-lettered as
`not_owner` with a security alert, before any of its effects is written.

Adding an event type: add its schema (hq/schemas.py), then its row here, one `Ref` per field that
names an object a store owns. That is the whole step; tests/hq/test_ownership.py then proves a
fact of the new type naming another store's object is refused (it asks for a sample payload).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any

import msgspec

from edge.payments.attempts import out_trade_no_for
from hq import schemas
from hq.storage.interface import Accepted, Alert, BatchIn, Grant, OwnershipView, Refused
from hq.storage.owners import OWNER_QUERIES


class Kind(StrEnum):
    """The kinds of objects a store owns."""

    SALE = "sale"
    RETURN = "return"
    PAYMENT = "payment"  # a provider payment: its out_trade_no
    REFUND = "refund"  # a provider refund: its out_refund_no
    CARD = "card"  # a stored-value card: the store of its first topup at HQ
    MEMBER = "member"  # a member (and so its points): the store that registered it
    SHIFT = "shift"
    COUNT = "count"  # a stock count
    ORDER = "order"  # an online order: the store HQ routed it to (hq/orders/book.py)


class Owner(StrEnum):
    """How HQ finds the owner store of the object a field names."""

    NEW = "new"  # the fact creates the id: it is the sender's; HQ keys it with the sender
    ID = "id"  # the id carries store and terminal (P/R + store + terminal + counter): no look-up
    HQ = "hq"  # HQ's storage knows the owner (one batched look-up per group, never per event)


@dataclass(frozen=True)
class Ref:
    path: str  # a payload field, or `list[].field` for every item of a list
    kind: Kind
    owner: Owner
    grant_amount: str | None = None  # a granted object: the field charged against the grant
    when: tuple[str, tuple[str, ...]] | None = None  # list items only: (field, values) it names


# A tender's reference: a mobile payment's out_trade_no, or a stored-value card (its spend or
# refund event charges the card's grant; the tender only needs one to exist).
_PAID_BY = (Ref("tenders[].reference", Kind.PAYMENT, Owner.ID, when=("type", ("mobile",))),
            Ref("tenders[].reference", Kind.CARD, Owner.HQ, when=("type", ("stored_value",))))
_SALE = (Ref("sale_id", Kind.SALE, Owner.NEW), *_PAID_BY)
_SHIFT = (Ref("shift_id", Kind.SHIFT, Owner.NEW),)
_COUNT = (Ref("count_id", Kind.COUNT, Owner.NEW),)
_ORDER = (Ref("order_id", Kind.ORDER, Owner.HQ),)

# The table. Skus are the chain's catalog, staff ids the store's own people: no owned object.
OWNERSHIP: dict[str, tuple[Ref, ...]] = {
    "sale.completed": _SALE,
    "sale.cancelled": _SALE,
    "return.completed": (Ref("return_id", Kind.RETURN, Owner.NEW),
                         Ref("original_sale_id", Kind.SALE, Owner.HQ, grant_amount="total"),
                         _PAID_BY[1]),
    "stored_value.topup": (Ref("card_no", Kind.CARD, Owner.HQ),),
    "stored_value.spend": (Ref("card_no", Kind.CARD, Owner.HQ, grant_amount="amount"),
                           Ref("sale_id", Kind.SALE, Owner.HQ)),
    "stored_value.refund": (Ref("card_no", Kind.CARD, Owner.HQ),
                            Ref("return_id", Kind.RETURN, Owner.HQ),
                            Ref("sale_id", Kind.SALE, Owner.HQ)),
    "member.registered": (Ref("member_id", Kind.MEMBER, Owner.NEW),),
    # Points spent at another store's till need the grant of a points look-up (hq/loyalty/).
    "member.points": (Ref("member_id", Kind.MEMBER, Owner.HQ),
                      Ref("sale_id", Kind.SALE, Owner.HQ)),
    # A coupon is HQ's, redeemable at any store once: its ledger (hq/loyalty/ledger.py) accepts
    # the first redemption and flags any other; the sale must be the sender's.
    "coupon.redeemed": (Ref("sale_id", Kind.SALE, Owner.HQ),),
    "payment.refunded": (Ref("out_refund_no", Kind.REFUND, Owner.ID),
                         Ref("out_trade_no", Kind.PAYMENT, Owner.ID),
                         Ref("sale_id", Kind.SALE, Owner.HQ),
                         Ref("return_id", Kind.RETURN, Owner.HQ)),
    "shift.opened": _SHIFT,
    "shift.closed": _SHIFT,
    "shift.z_report": (),
    "cash.cash_in": _SHIFT,
    "cash.cash_out": _SHIFT,
    "cash.pickup": _SHIFT,
    "stock.receipt": (),
    "stock.transfer": (),
    "stock.adjustment": (),
    "stock.count_started": _COUNT,
    "stock.count_approved": _COUNT,
    # Online orders: a store speaks only of the orders HQ sent it. A conflict's `orders` list is
    # matched with the sender's store by hq/orders/book.py itself.
    "order.reserved": _ORDER,
    "order.picked": _ORDER,
    "order.handed_over": (*_ORDER, Ref("sale_id", Kind.SALE, Owner.HQ)),
    "order.released": _ORDER,
    "order.conflict": (Ref("sale_id", Kind.SALE, Owner.HQ),),
    # Loss prevention: a void or a price override comes before its sale's own fact (which may
    # never come: a basket lost with the till), so the sale is looked up, not created; one HQ
    # does not know yet passes, another store's is refused.
    "line.voided": (Ref("sale_id", Kind.SALE, Owner.HQ),),
    "price.overridden": (Ref("sale_id", Kind.SALE, Owner.HQ),),
    "drawer.no_sale": (),
    # An open-price fact rides its sale's transaction; a kiosk alert names the basket of the
    # moment (often never a sale HQ will hold, like a void's). A training sale names no object.
    "open_price.sold": (Ref("sale_id", Kind.SALE, Owner.HQ),),
    "training.sale": (),
    "kiosk.alert": (Ref("sale_id", Kind.SALE, Owner.HQ),),
}

# How long a look-up's grant lasts: the till makes the return or the spend right after it.
GRANT_LIFE = timedelta(hours=1)
# A grant covers facts the till made from this long before the look-up (clock skew) until it
# expires; its expiry is compared with the fact's own time, so an offline till's fact still counts.
GRANT_SKEW = timedelta(minutes=10)


class OwnershipTableIncomplete(RuntimeError):
    """An accepted event type has no row, or a row names a type the ingest does not accept."""


def check_table() -> None:
    """Refuse to start an ingest whose table does not cover exactly the accepted event types."""
    accepted = schemas.ACCEPTED_TYPES
    missing = sorted(set(accepted) - set(OWNERSHIP))
    extra = sorted(set(OWNERSHIP) - set(accepted))
    if missing or extra:
        raise OwnershipTableIncomplete(
            f"hq/ownership.py OWNERSHIP: no row for {missing}" if missing else
            f"hq/ownership.py OWNERSHIP: rows for types the ingest does not accept: {extra}")
    for event_type, refs in OWNERSHIP.items():
        for ref in refs:
            if (ref.owner is Owner.HQ and ref.kind not in OWNER_QUERIES) or \
                    (ref.owner is Owner.ID and ref.kind not in _LETTER):
                raise OwnershipTableIncomplete(
                    f"{event_type}.{ref.path}: HQ cannot find the owner of a {ref.kind} by"
                    f" {ref.owner} (hq/storage/owners.py OWNER_QUERIES, or an id letter)")


Lookup = Callable[[dict[str, set[str]], set[tuple[str, str]]], OwnershipView]


def id_prefix(store: str, terminal: str) -> str:
    """What an out_trade_no (P…) or out_refund_no (R…) of this terminal holds after its letter:
    the same cut of store and terminal as edge.payments.attempts.out_trade_no_for."""
    return out_trade_no_for(store, terminal, 0)[1:-10]


_LETTER = {Kind.PAYMENT: "P", Kind.REFUND: "R"}


def _named(refs: tuple[Ref, ...], body: Any) -> list[tuple[Ref, str]]:
    """Every (ref, id) the fact names: each non-empty text at a ref's path."""
    found = []
    for ref in refs:
        name, item_field = _path(ref.path)
        value = _get(body, name)
        if item_field is None:
            if isinstance(value, str) and value:
                found.append((ref, value))
            continue
        for item in value or []:
            if ref.when and _get(item, ref.when[0]) not in ref.when[1]:
                continue
            value = _get(item, item_field)
            if isinstance(value, str) and value:
                found.append((ref, value))
    return found


@cache
def _path(path: str) -> tuple[str, str | None]:
    """`field` → (field, None); `list[].field` → (list, field)."""
    name, _, item_field = path.partition("[].")
    return name, item_field or None


def _get(body: Any, name: str) -> Any:
    return body.get(name) if isinstance(body, dict) else getattr(body, name, None)


def _body(e: Accepted) -> Any:
    if e.sale is not None:
        return e.sale
    if e.fact is not None:
        return e.fact
    try:
        return msgspec.json.decode(e.payload)
    except msgspec.DecodeError:
        return {}


def _created(e: Accepted) -> datetime | None:
    try:
        return datetime.fromisoformat(e.created_at)
    except ValueError:
        return None


def enforce(batches: list[BatchIn], lookup: Lookup) -> list[BatchIn]:
    """The batches with every fact that names another store's object (not granted to its
    terminal) moved from accepted to refused, each with a security alert. One call of `lookup`
    for the whole group, and none when no fact names an object HQ must look up (a group of
    sales: their ids are new and their payment numbers carry their terminal)."""
    created: dict[tuple[str, str], set[str]] = {}
    wanted: dict[str, set[str]] = {}
    askers: set[tuple[str, str]] = set()
    named: list[list[tuple[Accepted, Any, list[tuple[Ref, str]]]]] = []
    for b in batches:
        rows: list[tuple[Accepted, Any, list[tuple[Ref, str]]]] = []
        for e in b.accepted:
            refs = OWNERSHIP.get(e.type, ())
            if not refs:
                rows.append((e, None, []))
                continue
            body = _body(e)
            found = _named(refs, body)
            judged = False
            for ref, value in found:
                if ref.owner is Owner.NEW:
                    created.setdefault((ref.kind, value), set()).add(b.store)
                    continue
                judged = True
                if ref.owner is Owner.HQ:
                    wanted.setdefault(ref.kind, set()).add(value)
                    askers.add((b.store, b.terminal))
            # A fact that names only ids it creates has nothing to judge (most sales).
            rows.append((e, body, found if judged else []))
        named.append(rows)
    view = lookup(wanted, askers) if wanted else OwnershipView()
    spent: dict[int, int] = {}  # grant id → charged by this group so far
    out = []
    for b, rows in zip(batches, named, strict=True):
        refused = list(b.refused)
        alerts = list(b.alerts)
        kept = []
        for e, body, found in rows:
            if not found:
                kept.append(e)
                continue
            why, note = _judge(b, e, body, found, created, view, spent)
            if why is not None:
                refused.append(Refused(e.seq, e.event_id, e.type, why, e.payload))
            else:
                kept.append(e)
            if why or note:
                alerts.append(Alert(e.seq, e.event_id, e.type, why or note or ""))
        out.append(b if len(alerts) == len(b.alerts) else
                   replace(b, accepted=kept, refused=refused, alerts=alerts))
    return out


def _judge(b: BatchIn, e: Accepted, body: Any, found: list[tuple[Ref, str]],
           created: dict[tuple[str, str], set[str]], view: OwnershipView,
           spent: dict[int, int]) -> tuple[str | None, str | None]:
    """(why the fact is refused, or None; an alert on a fact that is taken all the same)."""
    charges: list[tuple[Grant, int]] = []
    note = None
    for ref, value in found:
        shown = value[:64]
        if ref.owner is Owner.ID:
            if not _carries(value, _LETTER[ref.kind], b.store, b.terminal):
                return (f"not_owner: {ref.path} {shown!r} is not a {ref.kind} number of"
                        f" {b.store}/{b.terminal}"), None
        elif ref.owner is Owner.HQ:
            owners = created.get((ref.kind, value), set()) | view.owners.get((ref.kind, value),
                                                                              set())
            if len(owners) > 1:  # an id another sender took too (kept apart per sender)
                note = (f"taken_id: {ref.kind} {shown!r} is held by stores"
                        f" {', '.join(sorted(owners))[:64]}")
            if not owners or b.store in owners:
                continue  # unknown yet (it may arrive later: the readers check again) or its own
            charge = _grant(b, e, ref, value, body, view, spent)
            if charge is None:
                return (f"not_owner: {ref.path} names {ref.kind} {shown!r} of store"
                        f" {', '.join(sorted(owners))[:64]}, not granted to {b.store}/{b.terminal}"
                        ), None
            charges.append(charge)
    for grant, amount in charges:
        spent[grant.id] = spent.get(grant.id, 0) + amount
    return None, note


def _carries(value: str, letter: str, store: str, terminal: str) -> bool:
    return _number_pattern(letter, store, terminal).fullmatch(value) is not None


@lru_cache(maxsize=4096)  # one per terminal HQ hears from (its topic, tied to its credential)
def _number_pattern(letter: str, store: str, terminal: str) -> re.Pattern[str]:
    return re.compile(rf"{letter}{re.escape(id_prefix(store, terminal))}[0-9]{{10}}")


def _grant(b: BatchIn, e: Accepted, ref: Ref, value: str, body: Any, view: OwnershipView,
           spent: dict[int, int]) -> tuple[Grant, int] | None:
    at = _created(e)
    amount = int(_get(body, ref.grant_amount) or 0) if ref.grant_amount else 0
    for g in view.grants:
        if (g.store, g.terminal, g.kind, g.object_id) != (b.store, b.terminal, ref.kind, value):
            continue
        if at is None or not g.created_at - GRANT_SKEW <= at <= g.expires_at:
            continue
        if g.used + spent.get(g.id, 0) + amount <= g.amount:
            return g, amount
    return None
