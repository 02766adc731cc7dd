"""Keyboard-wedge scanners set to German and French layouts, as the Qt till and kiosk meet them:
key events made by the desktop's layout from the keys the scanner presses (the layouts' keys from
the XKB data, drivers/scanner/layouts.py), typed into the scan box or caught by the wedge filter
(ui/hardware/wedge_filter.py). Right with `[scanner] keyboard_layout` / `desktop_layout` set;
refused, never sold or paid, without (issue 21 item 6). The filter's clock is the test's: keys
5 ms apart are a scanner's, 300 ms apart a person's."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from drivers.scanner.keymap import KeymapDecoder, key_events_for
from edge.config import StoreConfig
from edge.customers.members import register_member
from edge.till.session import Till
from tests.edge.payments.harness import CODES
from tests.ui.conftest import ScriptedPrompts
from tests.ui.test_till_flow import gtins, login, make_window
from ui.hardware import wedge_filter
from ui.till.till_app import TillWindow
from ui.widgets.error_messages import message_for

MISREAD = "The scan was misread: scan again (staff: check the scanner's keyboard layout)"
MEMBER_QR = "MQR-DEMO-0002"                       # a Code 128 the till knows: a member's card
PAYMENT = CODES["wechat"]


class KeyClock:
    """The wedge filter's time.monotonic: each key read moves it by `step` seconds."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 1000.0, step

    def monotonic(self) -> float:
        self.now += self.step
        return self.now


@pytest.fixture
def scanner_speed(monkeypatch: pytest.MonkeyPatch) -> KeyClock:
    clock = KeyClock(0.005)
    monkeypatch.setattr(wedge_filter, "time", SimpleNamespace(monotonic=clock.monotonic))
    return clock


def desktop_keys(code: str, scanner: str, desktop: str) -> list[tuple[str, bool]]:
    """What a desktop reading keys in `desktop` makes of the keys a scanner set to `scanner`
    presses for `code`: per key its character, and whether Alt was held (Right Alt on a layout
    without AltGr is Alt: Qt reports the key's plain character with Alt)."""
    decoder = KeymapDecoder(desktop)
    keys: list[tuple[str, bool]] = []
    for key, value in key_events_for(code, layout=scanner)[:-2]:     # Enter is typed apart
        for char in decoder.feed(key, value):
            if char == "\x00":
                keys.append((decoder.char(key, False, False) or "9", True))
            else:
                keys.append((char, False))
    return keys


def type_keys(target: QWidget, keys: list[tuple[str, bool]]) -> None:
    for char, alt in keys:
        modifier = Qt.KeyboardModifier.AltModifier if alt else Qt.KeyboardModifier.NoModifier
        QTest.keyClick(target, char, modifier)
    QTest.keyClick(target, Qt.Key.Key_Return)


def till_window(qtbot: QtBot, conn: sqlite3.Connection, prompts: ScriptedPrompts,
                **layouts: str) -> tuple[TillWindow, list[str]]:
    config = dataclasses.replace(StoreConfig(locale="en"), **layouts)
    window = make_window(qtbot, Till(conn, config), None, prompts)
    login(qtbot, window)
    delivered: list[str] = []
    enter_code = window.enter_code

    def spy(code: str) -> None:
        delivered.append(code)
        enter_code(code)

    window.enter_code = spy  # type: ignore[method-assign]
    return window, delivered


def scan_into(window: TillWindow, source: str) -> QWidget:
    target: QWidget = window.sale_screen.entry if source == "scan_box" else window.sale_screen.table
    target.setFocus()
    return target


def basket(window: TillWindow, conn: sqlite3.Connection) -> None:
    window.till.scan(gtins(conn, 1)[0])
    window.refresh()


def scans(conn: sqlite3.Connection) -> list[tuple[str, str, Callable[[TillWindow], None]]]:
    """(what, data, what the books show once the till took it)"""
    ean = gtins(conn, 2)[1]
    assert len(ean) == 13

    sku = conn.execute("SELECT sku FROM product_gtin WHERE ltrim(gtin, '0') = ?", (ean,)).fetchone()[0]
    register_member(conn, "1001", "gold", "Chen", card_no="M8888", qr_token=MEMBER_QR)

    def line_sold(window: TillWindow) -> None:
        sale = window.till.sale
        assert sale is not None and [line.sku for line in sale.lines][1:] == [sku]

    def member_attached(window: TillWindow) -> None:
        assert window.till.sale is not None and window.till.sale.member_id is not None

    def paid(window: TillWindow) -> None:
        sale = window.till.last_sale
        assert sale is not None and sale.status == "completed"
        assert sale.tenders[0].reference == f"wechat:{PAYMENT}"

    return [("]E0", ean, line_sold), ("]C0", MEMBER_QR, member_attached), ("]Q1", PAYMENT, paid)]


