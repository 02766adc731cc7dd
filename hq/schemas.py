"""The strict schema of every uplink event payload HQ stores, with bounds, and the checks that a
decoded fact is true of the terminal that sent it.

Rule: a payload reaches storage only if every integer fits its column, every timestamp parses,
every text is bounded and free of NUL and C0 control characters, nesting and lists are bounded,
and money adds up; anything else is refused here with a reason, before a single row is written.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

# ---- bounds ---------------------------------------------------------------------------------------

MAX_MESSAGE = 4 * 1024 * 1024  # one uplink message (a batch); the brokers refuse bigger ones
MAX_PAYLOAD = 256 * 1024  # one event payload
MAX_DEPTH = 8  # nesting of a generic payload
MAX_LIST = 2000  # items of any list
MAX_TEXT = 1000  # characters of any text
MAX_MONEY = 10**10  # fen: 100 million yuan, far above any one fact and far below int8
MAX_QTY = 10**9  # thousandths of a unit
MAX_SV_AMOUNT = 500_000  # fen: one stored-value movement, 5,000 yuan (the chain's card rules)
INT8 = 2**63 - 1
INT4 = 2**31 - 1

# A JSON string can hold a control character only as an escape: \uXXXX below U+0020 or U+007F,
# or one of \b \f \n \r \t. Scanned escape by escape from the left, so that "\\n" (an escaped
# backslash, then n) is not taken for a newline; a payload without a backslash has none at all.
_ESCAPE = re.compile(rb'\\(u00[01][0-9a-fA-F]|u007[fF]|[bfnrt])|\\.')

Money = Annotated[int, Meta(ge=0, le=MAX_MONEY)]
Seq = Annotated[int, Meta(ge=1, le=INT8)]
SmallNo = Annotated[int, Meta(ge=1, le=100_000)]  # line and tender numbers (int4 columns)
Qty = Annotated[int, Meta(gt=0, le=MAX_QTY)]
Id = Annotated[str, Meta(min_length=1, max_length=64)]
Text = Annotated[str, Meta(max_length=200)]
Instant = Annotated[datetime, Meta(tz=True)]
SvAmount = Annotated[int, Meta(ge=1, le=MAX_SV_AMOUNT)]


class Strict(msgspec.Struct, forbid_unknown_fields=True):
    pass


# ---- sales ----------------------------------------------------------------------------------------

# The fields of a sale and its lines and tenders are declared in the order a till writes them
# (canonical JSON sorts its keys): msgspec tries the next declared field first, which makes
# the ingest's hottest decode about a tenth cheaper. Keyword-only, so that the order carries no
# meaning for anyone building one.

class SaleLine(Strict, kw_only=True, gc=False):
    discount: Money
    gross: Money
    line_no: SmallNo
    name: Text
    qty_milli: Qty
    sku: Id
    tax: Money
    tax_class: Annotated[str, Meta(max_length=32)]
    tax_rate_bp: Annotated[int, Meta(ge=0, le=10_000)]
    total: Money
    unit: Literal["each", "kg"]
    unit_price: Money


class SaleTender(Strict, kw_only=True, gc=False):
    amount: Money
    approval_code: Annotated[str, Meta(max_length=64)] | None = None
    masked_pan: Annotated[str, Meta(max_length=32)] | None = None
    reference: Annotated[str, Meta(max_length=128)] | None = None
    tender_no: SmallNo
    type: Annotated[str, Meta(min_length=1, max_length=32)]


class ManualDiscount(Strict, gc=False):
    """A discount a cashier gave by hand (edge/sale/manual_discounts.py), with who approved it."""
    line_no: SmallNo | None
    kind: Literal["percent", "amount"]
    value: Annotated[int, Meta(ge=1)]
    amount: Money
    by: Id
    approved_by: Id
    reason: Text = ""


class Sale(Strict, kw_only=True, gc=False):
    change: Money
    closed_at: Instant
    currency: Annotated[str, Meta(pattern=r"^[A-Z]{3}$")]
    discount: Money
    lines: Annotated[tuple[SaleLine, ...], Meta(max_length=MAX_LIST)]
    manual_discounts: Annotated[tuple[ManualDiscount, ...], Meta(max_length=MAX_LIST)] = ()
    opened_at: Instant
    paid: Money
    receipt_no: Seq
    # Cash rounding (抹零, to 0.05): a few fen either way, never more than a yuan.
    rounding: Annotated[int, Meta(gt=-100, lt=100)]
    sale_id: Id
    staff_id: Id
    store_id: Id
    subtotal: Money
    tax: Money
    tenders: Annotated[tuple[SaleTender, ...], Meta(max_length=50)] = ()
    terminal_id: Id
    total: Money


SALE_TYPES = ("sale.completed", "sale.cancelled")


def check_sale(sale: Sale, event_type: str, store: str, terminal: str) -> str | None:
    """The reason a decoded sale cannot be a true fact of this terminal, or None when it can.
    One pass over the lines sums what the checks below need; the checks keep their order,
    so a sale that breaks several rules always gets the same reason."""
    if sale.store_id != store or sale.terminal_id != terminal:
        return f"sale belongs to {sale.store_id}/{sale.terminal_id}, sent by {store}/{terminal}"
    lines = sale.lines
    line_totals = line_taxes = 0
    for ln in lines:
        total = ln.total
        if total != ln.gross - ln.discount:
            return f"line {ln.line_no}: total is not gross - discount"
        line_totals += total
        line_taxes += ln.tax
    if len({ln.line_no for ln in lines}) != len(lines):
        return "line numbers repeat"
    tenders = sale.tenders
    if len(tenders) > 1 and len({t.tender_no for t in tenders}) != len(tenders):
        return "tender numbers repeat"
    if line_totals != sale.subtotal - sale.discount:
        return "line totals do not add up to subtotal - discount"
    if line_taxes != sale.tax:
        return "line taxes do not add up to the sale's tax"
    if sale.closed_at < sale.opened_at:
        return "closed before it was opened"
    if event_type == "sale.completed":
        if not lines:
            return "completed sale has no lines"
        if sale.total <= 0:
            return "a completed sale's total must be positive (returns are their own events)"
        if sum([t.amount for t in tenders]) != sale.paid:
            return "tenders do not add up to paid"
        # Cash rounding (抹零) is recorded apart: the customer paid total + rounding.
        if sale.paid - sale.change != sale.total + sale.rounding:
            return "paid - change differs from total + rounding"
    return None


# ---- returns, stored value, members ----------------------------------------------------------------

class ReturnLine(Strict):
    line_no: SmallNo
    sale_line_no: SmallNo | None
    sku: Id
    qty_milli: Qty
    amount: Money
    tax_rate_bp: Annotated[int, Meta(ge=0, le=10_000)]
    tax: Money


class ReturnTender(Strict):
    type: Annotated[str, Meta(min_length=1, max_length=32)]
    amount: Money
    reference: Annotated[str, Meta(max_length=128)] | None = None


class Return(Strict):
    return_id: Id
    kind: Annotated[str, Meta(min_length=1, max_length=32)]
    original_sale_id: Id | None
    store_id: Id
    terminal_id: Id
    staff_id: Id
    approved_by: Id | None
    reason: Text
    total: Money
    tax: Money
    rounding: Annotated[int, Meta(gt=-100, lt=100)]
    lines: Annotated[list[ReturnLine], Meta(max_length=MAX_LIST)]
    tenders: Annotated[list[ReturnTender], Meta(max_length=50)]


class Topup(Strict):
    card_no: Id
    amount: SvAmount
    tender: Annotated[str, Meta(min_length=1, max_length=32)]
    terminal_id: Id
    staff_id: Id
    offline: bool
    # The shift whose takings hold the money; tills before the ledger do not send it, and HQ
    # flags such a topup as not covered by a shift.
    shift_id: Id | None = None


class Spend(Strict):
    card_no: Id
    amount: SvAmount
    sale_id: Id
    terminal_id: Id
    offline: bool
    lock: bool = False


class Refund(Strict):
    card_no: Id
    amount: SvAmount
    return_id: Id
    sale_id: Id | None
    terminal_id: Id
    offline: bool


class MemberRegistered(Strict):
    member_id: Id
    card_no: Id | None
    phone: Annotated[str, Meta(pattern=r"^1[0-9]{10}$")] | None
    qr_token: Annotated[str, Meta(max_length=128)] | None
    name: Text | None
    tier: Annotated[str, Meta(min_length=1, max_length=32)]


Points = Annotated[int, Meta(ge=0, le=10**9)]


class MemberPoints(Strict):
    """A sale's points for its member (edge/customers/members.py record_sale_points): earned and
    redeemed; `offline` when the till paid points without HQ's hold (its offline allowance)."""

    member_id: Id
    sale_id: Id
    tier: Annotated[str, Meta(min_length=1, max_length=32)]
    eligible_spend: Annotated[int, Meta(ge=-MAX_MONEY, le=MAX_MONEY)]
    earned: Points
    redeemed: Points
    offline: bool = False


