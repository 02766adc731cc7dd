"""The sync wire protocol: topic names and every message body as strict msgspec structs.

Rule: nothing crosses the wire unvalidated; a body that does not decode into its struct is refused
whole, at whichever end receives it. Version 1 of the topic tree lives under `pos/v1/`.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

import msgspec

SCHEMA_VERSION = 1
ROOT = "pos/v1"
STREAMS = ("catalog", "prices", "promotions", "transfers", "orders")


# ---- topics -------------------------------------------------------------------------------------

def events_topic(store: str, terminal: str) -> str:
    return f"{ROOT}/{store}/{terminal}/up/events"


def ack_topic(store: str, terminal: str) -> str:
    return f"{ROOT}/{store}/{terminal}/down/ack"


def presence_topic(store: str, terminal: str) -> str:
    return f"{ROOT}/{store}/{terminal}/up/presence"


def request_topic(store: str, terminal: str) -> str:
    return f"{ROOT}/{store}/{terminal}/up/request"


def reply_topic(store: str, terminal: str) -> str:
    return f"{ROOT}/{store}/{terminal}/down/reply"


def version_topic(store: str, stream: str) -> str:
    return f"{ROOT}/{store}/down/{stream}/v"


def keys_topic(store: str) -> str:
    """Retained: HQ's latest key rollover document, signed by a key the stores already pin."""
    return f"{ROOT}/{store}/down/keys"


def head_topic(store: str, stream: str) -> str:
    return f"{ROOT}/{store}/down/{stream}/head"


INGEST_SHARE = "$share/ingest"
INGEST_FILTERS = (f"{ROOT}/+/+/up/events", f"{ROOT}/+/+/up/request", f"{ROOT}/+/+/up/presence",
                  f"{ROOT}/+/+/up/health")


def split_topic(topic: str) -> tuple[str, str, str]:
    """`pos/v1/{store}/{terminal}/up/{kind}` → (store, terminal, kind); ValueError otherwise."""
    parts = topic.split("/")
    if len(parts) != 6 or f"{parts[0]}/{parts[1]}" != ROOT or parts[4] != "up":
        raise ValueError(f"not an uplink topic: {topic!r}")
    return parts[2], parts[3], parts[5]


# ---- uplink: event batches ----------------------------------------------------------------------

class Event(msgspec.Struct, forbid_unknown_fields=True):
    seq: int
    event_id: str
    type: str
    created_at: str
    # sha256 of the payload bytes exactly as the outbox holds them; HQ recomputes it.
    digest: str
    payload: msgspec.Raw


class Batch(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, tag="batch"):
    # omit_defaults: a field added later is sent only when set, so an older reader still reads it
    v: int
    store: str
    terminal: str
    first_seq: int
    last_seq: int
    # The terminal's own ack watermark: HQ repeats every rejection above it, so a lost ack
    # cannot turn a dead-lettered event into an acknowledged one.
    acked: int
    created_at: str
    events: list[Event]
    # The till's journal head (seq, hash) when the batch was made: HQ keeps the latest per
    # terminal, so a journal rewritten afterwards is caught (`pos journal verify --heads`).
    journal_seq: int = 0
    journal_hash: str = ""
    # The terminal's clock (Unix seconds) when it sent the batch; HQ echoes it in the ack beside
    # its own time, so the terminal measures its clock against HQ's (cloud_sync/hq_clock.py).
    sent_at: float | None = None


class Rejection(msgspec.Struct, forbid_unknown_fields=True):
    seq: int
    reason: str


class Ack(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, tag="ack"):
    v: int
    store: str
    terminal: str
    # Cumulative: every seq <= acked_to is committed (or dead-lettered) at HQ.
    acked_to: int
    rejected: list[Rejection] = []
    gaps: list[tuple[int, int]] = []
    # Only in answer to a batch that carried `sent_at` (so a terminal that predates them, whose
    # decoder refuses unknown fields, never sees them): its echo and HQ's clock when acking.
    sent_at: float | None = None
    hq_time: float | None = None


class ResendRequest(msgspec.Struct, forbid_unknown_fields=True, tag="resend"):
    """HQ asks a terminal, on its ack topic, to send these seqs again: each was dead-lettered,
    HQ fixed the cause and will take the event as new (an admin's request on the console)."""
    v: int
    store: str
    terminal: str
    seqs: Annotated[list[int], msgspec.Meta(max_length=100)]


class ErrorReply(msgspec.Struct, forbid_unknown_fields=True, tag="error"):
    v: int
    code: str
    message: str


class Presence(msgspec.Struct, forbid_unknown_fields=True):
    v: int
    online: bool
    at: str