@pytest.mark.parametrize("source", ["scan_box", "wedge"])
@pytest.mark.parametrize("layout", ["de", "fr"])
@pytest.mark.parametrize("kind", ["ean13", "code128", "payment"])
def test_right_when_the_scanner_layout_is_configured_and_the_desktop_reads_us(
        qtbot: QtBot, conn: sqlite3.Connection, prompts: ScriptedPrompts, scanner_speed: KeyClock,
        source: str, layout: str, kind: str) -> None:
    # Without AIM ids: "]" needs AltGr in de and fr, which a US desktop does not have.
    window, delivered = till_window(qtbot, conn, prompts, scanner_keyboard_layout=layout,
                                    scanner_desktop_layout="us")
    _, data, books = scans(conn)[["ean13", "code128", "payment"].index(kind)]
    basket(window, conn)
    keys = desktop_keys(data, layout, "us")
    # The desktop alone misreads it, but for German digits: the same keys as US ones.
    assert ("".join(char for char, _ in keys) == data) == (layout == "de" and data.isdigit())
    type_keys(scan_into(window, source), keys)
    qtbot.waitUntil(lambda: data in delivered, timeout=5000)
    if kind == "payment":
        qtbot.waitUntil(lambda: window.tender_view.done, timeout=5000)
    books(window)
    assert delivered[-1] == data


@pytest.mark.parametrize("source", ["scan_box", "wedge"])
@pytest.mark.parametrize("layout", ["de", "fr"])
@pytest.mark.parametrize("kind", ["ean13", "code128", "payment"])
def test_right_with_aim_ids_when_the_desktop_has_the_scanners_layout(
        qtbot: QtBot, conn: sqlite3.Connection, prompts: ScriptedPrompts, scanner_speed: KeyClock,
        source: str, layout: str, kind: str) -> None:
    window, delivered = till_window(qtbot, conn, prompts, scanner_keyboard_layout=layout,
                                    scanner_desktop_layout=layout)
    aim, data, books = scans(conn)[["ean13", "code128", "payment"].index(kind)]
    basket(window, conn)
    type_keys(scan_into(window, source), desktop_keys(aim + data, layout, layout))
    qtbot.waitUntil(lambda: aim + data in delivered, timeout=5000)
    if kind == "payment":
        qtbot.waitUntil(lambda: window.tender_view.done, timeout=5000)
    books(window)


@pytest.mark.parametrize("source", ["scan_box", "wedge"])
@pytest.mark.parametrize("layout", ["de", "fr"])
@pytest.mark.parametrize("kind", ["ean13", "code128", "payment"])
def test_refused_not_misread_when_the_layout_is_not_configured(
        qtbot: QtBot, conn: sqlite3.Connection, prompts: ScriptedPrompts, scanner_speed: KeyClock,
        source: str, layout: str, kind: str) -> None:
    # The store left [scanner] at us; the scanner types de or fr with AIM ids (its default).
    window, delivered = till_window(qtbot, conn, prompts)
    aim, data, _ = scans(conn)[["ean13", "code128", "payment"].index(kind)]
    basket(window, conn)
    sale = window.till.sale
    assert sale is not None
    type_keys(scan_into(window, source), desktop_keys(aim + data, layout, "us"))
    qtbot.waitUntil(lambda: window.sale_screen.message.text() != "", timeout=5000)
    assert window.sale_screen.message.text() == message_for("not_a_barcode") == MISREAD
    assert delivered == []                                     # nothing sold, paid or attached
    assert window.till.sale is sale and len(sale.lines) == 1 and sale.member_id is None
    assert window.till.last_sale is None and not sale.tenders
    assert conn.execute("SELECT COUNT(*) FROM sale").fetchone()[0] == 0


@pytest.mark.parametrize("source", ["scan_box", "wedge"])
@pytest.mark.parametrize("kind", ["ean13", "payment"])
def test_without_aim_ids_french_digits_are_refused(
        qtbot: QtBot, conn: sqlite3.Connection, prompts: ScriptedPrompts, scanner_speed: KeyClock,
        source: str, kind: str) -> None:
    window, delivered = till_window(qtbot, conn, prompts)
    _, data, _ = scans(conn)[["ean13", "code128", "payment"].index(kind)]
    basket(window, conn)
    keys = desktop_keys(data, "fr", "us")
    assert not any(char.isalnum() for char, _ in keys)       # ^()!@#$%^&*(@ and the like
    type_keys(scan_into(window, source), keys)
    qtbot.waitUntil(lambda: window.sale_screen.message.text() == MISREAD, timeout=5000)
    assert delivered == [] and window.till.last_sale is None