class CouponRedeemed(Strict):
    """An HQ coupon (edge/customers/coupons.py) taken as a tender: once across the chain. It
    names no member: the coupon's member is HQ's to know, and may be another store's."""

    code: Annotated[str, Meta(min_length=1, max_length=64)]
    sale_id: Id
    value: Annotated[int, Meta(ge=1, le=MAX_SV_AMOUNT)]
    amount: Annotated[int, Meta(ge=1, le=MAX_SV_AMOUNT)]
    terminal_id: Id
    offline: bool


# ---- payments through a provider ------------------------------------------------------------------

# The providers' own ids: letters, digits, _ - | * (WeChat: 6-32 for out_trade_no and out_refund_no,
# Alipay: up to 64).
ProviderNo = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_\-|*]+$")]


class PaymentRefunded(Strict):
    """A refund to a payment-code payment, confirmed by the provider's refund query."""

    out_refund_no: ProviderNo
    out_trade_no: ProviderNo
    provider: Literal["wechat", "alipay"]
    amount: Annotated[int, Meta(ge=1, le=MAX_MONEY)]
    return_id: Id | None
    sale_id: Id
    store_id: Id
    terminal_id: Id
    refund_id: Annotated[str, Meta(max_length=64)] | None
    refunded_at: Instant


# ---- stock ---------------------------------------------------------------------------------------

