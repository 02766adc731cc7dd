"""`pos kiosk`: self-checkout. An attendant opens the lane with a PIN; customers then scan, pick
weighed produce (weight from the scale), identify as members by QR, pay by card or mobile payment
(cash only where a cash device is configured) and take a receipt or an e-receipt. Age-restricted
items, removing an item, help and an unexpected weight call the attendant, whose PIN opens the
attendant mode. An idle timeout resets the lane safely: an unpaid basket is suspended (an
attendant can resume it at a till), a part-paid one calls the attendant instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import cached_property
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QLocale, QObject, QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from drivers.device import DeviceError
from edge.catalog.barcodes import payment_code
from edge.config import StoreConfig
from edge.customers import members
from edge.customers.coupons import HqLookups
from edge.customers.member_codes import member_code
from edge.ledger.clock import utc_now_iso
from edge.ledger.money import format_quantity
from edge.ops_error import OpsError
from edge.promotions.local_table import engine_for
from edge.staff import StaffMember
from edge.till.receipts import sale_receipt
from edge.till.session import Till, TillError
from edge.till.view import sale_view
from ui.hardware.card_terminal import CardTerminal, SimulatedCardTerminal
from ui.hardware.device_bridge import DeviceBridge
from ui.hardware.devices import Devices
from ui.hardware.wedge_filter import WedgeFilter
from ui.kiosk.live_weighing import UNREACHABLE, LiveWeighing
from ui.kiosk.produce_picker import ProducePicker
from ui.kiosk.product_photos import photos_for
from ui.till.customer_display import CustomerDisplayFeed
from ui.till.payment_runner import PaymentRunner
from ui.till.sale_lines_model import SaleLinesModel
from ui.till.sale_screen import SaleLinesView, fit_columns
from ui.till.store_operations import identify_member
from ui.widgets.error_messages import error_text, shopper_error_text
from ui.widgets.locale_setup import install_locale
from ui.widgets.money_text import MoneyText
from ui.widgets.pin_pad import PinPad
from ui.widgets.qr_widget import QrWidget
from ui.widgets.scaling import factor_for, follow_scale_in_dialogs, rescale, restyle, scalable
from ui.widgets.screen_mode import ScreenOptions
from ui.widgets.status_bar import OfflineBanner, StatusStrip

CLOSED, ATTRACT, BASKET, PRODUCE, PAY, DONE, ATTENDANT = range(7)

# Why the attendant is called, kept as source text so an alert follows a language switch.
HELP = QT_TRANSLATE_NOOP("KioskWindow", "Help")
STAFF_HELP = QT_TRANSLATE_NOOP("KioskWindow", "Staff help needed")
RESTART = QT_TRANSLATE_NOOP("KioskWindow", "A basket left before the restart was suspended: "
                                           "resume it in attendant mode")
AGE_CHECK = QT_TRANSLATE_NOOP("KioskWindow", "Age check for an age-restricted item")
NO_SCALE = QT_TRANSLATE_NOOP("KioskWindow", "No scale: weigh %1 at a till")
SCALE_SILENT = QT_TRANSLATE_NOOP("KioskWindow", "The scale is not answering")
SCALE_UNEXPECTED = QT_TRANSLATE_NOOP("KioskWindow", "Unexpected weight on the scale")
REMOVE = QT_TRANSLATE_NOOP("KioskWindow", "Remove an item")
LEFT_PAYING = QT_TRANSLATE_NOOP("KioskWindow", "Customer left during payment")
UNKNOWN_ITEM = QT_TRANSLATE_NOOP("KioskWindow", "An item the lane does not know")
PAYMENT_PROBLEM = QT_TRANSLATE_NOOP("KioskWindow", "A problem with the payment")
# What the till refuses as no product: the code may be a member's QR or card number instead.
NOT_A_PRODUCT = ("unknown_product", "invalid_barcode", "member_code")
IDLE_SECONDS = 90
QR_PX = 300         # the e-receipt's QR at 1024×768; it grows with the screen


def big_button(text: str, colour: str = "#1565c0", size: int = 22,
               height: int = 72) -> QPushButton:
    button = QPushButton(text.replace("&", "&&"))  # "&" would mark a shortcut, not show
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    style = ("QPushButton { font-size: {px}px; color: white; background: COLOUR;"
             " border-radius: 8px; padding: 8px 16px; }"
             " QPushButton:disabled { background: #9e9e9e; }").replace("COLOUR", colour)
    return scalable(button, style, size, height)


def heading(text: str, size: int = 30) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return scalable(label, "font-size: {px}px; font-weight: bold;", size)


class _Activity(QObject):
    """Any touch, click or key restarts the idle timer."""

    def __init__(self, on_activity: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self.on_activity = on_activity

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress,
                            QEvent.Type.TouchBegin):
            self.on_activity()
        return False


class KioskWindow(QMainWindow):
    def __init__(self, till: Till, devices: Devices | None = None,
                 card_terminal: CardTerminal | None = None, idle_seconds: float = IDLE_SECONDS,
                 cash_device: bool | None = None) -> None:
        super().__init__()
        follow_scale_in_dialogs(self)
        self.till = till
        self.config: StoreConfig = till.config
        self.devices = devices or Devices()
        self.card_terminal = card_terminal or SimulatedCardTerminal()
        kiosk_config = self.config.extra.get("kiosk", {})
        self.cash_device = bool(kiosk_config.get("cash_device")) if cash_device is None else cash_device
        self.money = MoneyText(self.locale(), self.config.currency_symbol, self.config.minor_digits)
        # The shopper may switch language; the next shopper starts in the store's own.
        self.store_locale = "zh_CN" if self.locale().name().startswith("zh") else "en"
        self.shopper_locale = self.store_locale
        self.photos = photos_for(till.conn, kiosk_config)
        self.lane_staff: StaffMember | None = None
        self.language_buttons: dict[str, QPushButton] = {}
        # Why the attendant is called, by cause: each alert goes when its cause does.
        self.attendant_reasons: dict[str, str] = {}
        self.attendant_detail: dict[str, str] = {}   # what only staff sees, by cause
        self._reason_sources: dict[str, tuple[str, str]] = {}
        # The loss-prevention alerts open now (kind → when raised, UTC): each becomes a
        # `kiosk.alert` fact when it clears (edge/till/session.py rule "kiosk alerts").
        self._alerts_open: dict[str, str] = {}
        self.member_next = False
        self.setWindowTitle(self.tr("Self-checkout"))

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.banner = OfflineBanner()
        outer.addWidget(self.banner)
        # Touching the alert (the attendant, who carries the PIN) opens attendant mode.
        self.alert = QPushButton()
        self.alert.setObjectName("attendantAlert")
        scalable(self.alert, "#attendantAlert { background: #c62828; color: white; font-size: {px}px;"
                             " font-weight: bold; padding: 8px; border: none; }", 20)
        self.alert.clicked.connect(self.open_attendant)
        self.alert.hide()
        outer.addWidget(self.alert)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        self.status = StatusStrip(till.conn, storage_state=till.storage_state)
        self.status.link_changed.connect(self._link_changed)
        outer.addWidget(self.status)
        self.setCentralWidget(central)

        for page in (self._closed_page(), self._attract_page(), self._basket_page(),
                     self._produce_page(), self._pay_page(), self._done_page(),
                     self._attendant_page()):
            self.stack.addWidget(page)
        self.stack.setCurrentIndex(CLOSED)
        self.stack.currentChanged.connect(self._show_staff_detail)

        self.bridge = DeviceBridge(self)
        self.bridge.connect_gui(self.device_event)
        for _, device in self.devices.all():
            device.add_listener(self.bridge.listener)
        self.status.show_devices(self.devices)
        self.status.refresh()
        # a pole display on the lane (where one is configured) shows what the screen shows
        self.customer_display = CustomerDisplayFeed(
            self.devices.display, self.money, self.config.locale,
            lambda exc: self.status.set_device(self.devices.display.name, exc.code))
        self.customer_display.sale(None)
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(int(idle_seconds * 1000))
        self.idle.timeout.connect(self.idle_reset)
        self.activity = _Activity(self.touched, self)
        QApplication.instance().installEventFilter(self.activity)  # type: ignore[union-attr]
        self.weighing = LiveWeighing(self.devices.scale, self) if self.devices.scale else None
        self.weighing_plu: tuple[str, str] | None = None
        if self.weighing is not None:
            self.weighing.reading.connect(self._live_reading)
            self.weighing.settled.connect(self._weighed)
            self.weighing.lift.connect(self._lift_and_replace)
            self.weighing.trouble.connect(self._scale_trouble)
            self.weighing.cleared.connect(lambda cause: self.clear_reason("scale"))
        self.wedge = WedgeFilter(self, self.config.scanner_keyboard_layout,
                                 self.config.scanner_desktop_layout)
        self.wedge.code.connect(self.wedge_code)
        QApplication.instance().installEventFilter(self.wedge)  # type: ignore[union-attr]

    # --- pages -------------------------------------------------------------------------------

    def _closed_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(heading(self.tr("This lane is closed")))
        layout.addWidget(heading(self.tr("Staff: open the lane with your PIN"), 18))
        self.open_pad = PinPad()
        self.open_pad.setMaximumWidth(380)
        self.open_pad.submitted.connect(self.open_lane)
        layout.addWidget(self.open_pad, 0, Qt.AlignmentFlag.AlignHCenter)
        return page

    def _attract_page(self) -> QWidget:
        page = QWidget()
        page.setStyleSheet("background: #e3f2fd;")
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(heading(self.tr("Welcome! Scan your first item to start"), 40))
        layout.addWidget(heading(self.tr("Weighed fruit and vegetables: touch Start"), 22))
        self.start_button = big_button(self.tr("Start"), "#2e7d32")
        self.start_button.clicked.connect(self.start)
        layout.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        layout.addWidget(self._language_button("attract"), 0, Qt.AlignmentFlag.AlignRight)
        return page

    def _language_button(self, where: str) -> QPushButton:
        """The other language, named in itself, so a shopper who cannot read this one finds it."""
        button = big_button("English" if self.shopper_locale.startswith("zh") else "中文", "#455a64")
        button.setObjectName(f"language_{where}")
        button.clicked.connect(self.switch_language)
        self.language_buttons[where] = button
        return button

    def _basket_page(self) -> QWidget:
        page = QWidget()
        layout = QHBoxLayout(page)
        left = QVBoxLayout()
        self.basket_hint = heading(self.tr("Scan your items"), 22)
        left.addWidget(self.basket_hint)
        self.model = SaleLinesModel(self.money, self)
        self.table = SaleLinesView()
        self.table.setModel(self.model)
        fit_columns(self.table)
        self.model.rowsInserted.connect(lambda _p, first, _l: self.table.selectRow(first))
        left.addWidget(self.table, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        scalable(self.message, "font-size: {px}px;", 18)
        left.addWidget(self.message)
        layout.addLayout(left, 3)
        right = QVBoxLayout()
        self.total_label = heading("", 44)
        self.total_label.setObjectName("total")
        right.addWidget(heading(self.tr("To pay"), 22))
        right.addWidget(self.total_label)
        self.item_photo = QLabel()
        self.item_photo.setObjectName("itemPhoto")
        self.item_photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.item_photo.hide()
        right.addWidget(self.item_photo)
        right.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        for name, text, colour, slot in (
                ("produce", self.tr("Fruit & veg"), "#2e7d32", self.show_produce),
                ("member", self.tr("Member QR"), "#6a1b9a", self.ask_member),
                ("remove", self.tr("Remove item"), "#757575", self.remove_item),
                ("help", self.tr("Help"), "#ef6c00", lambda: self.call_attendant(HELP, "help")),
                ("pay", self.tr("Pay"), "#1b5e20", self.go_pay)):
            button = big_button(text, colour)
            button.clicked.connect(slot)
            right.addWidget(button)
            self.buttons[name] = button
        right.addWidget(self._language_button("basket"))
        layout.addLayout(right, 1)
        return page

    def _produce_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(heading(self.tr("Put the item on the scale, then touch it"), 24))
        self.picker = ProducePicker(self.till.conn, self._locale_name(), photos=self.photos)
        self.picker.picked.connect(self.weigh_produce)
        layout.addWidget(self.picker, 1)
        weight_row = QHBoxLayout()
        self.produce_message = QLabel()
        self.produce_message.setWordWrap(True)
        scalable(self.produce_message, "font-size: {px}px;", 18)
        weight_row.addWidget(self.produce_message, 1)
        # While the load moves the bar runs (Qt's busy mode); the weight turns grey.
        self.weight_moving = QProgressBar()
        self.weight_moving.setRange(0, 0)
        self.weight_moving.setTextVisible(False)
        self.weight_moving.setMaximumWidth(160)
        self.weight_moving.hide()
        weight_row.addWidget(self.weight_moving)
        self.live_weight = QLabel()
        self.live_weight.setObjectName("liveWeight")
        self.live_weight.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        scalable(self.live_weight, "font-size: {px}px; font-weight: bold;", 36)
        weight_row.addWidget(self.live_weight)
        layout.addLayout(weight_row)
        self.produce_back = big_button(self.tr("Back"), "#757575")
        self.produce_back.clicked.connect(self.leave_produce)
        layout.addWidget(self.produce_back)
        return page

    def _pay_page(self) -> QWidget:
        """What to pay and how, in big type: the whole screen is the instruction."""
        page = QWidget()
        layout = QVBoxLayout(page)
        self.pay_due = heading("", 60)
        self.pay_due.setObjectName("payDue")
        layout.addWidget(self.pay_due)
        self.pay_message = heading("", 30)
        self.pay_message.setObjectName("payMessage")
        layout.addWidget(self.pay_message)
        layout.addStretch(1)
        self.pay_instruction = heading(
            self.tr("Hold your WeChat Pay or Alipay payment code under the scanner"), 34)
        self.pay_instruction.setObjectName("payInstruction")
        layout.addWidget(self.pay_instruction)
        layout.addWidget(heading(self.tr("or touch how you pay:"), 24))
        row = QHBoxLayout()
        self.pay_buttons: dict[str, QPushButton] = {}
        for name, text in (("card", self.tr("Bank card")), ("mobile", self.tr("WeChat Pay / Alipay")),
                           ("cash", self.tr("Cash"))):
            button = big_button(text, size=30, height=120)
            button.clicked.connect(lambda _=False, n=name: self.pay(n))
            row.addWidget(button)
            self.pay_buttons[name] = button
        self.pay_buttons["cash"].setVisible(self.cash_device)
        layout.addLayout(row)
        layout.addStretch(1)
        # While a payment code waits: the shopper's way out (Escape does the same).
        self.cancel_payment_button = big_button(self.tr("Cancel payment"), "#c62828", 28, 96)
        self.cancel_payment_button.clicked.connect(self.cancel_payment)
        self.cancel_payment_button.hide()
        layout.addWidget(self.cancel_payment_button)
        self.pay_back = big_button(self.tr("Back to basket"), "#757575")
        self.pay_back.clicked.connect(self.back_to_basket)
        layout.addWidget(self.pay_back)
        return page

    def _done_page(self) -> QWidget:
        """Thanks, what to take, and the e-receipt's QR as large as the screen allows."""
        page = QWidget()
        layout = QHBoxLayout(page)
        left = QVBoxLayout()
        left.addStretch(1)
        left.addWidget(heading(self.tr("Thank you!"), 72))
        self.done_message = heading("", 32)
        self.done_message.setObjectName("doneMessage")
        left.addWidget(self.done_message)
        left.addWidget(heading(self.tr("Take your items with you"), 28))
        left.addStretch(1)
        finish = big_button(self.tr("Finish"), "#2e7d32", 30, 110)
        finish.clicked.connect(self.finish)
        left.addWidget(finish)
        layout.addLayout(left, 3)
        right = QVBoxLayout()
        right.addStretch(1)
        right.addWidget(heading(self.tr("Scan for your e-receipt"), 26))
        self.qr = QrWidget()
        self.qr.setMinimumSize(QR_PX, QR_PX)
        right.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        right.addStretch(1)
        layout.addLayout(right, 2)
        return page

    def _attendant_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(heading(self.tr("Attendant mode")))
        self.attendant_reason = heading("", 20)
        layout.addWidget(self.attendant_reason)
        # The basket as the attendant needs it: every line, the totals, what to remove.
        self.attendant_basket = QWidget()
        basket = QVBoxLayout(self.attendant_basket)
        basket.setContentsMargins(0, 0, 0, 0)
        self.attendant_table = SaleLinesView()
        self.attendant_table.setModel(self.model)
        fit_columns(self.attendant_table)
        basket.addWidget(self.attendant_table, 1)
        self.attendant_totals = QLabel()
        self.attendant_totals.setObjectName("attendantTotals")
        scalable(self.attendant_totals, "font-size: {px}px; font-weight: bold;", 20)
        basket.addWidget(self.attendant_totals)
        self.attendant_basket.hide()
        layout.addWidget(self.attendant_basket, 4)
        self.attendant_pad = PinPad()
        self.attendant_pad.setMaximumWidth(380)
        self.attendant_pad.submitted.connect(self.attendant_login)
        layout.addWidget(self.attendant_pad, 0, Qt.AlignmentFlag.AlignHCenter)
        self.attendant_panel = QWidget()
        panel = QGridLayout(self.attendant_panel)  # three a row: six in one row overflow 1024 px
        self.attendant_buttons: dict[str, QPushButton] = {}
        for n, (name, text, slot) in enumerate((
                ("age", self.tr("Approve age"), self.approve_age),
                ("void", self.tr("Remove selected item"), self.attendant_void),
                ("resume", self.tr("Resume basket"), self.attendant_resume),
                ("clear", self.tr("Clear alert"), self.clear_alert),
                ("close", self.tr("Close lane"), self.close_lane),
                ("done", self.tr("Back to customer"), self.leave_attendant))):
            button = big_button(text, "#37474f")
            button.clicked.connect(slot)
            panel.addWidget(button, n // 3, n % 3)
            self.attendant_buttons[name] = button
        self.attendant_panel.hide()
        layout.addWidget(self.attendant_panel)
        self.attendant_message = QLabel()
        scalable(self.attendant_message, "font-size: {px}px; color: #c62828;", 18)
        layout.addWidget(self.attendant_message)
        cancel = big_button(self.tr("Cancel"), "#757575")
        cancel.clicked.connect(self.leave_attendant)
        self.attendant_cancel = cancel
        layout.addWidget(cancel)
        layout.addStretch(1)
        return page

    # --- lane --------------------------------------------------------------------------------

    def open_lane(self, staff: str, pin: str) -> None:
        try:
            self.lane_staff = self.till.login(staff, pin)
        except TillError as exc:
            self.open_pad.clear(error_text(exc))
            return
        self.open_pad.clear()
        self.show_attract()
        left = self.till.sale
        if left is not None and left.lines and not left.tenders:
            # A basket from before a restart: kept for the shopper, who may come back to it.
            try:
                self.till.suspend()
            except TillError as exc:
                self.call_attendant(STAFF_HELP, "error", error_text(exc))
                return
            self.call_attendant(RESTART, "restart")

    def show_attract(self) -> None:
        self.weighing_plu = None
        if self.weighing is not None:
            self.weighing.stop_weighing()
        if self.shopper_locale != self.store_locale:
            self.set_shopper_language(self.store_locale)
        self.model.update([])
        self.customer_display.sale(None)
        self.say("")                 # nothing said to the last shopper stays for the next
        self.done_message.clear()
        self.stack.setCurrentIndex(ATTRACT)
        self.idle.stop()

    def start(self) -> None:
        self.stack.setCurrentIndex(BASKET)
        self.refresh()
        self.idle.start()

    def touched(self) -> None:
        if self.stack.currentIndex() in (BASKET, PRODUCE, PAY, DONE):
            self.idle.start()

    def refresh(self) -> None:
        try:
            self.till.keep_open_sale()
        except TillError as exc:
            self.call_attendant(STAFF_HELP, "error", error_text(exc))
        view = sale_view(self.till.sale, self.till)
        if view is not None and self.till.sale is not None:
            for shown, line in zip(view["lines"], self.till.sale.lines, strict=True):
                shown["name"] = line.name(self.shopper_locale)
        self.model.update(view["lines"] if view else [])
        self.customer_display.sale(self.till.sale)
        self._show_item_photo()
        if self.stack.currentIndex() == ATTENDANT:
            self.show_attendant_basket()
        self.total_label.setText(self.money.amount(view["total"]) if view else self.money.minor(0))
        self.buttons["pay"].setEnabled(bool(view and view["lines"]) and not self.attendant_reasons)

    def _show_item_photo(self) -> None:
        """The photo of the item scanned last, where the catalog has one."""
        sale = self.till.sale
        photo = (self.photos.pixmap(sale.lines[-1].sku, 160)
                 if sale is not None and sale.lines else None)
        if photo is None:
            self.item_photo.hide()
            return
        self.item_photo.setPixmap(photo)
        self.item_photo.show()

    # --- language ----------------------------------------------------------------------------

    def switch_language(self) -> None:
        self.set_shopper_language("en" if self.shopper_locale.startswith("zh") else "zh_CN")

    def set_shopper_language(self, locale_name: str) -> None:
        """Retranslate the shopper's pages live: load the language, then build those pages again
        (the same builders, so nothing is missed); the basket and the page shown stay."""
        install_locale(locale_name)
        self.shopper_locale = locale_name
        self.setLocale(QLocale(locale_name))
        self.money = MoneyText(self.locale(), self.config.currency_symbol, self.config.minor_digits)
        current = self.stack.currentIndex()
        self.stack.blockSignals(True)
        for index, build in ((ATTRACT, self._attract_page), (BASKET, self._basket_page),
                             (PRODUCE, self._produce_page), (PAY, self._pay_page),
                             (DONE, self._done_page)):
            old = self.stack.widget(index)
            self.stack.removeWidget(old)
            self.stack.insertWidget(index, build())
            old.deleteLater()
        self.attendant_table.setModel(self.model)
        self.stack.setCurrentIndex(current)
        self.stack.blockSignals(False)
        self.setWindowTitle(self.tr("Self-checkout"))
        self.apply_scale()
        for cause, (reason, arg) in self._reason_sources.items():
            self.attendant_reasons[cause] = self.tr(reason).replace("%1", arg)
        if self.attendant_reasons:
            self._show_alert()
        self._hold_payment()                # the new pay page's buttons, as the old ones were
        self.refresh()

    def _locale_name(self) -> str:
        return self.shopper_locale

    # --- who sees what ------------------------------------------------------------------------

    def staff_page(self) -> bool:
        """The lane's closed screen and attendant mode are for staff; every other page is the
        shopper's, which never shows the link to HQ, device states or queued events."""
        return self.stack.currentIndex() in (CLOSED, ATTENDANT)

    def _show_staff_detail(self, _index: int = 0) -> None:
        self.status.setVisible(self.staff_page())
        self.banner.show_state(self.status.state)
        if not self.staff_page():
            self.banner.hide()

    def _link_changed(self, state: object) -> None:
        if self.staff_page():
            self.banner.show_state(state)  # type: ignore[arg-type]
        else:
            self.banner.hide()

    def say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        colour = "#c62828" if error else "#1565c0"
        restyle(self.message, "font-size: {px}px; color: " + colour + ";")

    # --- shopping ----------------------------------------------------------------------------

    def wedge_code(self, text: str, fast: bool) -> None:
        """Keys from a keyboard-wedge scanner, read as it meant them (ui/hardware/wedge_filter.py);
        a misread is refused, never sold or paid."""
        try:
            code = self.wedge.read(text, fast)
        except DeviceError as exc:
            self.say(shopper_error_text(exc), error=True)
            return
        self.enter_code(code)

    def enter_code(self, code: str) -> None:
        """Every scan, from a keyboard-wedge (HID) or a serial scanner alike: a payment code pays
        for the basket, a member's QR or card attaches the member, anything else is sold."""
        page = self.stack.currentIndex()
        if page in (CLOSED, ATTENDANT):
            return
        paying = payment_code(code, self.config)
        if paying is not None:
            self.payment_code(paying.code, paying.provider)
            return
        if page == DONE:
            self.finish()
        if self.member_next or member_code(code, self.config) is not None:
            # A member's card or QR in the store's ranges (edge/customers/member_codes.py): the
            # kiosk's own member flow, which welcomes the shopper.
            self.member_next = False
            self.member(code)
            return
        if page in (ATTRACT, PRODUCE, PAY):
            if page == PAY and self.till.sale is not None and self.till.sale.tenders:
                return
            if page == PRODUCE:
                self.leave_produce()
            self.start()
        try:
            sale = self.till.scan(code)
        except TillError as exc:
            if exc.code in NOT_A_PRODUCT and self._is_member(code):
                self.member(code)
            elif exc.code == "weight_required":
                self.say(self.tr("Please use Fruit & veg for this item"), error=True)
            elif exc.code == "unknown_product":
                self.call_attendant(UNKNOWN_ITEM, "unknown",
                                    self.tr("Unknown barcode %1").replace("%1", code.strip()[:40]))
                self.say(shopper_error_text(exc), error=True)
            else:
                self.say(shopper_error_text(exc), error=True)
            return
        self.refresh()
        self.say("")
        if sale.needs_age_check():
            self.call_attendant(AGE_CHECK, "age")

    def _is_member(self, code: str) -> bool:
        try:
            members.identify(self.till.conn, code.strip())
        except OpsError:
            return False
        return True

    def payment_code(self, code: str, provider: str) -> None:
        """A customer's payment code, from any scanner on any shopper page: on the basket it
        starts paying for the basket (the shopper's natural move), on the pay page it pays."""
        page = self.stack.currentIndex()
        sale = self.till.sale
        if page == DONE or sale is None or not sale.lines:
            if page != DONE:
                self.start()
                self.say(self.tr("Scan your items first, then your payment code"), error=True)
            return
        if page != PAY:
            if page == PRODUCE:
                self.leave_produce()
            self.go_pay()
            if self.stack.currentIndex() != PAY:   # an alert holds payment: the attendant comes
                return
        if self.attendant_reasons:                 # an alert holds payment on this page too
            return
        if self.till.payments is not None:
            self.pay_by_code(code)
        else:
            self.pay("mobile", reference=f"{provider}:{code}")

    def show_produce(self) -> None:
        self.produce_message.setText("")
        self.live_weight.setText("")
        self.weight_moving.hide()
        self.stack.setCurrentIndex(PRODUCE)

    def leave_produce(self) -> None:
        self.weighing_plu = None
        if self.weighing is not None:
            self.weighing.stop_weighing()
        self.stack.setCurrentIndex(BASKET)

    def weigh_produce(self, plu: str, name: str) -> None:
        if self.weighing is None:
            self.call_attendant(NO_SCALE, "scale", arg=name)
            return
        self.weighing_plu = (plu, name)
        self.produce_message.setText(self.tr("Put %1 on the scale").replace("%1", name))
        self.weighing.weigh()

    def _live_reading(self, event: object) -> None:
        """Every answer of the scale while weighing: the weight as it is now, or that it moves."""
        from drivers.scale.events import MotionEvent, StableWeightEvent, ZeroEvent

        if self.weighing_plu is None:
            return
        name = self.weighing_plu[1]
        moving = isinstance(event, MotionEvent)
        self.weight_moving.setVisible(moving)
        restyle(self.live_weight, "font-size: {px}px; font-weight: bold; color: "
                + ("#9e9e9e;" if moving else "#1b5e20;"))
        if isinstance(event, StableWeightEvent) and event.grams > 0:
            self.live_weight.setText(self.weight_text(event.grams))
            self.produce_message.setText(self.tr("Weighing %1…").replace("%1", name))
        elif moving:
            self.produce_message.setText(self.tr("Weighing %1: hold still…").replace("%1", name))
            if not self.live_weight.text():  # nothing stable yet: a grey placeholder, no number
                self.live_weight.setText(self.tr("%1 kg").replace("%1", "–.–––"))
        elif isinstance(event, (ZeroEvent, StableWeightEvent)):
            self.live_weight.setText(self.weight_text(0))
            self.produce_message.setText(self.tr("Put %1 on the scale").replace("%1", name))

    def weight_text(self, grams: int) -> str:
        return self.tr("%1 kg").replace("%1", self.locale().toString(grams / 1000, "f", 3))

    def _lift_and_replace(self, grams: int) -> None:
        """The load sold last still lies on the scale: it is not sold again."""
        if self.weighing_plu is None:
            return
        self.produce_message.setText(
            self.tr("Lift the item off the scale and place %1 on it again")
            .replace("%1", self.weighing_plu[1]))

    def _scale_trouble(self, cause: str) -> None:
        self.weight_moving.hide()
        self.call_attendant(SCALE_SILENT if cause == UNREACHABLE else SCALE_UNEXPECTED, "scale")

    def _weighed(self, grams: int) -> None:
        picked, self.weighing_plu = self.weighing_plu, None
        self.weight_moving.hide()
        if picked is None:
            return
        try:
            self.till.add(plu=picked[0], qty=format_quantity(grams))
        except TillError as exc:
            self.produce_message.setText(shopper_error_text(exc))
            return
        assert self.weighing is not None
        self.weighing.discipline.taken()
        self.stack.setCurrentIndex(BASKET)
        self.refresh()

    def ask_member(self) -> None:
        self.member_next = True
        self.say(self.tr("Scan your member QR code"))

    def member(self, token: str) -> None:
        if self.till.sale is None:
            self.say(self.tr("Scan an item first, then your member QR code"), error=True)
            return
        before = self.till.sale.discount
        try:
            sale = identify_member(self.till, token)
        except TillError as exc:
            self.say(shopper_error_text(exc), error=True)
            return
        self.refresh()
        sale = self.till.sale
        if sale is not None and sale.discount > before:   # a member price changed something
            self.say(self.tr("Welcome, member! Member prices applied"))
        else:
            self.say(self.tr("Welcome, member!"))

    def remove_item(self) -> None:
        self.call_attendant(REMOVE, "remove")

    # --- attendant ---------------------------------------------------------------------------

    def call_attendant(self, reason: str, cause: str, detail: str | None = None,
                       arg: str = "") -> None:
        """Raise (or update) the alert for `cause`; `reason` (source text, with `arg` for its %1)
        is what the shopper may read, in the language of the moment; `detail` what only the
        attendant sees."""
        self.attendant_reasons[cause] = self.tr(reason).replace("%1", arg)
        self._reason_sources[cause] = (reason, arg)
        if detail is not None:
            self.attendant_detail[cause] = detail
        kind = "age" if cause == "age" else "weight" if reason == SCALE_UNEXPECTED else None
        if kind is not None and kind not in self._alerts_open:
            self._alerts_open[kind] = utc_now_iso()
        self._show_alert()

    def clear_reason(self, cause: str, how: str = "resolved", by: str | None = None) -> None:
        """The cause is gone (age approved, item removed, scale answering again): so is its alert;
        a weight or age alert is recorded as a fact, cleared `how` and `by` whom."""
        self._record_alert("age" if cause == "age" else "weight" if cause == "scale" else "",
                           how, by)
        self.attendant_reasons.pop(cause, None)
        self.attendant_detail.pop(cause, None)
        self._reason_sources.pop(cause, None)
        self._show_alert()
        if self.stack.currentIndex() == ATTENDANT:
            self.attendant_reason.setText(self._staff_reasons())

    def _record_alert(self, kind: str, how: str, by: str | None) -> None:
        raised = self._alerts_open.pop(kind, None)
        if raised is None:
            return
        try:
            self.till.lane_alert(kind, raised, how, by)
        except TillError as exc:   # never holds the lane: the attendant sees it
            self.attendant_message.setText(error_text(exc))

    def _attendant_id(self) -> str | None:
        """Who acts in attendant mode: the staff member logged in there."""
        return self.till.staff.id if self.till.staff is not None else None

    def _show_alert(self) -> None:
        if not self.attendant_reasons:
            self.alert.hide()
            self._hold_payment()
            if self.stack.currentIndex() == BASKET:
                self.refresh()
            return
        self.alert.setText(self.tr("Please wait: an attendant is coming (%1)")
                           .replace("%1", self.tr("; ").join(self.attendant_reasons.values())))
        self.alert.show()
        self.buttons["pay"].setEnabled(False)
        self._hold_payment()

    def _staff_reasons(self) -> str:
        """The reasons as the attendant reads them: the detail where there is one, in the
        language installed now (the store's, in attendant mode)."""
        return self.tr("; ").join(self.attendant_detail.get(cause) or self.tr(reason).replace("%1", arg)
                         for cause, (reason, arg) in self._reason_sources.items())

    def open_attendant(self) -> None:
        # Staff work in the store's language, whatever the shopper chose.
        if self.shopper_locale != self.store_locale:
            install_locale(self.store_locale)
        self.attendant_reason.setText(self._staff_reasons())
        self.attendant_pad.show()
        self.attendant_pad.clear()
        self.attendant_panel.hide()
        self.attendant_basket.hide()
        self.attendant_cancel.show()
        self.stack.setCurrentIndex(ATTENDANT)

    def attendant_login(self, staff: str, pin: str) -> None:
        try:
            self.attendant = self.till.login(staff, pin)
        except TillError as exc:
            self.attendant_pad.clear(error_text(exc))
            return
        self.attendant_pad.hide()
        self.attendant_cancel.hide()
        self.attendant_panel.show()
        self.attendant_basket.show()
        self.show_attendant_basket()
        self.attendant_message.setText(self.tr("Attendant %1").replace("%1", self.attendant.name))

    def show_attendant_basket(self) -> None:
        sale = self.till.sale
        if sale is None or not sale.lines:
            self.attendant_totals.setText(self.tr("No basket open"))
            return
        pieces = sum(1 if ln.unit == "kg" else ln.qty_milli // 1000 for ln in sale.lines)
        text = (self.tr("%1 items · total %2 · tax %3 · paid %4")
                .replace("%1", str(pieces)).replace("%2", self.money.minor(sale.total))
                .replace("%3", self.money.minor(sale.tax)).replace("%4", self.money.minor(sale.paid)))
        if sale.member_id:   # by name (or the card's last digits), never by id
            from edge.customers.members import by_id
            from edge.sale.receipt import mask_card

            found = by_id(self.till.conn, sale.member_id)
            name = "" if found is None else found.name or (
                mask_card(found.card_no) if found.card_no else "")
            text += " · " + self.tr("member %1").replace("%1", name or self.tr("(unnamed)"))
        self.attendant_totals.setText(text)

    def _attendant_act(self, action: Callable[[], object]) -> bool:
        try:
            action()
        except TillError as exc:
            self.attendant_message.setText(error_text(exc))
            return False
        return True

    def approve_age(self) -> None:
        if self.till.sale is not None and self._attendant_act(self.till.confirm_age):
            self.clear_reason("age", "age_approved", self._attendant_id())
            self.attendant_message.setText(self.tr("Age approved"))

    def attendant_void(self) -> None:
        rows = self.attendant_table.selectionModel().selectedRows()
        line = self.model.line_at(rows[0].row() if rows else self.model.rowCount() - 1)
        if line is not None and self._attendant_act(lambda: self.till.void_line(line["line"])):
            self.refresh()
            self.clear_reason("remove")
            if self.till.sale is None or not self.till.sale.needs_age_check():
                self.clear_reason("age", "item_removed", self._attendant_id())
            self.attendant_message.setText(self.tr("Item removed"))

    def attendant_resume(self) -> None:
        """Bring back the latest suspended basket (left by a shopper, or kept over a restart)."""
        rows = self.till.suspended()
        if not rows:
            self.attendant_message.setText(self.tr("No suspended baskets"))
            return
        if self._attendant_act(lambda: self.till.resume(rows[-1]["id"])):
            self.refresh()
            self.clear_reason("restart")
            self.attendant_message.setText(self.tr("Basket resumed: back to the customer"))

    def clear_alert(self) -> None:
        """The attendant dealt with it; an alert whose cause is still there (an unchecked age,
        a scale in trouble) stays."""
        keep = set()
        if self.till.sale is not None and self.till.sale.needs_age_check():
            keep.add("age")
        if self.weighing is not None and self.weighing.trouble_now is not None:
            keep.add("scale")
        for cause in [c for c in self.attendant_reasons if c not in keep]:
            self.clear_reason(cause, "attendant", self._attendant_id())

    def close_lane(self) -> None:
        if self.till.sale is not None and self.till.sale.lines:
            self.attendant_message.setText(self.tr("Finish or suspend the basket first"))
            return
        for kind in list(self._alerts_open):
            self._record_alert(kind, "lane_closed", self._attendant_id())
        self.attendant_reasons.clear()
        self.attendant_detail.clear()
        self._reason_sources.clear()
        self.lane_staff = None
        self.till.staff = None
        self.alert.hide()
        self.open_pad.clear()
        self.stack.setCurrentIndex(CLOSED)

    def leave_attendant(self) -> None:
        # The lane goes on under the staff member who opened it; the approval was journaled with
        # the attendant's id by the till.
        if self.lane_staff is not None:
            self.till.staff = self.lane_staff
        if self.shopper_locale != self.store_locale:
            install_locale(self.shopper_locale)
        self.stack.setCurrentIndex(BASKET if self.till.sale is not None else ATTRACT)
        self.refresh()
        self._show_alert()

    # --- paying ------------------------------------------------------------------------------

    def go_pay(self) -> None:
        sale = self.till.sale
        if sale is None or not sale.lines:
            return
        if sale.needs_age_check():
            self.call_attendant(AGE_CHECK, "age")
        if self.attendant_reasons:
            self._show_alert()
            return
        self.stack.setCurrentIndex(PAY)
        self.customer_display.due(max(sale.remaining, 0))
        self.pay_due.setText(self.tr("To pay %1").replace("%1", self.money.minor(sale.remaining)))
        self.pay_message.setText(self.tr("Choose how to pay"))

    def back_to_basket(self) -> None:
        if self.payment_in_progress():
            return
        if self.till.sale is not None and self.till.sale.tenders:
            return
        self.stack.setCurrentIndex(BASKET)

    def pay(self, type_name: str, reference: str | None = None) -> None:
        sale = self.till.sale
        if sale is None:
            return
        amount = sale.remaining
        approval = masked = None
        if type_name == "card":
            result = self.card_terminal.charge(amount)
            if not result.approved:
                self.pay_message.setText(self.tr("Card declined: please wait for staff"))
                self.call_attendant(PAYMENT_PROBLEM, "payment",
                                    self.tr("Card declined: %1").replace("%1", result.message))
                return
            approval, masked = result.approval_code, result.masked_pan
        elif type_name == "mobile" and reference is None:
            self.pay_message.setText(self.tr("Show your payment code to the scanner"))
            return
        elif type_name == "cash":
            self.pay_message.setText(self.tr("Insert notes and coins"))
            return
        try:
            done = self.till.tender(type_name, amount, reference, approval, masked)
        except TillError as exc:
            self.pay_message.setText(shopper_error_text(exc))
            self.call_attendant(PAYMENT_PROBLEM, "payment", error_text(exc))
            return
        if done.status == "completed":
            self.completed()

    def pay_by_code(self, code: str) -> None:
        """The till's payment-code flow (edge/till/mobile_payment.py), polled by a timer while
        the customer confirms on the phone; the sale completes only on the provider's SUCCESS.
        Each provider request runs on a worker thread (ui/till/payment_runner.py), every SQLite
        statement on this one, so the lane stays live while a provider is slow."""
        if self.payment_runner.busy:
            return
        self._cancel_asked = False
        self._show_waiting(True)
        self.pay_message.setText(self.tr("Confirm the payment on your phone"))
        self.payment_runner.run(self.till.pay_code_steps(code, wait=False), self._payment_step)

    @cached_property
    def payment_runner(self) -> PaymentRunner:
        return PaymentRunner(self)

    _cancel_asked = False

    def payment_in_progress(self) -> bool:
        payments = self.till.payments
        return self.payment_runner.busy or (payments is not None and payments.waiting is not None)

    def poll_payment(self) -> None:
        if not self.payment_runner.busy and self.till.payments is not None \
                and self.till.payments.waiting is not None:
            self.payment_runner.run(self.till.payment_poll_steps(), self._payment_step)

    def cancel_payment(self) -> None:
        """The shopper's Cancel payment (or Escape), as the till's Esc: the waiting attempt is
        reversed; asked during a provider request, it is done when that request returns (a
        SUCCESS it brings completes the sale: the customer paid)."""
        if not self.payment_in_progress():
            return
        self._cancel_asked = True     # kept until the outcome is shown: it words the message
        self.pay_message.setText(self.tr("Cancelling the payment…"))
        self.cancel_payment_button.setEnabled(False)
        if not self.payment_runner.busy:
            self.payment_runner.run(self.till.payment_cancel_steps(), self._payment_step)

    def _payment_step(self, _sale: object, failure: Exception | None) -> None:
        if isinstance(failure, TillError):
            self.pay_message.setText(self._payment_failed_text(failure))
            cancelled = self._cancel_asked and failure.code == "payment_reversed"
            self._cancel_asked = False
            self._show_waiting(False)
            if not cancelled:       # the shopper's own cancel is no problem; anything else is
                self.call_attendant(PAYMENT_PROBLEM, "payment", error_text(failure))
            return
        if failure is not None:
            raise failure
        payments = self.till.payments
        if payments is not None and payments.waiting is not None:
            if self._cancel_asked:    # asked while a request was out: do it now
                self.payment_runner.run(self.till.payment_cancel_steps(), self._payment_step)
                return
            self.pay_message.setText(self.tr("Confirm the payment on your phone"))
            wait = payments.flow.wait_time(payments.waiting.out_trade_no)
            QTimer.singleShot(max(50, int(wait * 1000)), self.poll_payment)
            return
        self._cancel_asked = False
        self._show_waiting(False)
        if self.till.sale is None and self.till.last_sale is not None:
            self.completed()

    def _payment_failed_text(self, failure: TillError) -> str:
        """What the shopper reads when a payment code did not pay: plain words, no codes."""
        if failure.code == "payment_reversed":
            if self._cancel_asked:
                return self.tr("Payment cancelled: you were not charged. Choose how to pay")
            return self.tr("No payment in time: you were not charged. A member of staff is "
                           "coming")
        if failure.code == "payment_declined":
            return self.tr("The payment was declined: you were not charged. A member of staff "
                           "is coming")
        if failure.code == "payment_refunded":
            return self.tr("You were charged, then the payment was reversed: the money goes back "
                           "to your account. A member of staff is coming")
        if failure.code == "payment_failed":
            return self.tr("The payment did not go through: you were not charged. A member of "
                           "staff is coming")
        if failure.code == "payment_offline":
            return self.tr("Payment codes cannot be taken right now: you were not charged. "
                           "A member of staff is coming")
        return shopper_error_text(failure)

    def _show_waiting(self, waiting: bool) -> None:
        """While a payment code waits only Cancel payment is offered."""
        self.cancel_payment_button.setVisible(waiting)
        self.cancel_payment_button.setEnabled(waiting)
        self._waiting = waiting
        self.pay_back.setEnabled(not waiting)
        self._hold_payment()

    _waiting = False

    def _hold_payment(self) -> None:
        """While a code waits, or an alert is up until the attendant cleared it, nothing more is
        paid."""
        for button in self.pay_buttons.values():
            button.setEnabled(not self._waiting and not self.attendant_reasons)

    def completed(self) -> None:
        sale = self.till.last_sale
        assert sale is not None
        self.customer_display.paid(sale.paid, sale.change)
        receipt = sale_receipt(self.till.conn, sale, self.config,
                               self.lane_staff.name if self.lane_staff else "")
        note = self.tr("Take your e-receipt with the QR code")
        printer = self.devices.printer
        if printer is not None:
            from ui.till.receipt_document import receipt_document

            try:
                printer.print(receipt_document(receipt, printer.profile.columns))
                note = self.tr("Take your receipt, or scan the QR code for an e-receipt")
            except DeviceError:
                pass
        self.done_message.setText(note)
        self.qr.set_payload(receipt.qr_payload)
        self.stack.setCurrentIndex(DONE)
        self.idle.start()

    def finish(self) -> None:
        self.show_attract()

    def idle_reset(self) -> None:
        """Nobody touched the lane for a while: leave it ready for the next customer, losing
        nothing (an unpaid basket is suspended; a part-paid one waits for the attendant)."""
        sale = self.till.sale
        if sale is not None and sale.tenders:
            self.call_attendant(LEFT_PAYING, "left_paying")
            return
        if sale is not None and sale.lines:
            try:
                self.till.suspend()
            except TillError as exc:
                self.call_attendant(STAFF_HELP, "error", error_text(exc))
                return
        self.member_next = False
        self.show_attract()

    # --- devices -----------------------------------------------------------------------------

    def device_event(self, event: object) -> None:
        from drivers.scanner.protocol import PaymentCodeEvent, ScanEvent

        self.status.device_event(event)
        if isinstance(event, ScanEvent):
            self.enter_code(event.symbology + event.data)
        elif isinstance(event, PaymentCodeEvent) and self.stack.currentIndex() not in (CLOSED,
                                                                                      ATTENDANT):
            self.payment_code(event.code, event.provider)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.apply_scale()

    def apply_scale(self) -> None:
        """Text, touch targets, the basket's rows and the QR grow with the screen."""
        factor = factor_for(self.width(), self.height())
        rescale(self, factor)
        for table in (self.table, self.attendant_table):
            font = table.font()
            font.setPixelSize(round(17 * factor))
            table.setFont(font)
            table.verticalHeader().setDefaultSectionSize(round(40 * factor))
            table.setIconSize(QSize(round(20 * factor), round(20 * factor)))
            fit_columns(table, factor)
        self.qr.setMinimumSize(round(QR_PX * factor), round(QR_PX * factor))
        self.picker.scale_tiles(factor)

    def keyPressEvent(self, event: Any) -> None:
        # The attendant's key (a key switch on real kiosks; F12 here) opens attendant mode.
        if event.key() == Qt.Key.Key_F12 and self.stack.currentIndex() != CLOSED:
            self.open_attendant()
            return
        if event.key() == Qt.Key.Key_Escape and self.stack.currentIndex() == PAY \
                and self.payment_in_progress():
            self.cancel_payment()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: Any) -> None:
        if self.weighing is not None:
            self.weighing.stop()
        for event_filter in (self.activity, self.wedge):
            QApplication.instance().removeEventFilter(event_filter)  # type: ignore[union-attr]
        super().closeEvent(event)


def run_kiosk_app(conn: sqlite3.Connection, config: StoreConfig, devices: Devices | None = None,
                  locale_name: str | None = None, screen: ScreenOptions | None = None,
                  hq: HqLookups | None = None) -> int:
    """`hq`: HQ's points and coupons look-ups, as at the till (run_till_app)."""
    from providers.accounts import mobile_payments_for
    from ui.till.till_app import run_window

    return run_window(conn, config,
                      lambda d: KioskWindow(Till(conn, config, engine_for(conn, config),
                                                 payments=mobile_payments_for(conn, config),
                                                 hq=hq), d),
                      devices, locale_name, screen)