@pytest.mark.parametrize("source", ["scan_box", "wedge"])
def test_a_persons_typing_is_not_translated(
        qtbot: QtBot, conn: sqlite3.Connection, prompts: ScriptedPrompts,
        monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    clock = KeyClock(0.3)
    monkeypatch.setattr(wedge_filter, "time", SimpleNamespace(monotonic=clock.monotonic))
    window, delivered = till_window(qtbot, conn, prompts, scanner_keyboard_layout="fr",
                                    scanner_desktop_layout="us")
    ean = gtins(conn, 1)[0]
    type_keys(scan_into(window, source), [(char, False) for char in ean])
    assert delivered == [ean]             # "fr" would have read US digits as &é"'(-è_çà
    assert window.till.sale is not None and len(window.till.sale.lines) == 1


@pytest.mark.parametrize("layout", ["de", "fr"])
def test_the_kiosk_reads_a_configured_scanner_and_refuses_a_misread(
        qtbot: QtBot, conn: sqlite3.Connection, scanner_speed: KeyClock, layout: str) -> None:
    from tests.ui.test_kiosk_flow import open_lane

    ean = gtins(conn, 1)[0]
    unconfigured = open_lane(qtbot, Till(conn, StoreConfig(locale="en")), None)
    type_keys(unconfigured, desktop_keys("]E0" + ean, layout, "us"))
    qtbot.waitUntil(lambda: unconfigured.message.text() == MISREAD, timeout=5000)
    assert unconfigured.till.sale is None or not unconfigured.till.sale.lines
    type_keys(unconfigured, desktop_keys("]Q1" + PAYMENT, layout, "us"))
    assert unconfigured.message.text() == MISREAD and unconfigured.till.last_sale is None
    unconfigured.close()

    config = StoreConfig(locale="en", scanner_keyboard_layout=layout, scanner_desktop_layout="us")
    lane = open_lane(qtbot, Till(conn, config), None)
    type_keys(lane, desktop_keys(ean, layout, "us"))
    qtbot.waitUntil(lambda: lane.till.sale is not None and len(lane.till.sale.lines) == 1,
                    timeout=5000)


def test_desktop_layout_defaults_to_the_scanners_and_is_checked() -> None:
    from edge.config import ConfigError, config_from_dict

    assert config_from_dict({"scanner": {"keyboard_layout": "de"}}).scanner_desktop_layout == "de"
    both = config_from_dict({"scanner": {"keyboard_layout": "fr", "desktop_layout": "us"}})
    assert (both.scanner_keyboard_layout, both.scanner_desktop_layout) == ("fr", "us")
    with pytest.raises(ConfigError, match="desktop_layout"):
        config_from_dict({"scanner": {"desktop_layout": "US-intl"}})


@pytest.mark.parametrize("layout", ["de", "fr"])
@pytest.mark.parametrize("configured", [True, False])
def test_a_payment_code_typed_into_the_tender_amount_field(
        qtbot: QtBot, conn: sqlite3.Connection, prompts: ScriptedPrompts, scanner_speed: KeyClock,
        layout: str, configured: bool) -> None:
    # On the tender screen the amount field has the focus: a HID scanner types the code there.
    layouts = {"scanner_keyboard_layout": layout, "scanner_desktop_layout": "us"} if configured else {}
    window, _ = till_window(qtbot, conn, prompts, **layouts)
    basket(window, conn)
    qtbot.keyClick(window, Qt.Key.Key_F12)
    view = window.tender_view
    view.amount.clear()
    view.amount.setFocus()
    type_keys(view.amount, desktop_keys(PAYMENT if configured else "]Q1" + PAYMENT, layout, "us"))
    if configured:
        qtbot.waitUntil(lambda: view.done, timeout=5000)
        sale = window.till.last_sale
        assert sale is not None and sale.tenders[0].reference == f"wechat:{PAYMENT}"
    else:
        qtbot.waitUntil(lambda: view.message.text() == MISREAD, timeout=5000)
        assert not view.done and window.till.sale is not None and not window.till.sale.tenders


def test_a_scan_the_hid_driver_refused_is_a_bad_read_on_screen(
        qtbot: QtBot, conn: sqlite3.Connection, prompts: ScriptedPrompts) -> None:
    # The evdev path (drivers/scanner/protocol.py) refuses a misread as not_a_barcode: the cashier
    # hears of it, as of garbage.
    from drivers.device import ErrorEvent

    window, delivered = till_window(qtbot, conn, prompts)
    window.device_event(ErrorEvent("scanner", "not_a_barcode", "]E0 '^()!@#$%^&*(@': digits only",
                                   b"]E0^()!@#$%^&*(@\r"))
    assert window.sale_screen.message.text() == window.tr("Bad read: scan again")
    assert delivered == [] and window.till.sale is None