SignedQty = Annotated[int, Meta(ge=-MAX_QTY, le=MAX_QTY)]


class StockItem(Strict):
    sku: Id
    qty_milli: SignedQty


class StockMoved(Strict):
    """A supplier receipt (+), a transfer (+ in, − out) or an adjustment (signed, with a reason)."""

    items: Annotated[list[StockItem], Meta(min_length=1, max_length=MAX_LIST)]
    reference: Text
    reason: Text
    staff_id: Id


class CountStarted(Strict):
    count_id: Id
    scope: Literal["full", "category"]
    category: Text | None


class CountedItem(Strict):
    sku: Id
    expected: SignedQty
    counted: Annotated[int, Meta(ge=0, le=MAX_QTY)] | None
    variance: SignedQty


class CountApproved(Strict):
    """An approved count: each counted item's variance is one movement (counted − expected)."""

    count_id: Id
    approved_by: Id
    uncounted: Literal["leave", "zero"]
    items: Annotated[list[CountedItem], Meta(max_length=MAX_LIST)]


STOCK_MOVED_TYPES = ("stock.receipt", "stock.transfer", "stock.adjustment")


# ---- online orders (edge/orders/) -----------------------------------------------------------------

class ReservedLine(Strict):
    line: SmallNo
    sku: Id
    requested: Qty
    reserved: Annotated[int, Meta(ge=0, le=MAX_QTY)]


class OrderReserved(Strict):
    order_id: Id
    result: Literal["reserved", "partial", "declined"]
    lines: Annotated[list[ReservedLine], Meta(min_length=1, max_length=MAX_LIST)]


class PickedLine(Strict):
    line: SmallNo
    sku: Id
    picked_sku: Id
    ordered: Qty
    qty_milli: Annotated[int, Meta(ge=0, le=MAX_QTY)]
    amount: Money
    ordered_amount: Money


class OrderPicked(Strict):
    order_id: Id
    staff_id: Id
    lines: Annotated[list[PickedLine], Meta(min_length=1, max_length=MAX_LIST)]
    difference: Annotated[int, Meta(ge=-MAX_MONEY, le=MAX_MONEY)]


class HandedLine(Strict):
    sku: Id
    qty_milli: Qty


class OrderHandedOver(Strict):
    order_id: Id
    staff_id: Id
    sale_id: Id | None
    paid_online: bool
    lines: Annotated[list[HandedLine], Meta(max_length=MAX_LIST)]


class OrderReleased(Strict):
    order_id: Id
    reason: Literal["expired", "cancelled"]
    lines: Annotated[list[HandedLine], Meta(max_length=MAX_LIST)]


