"""A store day at the self-checkout, driven only through the inputs a lane has: touches on its
buttons, the attendant's keys (F12, Escape) and PIN typed on the keyboard, a keyboard-wedge (HID)
scanner as key events at scanner speed through ui/hardware/wedge_filter.py, and the serial
scanner and scale as byte streams over ptys to their simulators; payment codes go to the
provider simulator over real HTTP. Each scene is played in zh_CN and in en, and asserts the books
(the sale's lines and tenders in SQLite), not only the screen."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication
from pytestqt.qtbot import QtBot

from drivers.scale.simulator import ScaleSimulator
from drivers.scanner.simulator import ScannerSimulator
from edge.config import StoreConfig
from edge.payments.settings import PaymentSettings
from edge.till.mobile_payment import MobilePayments
from edge.till.session import Till
from providers import simulator as s
from providers.simulator import Behaviour, ProviderSimulator
from tests.edge.payments.harness import CODES, RealClock, adapters, simulator
from tests.ui.conftest import activate
from tests.ui.screen_scale import fonts, not_grown, overflowing, settle
from ui.hardware.devices import Devices
from ui.kiosk.kiosk_app import ATTENDANT, ATTRACT, BASKET, CLOSED, DONE, PAY, PRODUCE, KioskWindow
from ui.widgets.locale_setup import install_locale

QUICK = PaymentSettings(timeout_s=1.0, query_interval_s=0.05, reverse_interval_s=0.05,
                        reverse_for_s=2.0)
SCANNER_GAP_MS = 2          # a wedge scanner types a code in a few milliseconds
UNKNOWN_GTIN = "6900000000007"


# --- the lane and its inputs -----------------------------------------------------------------

@pytest.fixture(params=["zh_CN", "en"])
def locale(request: pytest.FixtureRequest) -> Iterator[str]:
    install_locale(request.param)
    yield request.param
    install_locale("en")


@pytest.fixture
def provider() -> Iterator[ProviderSimulator]:
    sim = simulator()
    yield sim
    sim.stop()


@pytest.fixture
def lane(qtbot: QtBot, conn: sqlite3.Connection, locale: str, provider: ProviderSimulator,
         devices: Devices) -> KioskWindow:
    """A lane on the demo store in `locale`, its devices on their real transports, opened by a
    member of staff typing number and PIN."""
    config = StoreConfig(locale=locale)
    clock = RealClock()
    till = Till(conn, config, payments=MobilePayments(conn, config, adapters(provider.url), QUICK,
                                                      now=clock.now, sleep=clock.sleep))
    window = KioskWindow(till, devices, idle_seconds=600)
    qtbot.addWidget(window)
    window.resize(1024, 768)
    activate(qtbot, window)
    assert window.stack.currentIndex() == CLOSED
    type_pin(qtbot, window.open_pad, "1001", "1234")
    assert window.stack.currentIndex() == ATTRACT
    return window


def type_pin(qtbot: QtBot, pad: object, staff: str, pin: str) -> None:
    qtbot.keyClicks(pad.staff, staff)                      # type: ignore[attr-defined]
    qtbot.keyClick(pad.staff, Qt.Key.Key_Return)          # type: ignore[attr-defined]
    qtbot.keyClicks(pad.pin, pin)                          # type: ignore[attr-defined]
    qtbot.keyClick(pad.pin, Qt.Key.Key_Return)            # type: ignore[attr-defined]


def hid_scan(qtbot: QtBot, window: KioskWindow, code: str) -> None:
    """A keyboard-wedge scanner: the code's keys, then Enter, a few ms apart, to whatever has
    the keyboard focus (the lane's window when nothing has)."""
    seen: list[tuple[str, bool]] = []

    def took(text: str, fast: bool) -> None:
        seen.append((text, fast))

    window.wedge.code.connect(took)
    target = QApplication.focusWidget() or window
    QTest.keyClicks(target, code, Qt.KeyboardModifier.NoModifier, SCANNER_GAP_MS)
    QTest.keyClick(target, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, SCANNER_GAP_MS)
    window.wedge.code.disconnect(took)
    assert [text for text, _fast in seen] == [code], "the wedge filter did not take the scan"


def serial_scan(qtbot: QtBot, scanner: ScannerSimulator, code: str,
                done: object) -> None:
    scanner.scan(code)
    qtbot.waitUntil(done, timeout=5000)                    # type: ignore[arg-type]


def tap(qtbot: QtBot, button: QAbstractButton) -> None:
    """A shopper's (or attendant's) touch: a disabled button takes none."""
    assert button.isVisible(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def gtins(conn: sqlite3.Connection, n: int) -> list[str]:
    return [r[0].lstrip("0") for r in conn.execute(
        "SELECT g.gtin FROM product_gtin g JOIN product p USING (sku)"
        " WHERE p.age_restricted = 0 AND p.unit = 'each' ORDER BY p.sku LIMIT ?", (n,))]


def alcohol_gtin(conn: sqlite3.Connection) -> str:
    return str(conn.execute("SELECT g.gtin FROM product_gtin g JOIN product p USING (sku)"
                            " WHERE p.age_restricted = 1 LIMIT 1").fetchone()[0]).lstrip("0")


def books(conn: sqlite3.Connection) -> list[dict[str, object]]:
    """Every completed sale as SQLite holds it: lines (sku, qty) and tenders (type, amount)."""
    sales = []
    for sale_id, total, paid in conn.execute(
            "SELECT id, total, paid FROM sale WHERE status = 'completed' ORDER BY receipt_no"):
        sales.append({
            "total": total, "paid": paid,
            "lines": [tuple(r) for r in conn.execute(
                "SELECT sku, qty_milli FROM sale_line WHERE sale_id = ? ORDER BY line_no",
                (sale_id,))],
            "tenders": [tuple(r) for r in conn.execute(
                "SELECT type, amount FROM sale_tender WHERE sale_id = ? ORDER BY tender_no",
                (sale_id,))]})
    return sales


def sku_of(conn: sqlite3.Connection, code: str) -> str:
    return str(conn.execute("SELECT sku FROM product_gtin WHERE ltrim(gtin, '0') = ?",
                            (code,)).fetchone()[0])


def attendant(qtbot: QtBot, window: KioskWindow) -> None:
    """The attendant's key (F12), then their number and PIN typed in."""
    qtbot.keyClick(window, Qt.Key.Key_F12)
    assert window.stack.currentIndex() == ATTENDANT
    type_pin(qtbot, window.attendant_pad, "2001", "5678")
    assert window.attendant_panel.isVisible()


def pay_held(qtbot: QtBot, window: KioskWindow) -> None:
    """结账 does nothing while an alert is up."""
    assert window.alert.isVisible() and not window.buttons["pay"].isEnabled()
    qtbot.mouseClick(window.buttons["pay"], Qt.MouseButton.LeftButton)
    assert window.stack.currentIndex() == BASKET


# --- payment codes, by HID and by serial, on the basket and on the pay screen ---------------

@pytest.mark.parametrize("scanner_kind", ["hid", "serial"])
@pytest.mark.parametrize("screen", ["basket", "pay"])
def test_a_payment_code_pays_the_basket_from_either_scanner_on_either_screen(
        qtbot: QtBot, lane: KioskWindow, conn: sqlite3.Connection, provider: ProviderSimulator,
        scanner_sim: ScannerSimulator, scanner_kind: str, screen: str) -> None:
    provider.behaviour = Behaviour(s.USERPAYING, paying_s=0.2)
    first, second = gtins(conn, 2)
    hid_scan(qtbot, lane, first)                              # products by both kinds too
    serial_scan(qtbot, scanner_sim, second, lambda: lane.model.rowCount() == 2)
    assert lane.stack.currentIndex() == BASKET
    shown_total = lane.total_label.text()
    if screen == "pay":
        tap(qtbot, lane.buttons["pay"])
        assert lane.stack.currentIndex() == PAY
    code = CODES["wechat" if scanner_kind == "hid" else "alipay"]
    if scanner_kind == "hid":
        hid_scan(qtbot, lane, code)
    else:
        scanner_sim.scan(code)
    qtbot.waitUntil(lambda: lane.stack.currentIndex() == DONE, timeout=8000)

    [sale] = books(conn)
    assert [sku for sku, _ in sale["lines"]] == [sku_of(conn, first), sku_of(conn, second)]
    assert sale["tenders"] == [("mobile", sale["total"])] and sale["paid"] == sale["total"]
    assert lane.money.minor(sale["total"]) == shown_total  # type: ignore[arg-type]
    assert sum(provider.charged().values()) == sale["total"]
    assert "_" not in lane.message.text()


def test_a_payment_code_before_any_item_pays_nothing_and_says_what_to_do(
        qtbot: QtBot, lane: KioskWindow, conn: sqlite3.Connection,
        provider: ProviderSimulator) -> None:
    hid_scan(qtbot, lane, CODES["wechat"])
    assert lane.stack.currentIndex() == BASKET and lane.message.text()
    assert books(conn) == [] and provider.charged() == {}
    assert lane.till.sale is None or not lane.till.sale.lines


# --- the load left on the scale --------------------------------------------------------------

def weigh(qtbot: QtBot, window: KioskWindow, plu: str) -> None:
    if window.stack.currentIndex() != PRODUCE:
        tap(qtbot, window.buttons["produce"])
    tap(qtbot, window.picker.tiles[plu])


def test_a_load_left_on_the_scale_is_charged_once_and_the_shopper_lifts_and_places_again(
        qtbot: QtBot, lane: KioskWindow, conn: sqlite3.Connection,
        scale_sim: ScaleSimulator) -> None:
    """The bug: 0.856 kg charged as bananas, then tomatoes, then cucumbers."""
    tap(qtbot, lane.start_button)
    scale_sim.weight_grams = 856
    weigh(qtbot, lane, "2")                                   # bananas
    qtbot.waitUntil(lambda: lane.model.rowCount() == 1, timeout=5000)
    assert lane.stack.currentIndex() == BASKET

    for plu in ("3", "4"):                                    # tomatoes, cucumbers: same load
        weigh(qtbot, lane, plu)
        qtbot.waitUntil(lambda: lane.produce_message.text() == lift_text(lane), timeout=5000)
        qtbot.wait(600)                                       # six more readings of that load
        assert lane.model.rowCount() == 1 and lane.stack.currentIndex() == PRODUCE
        assert lane.alert.isHidden()                          # asked of the shopper, no alert

    scale_sim.weight_grams = 0                                # lifted...
    qtbot.waitUntil(lambda: lane.weighing.discipline.last_taken is None, timeout=5000)  # type: ignore[union-attr]
    scale_sim.weight_grams = 856                              # ...and placed again: cucumbers
    qtbot.waitUntil(lambda: lane.model.rowCount() == 2, timeout=5000)
    tap(qtbot, lane.buttons["pay"])
    tap(qtbot, lane.pay_buttons["card"])
    assert lane.stack.currentIndex() == DONE

    [sale] = books(conn)
    assert sale["lines"] == [("F0002", 856), ("F0004", 856)]  # never tomatoes, never twice
    assert sale["tenders"] == [("card", sale["total"])]
    assert sale["total"] == round(856 * 698 / 1000) + round(856 * 498 / 1000)


def test_a_load_lifted_on_the_basket_screen_lets_the_next_of_the_same_weight_be_taken_at_once(
        qtbot: QtBot, lane: KioskWindow, conn: sqlite3.Connection,
        scale_sim: ScaleSimulator) -> None:
    """The lane keeps an eye on the scale after a sale of a weight until the platter is clear,
    so a shopper who took the bananas off is not asked to lift the tomatoes."""
    tap(qtbot, lane.start_button)
    scale_sim.weight_grams = 856
    weigh(qtbot, lane, "2")                                   # bananas
    qtbot.waitUntil(lambda: lane.model.rowCount() == 1, timeout=5000)
    scale_sim.weight_grams = 0                                # taken off, on the basket screen
    qtbot.waitUntil(lambda: not lane.weighing.running, timeout=5000)  # type: ignore[union-attr]
    scale_sim.weight_grams = 856                              # tomatoes, the same weight
    weigh(qtbot, lane, "3")
    qtbot.waitUntil(lambda: lane.model.rowCount() == 2, timeout=5000)
    tap(qtbot, lane.buttons["pay"])
    tap(qtbot, lane.pay_buttons["card"])
    [sale] = books(conn)
    assert sale["lines"] == [("F0002", 856), ("F0003", 856)]


def lift_text(window: KioskWindow) -> str:
    assert window.weighing_plu is not None
    return QCoreApplication.translate(
        "KioskWindow", "Lift the item off the scale and place %1 on it again").replace(
        "%1", window.weighing_plu[1])


# --- alerts that call someone ----------------------------------------------------------------

def test_an_unknown_barcode_calls_the_attendant_and_holds_payment_until_cleared(
        qtbot: QtBot, lane: KioskWindow, conn: sqlite3.Connection,
        provider: ProviderSimulator) -> None:
    [item] = gtins(conn, 1)
    hid_scan(qtbot, lane, item)
    hid_scan(qtbot, lane, UNKNOWN_GTIN)
    pay_held(qtbot, lane)
    hid_scan(qtbot, lane, CODES["wechat"])                    # nor does a payment code pay
    assert lane.stack.currentIndex() == BASKET and provider.charged() == {}

    attendant(qtbot, lane)
    assert UNKNOWN_GTIN in lane.attendant_reason.text()       # the attendant sees which code
    tap(qtbot, lane.attendant_buttons["clear"])
    tap(qtbot, lane.attendant_buttons["done"])
    assert lane.alert.isHidden() and lane.buttons["pay"].isEnabled()
    tap(qtbot, lane.buttons["pay"])
    tap(qtbot, lane.pay_buttons["card"])
    [sale] = books(conn)
    assert [sku for sku, _ in sale["lines"]] == [sku_of(conn, item)]
    assert sale["tenders"] == [("card", sale["total"])]


def test_an_age_check_calls_the_attendant_and_holds_payment_until_approved(
        qtbot: QtBot, lane: KioskWindow, conn: sqlite3.Connection,
        scanner_sim: ScannerSimulator) -> None:
    wine = alcohol_gtin(conn)
    serial_scan(qtbot, scanner_sim, wine, lambda: lane.model.rowCount() == 1)
    pay_held(qtbot, lane)
    attendant(qtbot, lane)
    tap(qtbot, lane.attendant_buttons["clear"])               # clearing is not approving
    tap(qtbot, lane.attendant_buttons["done"])
    pay_held(qtbot, lane)
    attendant(qtbot, lane)
    tap(qtbot, lane.attendant_buttons["age"])
    tap(qtbot, lane.attendant_buttons["done"])
    tap(qtbot, lane.buttons["pay"])
    tap(qtbot, lane.pay_buttons["card"])
    [sale] = books(conn)
    assert [sku for sku, _ in sale["lines"]] == [sku_of(conn, wine)]
    assert sale["tenders"] == [("card", sale["total"])]


def test_a_weight_the_scale_cannot_weigh_calls_the_attendant_until_the_platter_is_right(
        qtbot: QtBot, lane: KioskWindow, conn: sqlite3.Connection,
        scale_sim: ScaleSimulator) -> None:
    [item] = gtins(conn, 1)
    hid_scan(qtbot, lane, item)
    scale_sim.over_capacity = True
    weigh(qtbot, lane, "1")
    qtbot.waitUntil(lane.alert.isVisible, timeout=5000)
    tap(qtbot, lane.produce_back)
    pay_held(qtbot, lane)
    attendant(qtbot, lane)
    tap(qtbot, lane.attendant_buttons["clear"])               # the cause is still there
    tap(qtbot, lane.attendant_buttons["done"])
    pay_held(qtbot, lane)
    scale_sim.over_capacity = False
    qtbot.waitUntil(lane.alert.isHidden, timeout=5000)
    tap(qtbot, lane.buttons["pay"])
    tap(qtbot, lane.pay_buttons["card"])
    [sale] = books(conn)
    assert [sku for sku, _ in sale["lines"]] == [sku_of(conn, item)]   # nothing weighed
    assert sale["tenders"] == [("card", sale["total"])]


def test_a_declined_payment_code_calls_the_attendant_and_holds_payment_until_cleared(
        qtbot: QtBot, lane: KioskWindow, conn: sqlite3.Connection, provider: ProviderSimulator,
        scanner_sim: ScannerSimulator) -> None:
    provider.behaviour = Behaviour(s.DECLINE)
    [item] = gtins(conn, 1)
    hid_scan(qtbot, lane, item)
    scanner_sim.scan(CODES["alipay"])
    qtbot.waitUntil(lane.alert.isVisible, timeout=8000)
    assert lane.stack.currentIndex() == PAY
    assert not any(b.isEnabled() for b in lane.pay_buttons.values())
    tap(qtbot, lane.pay_back)
    pay_held(qtbot, lane)
    attendant(qtbot, lane)
    tap(qtbot, lane.attendant_buttons["clear"])
    tap(qtbot, lane.attendant_buttons["done"])
    assert books(conn) == [] and provider.charged() == {}
    provider.behaviour = Behaviour(s.SUCCESS)
    scanner_sim.scan(CODES["alipay"])                         # a new code, on the basket
    qtbot.waitUntil(lambda: lane.stack.currentIndex() == DONE, timeout=8000)
    [sale] = books(conn)
    assert sale["tenders"] == [("mobile", sale["total"])]
    assert sum(provider.charged().values()) == sale["total"]



# --- screens that scale ----------------------------------------------------------------------

def to_page(qtbot: QtBot, lane: KioskWindow, conn: sqlite3.Connection, page: str) -> None:
    """Bring the lane to `page` through its inputs."""
    if page == "attract":
        return
    hid_scan(qtbot, lane, gtins(conn, 1)[0])
    if page == "basket":
        return
    if page == "produce":
        tap(qtbot, lane.buttons["produce"])
    elif page == "pay":
        tap(qtbot, lane.buttons["pay"])
    elif page == "done":
        tap(qtbot, lane.buttons["pay"])
        tap(qtbot, lane.pay_buttons["card"])
    elif page == "attendant":
        attendant(qtbot, lane)
    elif page == "alert":
        hid_scan(qtbot, lane, UNKNOWN_GTIN)


@pytest.mark.parametrize("page", ["attract", "basket", "produce", "pay", "done", "attendant",
                                  "alert"])
def test_every_text_on_every_kiosk_screen_grows_at_1080p_and_nothing_overflows_at_768(
        qtbot: QtBot, lane: KioskWindow, conn: sqlite3.Connection, page: str) -> None:
    to_page(qtbot, lane, conn, page)
    settle(lane, (1024, 768))
    assert overflowing(lane) == []
    assert lane.minimumSizeHint().width() <= 1024 and lane.minimumSizeHint().height() <= 768
    small = fonts(lane)
    assert len(small) >= 3
    settle(lane, (1920, 1080))
    assert not_grown(small, fonts(lane)) == []
    assert overflowing(lane) == []


# --- member codes in any scan ------------------------------------------------------------------

@pytest.mark.parametrize("scanner_kind", ["hid", "serial"])
def test_a_member_qr_scanned_like_any_item_attaches_the_member_and_claims_no_price_it_did_not_give(
        qtbot: QtBot, lane: KioskWindow, conn: sqlite3.Connection,
        scanner_sim: ScannerSimulator, scanner_kind: str) -> None:
    from edge.customers.members import identify
    from edge.store_ops.demo_opening import DEMO_MEMBERS, seed_demo_opening

    seed_demo_opening(conn)
    qr = DEMO_MEMBERS[1][2]
    [item] = gtins(conn, 1)
    hid_scan(qtbot, lane, item)
    total = lane.total_label.text()
    if scanner_kind == "hid":
        hid_scan(qtbot, lane, qr)                              # no Member QR button first
    else:
        serial_scan(qtbot, scanner_sim, qr,
                    lambda: lane.till.sale is not None and lane.till.sale.member_id is not None)
    assert lane.alert.isHidden() and lane.model.rowCount() == 1
    if lane.total_label.text() == total:                       # nothing cheaper: nothing claimed
        assert lane.message.text() == QCoreApplication.translate("KioskWindow", "Welcome, member!")
    tap(qtbot, lane.buttons["pay"])
    tap(qtbot, lane.pay_buttons["card"])
    [sale] = books(conn)
    member = conn.execute("SELECT member_id FROM sale_member").fetchone()[0]
    assert member == identify(conn, qr).id
    assert sale["tenders"] == [("card", sale["total"])]
