"""`pos till`: the cashier's till window — staff login, the sale screen, the tender screen — with
the status strip and offline banner always on. Every action calls edge.till.session.Till and shows its
TillError message; the window holds no sales rules of its own.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from drivers.device import DeviceError, DeviceEvent, ErrorEvent
from edge.catalog.barcodes import payment_code
from edge.catalog.products import Product
from edge.config import StoreConfig
from edge.customers.coupons import HqLookups
from edge.ledger.money import MoneyError, format_quantity, parse_amount
from edge.payments.attempts import Refund
from edge.promotions.local_table import engine_for
from edge.sale.basket import Sale
from edge.sale.receipt import receipt_mark
from edge.sale.weighing import WeighingDiscipline
from edge.store_ops.returns import ReturnRecord
from edge.till.reasons import reasons
from edge.till.receipts import sale_receipt
from edge.till.session import PriceRequired, Till, TillError
from edge.till.view import sale_view
from ui.hardware.card_terminal import CardTerminal, SimulatedCardTerminal
from ui.hardware.device_bridge import CallResult, DeviceBridge
from ui.hardware.devices import Devices
from ui.hardware.wedge_filter import WedgeFilter
from ui.till import store_operations as ops
from ui.till.customer_display import CustomerDisplayFeed
from ui.till.payment_runner import PaymentRunner
from ui.till.prompts import Prompter
from ui.till.return_refund_worker import ReturnRefunder
from ui.till.sale_screen import SaleScreen
from ui.till.scale_reading import LIFT_S, take_weight
from ui.till.store_operations import identify_member, tender_types
from ui.till.tender_view import TenderView
from ui.widgets.error_messages import error_text
from ui.widgets.locale_setup import apply_font, install_locale
from ui.widgets.money_text import MoneyText
from ui.widgets.pin_pad import PinPad
from ui.widgets.scaling import factor_for, follow_scale_in_dialogs, rescale, scalable
from ui.widgets.screen_mode import ScreenOptions, show_window
from ui.widgets.status_bar import OfflineBanner, StatusStrip

LOGIN, SALE, TENDER = range(3)


def local_time(iso_utc: str) -> str:
    """A stored UTC time as the store's clock shows it (HH:MM)."""
    from datetime import datetime

    return datetime.fromisoformat(iso_utc).astimezone().strftime("%H:%M")

# The cashier's quantity prefix: "3*" before a scan or PLU (the keypad's × types "*").
QUANTITY_PREFIX = re.compile(r"(\d{1,4})[*×xX](.*)")


def scanned_code(text: str) -> bool:
    """Digits only and 8 or more of them: a barcode or payment code from a HID scanner typed
    into a field, never an amount (a cash amount has a decimal point or is shorter; ¥12,345,678
    from an EAN-8 would otherwise be tendered as cash)."""
    return text.isascii() and text.isdigit() and len(text) >= 8


class LoginView(QWidget):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        heading = QLabel(title)
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scalable(heading, "font-size: {px}px; font-weight: bold;", 28)
        layout.addWidget(heading)
        hint = QLabel(self.tr("Log in with your staff number and PIN"))
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scalable(hint, "font-size: {px}px;", 16)
        layout.addWidget(hint)
        self.pad = PinPad()
        self.pad.setMaximumWidth(380)
        layout.addWidget(self.pad, 0, Qt.AlignmentFlag.AlignHCenter)
        self.training = QCheckBox(self.tr("Training mode: practice sales, nothing is recorded"))
        self.training.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab/Enter stay in the PIN fields
        layout.addWidget(self.training, 0, Qt.AlignmentFlag.AlignHCenter)
        self.demo_staff = QLabel()
        self.demo_staff.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scalable(self.demo_staff, "font-size: {px}px; color: #6a1b9a;", 15)
        self.demo_staff.hide()
        layout.addWidget(self.demo_staff)
        layout.addStretch(1)


    def show_demo_staff(self, staff: Sequence[tuple[str, str, str, str]]) -> None:
        """On the demo store only: who can log in, so a visitor needs no manual."""
        roles = {"cashier": self.tr("cashier"), "supervisor": self.tr("supervisor"),
                 "manager": self.tr("manager")}
        lines = [self.tr("Demo store: log in as") + " " + " · ".join(
            f"{roles.get(role, role)} {staff_id} / {pin}" for staff_id, _name, role, pin in staff)]
        self.demo_staff.setText("\n".join(lines))
        self.demo_staff.show()


