"""Self-checkout end to end: the lane opened by staff PIN, an item from the simulated scanner,
weighed produce from the produce picker and the simulated scale, an age-restricted item that
calls the attendant, the attendant's PIN approval, card payment, the receipt on the printer;
and the idle timeout that suspends an unpaid basket."""

from __future__ import annotations

import sqlite3

from pytestqt.qtbot import QtBot

from drivers.printer.simulator import PrintedQr, PrinterSimulator
from drivers.scale.simulator import ScaleSimulator
from drivers.scanner.simulator import ScannerSimulator
from edge.till.session import Till
from tests.ui.conftest import activate
from tests.ui.test_till_flow import gtins
from ui.hardware.devices import Devices
from ui.kiosk.kiosk_app import ATTENDANT, ATTRACT, BASKET, CLOSED, DONE, PAY, KioskWindow


def open_lane(qtbot: QtBot, till: Till, devices: Devices | None, idle: float = 60) -> KioskWindow:
    window = KioskWindow(till, devices, idle_seconds=idle)
    qtbot.addWidget(window)
    window.resize(1024, 768)
    activate(qtbot, window)
    assert window.stack.currentIndex() == CLOSED
    window.open_pad.submitted.emit("1001", "1234")
    assert window.stack.currentIndex() == ATTRACT
    return window


def alcohol_gtin(conn: sqlite3.Connection) -> str:
    return str(conn.execute("SELECT g.gtin FROM product_gtin g JOIN product p USING (sku)"
                            " WHERE p.age_restricted = 1 LIMIT 1").fetchone()[0]).lstrip("0")


def test_kiosk_weighed_produce_and_attendant_approval_then_card(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, devices: Devices,
        scanner_sim: ScannerSimulator, scale_sim: ScaleSimulator,
        printer_sim: PrinterSimulator) -> None:
    window = open_lane(qtbot, till, devices)
    scanner_sim.scan(gtins(conn, 1)[0])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    assert window.stack.currentIndex() == BASKET

    window.buttons["produce"].click()
    scale_sim.weight_grams = 1234
    window.picker.tiles["1"].click()  # Fuji apples, PLU 1
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    apples = window.model.lines[1]
    assert apples["qty"] == "1.234" and apples["unit"] == "kg"
    assert window.stack.currentIndex() == BASKET

    scanner_sim.scan(alcohol_gtin(conn))
    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=5000)
    assert window.alert.isVisible() and not window.buttons["pay"].isEnabled()
    window.go_pay()
    assert window.stack.currentIndex() == BASKET

    window.alert.click()
    assert window.stack.currentIndex() == ATTENDANT
    window.attendant_pad.submitted.emit("1001", "0000")
    assert not window.attendant_panel.isVisibleTo(window)
    window.attendant_pad.submitted.emit("2001", "5678")
    window.attendant_buttons["age"].click()
    assert till.sale is not None and till.sale.age_confirmed_by == "2001"
    window.attendant_buttons["done"].click()
    assert till.staff is not None and till.staff.id == "1001"
    assert not window.alert.isVisible()

    window.buttons["pay"].click()
    assert window.stack.currentIndex() == PAY
    assert not window.pay_buttons["cash"].isVisible()  # no cash device configured
    window.pay_buttons["card"].click()
    assert window.stack.currentIndex() == DONE
    sale = till.last_sale
    assert sale is not None and sale.status == "completed" and len(sale.lines) == 3
    assert sale.tenders[0].type == "card" and "*" in (sale.tenders[0].masked_pan or "")
    assert window.qr.payload.endswith(sale.id)
    assert printer_sim.wait_until(
        lambda p: any(isinstance(i, PrintedQr) for i in p.roll.items), timeout=5.0)


def test_kiosk_unexpected_weight_calls_the_attendant(
        qtbot: QtBot, till: Till, devices: Devices, scale_sim: ScaleSimulator) -> None:
    window = open_lane(qtbot, till, devices)
    window.start()
    window.show_produce()
    scale_sim.over_capacity = True
    window.picker.tiles["2"].click()
    qtbot.waitUntil(lambda: window.alert.isVisible(), timeout=6000)
    assert "weight" in window.alert.text().lower()
    assert window.model.rowCount() == 0


def test_idle_timeout_suspends_an_unpaid_basket_and_returns_to_attract(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection) -> None:
    window = open_lane(qtbot, till, None, idle=0.3)
    window.enter_code(gtins(conn, 1)[0])
    assert window.model.rowCount() == 1
    qtbot.waitUntil(lambda: window.stack.currentIndex() == ATTRACT, timeout=3000)
    assert till.sale is None and len(till.suspended()) == 1


def test_the_lane_shows_link_and_devices_to_staff_only(qtbot: QtBot, till: Till,
                                                       conn: sqlite3.Connection) -> None:
    from ui.widgets.status_bar import LinkState

    window = open_lane(qtbot, till, None)
    offline = LinkState(online=False, configured=True, pending=6)
    window._link_changed(offline)
    assert window.stack.currentIndex() == ATTRACT
    assert not window.status.isVisible() and not window.banner.isVisible()
    window.enter_code("6900000000007")  # unknown: the shopper gets what to do, not a code
    assert "_" not in window.message.text() and window.message.text()
    window.open_attendant()
    window.attendant_pad.submitted.emit("2001", "5678")
    assert window.stack.currentIndex() == ATTENDANT
    window._link_changed(offline)
    assert window.status.isVisible() and window.banner.isVisible()


def test_an_unpaid_basket_survives_a_crash_of_the_lane_and_the_attendant_resumes_it(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection) -> None:
    from edge.config import StoreConfig

    window = open_lane(qtbot, till, None)
    codes = gtins(conn, 2)
    window.enter_code(codes[0])
    window.enter_code(codes[1])
    assert window.model.rowCount() == 2
    # The lane dies here (no suspend, no idle timer): a new lane on the same database.
    lane = KioskWindow(Till(conn, StoreConfig(locale="en")), None, idle_seconds=60)
    qtbot.addWidget(lane)
    lane.open_pad.submitted.emit("1001", "1234")
    assert lane.till.sale is None and not lane.alert.isHidden()
    kinds = [r[0] for r in conn.execute("SELECT kind FROM journal ORDER BY seq")]
    assert kinds[-1] == "sale.suspended"
    lane.open_attendant()
    lane.attendant_pad.submitted.emit("2001", "5678")
    lane.attendant_buttons["resume"].click()
    assert lane.till.sale is not None and len(lane.till.sale.lines) == 2
    assert lane.model.rowCount() == 2
