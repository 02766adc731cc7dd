"""A till session: who is logged in, the sale in progress, and every action a cashier can take.
Both the Qt till and the headless JSON-lines till drive this one class.

Rule: an action that fails raises TillError and leaves the session exactly as it was. An action
that writes works on a copy of the sale and puts it in place only after its transaction
committed, so a full disk or any storage error (`storage_full`, `storage_error`) changes nothing
and the same action simply works again once the cause is gone. Every check happens before the
first change.

Rule (accountable voids): every voided line is journaled when it is voided (who, who approved,
why) and kept with the sale's fact; in the same transaction a `line.voided` fact goes to HQ,
as do `price.overridden` and `drawer.no_sale` with their journal entries (loss prevention at
HQ counts them; never in training); `till.void_approval` says when a supervisor approves (none,
after the subtotal, always), and always once the sale has taken a payment (the payment stays,
what is due changes); a sale left with lines or voids is never dropped: logging out cancels it
as a fact, and a cancel above `till.cancel_approval_above` needs a supervisor.

Rule (training): a login in training mode sells as usual but records no sale as a fact: no
sale, no stock movement, no receipt number, and none of the sale's events (sale, void, price
override, open price, no-sale, points, stored value); each finished training sale is one
`training.sale` journal entry and, in the same transaction, one `training.sale` outbox event
that carries who trained, the practice sale's status and its line counts, and never an amount,
a sku or a sale id: HQ sees that training was used and by whom (loss prevention), and nothing
of it can change HQ's money or stock. Store operations and suspending are refused in training,
so nothing a trainee does can reach stock or reports.

Rule (kiosk alerts): an attendant alert a kiosk lane raised for an unexpected weight or an age
check is one `kiosk.alert` fact when it clears (`lane_alert`): its kind, when it was raised and
cleared, how, and by whom when staff cleared it; written with its journal entry in one
transaction, and journaled only in training.

Rule (approvals): a wrong supervisor PIN typed at this till never locks the supervisor (only
their own logins count towards a lockout); instead the till waits longer after each one. A right
PIN counts as a success (it clears the till's wait and the supervisor's own failed logins) only
once the action it approved succeeded (`_approval_counts_on_success`; a caller of `authorize`
settles with `settle_approvals`): a refused action writes nothing, its approval included.

Rule (payment codes, edge/till/mobile_payment.py): while a provider attempt may still complete
the sale, every other action is refused (`payment_pending`); a sale takes a payment-code payment
only on the provider's SUCCESS; starting never waits on a provider.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from edge.catalog import products as catalog
from edge.catalog.barcodes import BarcodeError, Scan, interpret
from edge.catalog.products import Product
from edge.config import StoreConfig
from edge.customers import members
from edge.customers.account_tenders import check_account_tender
from edge.customers.coupons import HqLookups, parse_code
from edge.customers.member_codes import member_code, member_code_ranges
from edge.ledger.clock import utc_now_iso
from edge.ledger.journal import append_entry
from edge.ledger.money import (
    QTY_SCALE,
    MoneyError,
    div_half_up,
    format_quantity,
    parse_quantity,
)
from edge.ledger.outbox import append_event
from edge.ledger.store import free_bytes, storage_failure, write_transaction
from edge.ops_error import OpsError
from edge.orders.reservations import ReservedStock, reserved_conflict
from edge.orders.settings import orders_settings
from edge.payments.steps import Steps, run_steps
from edge.safe_text import device_text
from edge.sale.basket import Line, PriceOverride, Sale, reprice
from edge.sale.card_numbers import contains_full_pan
from edge.sale.manual_discounts import (
    KINDS,
    LINE_DISCOUNT_ID,
    ORDER_DISCOUNT_ID,
    ManualDiscount,
    percent_of,
)
from edge.sale.pricing import NoPromotions, PricedLine, PricingContext, PromotionEngine
from edge.sale.tenders import TENDER_TYPES, TenderError, apply_tender
from edge.staff import StaffError, StaffMember, authenticate, clear_failed_logins
from edge.store_ops import stock
from edge.store_ops.shifts import current_shift
from edge.till.mobile_payment import MobilePayments, Outcome, PaymentRefused
from edge.till.reasons import check_reasons
from edge.till.record import load_draft, record_sale, save_draft
from edge.till.settings import till_settings

# After this many wrong supervisor PINs in a row, each further attempt waits: 1 s, 2 s, 4 s ...
FREE_OVERRIDE_FAILURES = 2
MAX_OVERRIDE_WAIT_S = 60.0
MB = 1024 * 1024


class TillError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class PriceRequired(TillError):
    """An open-price item was added without its price; carries the product, so a screen can ask
    for the price showing the item's name and category."""

    def __init__(self, product: Product) -> None:
        super().__init__("price_required", f"{product.sku} is an open-price item: type its price")
        self.product = product


Override = dict[str, Any] | None
_P = ParamSpec("_P")
_R = TypeVar("_R")