class TillWindow(QMainWindow):
    sale_completed = Signal(object)   # the completed Sale

    def __init__(self, till: Till, devices: Devices | None = None,
                 card_terminal: CardTerminal | None = None) -> None:
        super().__init__()
        follow_scale_in_dialogs(self)
        self.till = till
        self.config: StoreConfig = till.config
        self.devices = devices or Devices()
        self.card_terminal = card_terminal or SimulatedCardTerminal()
        self.prompt = Prompter(self)
        self.money = MoneyText(self.locale(), self.config.currency_symbol, self.config.minor_digits)
        self.print_jobs: list[int] = []
        self.setWindowTitle(self.tr("Till %1 · %2").replace("%1", self.config.terminal_id)
                            .replace("%2", self.config.store_name))

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = OfflineBanner()
        layout.addWidget(self.banner)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.status = StatusStrip(till.conn, storage_state=till.storage_state)
        self.status.link_changed.connect(self.banner.show_state)
        layout.addWidget(self.status)
        self.setCentralWidget(central)

        self.login_view = LoginView(self.config.store_name)
        self.login_view.pad.submitted.connect(self.login)
        self.sale_screen = SaleScreen(self.money)
        self.sale_screen.code_entered.connect(lambda text: self.scanned(self.wedge.read_field, text))
        # Queued: the till's answer (maybe a supervisor's dialog) comes after the editor closed.
        self.sale_screen.qty_entered.connect(self.set_quantity, Qt.ConnectionType.QueuedConnection)
        self.sale_screen.qty_stepped.connect(self.step_quantity)
        self.tender_view = TenderView(self.money, self.amount_is_code)
        self.tender_view.tender.connect(self.pay)
        self.tender_view.back.connect(self.back_to_sale)
        self.tender_view.new_sale.connect(self.next_customer)
        self.tender_view.void_line.connect(self.void_line_while_paying)
        self.tender_view.code_entered.connect(lambda text: self.scanned(self.wedge.read_field, text))
        self.tender_view.set_available(tender_types())
        for page in (self.login_view, self.sale_screen, self.tender_view):
            self.stack.addWidget(page)
        self._function_keys()

        self.bridge = DeviceBridge(self)
        self.bridge.connect_gui(self.device_event)
        for _, device in self.devices.all():
            device.add_listener(self.bridge.listener)
        self.status.show_devices(self.devices)
        self.customer_display = CustomerDisplayFeed(
            self.devices.display, self.money, self.config.locale,
            lambda exc: self.status.set_device(self.devices.display.name, exc.code))
        self.customer_display.sale(None)
        self.wedge = WedgeFilter(self, self.config.scanner_keyboard_layout,
                                 self.config.scanner_desktop_layout)
        self.wedge.code.connect(lambda text, fast: self.scanned(
            lambda typed: self.wedge.read(typed, fast), text))
        QApplication.instance().installEventFilter(self.wedge)  # type: ignore[union-attr]
        self._weighing: CallResult | None = None
        # The scale's discipline (edge/sale/weighing.py): a load left on it is never sold twice.
        self.weighing = WeighingDiscipline()
        self.pending_tare: int | None = None      # grams, for the next weighed item only
        self.price_check_next = False             # Ctrl+I: the next code is looked up, not sold
        self.lift_wait_s = LIFT_S                 # how long "lift and place again" waits
        self._member_shown: tuple[tuple[str, str], str] | None = None
        self.pending_qty: str | None = None
        self._mobile_amount: int | None = None
        self.stack.currentChanged.connect(self._page_changed)
        self.stack.setCurrentIndex(LOGIN)
        self._page_changed(LOGIN)
        self.status.refresh()

    # --- layout helpers ----------------------------------------------------------------------

    def _function_keys(self) -> None:
        keys = self.sale_screen.keys
        keys.add("F1", self.tr("Age OK"), self.confirm_age)
        keys.add("F2", self.tr("Quantity"), self.change_quantity)
        keys.add("F3", self.tr("Void line"), self.void_line)
        keys.add("F4", self.tr("Price override"), self.override_price)
        keys.add("F5", self.tr("Member"), self.member)
        keys.add("F6", self.tr("Suspend"), self.suspend)
        keys.add("F7", self.tr("Resume"), self.resume)
        keys.add("F8", self.tr("Return"), self.returns)
        keys.add("F9", self.tr("No sale"), self.no_sale)
        keys.add("F10", self.tr("Shift / X / Z"), self.shift)
        keys.add("F11", self.tr("Cancel sale"), self.cancel_sale)
        keys.add("F12", self.tr("Pay"), self.go_to_tender)
        keys.add("Ctrl+D", self.tr("Line discount"), self.discount_line)
        keys.add("Ctrl+Shift+D", self.tr("Order discount"), self.discount_order)
        keys.add("Ctrl+P", self.tr("Reprint"), self.reprint)
        keys.add("Ctrl+F", self.tr("Find product"), self.find_product)
        keys.add("Ctrl+L", self.tr("Log out"), self.logout)
        keys.add("Ctrl+E", self.tr("Code entry"), self.sale_screen.entry.setFocus)
        keys.add("Ctrl+I", self.tr("Price check"), self.price_check)
        keys.add("Ctrl+U", self.tr("Coupon"), self.coupon)
        keys.add("Ctrl+T", self.tr("Tare"), self.tare)
        from ui.till.pickup_dialog import PickupDesk

        self.pickup = PickupDesk(self)      # online orders handed over here (核销)
        keys.add("Ctrl+K", self.tr("Pickup"), self.pickup.start)

    def _page_changed(self, index: int) -> None:
        self.sale_screen.keys.set_active(index == SALE)
        self.tender_view.set_active(index == TENDER)

    # --- showing -----------------------------------------------------------------------------

    def view(self) -> dict[str, Any] | None:
        return sale_view(self.till.current, self.till)

    def refresh(self) -> None:
        view = self.view()
        self.customer_display.sale(self.till.current)
        self.sale_screen.show_sale(view, self.member_text(view["member"] if view else None))
        staff = self.till.staff
        cashier = self.tr("Cashier %1").replace("%1", staff.name) if staff else ""
        if staff and self.till.training:
            cashier = self.tr("TRAINING · %1").replace("%1", cashier)
        self.sale_screen.staff_label.setText(cashier)

    def member_text(self, member_id: str | None) -> str | None:
        """The attached member as the cashier sees them: name (or card), tier in the screen's
        language, points balance. Looked up once per member and sale, not on every scan."""
        if member_id is None:
            return None
        key = (member_id, self.till.current.id if self.till.current else "")
        if self._member_shown is None or self._member_shown[0] != key:
            from edge.customers.members import by_id

            found = by_id(self.till.conn, member_id)
            text = self.tr("(unnamed)") if found is None else self.tr("%1 · %2 · %3 points").replace(
                "%1", found.name or found.card_no or self.tr("(unnamed)")).replace(
                "%2", self.tier_name(found.tier)).replace("%3", f"{found.points:,}")
            self._member_shown = (key, text)
        return self._member_shown[1]

    def tier_name(self, tier: str) -> str:
        names = {"silver": self.tr("silver"), "gold": self.tr("gold"),
                 "diamond": self.tr("diamond")}
        return names.get(tier, tier)

    def error(self, exc: TillError | MoneyError | DeviceError) -> None:
        text = error_text(exc)
        QApplication.beep()
        target = self.tender_view if self.stack.currentIndex() == TENDER else self.sale_screen
        target.say(text, error=True)

    def act(self, action: Callable[[], object], done: str = "") -> bool:
        """Run one till action; a refusal is shown on the message line and changes nothing."""
        try:
            action()
        except (TillError, MoneyError, DeviceError) as exc:
            self.error(exc)
            return False
        self.refresh()
        self.sale_screen.say(done)
        return True

    def with_override(self, action: Callable[[dict[str, str] | None], object], reason: str,
                      done: str = "") -> bool:
        """Try as the cashier; on permission_denied ask for a supervisor's PIN and try again."""
        try:
            action(None)
        except TillError as exc:
            if exc.code != "permission_denied":
                self.error(exc)
                return False
            override = self.prompt.override(reason)
            if override is None:
                self.sale_screen.say(self.tr("Cancelled: no supervisor approval"), error=True)
                return False
            return self.act(lambda: action(override), done)
        except (MoneyError, DeviceError) as exc:
            self.error(exc)
            return False
        self.refresh()
        self.sale_screen.say(done)
        return True

    # --- login -------------------------------------------------------------------------------

    def login(self, staff: str, pin: str) -> None:
        try:
            member = self.till.login(staff, pin, self.login_view.training.isChecked())
        except TillError as exc:
            self.login_view.pad.clear(error_text(exc))
            return
        self.login_view.pad.clear()
        self.stack.setCurrentIndex(SALE)
        self.sale_screen.entry.setFocus()
        self.refresh()
        self.sale_screen.say(self.tr("Welcome, %1").replace("%1", member.name))
        if self.till.sale is not None and self.till.sale.tenders:
            self.go_to_tender()

    def logout(self) -> None:
        self.price_check_next = False
        if self.act(self.till.logout):
            self.stack.setCurrentIndex(LOGIN)
            self.login_view.pad.clear()

    # --- basket ------------------------------------------------------------------------------

    def scanned(self, read: Callable[[str], str], text: str) -> None:
        """Keys typed into the scan box or caught by the wedge: what a scanner meant by them
        (ui/hardware/wedge_filter.py); a misread is refused on the message line, never sold."""
        try:
            code = read(text)
        except DeviceError as exc:
            self.error(exc)
            return
        self.enter_code(code)

    def amount_is_code(self, text: str) -> bool:
        """Whether a HID scanner typed a code into the tender's amount field: once read as it
        meant the keys, a code (scanned_code); a misread is no amount either, and is refused."""
        try:
            return scanned_code(self.wedge.read_field(text, keep=True))
        except DeviceError:
            return True

    def enter_code(self, code: str) -> None:
        """A code from the scanner, the wedge or the entry box: a barcode, or a PLU when short;
        a payment code pays for the basket, a member's card or QR attaches the member."""
        if self.stack.currentIndex() == TENDER:
            if self.tender_view.done:
                self.next_customer()
            else:
                paying = payment_code(code, self.config)
                if paying is not None:     # a HID scanner's code on the tender screen
                    amount = self._mobile_amount or self.tender_view.due
                    self._mobile_amount = None
                    self.pay_code(paying.code, paying.provider, amount)
                else:
                    self.tender_view.say(self.tr("That is a barcode, not an amount: finish "
                                                 "paying first (Esc: back to the sale)"), True)
                return
        if self.stack.currentIndex() != SALE:
            return
        if code.startswith("PU:"):     # a customer's pickup QR: the Pickup key's flow
            self.pickup.start(code)
            return
        if self.price_check_next:
            self.price_check_next = False
            self.show_price(code)
            return
        paying = payment_code(code, self.config)
        if paying is not None:          # the customer's natural move: pay for the basket
            self.pay_from_sale(paying.code, paying.provider)
            return
        prefix = QUANTITY_PREFIX.fullmatch(code)
        if prefix:  # "3*" (then a scan) or "3*6901234567892": three of the next item
            self.pending_qty, code = prefix.group(1), prefix.group(2)
            if not code:
                self.sale_screen.say(self.tr("Quantity %1 ×: scan or type the item")
                                     .replace("%1", self.pending_qty))
                return
        qty, self.pending_qty = self.pending_qty, None
        if code.isdigit() and len(code) <= 5:
            self.add_plu(code, qty)
            return
        member_before = self.till.sale.member_id if self.till.sale else None
        try:
            sale = self.till.scan(code, qty=qty)
        except PriceRequired as exc:
            self.ask_price(exc.product, lambda price, ov: self.till.scan(
                code, qty=qty, price=price, override=ov))
            return
        except TillError as exc:
            if exc.code == "weight_required" and qty is None:
                self.weigh(lambda grams, tare: self.till.scan(
                    code, weight=format_quantity(grams), tare=tare))
                return
            self.error(exc)
            return
        self.refresh()
        member_scanned = sale.member_id is not None and sale.member_id != member_before
        self.sale_screen.say(self.tr("Member identified") if member_scanned else "")

    def add_plu(self, plu: str, qty: str | None = None) -> None:
        from edge.catalog import products as catalog

        product = catalog.by_plu(self.till.conn, plu)
        if product is not None and product.unit == "kg" and qty is None:
            self.weigh(lambda grams, tare: self.till.add(plu=plu, qty=format_quantity(grams),
                                                         tare=tare))
            return
        self.add_item(lambda price, ov: self.till.add(plu=plu, qty=qty or "1", price=price,
                                                      override=ov))

    def add_item(self, add: Callable[[int | None, dict[str, str] | None], object]) -> None:
        """Add an item; an open-price one first asks its price (see ask_price)."""
        try:
            add(None, None)
        except PriceRequired as exc:
            self.ask_price(exc.product, add)
            return
        except (TillError, MoneyError, DeviceError) as exc:
            self.error(exc)
            return
        self.refresh()
        self.sale_screen.say("")

    def ask_price(self, product: Product,
                  add: Callable[[int | None, dict[str, str] | None], object]) -> None:
        """The price of an open-price item, asked with its name and category; above
        till.open_price_approval_above a supervisor approves."""
        price = self.prompt.open_price(product.name(self.config.locale), product.category,
                                       self.config.minor_digits)
        if price is not None:
            self.with_override(lambda ov: add(price, ov),
                               self.tr("This price needs a supervisor's approval"))

    def find_product(self) -> None:
        """Search by pinyin initials, SKU or name; the chosen product is added like a scan
        (weighed items go to the scale; a pending `3*` quantity applies)."""
        product = self.prompt.find_product(self.till.conn, self.money, self.config.locale)
        if product is None:
            return
        qty, self.pending_qty = self.pending_qty, None
        if product.unit == "kg" and qty is None:
            self.weigh(lambda grams, tare: self.till.add(sku=product.sku,
                                                         qty=format_quantity(grams), tare=tare))
            return
        self.add_item(lambda price, ov: self.till.add(sku=product.sku, qty=qty or "1", price=price,
                                                      override=ov))

    def reprint(self) -> None:
        """Print the last receipt again, marked as a reprint (journaled by the till)."""
        try:
            sale = self.till.reprint_last()
        except TillError as exc:
            self.error(exc)
            return
        receipt = sale_receipt(self.till.conn, sale, self.config,
                               self.till.staff.name if self.till.staff else "")
        self.sale_screen.say(self.print_receipt(receipt, reprint=True))

    def weigh(self, then: Callable[[int, str | None], object]) -> None:
        """Weight from the scale (on a worker thread, under the weighing discipline: a load
        left from the last item must be lifted and placed again), or typed in when there is no
        scale; `then(grams, tare)` adds the item, the tare (kg) chosen with Ctrl+T coming off."""
        tare = None if self.pending_tare is None else format_quantity(self.pending_tare)
        if self.devices.scale is None:
            text = self.prompt.text(self.tr("Weight"), self.tr("Weight in kg (e.g. 0.532)"))
            if text and self.act(lambda: then(self._grams(text), tare)):
                self.pending_tare = None
            return
        if self._weighing is not None:
            return                                  # one weighing at a time
        self.sale_screen.say(self.tr("Weighing…"))
        call = CallResult(self)
        call.done.connect(lambda grams: self._weighed(then, grams, tare))
        call.failed.connect(self._weighing_failed)
        lift = CallResult(self)   # its done signal carries "lift and place again" to this thread
        lift.done.connect(self._ask_to_lift)
        self._weighing = call
        scale, discipline = self.devices.scale, self.weighing
        wait = self.lift_wait_s
        call.run_in_thread(lambda: take_weight(scale, discipline, lambda: lift.done.emit(None),
                                               lift_s=wait))

    def _weighed(self, then: Callable[[int, str | None], object], grams: int,
                 tare: str | None) -> None:
        self._weighing = None
        if self.act(lambda: then(grams, tare)):
            self.weighing.taken()       # this load is sold: never again until lifted
            self.pending_tare = None

    def _weighing_failed(self, exc: Exception) -> None:
        self._weighing = None
        text = (self.tr("The same weight is still on the scale: lift the item off and place it "
                        "again, then scan it again")
                if getattr(exc, "code", None) == "lift_and_replace" else error_text(exc))
        self.sale_screen.say(self.tr("Scale: %1").replace("%1", text), error=True)

    def _ask_to_lift(self, _unused: object) -> None:
        self.sale_screen.say(self.tr("Lift the item off the scale and place it again"),
                             error=True)

    def tare(self) -> None:
        """Ctrl+T: a tare for the next weighed item: a preset container or typed in kg."""
        presets = list(self.till.settings.tare_presets_g)
        labels = [self.tr("%1 g").replace("%1", str(g)) for g in presets]
        labels += [self.tr("Type a tare…"), self.tr("No tare")]
        index = self.prompt.choose(self.tr("Tare"), self.tr("Container weight for the next "
                                                            "weighed item"), labels)
        if index is None:
            return
        if index == len(presets) + 1:
            self.pending_tare = None
            self.sale_screen.say(self.tr("No tare"))
            return
        if index == len(presets):
            text = self.prompt.text(self.tr("Tare"), self.tr("Tare in kg (e.g. 0.015)"))
            if not text:
                return
            try:
                grams = self._grams(text)
            except MoneyError as exc:
                self.error(exc)
                return
        else:
            grams = presets[index]
        self.pending_tare = grams
        self.sale_screen.say(self.tr("Tare %1 g: weigh the item").replace("%1", str(grams)))

    def price_check(self) -> None:
        """Ctrl+I: the code in the entry box, or the next one scanned, is looked up: name,
        price, promotions and stock; nothing is added to the sale."""
        text = self.sale_screen.entry.text().strip()
        if text:
            self.sale_screen.entry.clear()
            self.show_price(text)
            return
        self.price_check_next = True
        self.sale_screen.say(self.tr("Price check: scan the item (nothing is added)"))

    def show_price(self, code: str) -> None:
        try:
            found = self.till.price_check(code)
        except TillError as exc:
            self.error(exc)
            return
        name = found["name_zh"] if self.config.locale.startswith("zh") else found["name_en"]
        price = self.money.minor(found["price"]) + (self.tr(" / kg") if found["unit"] == "kg"
                                                    else "")
        parts = [self.tr("Price check: %1 · %2").replace("%1", name).replace("%2", price)]
        parts += [self.tr("Promotion: %1").replace("%1", p["reason"])
                  for p in found["promotions"]]
        parts.append(self.tr("On hand %1").replace("%1", format_quantity(found["on_hand_milli"])
                                                  if found["on_hand_milli"] >= 0 else
                                                  "-" + format_quantity(-found["on_hand_milli"])))
        self.sale_screen.say(" · ".join(parts))

    def coupon(self) -> None:
        """Ctrl+U: a coupon scanned (into the dialog) or typed; promotions needing it apply."""
        code = self.prompt.text(self.tr("Coupon"), self.tr("Scan or type the coupon code"))
        if code:
            self.act(lambda: self.till.add_coupon(code), self.tr("Coupon %1 added")
                     .replace("%1", code))

    def reason(self, kind: str, title: str) -> str | None:
        """A reason picked from the store's list for `kind` (edge/till/reasons.py): nothing to
        type, in the screen's language."""
        items = reasons(self.config, kind, QLocale().name())
        index = self.prompt.choose(title, self.tr("Reason"), items)
        return None if index is None else items[index]

    @staticmethod
    def _grams(text: str) -> int:
        from edge.ledger.money import parse_quantity

        return parse_quantity(text)

    def confirm_age(self) -> None:
        if self.till.sale is None:
            return
        if self.prompt.confirm(self.tr("Age check"),
                               self.tr("Has the customer shown they are 18 or older?")):
            self.act(self.till.confirm_age, self.tr("Age confirmed"))

    def change_quantity(self) -> None:
        """F2: the selected line's Qty cell becomes an editor; Enter sets it, Escape cancels."""
        if self.sale_screen.edit_quantity():
            self.sale_screen.say(self.tr("New quantity, then Enter (Esc: cancel)"))

    def set_quantity(self, line: int, text: str) -> None:
        """The quantity typed in the line's Qty cell, through the till (a supervisor approves
        when the sale is already being paid)."""
        self.with_override(lambda ov: self.till.set_qty(line, text, ov),
                           self.tr("Changing a paid sale needs a supervisor"))
        self.sale_screen.entry.setFocus()

    def step_quantity(self, line: int, step: int) -> None:
        """+ and - in the empty entry box: one piece more or less of the selected line (a
        weighed line opens its Qty cell instead; below one piece, void the line with F3)."""
        current = next((ln for ln in self.sale_screen.model.lines if ln["line"] == line), None)
        if current is None:
            return
        if current["unit"] != "each":
            self.change_quantity()
            return
        qty = int(float(current["qty"])) + step
        if qty < 1:
            self.sale_screen.say(self.tr("To remove the line, void it (F3)"), error=True)
            return
        self.set_quantity(line, str(qty))

    def void_line(self) -> None:
        """F3: void the selected line, confirmed, with a reason from the list; a supervisor
        approves as `till.void_approval` says."""
        line = self.sale_screen.selected_line()
        if line is not None:
            self._void(line)

    def void_line_while_paying(self) -> None:
        """F11 on the tender screen: void a line of a sale that has taken a payment; a supervisor
        approves, the payment stays and what is due changes."""
        sale = self.till.sale
        if sale is None or not sale.lines or self.payment_in_progress():
            return
        labels = [f"{ln.line_no}. {ln.name_zh if self.config.locale.startswith('zh') else ln.name_en}"
                  f"  {self.money.minor(ln.total)}" for ln in sale.lines]
        index = self.prompt.choose(self.tr("Void line"), self.tr("Which line?"), labels)
        if index is not None and self._void(sale.lines[index].line_no):
            self._show_tender()
            self.tender_view.say(self.tr("Line voided: %1 due").replace(
                "%1", self.money.minor(max(self.till.sale.remaining, 0) if self.till.sale else 0)))

    def _void(self, line: int) -> bool:
        sale = self.till.sale
        found = sale.line(line) if sale is not None else None
        if found is None:
            return False
        name = found.name_zh if self.config.locale.startswith("zh") else found.name_en
        question = self.tr("Void line %1: %2 (%3)?").replace("%1", str(line)).replace(
            "%2", name).replace("%3", self.money.minor(found.total))
        if not self.prompt.confirm(self.tr("Void line"), question):
            return False
        why = self.reason("void", self.tr("Void line"))
        if why is None:
            return False
        return self.with_override(lambda ov: self.till.void_line(line, ov, why),
                                  self.tr("Voiding this line needs a supervisor"),
                                  self.tr("Line %1 voided").replace("%1", str(line)))

    def override_price(self) -> None:
        line = self.sale_screen.selected_line()
        if line is None:
            return
        price = self.prompt.text(self.tr("Price override"), self.tr("New unit price"))
        if not price:
            return
        reason = self.reason("price_override", self.tr("Price override"))
        if not reason:
            return
        try:
            amount = parse_amount(price, self.config.minor_digits)
        except MoneyError as exc:
            self.error(exc)
            return
        self.with_override(lambda ov: self.till.override_price(line, amount, reason, ov),
                           self.tr("A price override needs a supervisor"),
                           self.tr("Price changed"))

    def discount_line(self) -> None:
        line = self.sale_screen.selected_line()
        if line is None:
            return
        given = self.prompt.discount(self.tr("Discount on line %1").replace("%1", str(line)),
                                     self.config.minor_digits, self.discount_reasons())
        if given is not None:
            kind, value, reason = given
            self.with_override(lambda ov: self.till.discount_line(line, kind, value, reason, ov),
                               self.tr("This discount is above your limit: a supervisor approves"),
                               self.tr("Discount given"))

    def discount_order(self) -> None:
        if self.till.sale is None or not self.till.sale.lines:
            return
        given = self.prompt.discount(self.tr("Discount on the whole order"),
                                     self.config.minor_digits, self.discount_reasons())
        if given is not None:
            kind, value, reason = given
            self.with_override(lambda ov: self.till.discount_order(kind, value, reason, ov),
                               self.tr("This discount is above your limit: a supervisor approves"),
                               self.tr("Discount given"))

    def discount_reasons(self) -> list[str]:
        return reasons(self.config, "discount", QLocale().name())

    def member(self) -> None:
        token = self.prompt.text(self.tr("Member"), self.tr("Member card, phone or QR code"))
        if token:
            self.act(lambda: identify_member(self.till, token), self.tr("Member identified"))

    def suspend(self) -> None:
        self.act(self.till.suspend, self.tr("Sale suspended"))

    def resume(self) -> None:
        rows = self.till.suspended()
        if not rows:
            self.sale_screen.say(self.tr("No suspended sales"))
            return
        from edge.staff import list_staff

        names = {member.id: member.name for member, _locked in list_staff(self.till.conn)}
        labels = [self.tr("%1 · cashier %2 · %3 items · %4")
                  .replace("%1", local_time(r["suspended_at"]))
                  .replace("%2", names.get(r["staff_id"]) or r["staff_id"])
                  .replace("%3", str(r["pieces"])).replace("%4", self.money.minor(r["total"]))
                  for r in rows]
        index = self.prompt.choose(self.tr("Resume"), self.tr("Suspended sales"), labels)
        if index is not None:
            self.act(lambda: self.till.resume(rows[index]["id"]), self.tr("Sale resumed"))

    def returns(self) -> None:
        """Return items of a recorded sale: its receipt QR or id, a line, a quantity, a reason."""
        receipt = self.prompt.text(self.tr("Return"), self.tr("Scan the receipt's QR code or type "
                                                             "the sale id"))
        if not receipt:
            return
        try:
            sale_id, lines = ops.returnable(self.till, receipt)
        except TillError as exc:
            self.error(exc)
            return
        left = self.tr("left")
        labels = [f"{ln['line']}. {ln['name']} ({left} {format_quantity(int(ln['left_milli']))})"
                  for ln in lines]
        index = self.prompt.choose(self.tr("Return"), self.tr("Which item?"), labels)
        if index is None:
            return
        qty = self.prompt.text(self.tr("Return"), self.tr("Quantity to return"),
                               format_quantity(int(lines[index]["left_milli"])))
        reason = self.reason("return", self.tr("Return")) if qty else None
        if not qty or not reason:
            return
        try:
            record = ops.return_items(self.till, sale_id,
                                      [(int(lines[index]["line"]), self._grams(qty))], reason)
        except (TillError, MoneyError) as exc:
            self.error(exc)
            return
        refund = self._refund_text(record)
        self.sale_screen.say(self.tr("Returned: refund %1").replace("%1", refund))
        if any(t.type == "cash" for t in record.tenders):
            self.kick_drawer()
        if self.return_refunder.refund(self.till, record):   # off this thread: see below
            self.sale_screen.say(self.tr("Returned: refund %1 · asking WeChat Pay/Alipay for the "
                                         "refund…").replace("%1", refund))

    # A return's refund to the original payment code asks the provider on a worker thread with
    # its own connection (ui/till/return_refund_worker.py): a provider holding the connection does
    # not freeze the till; the outcome comes back to the message line.

    def _refund_text(self, record: ReturnRecord) -> str:
        return self.tr(", ").join(f"{self.tender_view.tender_name(t.type)} "
                                  f"{self.money.minor(t.amount)}" for t in record.tenders)

    @cached_property
    def return_refunder(self) -> ReturnRefunder:
        return ReturnRefunder(self._return_refunded, self)

    def _return_refunded(self, record: ReturnRecord, outcome: list[Refund] | Exception) -> None:
        """refunded / pending (the sync agent asks again; the X report lists it) / refused."""
        if outcome == []:   # no payment attempt behind the share: given back as it was taken
            self.sale_screen.say(self.tr("Returned: refund %1")
                                 .replace("%1", self._refund_text(record)))
            return
        refunds = [] if isinstance(outcome, Exception) else outcome
        texts = []
        for state, text in (("success", self.tr("Refunded %1 to WeChat Pay/Alipay: the money goes "
                                                "back to the account the customer paid with")),
                            ("pending", self.tr("Refund %1 to WeChat Pay/Alipay not confirmed yet: "
                                                "it is retried automatically (X report)")),
                            ("failed", self.tr("Refund %1 to WeChat Pay/Alipay refused: pay the "
                                               "customer another way, with a supervisor"))):
            amount = sum(f.amount for f in refunds if f.state == state)
            if amount:
                texts.append(text.replace("%1", self.money.minor(amount)))
        if not texts:   # the worker failed: the sync agent's job starts the refund
            texts.append(self.tr("Refund to WeChat Pay/Alipay not confirmed yet: it is retried "
                                 "automatically (X report)"))
        self.sale_screen.say(" · ".join(texts), error=any(f.state == "failed" for f in refunds))

    def shift(self) -> None:
        choices = [self.tr("Open shift"), self.tr("X report"), self.tr("Close shift (blind count)"),
                   self.tr("Z report")]
        index = self.prompt.choose(self.tr("Shift"), self.tr("What do you want to do?"), choices)
        try:
            if index == 0:
                amount = self.prompt.text(self.tr("Open shift"), self.tr("Float in the drawer"), "0")
                if amount is not None:
                    ops.open_shift(self.till, parse_amount(amount, self.config.minor_digits))
                    self.sale_screen.say(self.tr("Shift opened"))
            elif index == 1:
                self.show_report(self.tr("X report"), ops.x_report(self.till))
            elif index == 2:
                text = self.prompt.text(self.tr("Close shift"), self.tr(
                    "Counted cash as denomination x pieces, e.g. 100x3 50x1 0.5x4"))
                if text is not None:
                    closed = ops.close_shift(self.till, self._denominations(text))
                    self.prompt.inform(self.tr("Shift closed"), self.tr(
                        "Counted %1, expected %2, over/short %3")
                        .replace("%1", self.money.minor(closed.counted))
                        .replace("%2", self.money.minor(closed.expected))
                        .replace("%3", self.money.minor(closed.over_short)))
            elif index == 3:
                try:
                    body = ops.z_report(self.till, None)
                except TillError as exc:
                    if exc.code != "permission_denied":
                        raise
                    override = self.prompt.override(self.tr("A Z report needs a supervisor"))
                    if override is None:
                        return
                    body = ops.z_report(self.till, override)
                self.show_report(self.tr("Z report"), body)
        except (TillError, MoneyError) as exc:
            self.error(exc)

    @staticmethod
    def _denominations(text: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for part in text.replace(",", " ").split():
            value, _, pieces = part.lower().partition("x")
            if not pieces.isdigit():
                raise TillError("bad_request", f"not denomination x pieces: {part}")
            counts[value] = counts.get(value, 0) + int(pieces)
        return counts

    def show_report(self, title: str, body: dict[str, Any]) -> None:
        """An X or Z report on screen, printable on the receipt printer."""
        self.prompt.report(title, body, self.money, self.tender_view.tender_name,
                           self.print_document)

    def print_document(self, compose: Callable[[int], list[Any]]) -> str:
        """Print a document composed for the printer's columns; what became of it, to show."""
        printer = self.devices.printer
        if printer is None:
            return self.tr("No receipt printer")
        try:
            self.print_jobs.append(printer.print(compose(printer.profile.columns)))
        except DeviceError as exc:
            return self.tr("Not printed: %1").replace("%1", error_text(exc))
        return self.tr("Printing")

    def no_sale(self) -> None:
        reason = self.reason("no_sale", self.tr("No sale"))
        if reason and self.with_override(lambda ov: self.till.no_sale(reason, ov),
                                         self.tr("Opening the drawer needs a supervisor"),
                                         self.tr("Drawer opened")):
            self.kick_drawer()

    def kick_drawer(self) -> None:
        if self.devices.printer is not None:
            try:
                self.devices.printer.drawer.kick()
            except DeviceError as exc:
                self.error(exc)

    def cancel_sale(self) -> None:
        if self.till.sale is None:
            return
        if self.prompt.confirm(self.tr("Cancel sale"), self.tr("Cancel the whole sale?")):
            self.with_override(lambda ov: self.till.cancel(ov),
                               self.tr("Cancelling a sale needs a supervisor"),
                               self.tr("Sale cancelled"))

    # --- paying ------------------------------------------------------------------------------

    def go_to_tender(self) -> None:
        sale = self.till.sale
        if sale is None or not sale.lines:
            self.sale_screen.say(self.tr("Nothing to pay for"), error=True)
            return
        if sale.needs_age_check():
            self.confirm_age()
            if sale.needs_age_check():
                return
        if not self.act(self.till.subtotal):
            return
        self.stack.setCurrentIndex(TENDER)
        self._show_tender()

    def pay_from_sale(self, code: str, provider: str) -> None:
        """A payment code scanned on the sale screen (HID or serial): the basket goes to payment
        and the code pays what is due, as if Pay (F12) had been pressed first."""
        sale = self.till.sale
        if sale is None or not sale.lines:
            self.sale_screen.say(self.tr("A payment code: scan the items first"), error=True)
            return
        self.go_to_tender()
        if self.stack.currentIndex() == TENDER and not self.tender_view.done:
            self.pay_code(code, provider, self.tender_view.due)

    def _show_tender(self) -> None:
        sale = self.till.sale
        view = self.view()
        if sale is None or view is None:
            return
        self.tender_view.show_sale(view, max(sale.remaining, 0))
        self.customer_display.due(max(sale.remaining, 0))

    def back_to_sale(self) -> None:
        if self.payment_in_progress():
            self.cancel_payment()                     # Esc while waiting: the cancel key
            return
        if self.till.sale is not None and self.till.sale.tenders:
            self.tender_view.say(self.tr("Payments were taken: finish paying first"), error=True)
            return
        self.stack.setCurrentIndex(SALE)
        self.sale_screen.entry.setFocus()
        self.customer_display.sale(self.till.sale)

    def pay(self, type_name: str, amount: int, reference: str | None = None) -> None:
        approval = masked = None
        if type_name == "card":
            self.tender_view.say(self.tr("Present the card on the terminal…"))
            result = self.card_terminal.charge(amount)
            if not result.approved:
                self.tender_view.say(self.tr("Card declined: %1").replace("%1", result.message), True)
                return
            approval, masked = result.approval_code, result.masked_pan
        if type_name in ("stored_value", "points") and reference is None:
            reference = self.prompt.text(self.tender_view.tender_name(type_name),
                                         self.tr("Card or member number"))
            if reference is None:
                return
        if type_name == "mobile" and reference is None:
            self.tender_view.say(self.tr("Scan the customer's payment code"))
            self._mobile_amount = amount
            return
        try:
            sale = self.till.tender(type_name, amount, reference, approval, masked)
        except (TillError, MoneyError) as exc:
            self.tender_view.say(error_text(exc), True)
            return
        if sale.status == "completed":
            self.completed(sale)
        else:
            self._show_tender()
            self.tender_view.say(self.tr("Paid %1 by %2").replace("%1", self.money.minor(amount))
                                 .replace("%2", self.tender_view.tender_name(type_name)))

    # --- payment codes: the waiting screen (the flow: edge/till/mobile_payment.py) -----------
    # Each provider request runs on a worker thread (ui/till/payment_runner.py) while every SQLite
    # statement stays on this one: the screen stays live while a provider holds a connection,
    # and Esc is heard at once; a cancel asked during a request is done when that request returns.

    _cancel_asked = False

    @cached_property
    def payment_runner(self) -> PaymentRunner:
        return PaymentRunner(self)

    def payment_in_progress(self) -> bool:
        payments = self.till.payments
        return self.payment_runner.busy or (payments is not None and payments.waiting is not None)

    def pay_by_code(self, code: str, amount: int) -> None:
        """Charge a scanned payment code; the screen waits while the customer confirms on the
        phone (Esc cancels)."""
        if self.payment_runner.busy:
            self.tender_view.say(self.tr("A payment is in progress: wait for it or press Esc"),
                                 True)
            return
        self._cancel_asked = False
        self._say_waiting()
        self.payment_runner.run(self.till.pay_code_steps(code, amount, wait=False),
                                self._payment_returned)

    def pay_code(self, code: str, provider: str, amount: int) -> None:
        """One path for a payment code from any scanner: the provider's flow when this till
        takes payment codes, else a mobile tender recording the code."""
        if self.till.payments is not None:
            self.pay_by_code(code, amount)
        else:
            self.pay("mobile", amount, reference=f"{provider}:{code}")

    def poll_payment(self) -> None:
        if self.payment_runner.busy or self.till.payments is None \
                or self.till.payments.waiting is None:
            return
        self.payment_runner.run(self.till.payment_poll_steps(), self._payment_returned)

    def cancel_payment(self) -> None:
        if self.payment_runner.busy:
            self._cancel_asked = True
            self.tender_view.say(self.tr("Cancelling: waiting for the provider to answer…"))
            return
        self._cancel_asked = False
        self.tender_view.say(self.tr("Cancelling the payment…"))
        self.payment_runner.run(self.till.payment_cancel_steps(), self._payment_returned)

    def _payment_returned(self, _sale: object, failure: Exception | None) -> None:
        if isinstance(failure, TillError):
            self._cancel_asked = False
            self._show_tender()
            self.tender_view.say(failure.message, True)
            return
        if failure is not None:
            raise failure
        self._payment_progress()

    def _say_waiting(self) -> None:
        self.tender_view.say(self.tr("Waiting for the customer to confirm on the phone "
                                     "(Esc: cancel)"))

    def _payment_progress(self) -> None:
        payments = self.till.payments
        if payments is not None and payments.waiting is not None:
            if self._cancel_asked:
                self.cancel_payment()
                return
            self._say_waiting()
            wait = payments.flow.wait_time(payments.waiting.out_trade_no)
            QTimer.singleShot(max(50, int(wait * 1000)), self.poll_payment)
            return
        self._cancel_asked = False
        if self.till.sale is None and self.till.last_sale is not None:
            self.completed(self.till.last_sale)
            return
        self._show_tender()
        self.tender_view.say(self.tr("Paid by payment code"))

    def completed(self, sale: Sale) -> None:
        staff = self.till.staff.name if self.till.staff else ""
        receipt = sale_receipt(self.till.conn, sale, self.config, staff)
        note = self.print_receipt(receipt)
        if any(t.type == "cash" for t in sale.tenders):
            self.kick_drawer()
        view = sale_view(sale, self.till)
        assert view is not None
        self.tender_view.show_done(view, receipt.qr_payload, note)
        self.customer_display.paid(sale.paid, sale.change)
        self.sale_screen.show_sale(None)
        self.sale_completed.emit(sale)

    def print_receipt(self, receipt: Any, reprint: bool = False) -> str:
        kind = "training" if self.till.training else "reprint" if reprint else None
        mark = receipt_mark(kind, receipt.language) if kind else None
        printer = self.devices.printer
        if printer is None:
            return self.tr("No receipt printer: offer the e-receipt")
        from ui.till.receipt_document import receipt_document

        try:
            self.print_jobs.append(printer.print(receipt_document(receipt, printer.profile.columns,
                                                                  mark)))
        except DeviceError as exc:
            return self.tr("Receipt not printed: %1").replace("%1", error_text(exc))
        condition = self.status.device_state.get(printer.name, "online")
        if condition in ("paper_out", "cover_open"):
            return self.tr("Receipt queued: printer %1").replace("%1",
                                                                 self.status.condition_text(condition))
        return self.tr("Receipt printing")

    def next_customer(self) -> None:
        """A clean screen for the next customer: no message of the last sale stays (printing,
        a payment code scanned too early)."""
        self.stack.setCurrentIndex(SALE)
        self.refresh()
        self.sale_screen.say("")
        self.tender_view.say("")
        self.tender_view.receipt_label.clear()
        self.sale_screen.entry.setFocus()

    # --- devices -----------------------------------------------------------------------------

    def device_event(self, event: object) -> None:
        """Every device event, on the GUI thread."""
        from drivers.scanner.protocol import PaymentCodeEvent, ScanEvent

        self.status.device_event(event)
        if isinstance(event, ScanEvent):
            if self.till.staff is not None:
                self.enter_code(event.symbology + event.data)
        elif isinstance(event, PaymentCodeEvent):
            if self.stack.currentIndex() == TENDER and not self.tender_view.done:
                amount = self._mobile_amount or self.tender_view.due
                self._mobile_amount = None
                self.pay_code(event.code, event.provider, amount)
            elif self.stack.currentIndex() == SALE and self.till.staff is not None:
                self.pay_from_sale(event.code, event.provider)
        elif isinstance(event, ErrorEvent) and isinstance(event, DeviceEvent):
            if event.code in ("garbage", "partial_read", "not_a_barcode"):   # never a silent scan
                self.sale_screen.say(self.tr("Bad read: scan again"), error=True)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.apply_scale()

    def apply_scale(self) -> None:
        """Text and touch targets grow with the screen (ui/widgets/scaling.py). Only when the scale
        changes: a scan never restyles or relayouts the window."""
        factor = factor_for(self.width(), self.height())
        if factor == self.property("scaleFactor"):
            return
        rescale(self, factor)
        self.sale_screen.apply_scale(factor)
        self.tender_view.apply_scale(factor)

    def closeEvent(self, event: Any) -> None:
        QApplication.instance().removeEventFilter(self.wedge)  # type: ignore[union-attr]
        super().closeEvent(event)


def make_app(locale_name: str) -> QApplication:
    from ui.widgets.refcount_guard import make_singletons_immortal

    make_singletons_immortal()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    install_locale(locale_name)
    apply_font()
    return app


# Called about every second from the Qt event loop while a window runs; `pos till` and `pos kiosk`
# put systemd's watchdog ping here, so a hung event loop ends in a restarted till.
loop_heartbeats: list[Callable[[], object]] = []


def run_window(conn: sqlite3.Connection, config: StoreConfig,
               build: Callable[[Devices], QWidget], devices: Devices | None = None,
               locale_name: str | None = None, screen: ScreenOptions | None = None) -> int:
    """Start Qt, the store's configured devices (unless given; stand-ins with `demo_devices`,
    whose companion opens beside the window) and the window `build` makes, full-screen unless
    `windowed`; run until it closes, then release the devices."""
    screen = screen or ScreenOptions()
    app = make_app(locale_name or config.locale)
    db_file = conn.execute("PRAGMA database_list").fetchone()[2]
    stand_ins = None
    if devices is None and screen.demo_devices is not None:
        stand_ins = screen.demo_devices(conn, Path(db_file).parent)
        devices = stand_ins.devices
    else:
        if devices is None:
            from ui.hardware.devices import configured_devices

            devices = configured_devices(config.extra, Path(db_file).parent)
        devices.start()
    window = build(devices)
    show_window(window, screen.windowed)
    if stand_ins is not None:
        stand_ins.attach(window)
    beat = QTimer()
    beat.timeout.connect(lambda: [heartbeat() for heartbeat in loop_heartbeats])
    beat.start(1000)
    QTimer.singleShot(0, lambda: [heartbeat() for heartbeat in loop_heartbeats])
    try:
        return app.exec()
    finally:
        if stand_ins is not None:
            stand_ins.close()
        else:
            devices.close()


def run_till_app(conn: sqlite3.Connection, config: StoreConfig, devices: Devices | None = None,
                 locale_name: str | None = None, screen: ScreenOptions | None = None,
                 hq: HqLookups | None = None) -> int:
    """`hq`: HQ's points and coupons look-ups (cloud_sync.lookup.hq_lookups_for), as the
    headless till has them; None: the till's offline rules."""
    from providers.accounts import mobile_payments_for

    return run_window(conn, config,
                      lambda d: TillWindow(Till(conn, config, engine_for(conn, config),
                                                payments=mobile_payments_for(conn, config),
                                                lane="till", hq=hq), d),
                      devices, locale_name, screen)