class OrderConflict(Strict):
    """The store sold a unit online orders hold: `short_milli` of `sku` is no longer there."""

    sku: Id
    short_milli: Qty
    reserved_milli: Qty
    sale_id: Id
    orders: Annotated[list[Id], Meta(min_length=1, max_length=MAX_LIST)]


ORDER_TYPES = ("order.reserved", "order.picked", "order.handed_over", "order.released",
               "order.conflict")


# ---- loss prevention (edge/till/session.py; counted by hq/storage/rollups.py) -----------------

class LineVoided(Strict):
    """A line voided from a sale in progress: who, who approved, why, and whether the cashier
    had already asked for the total. The sale may reach HQ after it (or never: a sale lost with
    the till before it took money)."""

    sale_id: Id
    line_no: SmallNo
    sku: Id
    qty_milli: Qty
    total: Money
    staff_id: Id
    approved_by: Id
    after_subtotal: bool
    reason: Text


class PriceOverridden(Strict):
    """A line's price changed by hand (fen, per unit), with who approved it and why."""

    sale_id: Id
    line_no: SmallNo
    sku: Id
    original_price: Money
    price: Money
    staff_id: Id
    approved_by: Id
    reason: Annotated[str, Meta(min_length=1, max_length=200)]


class NoSale(Strict):
    """The cash drawer opened without a sale (a supervisor approves, with a reason)."""

    staff_id: Id
    approved_by: Id
    reason: Annotated[str, Meta(min_length=1, max_length=200)]


class OpenPriceLine(Strict):
    line_no: SmallNo
    sku: Id
    qty_milli: Qty
    unit_price: Annotated[int, Meta(ge=1, le=MAX_MONEY)]   # the price the cashier typed
    total: Money                                             # the line's total after promotions


class OpenPriceSold(Strict):
    """A completed sale's open-price lines (无码商品: the cashier typed the price), sent in the
    sale's own transaction (edge/till/record.py); counted for the cashier who sold them."""

    sale_id: Id
    staff_id: Id
    lines: Annotated[list[OpenPriceLine], Meta(min_length=1, max_length=MAX_LIST)]


class TrainingSale(Strict):
    """A practice sale finished in training mode (edge/till/session.py rule "training"): who
    trained and how big the practice was; by design no amount, sku or sale id."""

    staff_id: Id
    status: Literal["completed", "cancelled"]
    lines: Annotated[int, Meta(ge=0, le=100_000)]
    voided_lines: Annotated[int, Meta(ge=0, le=100_000)]


class KioskAlert(Strict):
    """An attendant alert of a self-checkout lane (its terminal), recorded when it cleared:
    an unexpected weight on the scale or an age check; by whom when staff cleared it. It names
    its lane, which must be the sending terminal (checked with the sender's identity)."""

    terminal_id: Id
    kind: Literal["weight", "age"]
    raised_at: Instant
    cleared_at: Instant
    cleared: Literal["age_approved", "item_removed", "attendant", "lane_closed", "resolved"]
    cleared_by: Id | None
    sale_id: Id | None


LOSS_TYPES = ("line.voided", "price.overridden", "drawer.no_sale", "open_price.sold",
              "training.sale", "kiosk.alert")


TYPED: dict[str, type[Strict]] = {
    "return.completed": Return,
    "stored_value.topup": Topup,
    "stored_value.spend": Spend,
    "stored_value.refund": Refund,
    "member.registered": MemberRegistered,
    "member.points": MemberPoints,
    "coupon.redeemed": CouponRedeemed,
    "payment.refunded": PaymentRefunded,
    "stock.receipt": StockMoved,
    "stock.transfer": StockMoved,
    "stock.adjustment": StockMoved,
    "stock.count_started": CountStarted,
    "stock.count_approved": CountApproved,
    "order.reserved": OrderReserved,
    "order.picked": OrderPicked,
    "order.handed_over": OrderHandedOver,
    "order.released": OrderReleased,
    "order.conflict": OrderConflict,
    "line.voided": LineVoided,
    "price.overridden": PriceOverridden,
    "drawer.no_sale": NoSale,
    "open_price.sold": OpenPriceSold,
    "training.sale": TrainingSale,
    "kiosk.alert": KioskAlert,
}
SV_TYPES = ("stored_value.topup", "stored_value.spend", "stored_value.refund")
LOYALTY_TYPES = ("member.points", "coupon.redeemed")
# Types HQ keeps with the generic bounds below (no schema of their own yet).
GENERIC_TYPES = ("shift.opened", "shift.closed", "shift.z_report",
                 "cash.cash_in", "cash.cash_out", "cash.pickup")