def _approval_counts_on_success(
        action: Callable[Concatenate[Till, _P], _R]) -> Callable[Concatenate[Till, _P], _R]:
    """Rule (approvals): the approvals `action` used count only when it returns."""
    @functools.wraps(action)
    def run(till: Till, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        outer = not till._in_action
        if outer:
            till._pending_approvers.clear()   # one left by an `authorize` nobody settled
            till._in_action = True
        try:
            result = action(till, *args, **kwargs)
        except BaseException:
            if outer:
                till.settle_approvals(False)
            raise
        finally:
            if outer:
                till._in_action = False
        if outer:
            till.settle_approvals(True)
        return result
    return run


class Till:
    def __init__(self, conn: sqlite3.Connection, config: StoreConfig,
                 engine: PromotionEngine | None = None,
                 clock: Callable[[], datetime] = datetime.now,
                 free_space: Callable[[], int] | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 payments: MobilePayments | None = None, lane: str | None = None,
                 hq: HqLookups | None = None) -> None:
        """`lane` is "till" for a staffed till (`pos till`: it sells inside an open shift unless
        `[till] require_shift = false`), "kiosk" for a self-checkout lane (no shift unless set
        true); None (a library use) follows only the setting. `hq`: HQ's points and coupons
        look-ups (cloud_sync.lookup.HqLookups); None: the till's own rules only."""
        self.conn = conn
        self.hq = hq  # HQ's points and coupons (cloud_sync.lookup.HqLookups); None: local rules
        self.config = config
        self.settings = till_settings(config)
        self.require_shift = (self.settings.require_shift if self.settings.require_shift
                              is not None else lane == "till")
        check_reasons(config)
        member_code_ranges(config)  # a bad [[member_codes]] refuses the start, not a scan
        self._subtotalled: str | None = None   # the id of the sale the cashier subtotalled
        self.engine = engine or NoPromotions()
        self.clock = clock
        self.free_space = free_space or _free_space_of(conn)
        self.monotonic = monotonic
        self.staff: StaffMember | None = None
        self.sale: Sale | None = load_draft(conn, config.terminal_id)
        self.last_sale: Sale | None = None
        self._override_failures = 0
        self._override_wait_until = 0.0
        self._pending_approvers: list[str] = []
        self._in_action = False
        self.training = False
        self.payments = payments
        self.orders = orders_settings(config)
        # Warnings for the cashier from the last action (a sale taking stock an online order
        # holds); the UI shows them and clears them with `take_notices`.
        self.notices: list[ReservedStock] = []
        if payments is not None:  # attempts a crash left open go to the background, unasked
            with self._storage():
                payments.hand_over_at_start()
            # the basket stays (in memory, like any basket without money taken)
            self.sale = load_draft(conn, config.terminal_id) or self.sale

    # --- staff -------------------------------------------------------------------------------

    def login(self, staff_id: object, pin: object, training: object = False) -> StaffMember:
        """Log in; `training` makes every sale of this login a practice sale (see the rule)."""
        if not isinstance(training, bool):
            raise TillError("bad_request", "training must be true or false")
        if training and self.sale is not None and self.sale.tenders:
            raise TillError("sale_open", "a paid sale is waiting: finish it before training")
        try:
            self.staff = authenticate(self.conn, staff_id, pin)
        except StaffError as exc:
            raise TillError(exc.code, str(exc)) from None
        self.training = training
        return self.staff

    def logout(self) -> None:
        """Log out; a sale left open is cancelled as a fact (never dropped), which needs the
        same approval as a cancel, and one that has taken money cannot be left at all."""
        self._require_staff()
        sale = self.sale
        if sale is not None and (sale.lines or sale.voided_lines):
            if sale.tenders:
                raise TillError("has_tenders", "payments were taken: finish the sale first")
            if sale.value_at_stake > self.settings.cancel_approval_above and \
                    not self.staff.may("cancel_sale"):  # type: ignore[union-attr]
                raise TillError("sale_open", "finish or suspend the sale, or cancel it with a "
                                             "supervisor, before logging out")
            cancelled = sale.copy()
            cancelled.status = "cancelled"
            self._record(cancelled)
            self.last_sale = cancelled
        self.staff = None
        self.sale = None
        self.training = False

    # --- building the basket -----------------------------------------------------------------

    @_approval_counts_on_success
    def scan(self, data: object, weight: object = None, qty: object = None,
             price: int | None = None, override: Override = None, tare: object = None) -> Sale:
        """Add what `data` (a scanned or typed code) names; `qty` (pieces, from the cashier's
        `3*` prefix) applies to items sold by the piece only; `price` (fen) is the typed price of
        an open-price item (`price_required` without it); `tare` (kg, like `weight`) is taken
        off a weighed item's weight. A member's card or QR (edge/customers/member_codes.py)
        attaches the member instead."""
        self._require_staff()
        if not isinstance(data, str):
            raise TillError("bad_request", "scan data must be a string")
        token = member_code(data, self.config)
        if token is not None:
            if weight is not None or qty is not None or price is not None or tare is not None:
                raise TillError("bad_request", "a member code takes no weight, qty, price or tare")
            return self.identify_member(token)
        try:
            scan = interpret(data, self.config)
        except BarcodeError as exc:
            if exc.code == "payment_code" and self.payments is not None and self.sale is not None \
                    and self.sale.lines:
                return self.pay_code(data)
            raise TillError(exc.code, str(exc)) from None
        product = (catalog.by_gtin(self.conn, scan.key) if scan.kind == "gtin"
                   else catalog.by_plu(self.conn, scan.key))
        if product is None:
            raise TillError("unknown_product", f"no product for barcode {data.strip()[:40]}")
        quantity, fixed_gross = self._scan_quantity(product, scan, weight)
        if tare is not None:
            if product.unit != "kg" or weight is None:
                raise TillError("bad_request", "a tare applies to an item weighed at the till")
            quantity = self._net_weight(quantity, tare)
        if qty is not None:
            if product.unit != "each" or fixed_gross is not None:
                raise TillError("invalid_quantity", "a quantity applies to items sold by the "
                                                    "piece, not to weighed or price-labelled ones")
            quantity = self._quantity(qty, "each")
        return self._add_product(product, quantity, fixed_gross, price, override)

    @_approval_counts_on_success
    def add(self, sku: object = None, plu: object = None, qty: object = "1",
            price: int | None = None, override: Override = None, tare: object = None) -> Sale:
        """Add a product by SKU or PLU; for a weighed one `qty` is the scale's weight (kg) and
        `tare` (kg) the container's, taken off it."""
        self._require_staff()
        if (sku is None) == (plu is None) or not isinstance(sku or plu, str):
            raise TillError("bad_request", "give exactly one of sku or plu, as a string")
        product = (catalog.by_sku(self.conn, sku) if isinstance(sku, str)
                   else catalog.by_plu(self.conn, str(plu)))
        if product is None:
            raise TillError("unknown_product", f"no product {sku or plu}")
        quantity = self._quantity(qty, product.unit)
        if tare is not None:
            if product.unit != "kg":
                raise TillError("bad_request", "a tare applies to weighed items only")
            quantity = self._net_weight(quantity, tare)
        return self._add_product(product, quantity, None, price, override)

    def price_check(self, data: object) -> dict[str, Any]:
        """What a scanned or typed code (or a PLU) costs, without adding it: the product, its
        price, the promotions that apply to one (and to three, for multi-buys) now with the
        sale's member tier, and the stock on hand. Changes nothing."""
        self._require_staff()
        if not isinstance(data, str):
            raise TillError("bad_request", "scan data must be a string")
        text = data.strip()
        if text.isascii() and text.isdigit() and len(text) <= 5:
            product = catalog.by_plu(self.conn, text)
        else:
            try:
                scan = interpret(text, self.config)
            except BarcodeError as exc:
                raise TillError(exc.code, str(exc)) from None
            product = (catalog.by_gtin(self.conn, scan.key) if scan.kind == "gtin"
                       else catalog.by_plu(self.conn, scan.key))
        if product is None:
            raise TillError("unknown_product", f"no product for code {text[:40]}")
        tier = self.sale.member_tier if self.sale is not None else None
        promotions: dict[str, dict[str, Any]] = {}
        for pieces in (1, 3):
            qty = QTY_SCALE * pieces
            gross = div_half_up(product.price * qty, QTY_SCALE)
            probe = PricedLine(1, product.sku, product.category, product.unit, qty,
                               product.price, gross)
            context = PricingContext(self.clock(), self.config.store_id, tier,
                                     frozenset(self.sale.coupons) if self.sale else frozenset())
            for found in self.engine.apply([probe], context):
                promotions.setdefault(found.promotion_id, {
                    "id": found.promotion_id, "reason": found.reason, "qty_milli": qty,
                    "amount": found.amount})
        return {"sku": product.sku, "name_zh": product.name_zh, "name_en": product.name_en,
                "unit": product.unit, "price": product.price, "active": product.active,
                "promotions": list(promotions.values()),
                "on_hand_milli": stock.on_hand(self.conn, product.sku)}

    def identify_member(self, token: object) -> Sale:
        """Attach the member whose card number, phone or QR is `token` (opening a sale)."""
        self._require_staff()
        try:
            found = members.identify(self.conn, token)
        except OpsError as exc:
            raise TillError(exc.code, str(exc)) from None
        return self.set_member(found.id, found.tier)

    def subtotal(self) -> Sale:
        """The cashier asks for the total (Pay): from here a void needs what
        `till.void_approval` says (after_subtotal: a supervisor)."""
        sale = self._require_open_sale()
        if not sale.lines:
            raise TillError("empty_sale", "nothing to pay for")
        self._subtotalled = sale.id
        return sale

    @_approval_counts_on_success
    def set_qty(self, line_no: object, qty: object, override: Override = None) -> Sale:
        sale = self._require_open_sale()
        line = self._line(sale, line_no)
        if line.fixed_gross is not None:
            raise TillError("bad_request", "a price-labelled item's quantity comes from its label")
        new_qty = self._quantity(qty, line.unit)
        if sale.totalled:
            self._authorize("void_after_total", override)
        old = line.qty_milli
        line.qty_milli = new_qty
        self._reprice(sale)
        if sale.totalled and sale.total + sale.rounding < sale.paid - sale.change:
            line.qty_milli = old
            self._reprice(sale)
            raise TillError("would_refund", "the sale would then cost less than already paid")
        if _discounted_to_nothing(sale):
            line.qty_milli = old
            self._reprice(sale)
            raise _nothing_left()
        return sale

    @_approval_counts_on_success
    def void_line(self, line_no: object, override: Override = None,
                  reason: object = None) -> Sale:
        """Void a line, journaled with who approved it and the cashier's `reason` (from the
        store's list, edge/till/reasons.py). `till.void_approval` says when a supervisor
        approves; once a payment was taken always (the payment stays, what is due changes)."""
        current = self._require_open_sale()
        self._line(current, line_no)
        if reason is not None and (not isinstance(reason, str) or len(reason) > 200):
            raise TillError("bad_request", "reason must be a string of at most 200 characters")
        self._refuse_card_number("reason", reason)
        approver = (self._authorize("void_after_total", override)
                    if self._void_needs_supervisor(current) else self.staff)
        assert approver is not None and self.staff is not None
        sale = current.copy()
        line = self._line(sale, line_no)
        sale.lines.remove(line)
        self._reprice(sale)
        if sale.totalled and sale.total + sale.rounding < sale.paid - sale.change:
            raise TillError("would_refund", "the sale would then cost less than already paid")
        if _discounted_to_nothing(sale):
            raise _nothing_left()
        sale.voided_lines.append(line)
        after_subtotal = self._void_after_subtotal(current)
        with self._storage(), write_transaction(self.conn):
            append_entry(self.conn, "line.voided", self.staff.id,
                         {"sale_id": sale.id, "line": line.line_no, "sku": line.sku,
                          "qty_milli": line.qty_milli, "total": line.total,
                          "approved_by": approver.id, "reason": (reason or "").strip()})
            # The fact HQ's loss prevention counts (rule "training"); its text without control
            # characters, which HQ refuses (edge/safe_text.py).
            if not self.training:
                append_event(self.conn, "line.voided", {
                    "sale_id": sale.id, "line_no": line.line_no, "sku": line.sku,
                    "qty_milli": line.qty_milli, "total": line.total, "staff_id": self.staff.id,
                    "approved_by": approver.id, "after_subtotal": after_subtotal,
                    "reason": device_text((reason or "").strip())})
            if sale.tenders and not self.training:
                save_draft(self.conn, sale, in_transaction=True)
        self.sale = sale
        return sale

    def _void_needs_supervisor(self, sale: Sale) -> bool:
        mode = self.settings.void_approval
        return (sale.totalled or mode == "always"
                or (mode == "after_subtotal" and self._subtotalled == sale.id))

    def _void_after_subtotal(self, sale: Sale) -> bool:
        """Whether the cashier had asked for the total (or payment had started) before voiding."""
        return sale.totalled or self._subtotalled == sale.id

    @_approval_counts_on_success
    def override_price(self, line_no: object, price: int, reason: object,
                       override: Override = None) -> Sale:
        sale = self._require_open_sale()
        line = self._line(sale, line_no)
        if not isinstance(reason, str) or not reason.strip():
            raise TillError("bad_request", "a price override needs a reason")
        if sale.totalled:
            raise TillError("sale_totalled", "prices cannot change once payment has started")
        if not isinstance(price, int) or isinstance(price, bool) or not 0 <= price <= 99_999_999:
            raise TillError("invalid_amount", "a price is a whole number of fen from 0")
        self._refuse_card_number("reason", reason)
        approver = self._authorize("price_override", override)
        assert self.staff is not None
        sale = sale.copy()
        line = self._line(sale, line_no)
        original = line.override.original_price if line.override else line.unit_price
        line.override = PriceOverride(original, self.staff.id, approver.id, reason.strip()[:200])
        line.unit_price = price
        line.fixed_gross = None
        self._reprice(sale)
        self._journal_override("price_override", approver,
                               {"sale_id": sale.id, "line": line.line_no, "sku": line.sku,
                                "from": original, "to": price, "reason": reason.strip()[:200]},
                               ("price.overridden", {
                                   "sale_id": sale.id, "line_no": line.line_no, "sku": line.sku,
                                   "original_price": original, "price": price,
                                   "staff_id": self.staff.id, "approved_by": approver.id,
                                   "reason": device_text(reason.strip()[:200]) or "-"}))
        self.sale = sale
        return sale

    @_approval_counts_on_success
    def discount_line(self, line_no: object, kind: object, value: object, reason: object = "",
                      override: Override = None) -> Sale:
        """A manual discount on one line (`kind` percent: whole percent; amount: fen), replacing
        the line's earlier one; 0 removes it. Above the cashier's role limit a supervisor approves.
        """
        current = self._require_open_sale()
        self._line(current, line_no)
        sale = current.copy()
        line = self._line(sale, line_no)
        base = line.gross - sum(d.amount for d in line.discounts
                                if d.promotion_id not in (LINE_DISCOUNT_ID, ORDER_DISCOUNT_ID))
        given = self._manual_discount(kind, value, reason, override, base, f"line {line_no}")
        line.manual_discount = given[0] if given else None
        return self._put_discount(sale, given, {"line": line.line_no, "sku": line.sku},
                                  "line_discount")

    @_approval_counts_on_success
    def discount_order(self, kind: object, value: object, reason: object = "",
                       override: Override = None) -> Sale:
        """A manual discount on the whole order, after promotions and line discounts, spread
        over the lines; 0 removes it. Role limits as for discount_line."""
        current = self._require_open_sale()
        sale = current.copy()
        sale.order_discount = None
        self._reprice(sale)
        given = self._manual_discount(kind, value, reason, override,
                                      sum(ln.total for ln in sale.lines), "the order")
        sale.order_discount = given[0] if given else None
        return self._put_discount(sale, given, {}, "order_discount")

    def _manual_discount(self, kind: object, value: object, reason: object, override: Override,
                         base: int, what: str) -> tuple[ManualDiscount, StaffMember] | None:
        """Every check of a manual discount, before anything changes: the discount and who
        approved it, or None to remove one (taking a discount away needs no approval)."""
        assert self.staff is not None and self.sale is not None
        if self.sale.totalled:
            raise TillError("sale_totalled", "prices cannot change once payment has started")
        if kind not in KINDS:
            raise TillError("bad_request", "kind must be percent or amount")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise TillError("bad_request", "a discount is a whole number >= 0 (percent or fen)")
        reason = "" if reason is None else reason
        if not isinstance(reason, str):
            raise TillError("bad_request", "reason must be a string")
        self._refuse_card_number("reason", reason)
        if value == 0:
            return None
        if kind == "percent" and value > 100:
            raise TillError("discount_too_large", "a discount is at most 100 percent")
        if kind == "amount" and value > base:
            raise TillError("discount_too_large", f"the discount is more than {what} costs")
        percent = value if kind == "percent" else percent_of(value, base)
        approver = self._authorize(
            "discount", override,
            lambda member: self.settings.discount_limit(member.role) >= percent)
        return (ManualDiscount(str(kind), value, self.staff.id, approver.id, reason.strip()[:100]),
                approver)

    def _put_discount(self, sale: Sale, given: tuple[ManualDiscount, StaffMember] | None,
                      body: dict[str, Any], action: str) -> Sale:
        self._reprice(sale)
        if _discounted_to_nothing(sale):
            raise _nothing_left()
        if given is not None:
            discount, approver = given
            self._journal_override(action, approver,
                                   {"sale_id": sale.id, **body, "kind": discount.kind,
                                    "value": discount.value, "reason": discount.reason})
        self.sale = sale
        return sale

    def confirm_age(self) -> Sale:
        sale = self._require_open_sale()
        assert self.staff is not None
        sale.age_confirmed_by = self.staff.id
        return sale

    # --- paying and finishing ----------------------------------------------------------------

    def tender(self, type_name: object, amount: int, reference: object = None,
               approval_code: object = None, masked_pan: object = None) -> Sale:
        current = self._require_open_sale()
        if not current.lines:
            raise TillError("empty_sale", "nothing to pay for")
        if current.needs_age_check():
            raise TillError("age_check_required", "confirm the customer's age first")
        for name, value in (("type", type_name), ("reference", reference),
                            ("approval_code", approval_code), ("masked_pan", masked_pan)):
            if value is not None and not isinstance(value, str):
                raise TillError("bad_request", f"{name} must be a string")
        self._refuse_card_number("reference", reference)
        self._refuse_card_number("approval_code", approval_code)
        if type_name == "mobile" and self.payments is not None:
            raise TillError("use_payment_code", "a mobile payment is taken by scanning the "
                                                "customer's payment code, never typed in")
        kind = TENDER_TYPES.get(str(type_name))
        sale = current.copy()
        try:
            if kind is not None and kind.needs_account:
                reference, approval_code = check_account_tender(
                    self.conn, self.config, sale, kind.name, amount, reference,  # type: ignore[arg-type]
                    None if self.training else self.hq, self.clock().date())
            paid_in_full = apply_tender(sale, str(type_name), amount, self.config.cash_rounding,
                                        reference, approval_code, masked_pan)  # type: ignore[arg-type]
        except TenderError as exc:
            raise TillError(exc.code, str(exc)) from None
        if paid_in_full:
            sale.status = "completed"
            self._finish(sale)
        else:
            if not self.training:  # a practice payment is nothing a crash must remember
                with self._storage():
                    save_draft(self.conn, sale)
            self.sale = sale
        return sale

    # --- payment codes (the flow: edge/till/mobile_payment.py) --------------------------------

    def pay_code(self, code: object, amount: int | None = None, wait: bool = True) -> Sale:
        return self._run_payment(self.pay_code_steps(code, amount, wait))

    def payment_poll(self, wait: bool = False) -> Sale:
        return self._run_payment(self.payment_poll_steps(wait))

    def payment_cancel(self) -> Sale:
        return self._run_payment(self.payment_cancel_steps())

    # The *_steps forms yield each provider request instead of sending it (edge/payments/steps.py):
    # the Qt apps send it on a worker thread while every SQLite statement stays on theirs.

    def pay_code_steps(self, code: object, amount: int | None = None,
                       wait: bool = True) -> Steps[Sale]:
        """Charge what is due (or `amount`) to a customer's payment code; with `wait`, return
        only once the attempt is final (paid, or a TillError saying why not)."""
        current = self._require_open_sale()
        assert self.staff is not None
        self.refuse_in_training("charging a customer's payment code")  # real money, real fact
        if not isinstance(code, str):
            raise TillError("bad_request", "code must be a string")
        if not current.lines:
            raise TillError("empty_sale", "nothing to pay for")
        if current.needs_age_check():
            raise TillError("age_check_required", "confirm the customer's age first")
        staff_id = self.staff.id
        return (yield from self._payment(
            lambda p: p.start_steps(current.copy(), code, amount, staff_id, wait)))

    def payment_poll_steps(self, wait: bool = False) -> Steps[Sale]:
        return (yield from self._payment(lambda p: p.poll_steps(wait)))

    def payment_cancel_steps(self) -> Steps[Sale]:
        return (yield from self._payment(lambda p: p.cancel_steps()))

    def _run_payment(self, steps: Steps[Sale]) -> Sale:
        sleep = self.payments.flow.sleep if self.payments is not None else time.sleep
        return run_steps(steps, sleep)

    def _payment(self, action: Callable[[MobilePayments], Steps[Outcome]]) -> Steps[Sale]:
        if self.staff is None:
            raise TillError("not_logged_in", "log in first")
        if self.payments is None:
            raise TillError("payment_not_configured", "this till takes no payment codes "
                                                      "([payments] in store.toml)")
        if self.sale is None:
            raise TillError("no_open_sale", "no sale is open")
        try:
            with self._storage():
                outcome = yield from action(self.payments)
        except PaymentRefused as exc:
            raise TillError(exc.code, exc.message) from None
        if outcome.sale is not None and outcome.sale.status == "completed":
            self.last_sale, self.sale = outcome.sale, None
            return outcome.sale
        if outcome.sale is not None:
            self.sale = outcome.sale
        if outcome.error is not None:
            raise TillError(*outcome.error)
        assert self.sale is not None
        return self.sale

    @_approval_counts_on_success
    def cancel(self, override: Override = None) -> Sale:
        current = self._require_open_sale()
        if current.tenders:
            raise TillError("has_tenders", "payments were taken: refund them before cancelling")
        approver = (self._authorize("cancel_sale", override)
                    if current.value_at_stake > self.settings.cancel_approval_above else self.staff)
        assert approver is not None
        sale = current.copy()
        sale.status = "cancelled"
        self._finish(sale)
        if approver is not self.staff:
            self._journal_override("cancel_sale", approver, {"sale_id": sale.id})
        return sale

    def set_member(self, member_id: str | None, tier: str | None) -> Sale:
        """Attach a member (or detach with None) to the sale, opening one if needed; tier prices
        follow at once."""
        self._require_staff()
        if self.sale is not None and self.sale.totalled:
            raise TillError("sale_totalled", "payment has started: the member cannot change")
        sale = self._open_sale()
        sale.member_id = member_id
        sale.member_tier = tier if member_id is not None else None
        self._reprice(sale)
        return sale

    def add_coupon(self, code: object) -> Sale:
        """A promotion's coupon code (it unlocks the promotion), or an HQ member coupon: that one
        pays (tender `coupon`) its value, or what is due if less (edge/customers/coupons.py)."""
        sale = self._require_open_sale()
        if not isinstance(code, str) or not code.strip() or len(code) > 64:
            raise TillError("bad_request", "coupon must be a code of 1 to 64 characters")
        member_coupon = parse_code(code)
        if member_coupon is not None:
            self.refuse_in_training("an HQ coupon")
            return self.tender("coupon", min(member_coupon.value, sale.remaining),
                               member_coupon.code)
        if sale.totalled:
            raise TillError("sale_totalled", "payment has started: no more coupons")
        if code.strip() not in sale.coupons:
            sale.coupons.append(code.strip())
        self._reprice(sale)
        return sale

    def suspend(self) -> Sale:
        sale = self._require_open_sale()
        if not sale.lines:
            raise TillError("empty_sale", "nothing to suspend")
        if sale.tenders:
            raise TillError("has_tenders", "a sale with payments cannot be suspended")
        self.refuse_in_training("suspending")
        assert self.staff is not None
        sale = sale.copy()
        sale.status = "suspended"
        with self._storage(), write_transaction(self.conn):
            self.conn.execute("INSERT INTO suspended_sale (id, suspended_at, staff_id, body)"
                              " VALUES (?, ?, ?, ?)", (sale.id, utc_now_iso(), self.staff.id,
                                                       json.dumps(sale.to_dict(), ensure_ascii=False)))
            append_entry(self.conn, "sale.suspended", self.staff.id,
                         {"sale_id": sale.id, "lines": len(sale.lines), "total": sale.total})
            self.conn.execute("DELETE FROM open_sale WHERE terminal_id = ?", (sale.terminal_id,))
        self.sale = None
        return sale

    def resume(self, sale_id: object) -> Sale:
        self._require_staff()
        assert self.staff is not None
        if self.sale and self.sale.lines:
            raise TillError("sale_open", "finish or suspend the current sale first")
        if not isinstance(sale_id, str):
            raise TillError("bad_request", "id must be a string")
        with self._storage(), write_transaction(self.conn):
            row = self.conn.execute("DELETE FROM suspended_sale WHERE id = ? RETURNING body",
                                    (sale_id,)).fetchone()
            if row is None:
                raise TillError("not_found", f"no suspended sale {sale_id}")
            append_entry(self.conn, "sale.resumed", self.staff.id, {"sale_id": sale_id})
        sale = Sale.from_dict(json.loads(row[0]))
        sale.status = "open"
        sale.staff_id = self.staff.id
        sale.terminal_id = self.config.terminal_id
        self._reprice(sale)
        self.sale = sale
        return sale

    def suspended(self) -> list[dict[str, Any]]:
        """The suspended sales, oldest first, with what a cashier needs to pick the right one:
        when, by whom, how many pieces and the total (fen)."""
        out = []
        for sale_id, at, staff_id, body in self.conn.execute(
                "SELECT id, suspended_at, staff_id, body FROM suspended_sale ORDER BY suspended_at"):
            sale = json.loads(body)
            pieces = sum(ln["qty_milli"] // 1000 if ln["unit"] == "each" else 1
                         for ln in sale["lines"])
            out.append({"id": sale_id, "suspended_at": at, "staff_id": staff_id,
                        "pieces": pieces, "total": sale["total"]})
        return out

    @_approval_counts_on_success
    def no_sale(self, reason: object, override: Override = None) -> None:
        """Open the drawer without a sale: needs a supervisor and a reason, and is journaled."""
        self._require_staff()
        if not isinstance(reason, str) or not reason.strip():
            raise TillError("bad_request", "opening the drawer without a sale needs a reason")
        self._refuse_card_number("reason", reason)
        approver = self._authorize("no_sale", override)
        assert self.staff is not None
        with self._storage(), write_transaction(self.conn):
            append_entry(self.conn, "drawer.no_sale", self.staff.id,
                         {"approved_by": approver.id, "reason": reason.strip()[:200]})
            if not self.training:
                append_event(self.conn, "drawer.no_sale", {
                    "staff_id": self.staff.id, "approved_by": approver.id,
                    "reason": device_text(reason.strip()[:200]) or "-"})

    def authorize(self, action: str, override: Override = None) -> StaffMember:
        """The staff member allowed to do `action`: the one logged in, or the supervisor whose id
        and PIN are in `override`; TillError otherwise. Call `settle_approvals` once the action
        is done or refused."""
        self._require_staff()
        return self._authorize(action, override)

    def settle_approvals(self, succeeded: bool) -> None:
        """The approvals given since the last settling: counted as successes only if `succeeded`
        (rule "approvals"), forgotten either way."""
        approvers, self._pending_approvers = self._pending_approvers, []
        if not succeeded or not approvers:
            return
        self._override_failures = 0
        for staff_id in approvers:
            try:
                clear_failed_logins(self.conn, staff_id)
            except sqlite3.Error:
                pass  # the action stands; the supervisor's count clears at their next login

    def keep_open_sale(self) -> None:
        """Write the sale in progress to disk as it is, so a restart finds it (the kiosk calls
        this after every change: a shopper's basket must survive a crash of the lane). A till
        keeps only sales that have taken money, at each tender."""
        if self.sale is None or self.training or not (self.sale.lines or self.sale.voided_lines):
            return
        with self._storage():
            save_draft(self.conn, self.sale)

    def reprint_last(self) -> Sale:
        """The last finished sale, to print again: journaled, since a second receipt can be
        misused (a return with a copy); the copy is marked as one
        (edge.sale.receipt.receipt_mark)."""
        self._require_staff()
        assert self.staff is not None
        sale = self.last_sale
        if sale is None or sale.receipt_no is None:
            raise TillError("not_found", "no finished sale to print again")
        with self._storage(), write_transaction(self.conn):
            append_entry(self.conn, "receipt.reprinted", self.staff.id,
                         {"sale_id": sale.id, "receipt_no": sale.receipt_no})
        return sale

    def storage_state(self) -> str:
        """`ok`, `low` (below till.storage_warn_mb: warn) or `critical` (below
        till.storage_floor_mb: no new sale opens)."""
        free = self.free_space()
        if free < self.settings.storage_floor_mb * MB:
            return "critical"
        if free < self.settings.storage_warn_mb * MB:
            return "low"
        return "ok"

    @property
    def current(self) -> Sale | None:
        """The sale to show: the one in progress, else the one just finished."""
        return self.sale or self.last_sale

    # --- internals ---------------------------------------------------------------------------

    def _require_staff(self) -> None:
        if self.staff is None:
            raise TillError("not_logged_in", "log in first")
        if self.payments is not None and self.payments.waiting is not None:
            raise TillError("payment_pending", "a payment code payment is waiting for the "
                                               "customer: wait for it or cancel it")

    def _require_open_sale(self) -> Sale:
        self._require_staff()
        if self.sale is None:
            raise TillError("no_open_sale", "no sale is open")
        return self.sale

    def _open_sale(self) -> Sale:
        if self.sale is None:
            assert self.staff is not None
            if self.storage_state() == "critical":
                raise TillError("storage_low", "the disk is almost full: no new sale can start "
                                               "until space is freed (call support)")
            if self.require_shift and not self.training and \
                    current_shift(self.conn, self.config.terminal_id) is None:
                raise TillError("no_shift", "open a shift (count the float) before selling")
            self.sale = Sale(str(uuid.uuid4()), self.config.store_id, self.config.terminal_id,
                             self.staff.id, utc_now_iso())
            self.last_sale = None
        return self.sale

    def _line(self, sale: Sale, line_no: object) -> Line:
        if not isinstance(line_no, int) or isinstance(line_no, bool):
            raise TillError("bad_request", "line must be an integer line number")
        line = sale.line(line_no)
        if line is None:
            raise TillError("unknown_line", f"no line {line_no} in this sale")
        return line

    def _quantity(self, qty: object, unit: str) -> int:
        try:
            value = parse_quantity(qty)
        except MoneyError as exc:
            raise TillError(exc.code, str(exc)) from None
        if unit == "each" and value % QTY_SCALE:
            raise TillError("invalid_quantity", "items sold by the piece take whole quantities")
        return value

    def _net_weight(self, gross: int, tare: object) -> int:
        """The weight (g) less a tare given in kg like a weight; what is left must weigh."""
        net = gross - self._quantity(tare, "kg")
        if net <= 0:
            raise TillError("invalid_quantity", "the tare is as heavy as the whole weight")
        return net

    def _scan_quantity(self, product: Product, scan: Scan, weight: object) -> tuple[int, int | None]:
        if scan.weight_grams is not None:
            if scan.weight_grams <= 0:
                raise TillError("invalid_quantity", "the label shows no weight")
            return scan.weight_grams, scan.price
        if scan.price is not None:
            if product.unit == "kg" and product.price > 0:
                # The label's price is what the customer pays; the weight is only shown.
                return max(1, div_half_up(scan.price * QTY_SCALE, product.price)), scan.price
            return QTY_SCALE, scan.price
        if product.unit == "kg":
            if weight is None:
                raise TillError("weight_required", f"{product.name_en} is sold by weight: "
                                                   "weigh it or give its weight")
            return self._quantity(weight, "kg"), None
        return QTY_SCALE, None

    def _add_product(self, product: Product, qty: int, fixed_gross: int | None,
                     price: int | None = None, override: Override = None) -> Sale:
        if not product.active:
            raise TillError("product_inactive", f"{product.sku} is not for sale")
        rate = self.config.tax_classes.get(product.tax_class)
        if rate is None:
            raise TillError("bad_product", f"{product.sku} has unknown tax class "
                                           f"{product.tax_class!r}")
        if self.sale is not None and self.sale.totalled:
            raise TillError("sale_totalled", "payment has started: no more items")
        approver = self._open_price_approver(product, fixed_gross, price, override)
        if approver is not None:
            assert price is not None
            return self._add_open_price(product, qty, rate, price, approver)
        self._check_reserved(product, qty)
        sale = self._open_sale()
        mergeable = next((ln for ln in sale.lines if ln.sku == product.sku and ln.unit == "each"
                          and ln.fixed_gross is None and ln.override is None
                          and ln.manual_discount is None and not ln.open_price
                          and fixed_gross is None and product.unit == "each"), None)
        if mergeable is not None:
            if mergeable.qty_milli + qty > 99_999_999:
                raise TillError("invalid_quantity", "quantity too large")
            mergeable.qty_milli += qty
        else:
            sale.lines.append(Line(sale.next_line_no, product.sku, product.name_zh,
                                   product.name_en, product.unit, product.category, qty,
                                   product.price if fixed_gross is None or product.unit == "kg"
                                   else fixed_gross,
                                   product.tax_class, rate, product.age_restricted, fixed_gross))
            sale.next_line_no += 1
        self._reprice(sale)
        return sale

    def _check_reserved(self, product: Product, qty: int) -> None:
        """Stock an online order holds (edge/orders/reservations.py): warned, or refused when the
        store says `[orders] reserved_stock = "refuse"`. The basket's own lines count."""
        in_basket = sum(ln.qty_milli for ln in self.sale.lines if ln.sku == product.sku) \
            if self.sale is not None else 0
        conflict = reserved_conflict(self.conn, product.sku, in_basket + qty,
                                     self.sale.order_id if self.sale is not None else None)
        if conflict is None:
            return
        if self.orders.reserved_stock == "refuse":
            raise TillError("reserved_stock", f"{product.sku}: online orders hold this stock")
        self.notices.append(conflict)

    def collect_order(self, order_id: str, lines: list[tuple[str, int]]) -> Sale:
        """A new sale of a pay-at-pickup online order's picked lines (sku, qty_milli), naming the
        order so that its own reservation is this sale's (reservations.py OWN_ORDER). All or
        nothing: a line refused leaves no sale open."""
        self._require_staff()
        if self.sale is not None:
            raise TillError("sale_open", "finish or suspend the open sale first")
        last = self.last_sale
        sale = self._open_sale()
        sale.order_id = order_id
        try:
            for sku, qty in lines:
                sale = self.add(sku=sku, qty=format_quantity(qty))
        except (TillError, MoneyError):
            self.sale, self.last_sale = None, last
            raise
        return sale

    def take_notices(self) -> list[ReservedStock]:
        notices, self.notices = self.notices, []
        return notices

    def _open_price_approver(self, product: Product, fixed_gross: int | None, price: int | None,
                             override: Override) -> StaffMember | None:
        """For an open-price item: who lets it sell at `price` (the cashier up to
        till.open_price_approval_above, else a supervisor); None for any other item."""
        if not product.open_price or fixed_gross is not None:
            if price is not None:
                raise TillError("bad_request", f"{product.sku} has its own price: give no price")
            return None
        if price is None:
            raise PriceRequired(product)
        if not isinstance(price, int) or isinstance(price, bool) or not 0 < price <= 99_999_999:
            raise TillError("invalid_amount", "an open price must be more than 0")
        self._require_staff()
        assert self.staff is not None
        if price <= self.settings.open_price_approval_above:
            return self.staff
        return self._authorize("open_price", override)

    def _add_open_price(self, product: Product, qty: int, rate: int, price: int,
                        approver: StaffMember) -> Sale:
        """An open-price item is its own line (never merged); approved above the limit and
        journaled then with both ids, like a price override."""
        assert self.staff is not None
        previous, previous_last = self.sale, self.last_sale
        sale = self._open_sale().copy()
        sale.lines.append(Line(sale.next_line_no, product.sku, product.name_zh, product.name_en,
                               product.unit, product.category, qty, price, product.tax_class,
                               rate, product.age_restricted, open_price=True))
        sale.next_line_no += 1
        self._reprice(sale)
        if approver is not self.staff:
            try:
                self._journal_override("open_price", approver,
                                       {"sale_id": sale.id, "line": sale.next_line_no - 1,
                                        "sku": product.sku, "price": price})
            except TillError:
                self.sale, self.last_sale = previous, previous_last
                raise
        self.sale = sale
        return sale

    def _reprice(self, sale: Sale) -> None:
        reprice(sale, self.engine, self.clock(), self.config.prices_include_tax)

    def _authorize(self, action: str, override: Override,
                   allowed: Callable[[StaffMember], bool] | None = None) -> StaffMember:
        """`allowed` says who may do `action` (by default its REQUIRED_ROLE)."""
        assert self.staff is not None
        allowed = allowed or (lambda member: member.may(action))
        if allowed(self.staff):
            return self.staff
        if not override:
            raise TillError("permission_denied",
                            f"{action} needs a supervisor: give a supervisor's staff id and PIN")
        if not isinstance(override, dict):
            raise TillError("bad_request", "override must be {staff, pin}")
        wait = self._override_wait_until - self.monotonic()
        if wait > 0:
            raise TillError("override_wait", f"too many wrong supervisor PINs: wait {wait:.0f} s")
        try:
            approver = authenticate(self.conn, override.get("staff"), override.get("pin"),
                                    count_failures=False)
        except StaffError as exc:
            if exc.code == "invalid_pin":
                self._override_failures += 1
                extra = self._override_failures - FREE_OVERRIDE_FAILURES
                if extra > 0:
                    self._override_wait_until = self.monotonic() + min(
                        2.0 ** (extra - 1), MAX_OVERRIDE_WAIT_S)
            raise TillError("permission_denied" if exc.code == "invalid_pin" else exc.code,
                            f"override refused: {exc}") from None
        if not allowed(approver):
            raise TillError("approver_not_allowed", f"{approver.id} may not approve {action}")
        self._pending_approvers.append(approver.id)
        return approver

    def _journal_override(self, action: str, approver: StaffMember, body: dict[str, Any],
                          event: tuple[str, dict[str, Any]] | None = None) -> None:
        """Journal an approved action; `event` (type, payload): its fact for HQ, in the same
        transaction, written only outside training (rule "training")."""
        assert self.staff is not None
        with self._storage(), write_transaction(self.conn):
            append_entry(self.conn, "override", self.staff.id,
                         {"action": action, "staff_id": self.staff.id, "approved_by": approver.id,
                          **body})
            if event is not None and not self.training:
                append_event(self.conn, *event)

    def lane_alert(self, kind: object, raised_at: object, cleared: object,
                   cleared_by: str | None = None) -> None:
        """Record a kiosk attendant alert that has just cleared (rule "kiosk alerts"): `kind`
        "weight" (an unexpected weight on the scale) or "age" (an age check), `raised_at` its
        UTC ISO time, `cleared` how (LANE_ALERT_CLEARED), `cleared_by` the staff member who
        cleared it, None when its cause went by itself. Works logged in or not (a lane closes
        with its alerts); the sale in progress, if any, is named."""
        if kind not in LANE_ALERT_KINDS or cleared not in LANE_ALERT_CLEARED:
            raise TillError("bad_request", f"a lane alert is one of {LANE_ALERT_KINDS}, cleared"
                                           f" by one of {LANE_ALERT_CLEARED}")
        if not isinstance(raised_at, str) or not _is_instant(raised_at):
            raise TillError("bad_request", "raised_at must be an ISO time with its offset")
        cleared_at = utc_now_iso()
        if datetime.fromisoformat(cleared_at) < datetime.fromisoformat(raised_at):
            cleared_at = raised_at            # the clock stepped back: never a negative wait
        body = {"terminal_id": self.config.terminal_id, "kind": kind, "raised_at": raised_at,
                "cleared_at": cleared_at, "cleared": cleared, "cleared_by": cleared_by,
                "sale_id": self.sale.id if self.sale is not None else None}
        with self._storage(), write_transaction(self.conn):
            append_entry(self.conn, "kiosk.alert",
                         self.staff.id if self.staff is not None else None, body)
            if not self.training:
                append_event(self.conn, "kiosk.alert", body)

    def refuse_in_training(self, what: str) -> None:
        """For actions that would make facts beyond the sale (store operations, suspending)."""
        if self.training:
            raise TillError("training_mode", f"{what} is not possible in training mode")

    def _finish(self, sale: Sale) -> None:
        """Record `sale` (a copy) as a fact; only then does it replace the sale in progress."""
        self._record(sale)
        self.last_sale = sale
        self.sale = None

    def _record(self, sale: Sale) -> None:
        if not self.training:
            with self._storage():
                record_sale(self.conn, sale, self.config)
            return
        assert self.staff is not None
        sale.closed_at = utc_now_iso()
        with self._storage(), write_transaction(self.conn):
            append_entry(self.conn, "training.sale", self.staff.id,
                         {"sale_id": sale.id, "status": sale.status, "lines": len(sale.lines),
                          "total": sale.total})
            # That training was used, for HQ: no money, no sku, no sale id (rule "training").
            append_event(self.conn, "training.sale", {
                "staff_id": self.staff.id, "status": sale.status, "lines": len(sale.lines),
                "voided_lines": len(sale.voided_lines)})

    @contextmanager
    def _storage(self) -> Iterator[None]:
        """Storage errors as the till's own: the transaction was rolled back, so nothing changed."""
        try:
            yield
        except sqlite3.Error as exc:
            failure = storage_failure(exc)
            raise TillError(failure.code, str(failure)) from exc

    @staticmethod
    def _refuse_card_number(name: str, value: object) -> None:
        if isinstance(value, str) and contains_full_pan(value):
            raise TillError("full_pan_refused", f"{name} looks like a full card number: "
                                                "never type card numbers into the till")


LANE_ALERT_KINDS = ("weight", "age")
# How an alert cleared: the attendant approved the age, removed an item, cleared the alert,
# closed the lane; or its cause went by itself (the unexpected weight lifted off the scale).
LANE_ALERT_CLEARED = ("age_approved", "item_removed", "attendant", "lane_closed", "resolved")


def _is_instant(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


def _discounted_to_nothing(sale: Sale) -> bool:
    """Manual discounts must leave something to pay, also after a void or a smaller quantity
    (an amount off the order could otherwise swallow what is left)."""
    manual = sale.order_discount is not None or any(ln.manual_discount for ln in sale.lines)
    return manual and bool(sale.lines) and sale.total <= 0


def _nothing_left() -> TillError:
    return TillError("discount_too_large", "a discount must leave something to pay: remove "
                                           "or lower the discount first")


def _free_space_of(conn: sqlite3.Connection) -> Callable[[], int]:
    path = conn.execute("PRAGMA database_list").fetchone()[2]
    if not path:  # an in-memory database has no disk to fill
        return lambda: 1 << 62
    return lambda: free_bytes(Path(path))