def payload_digest(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


# ---- requests (snapshot, look-ups) and their replies ---------------------------------------------

class SyncRequest(msgspec.Struct, forbid_unknown_fields=True, tag="sync"):
    """Ask HQ for what follows version `have` of a stream; HQ answers with deltas or a snapshot."""

    v: int
    stream: str
    have: int
    want_snapshot: bool = False


class SaleLookup(msgspec.Struct, forbid_unknown_fields=True, tag="sale_lookup"):
    v: int
    sale_id: str


class BalanceLookup(msgspec.Struct, forbid_unknown_fields=True, tag="balance_lookup"):
    v: int
    account_id: str


class PointsLookup(msgspec.Struct, forbid_unknown_fields=True, tag="points_lookup"):
    """A member's points at HQ for this terminal; HQ holds `hold` points for it if they are there."""

    v: int
    member_id: str
    hold: int = 0


class CouponLookup(msgspec.Struct, forbid_unknown_fields=True, tag="coupon_lookup"):
    """An HQ coupon's state; HQ holds it for this terminal when it can be redeemed."""

    v: int
    code: str


Request = SyncRequest | SaleLookup | BalanceLookup | PointsLookup | CouponLookup


class LookupReply(msgspec.Struct, forbid_unknown_fields=True, tag="lookup"):
    v: int
    found: bool
    # Raw keeps HQ's JSON as sent (msgspec cannot decode `Raw | None`); JSON null when not found.
    body: msgspec.Raw = msgspec.Raw(b"null")


# ---- downlink: signed versions ------------------------------------------------------------------

class CatalogItem(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """omit_defaults: an item without a tax code (or not open-price) encodes as before the field
    existed, so a till that does not know the field still takes it; one with it needs a till that
    does."""

    sku: str
    name_zh: str
    name_en: str
    unit: Literal["each", "kg"]
    price: int
    tax_class: str
    plu: str | None = None
    category: str = ""
    age_restricted: bool = False
    active: bool = True
    gtins: list[str] = []
    tax_code: str = ""   # 19 digits (税收分类编码) or empty: rule TAX_CODE, edge/catalog/products.py
    open_price: bool = False   # 无码商品: the till asks the price (docs/catalog.md)


class PriceItem(msgspec.Struct, forbid_unknown_fields=True):
    sku: str
    price: int
    # None: at once. Otherwise an ISO-8601 instant with offset; the till applies it at that time.
    effective_at: str | None = None


class PromotionItem(msgspec.Struct, forbid_unknown_fields=True):
    promotion_id: str
    body: msgspec.Raw
    active: bool = True


class TransferLine(msgspec.Struct, forbid_unknown_fields=True):
    sku: str
    qty_milli: int


class TransferItem(msgspec.Struct, forbid_unknown_fields=True):
    """A transfer between two stores, created at HQ and sent to both: the sending store ships it
    (a `stock.transfer` out, reference = transfer_id), the receiving store receives it (in)."""

    transfer_id: str
    from_store: str
    to_store: str
    lines: list[TransferLine]
    note: str = ""
    cancelled: bool = False


class OrderLineItem(msgspec.Struct, forbid_unknown_fields=True):
    line: int
    sku: str
    name: str
    qty_milli: int
    unit_price: int


class OrderItem(msgspec.Struct, forbid_unknown_fields=True):
    """An online order for this store to reserve, pick and hand over (edge/orders/)."""

    order_id: str
    channel: str
    pickup_code: str
    lines: list[OrderLineItem]
    slot_end: str
    paid_online: bool
    substitutions: bool = False
    member_id: str | None = None
    cancelled: bool = False


class Document(msgspec.Struct, forbid_unknown_fields=True):
    """One version of one stream for one store: a delta on version-1, or a whole snapshot."""

    v: int
    stream: Literal["catalog", "prices", "promotions", "transfers", "orders"]
    store: str
    version: int
    kind: Literal["delta", "snapshot"]
    created_at: str
    items: msgspec.Raw


class Signed(msgspec.Struct, forbid_unknown_fields=True):
    """The exact document bytes and HQ's Ed25519 signature over them."""

    v: int
    key_id: str
    doc: bytes
    sig: bytes


class Head(msgspec.Struct, forbid_unknown_fields=True):
    """Retained: the latest version of a stream for a store. Only a hint to ask; never applied."""

    v: int
    stream: str
    version: int


class Rollover(msgspec.Struct, forbid_unknown_fields=True, tag="rollover"):
    """Adds `public_pem` (key id `key_id`) to the keys a store pins; signed by a pinned key."""

    v: int
    key_id: str
    public_pem: str
    created_at: str


ITEM_TYPES: dict[str, type] = {
    "catalog": list[CatalogItem],
    "prices": list[PriceItem],
    "promotions": list[PromotionItem],
    "transfers": list[TransferItem],
    "orders": list[OrderItem],
}

encode = msgspec.json.encode