# Every event type the ingest accepts; any other is refused. Each needs its row in
# hq/ownership.py OWNERSHIP, or the ingest does not start.
ACCEPTED_TYPES = (*SALE_TYPES, *TYPED, *GENERIC_TYPES)
_ACCEPTED = frozenset(ACCEPTED_TYPES)
_decoders = {t: msgspec.json.Decoder(cls) for t, cls in TYPED.items()}
_sale_decoder = msgspec.json.Decoder(Sale)
_any_decoder = msgspec.json.Decoder(dict[str, Any])


def decode_payload(event_type: str, payload: bytes, store: str, terminal: str
                   ) -> tuple[Any, str | None]:
    """(the decoded fact or None, the reason it is refused or None)."""
    if event_type not in _ACCEPTED:
        return None, f"unknown event type {event_type[:64]!r}"
    if len(payload) > MAX_PAYLOAD:
        return None, f"payload of {len(payload)} bytes exceeds {MAX_PAYLOAD}"
    if b"\\" in payload and has_control(payload):
        return None, "a text holds NUL or a control character"
    try:
        if event_type in SALE_TYPES:
            sale = _sale_decoder.decode(payload)
            return sale, check_sale(sale, event_type, store, terminal)
        decoder = _decoders.get(event_type)
        if decoder is not None:
            fact = decoder.decode(payload)
            return fact, _check_identity(fact, store, terminal)
        body = _any_decoder.decode(payload)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError) as exc:
        return None, f"invalid {event_type}: {str(exc)[:200]}"
    reason = _check_generic(body, 1)
    if reason is None:
        reason = _check_identity_fields(body.get("store_id"), body.get("terminal_id"),
                                        store, terminal)
    return None, reason


def has_control(payload: bytes) -> bool:
    """Whether a JSON text holds NUL or another control character in a string."""
    return any(m.group(1) for m in _ESCAPE.finditer(payload))


def _check_identity(fact: Strict, store: str, terminal: str) -> str | None:
    return _check_identity_fields(getattr(fact, "store_id", None),
                                  getattr(fact, "terminal_id", None), store, terminal)


def _check_identity_fields(store_id: object, terminal_id: object, store: str,
                           terminal: str) -> str | None:
    if store_id is not None and store_id != store:
        return f"event names store {str(store_id)[:64]!r}, sent by {store}/{terminal}"
    if terminal_id is not None and terminal_id != terminal:
        return f"event names terminal {str(terminal_id)[:64]!r}, sent by {store}/{terminal}"
    return None


def _check_generic(value: Any, depth: int) -> str | None:
    """Bounds on an event type without its own schema: depth, list length, text, integers."""
    if depth > MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH}"
    if isinstance(value, dict):
        for key, item in value.items():
            if len(key) > 64:
                return "a key is longer than 64 characters"
            reason = _check_generic(item, depth + 1)
            if reason:
                return reason
    elif isinstance(value, list):
        if len(value) > MAX_LIST:
            return f"a list of {len(value)} items exceeds {MAX_LIST}"
        for item in value:
            reason = _check_generic(item, depth + 1)
            if reason:
                return reason
    elif isinstance(value, str):
        if len(value) > MAX_TEXT:
            return f"a text of {len(value)} characters exceeds {MAX_TEXT}"
        if not _encodable(value):
            return "a text holds an unpaired surrogate"
    elif isinstance(value, int) and not isinstance(value, bool):
        if not -INT8 - 1 <= value <= INT8:
            return "an integer does not fit 64 bits"
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return "a number is not finite"
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# ---- personal data --------------------------------------------------------------------------------

def mask_phone(phone: str | None) -> str | None:
    """138****5678: enough for a cashier to confirm a member, useless to a list-builder."""
    if not phone:
        return phone
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:]


def redacted(event_type: str, fact: Any, payload: bytes) -> bytes:
    """The payload as HQ keeps it: a member's phone masked and name dropped (see docs/security.md)."""
    if event_type != "member.registered":
        return payload
    if not isinstance(fact, MemberRegistered):
        return b'{"withheld":"a refused member.registered keeps no personal data"}'
    return msgspec.json.encode(msgspec.structs.replace(
        fact, phone=mask_phone(fact.phone), name=None))
