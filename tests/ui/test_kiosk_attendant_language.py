"""The kiosk's attendant screen shows the basket (lines, totals, alerts); the shopper switches
zh_CN ⇄ en and the shopper's screen is retranslated at once, the next shopper starting in the
store's language; product photos from the photos directory; never a code on the shopper's screen."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QAbstractButton, QLabel
from pytestqt.qtbot import QtBot

from edge.till.session import Till
from tests.ui.test_kiosk_flow import alcohol_gtin, open_lane
from tests.ui.test_till_flow import gtins
from ui.kiosk.kiosk_app import ATTENDANT, ATTRACT, BASKET, KioskWindow
from ui.widgets.locale_setup import install_locale

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    install_locale("en")


def shopper_texts(window: KioskWindow) -> list[str]:
    page = window.stack.currentWidget()
    texts = [w.text() for w in page.findChildren(QLabel) if w.isVisible()]
    texts += [w.text() for w in page.findChildren(QAbstractButton) if w.isVisible()]
    if window.alert.isVisible():
        texts.append(window.alert.text())
    return [t for t in texts if t and t not in ("中文", "English")]


def test_the_attendant_sees_the_basket_with_totals_and_alerts_and_removes_a_line(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection) -> None:
    window = open_lane(qtbot, till, None)
    first, second = gtins(conn, 2)
    window.enter_code(first)
    window.enter_code(second)
    window.enter_code(alcohol_gtin(conn))
    window.remove_item()
    window.open_attendant()
    assert not window.attendant_basket.isVisibleTo(window)  # not before the PIN
    window.attendant_pad.submitted.emit("2001", "5678")
    assert window.stack.currentIndex() == ATTENDANT
    assert window.attendant_table.isVisible() and window.attendant_table.model().rowCount() == 3
    sale = till.sale
    assert sale is not None
    assert "3 items" in window.attendant_totals.text()
    assert window.money.minor(sale.total) in window.attendant_totals.text()
    assert "Age check" in window.attendant_reason.text()
    assert "Remove an item" in window.attendant_reason.text()

    window.attendant_table.selectRow(0)
    window.attendant_buttons["void"].click()
    assert till.sale is not None and len(till.sale.lines) == 2, window.attendant_message.text()
    assert "2 items" in window.attendant_totals.text()
    assert "Remove an item" not in window.attendant_reason.text()
    assert "Age check" in window.attendant_reason.text()


def test_the_shopper_switches_language_live_and_the_next_shopper_gets_the_store_language(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection) -> None:
    window = open_lane(qtbot, till, None)
    assert not any(CJK.search(t) for t in shopper_texts(window))
    window.language_buttons["attract"].click()
    assert window.stack.currentIndex() == ATTRACT
    texts = shopper_texts(window)
    assert "欢迎光临！扫描第一件商品即可开始" in texts and "开始" in texts
    assert window.language_buttons["attract"].text() == "English"  # named in its own language

    code = gtins(conn, 1)[0]
    window.enter_code(code)
    assert window.stack.currentIndex() == BASKET and window.model.rowCount() == 1
    name_zh = conn.execute("SELECT p.name_zh FROM product p JOIN product_gtin g USING (sku)"
                           " WHERE ltrim(g.gtin, '0') = ?", (code,)).fetchone()[0]
    assert window.model.lines[0]["name"] == name_zh
    assert window.buttons["pay"].text() == "结账" and window.buttons["pay"].isEnabled()
    assert "请扫描商品" in shopper_texts(window)

    window.buttons["help"].click()   # an alert follows the switch too
    assert window.alert.text() == "请稍候，值守员马上就到（求助）"
    window.language_buttons["basket"].click()  # back to English, basket kept
    assert window.buttons["pay"].text() == "Pay" and window.model.rowCount() == 1
    assert window.alert.text() == "Please wait: an attendant is coming (Help)"
    window.clear_reason("help")
    window.language_buttons["basket"].click()
    assert window.buttons["pay"].text() == "结账"
    window.enter_code(alcohol_gtin(conn))   # the attendant works in the store's language
    window.open_attendant()
    window.attendant_pad.submitted.emit("2001", "5678")
    assert window.attendant_reason.text() == "Age check for an age-restricted item"
    assert window.attendant_message.text().startswith("Attendant ")
    window.attendant_buttons["age"].click()
    window.attendant_buttons["done"].click()  # and the shopper gets theirs back
    assert window.buttons["pay"].text() == "结账" and window.buttons["pay"].isEnabled()
    window.idle_reset()  # the shopper walks away: the basket is suspended, the lane resets
    assert window.stack.currentIndex() == ATTRACT
    assert window.shopper_locale == "en"
    assert not any(CJK.search(t) for t in shopper_texts(window))


def test_no_code_or_internal_status_on_the_shopper_screen_in_chinese(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection) -> None:
    window = open_lane(qtbot, till, None)
    window.switch_language()
    window.enter_code("6900000000007")   # not in the catalog
    window.enter_code("6900000000001")   # bad check digit
    texts = shopper_texts(window)
    assert window.message.text() and CJK.search(window.message.text())
    assert not any(re.search(r"[a-z]+_[a-z]+", t) for t in texts), texts
    assert not window.status.isVisible() and not window.banner.isVisible()


def test_photos_from_the_photos_directory_show_on_tiles_and_for_the_last_item(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, db_path: Path) -> None:
    photos = db_path.parent / "photos"
    photos.mkdir()
    code = gtins(conn, 1)[0]
    scanned_sku = conn.execute("SELECT sku FROM product_gtin WHERE ltrim(gtin, '0') = ?",
                               (code,)).fetchone()[0]
    apple_sku = conn.execute("SELECT sku FROM product WHERE plu = '1'").fetchone()[0]
    for sku in (scanned_sku, apple_sku):
        image = QImage(64, 48, QImage.Format.Format_RGB32)
        image.fill(QColor("#2e7d32"))
        assert image.save(str(photos / f"{sku}.png"))
    (photos / "broken.png").write_bytes(b"not an image")

    window = open_lane(qtbot, till, None)
    assert "1" in window.picker.photographed and "2" not in window.picker.photographed
    window.enter_code(code)
    assert window.item_photo.isVisible() and not window.item_photo.pixmap().isNull()
    assert window.photos.pixmap("broken", 96) is None
