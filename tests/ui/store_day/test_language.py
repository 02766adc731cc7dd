"""The language check: in zh_CN, no English and no internal text reaches a cashier, shopper or
manager. The till, the kiosk and manager mode are driven to each screen and dialog (keys through
the window's shortcuts, the lane's buttons, the manager's tabs); every visible widget's text,
tooltip, title, placeholder, tab, list entry and table cell is read, and a Latin word outside
the allowlist fails the test: PLU, SKU, RFID, key names (F1-F12, Ctrl, Esc), single letters (X/Z
reports, the × of 3*), and the brand and product names the catalog holds. Receipts rendered with
`[receipt] language = zh` pass the same check. Ids never show: no UUID, no bare staff number
where a name belongs."""

from __future__ import annotations

import dataclasses
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence

import pytest
from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QModelIndex, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QGroupBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from edge.config import StoreConfig
from edge.customers.members import register_member
from edge.sale.pricing import LineDiscount, PricedLine, PricingContext
from edge.sale.receipt import receipt_mark, render_text
from edge.store_ops import shifts
from edge.till.receipts import sale_receipt
from edge.till.session import Till
from tests.edge.sale.sale_helpers import scale_label
from tests.ui.conftest import ScriptedPrompts
from tests.ui.test_keyboard_only import keyboard_window, press
from tests.ui.test_kiosk_flow import alcohol_gtin, open_lane
from tests.ui.test_manager_flow import manager
from tests.ui.test_till_flow import gtins
from ui.kiosk.kiosk_app import ATTENDANT, BASKET, DONE, PAY, PRODUCE
from ui.till.till_app import SALE, TENDER, make_app

WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’.-][A-Za-z0-9]+)*")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")
KEYS = {f"F{n}" for n in range(1, 13)} | {"Ctrl", "Shift", "Esc", "Enter", "Tab"}
# "English": the kiosk's language button names the other language in itself, by design.
ALLOWED = {"PLU", "SKU", "RFID", "English"} | KEYS
ZH_STORE = StoreConfig(locale="zh_CN", store_name="示范超市")
# Data, not words: the store's and terminal's ids from store.toml, the pinyin-initials example.
DATA = {ZH_STORE.store_id, ZH_STORE.terminal_id, "nfsq"}


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    make_app("zh_CN")
    yield
    make_app("en")


def catalog_words(conn: sqlite3.Connection) -> set[str]:
    """Brand and product names, as the catalog holds them (data, not our words)."""
    names = [row[0] for row in conn.execute("SELECT name_zh FROM product")]
    names += [row[0] for row in conn.execute("SELECT name FROM staff")]
    names += [row[0] for row in conn.execute("SELECT name FROM member")]
    return {w for name in names if name for w in WORD.findall(name)}


def model_texts(model: QAbstractItemModel, rows: int = 60) -> list[str]:
    out = []
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(QModelIndex())
    for column in range(columns):
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            header = model.headerData(column, Qt.Orientation.Horizontal, role)
            if isinstance(header, str):
                out.append(header)
    for row in range(min(model.rowCount(), rows)):
        for column in range(columns):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(model.index(row, column), role)
                if isinstance(value, str):
                    out.append(value)
    return out


def visible_texts(root: QWidget) -> list[str]:
    """What a person can read on `root` now (typed input excluded: it is theirs)."""
    out: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        out.append(widget.toolTip())
        if widget.isWindow():
            out.append(widget.windowTitle())
        if isinstance(widget, (QLabel, QAbstractButton)):
            out.append(widget.text())
        elif isinstance(widget, QLineEdit):
            out.append(widget.placeholderText())
        elif isinstance(widget, QGroupBox):
            out.append(widget.title())
        elif isinstance(widget, QTabWidget):
            out += [widget.tabText(i) for i in range(widget.count())]
        elif isinstance(widget, QComboBox):
            out += [widget.itemText(i) for i in range(widget.count())]
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            out += model_texts(widget.model())
        chart = getattr(widget, "chart", None)
        if callable(chart) and chart() is not None:
            out.append(chart().title())
            out += [series.name() for series in chart().series()]
            out += [axis.titleText() for axis in chart().axes()]
    return [text for text in out if text]


class LanguageCheck:
    def __init__(self, allowed: set[str]) -> None:
        self.allowed = ALLOWED | DATA | allowed
        self.found: dict[str, str] = {}   # the word → where, with the text it was in

    def read(self, where: str, texts: list[str]) -> None:
        assert texts, f"nothing visible on {where}"
        for text in texts:
            for word in WORD.findall(text):
                if len(word) > 1 and word not in self.allowed:
                    self.found.setdefault(word, f"{where}: {text[:80]!r}")
            if UUID.search(text):
                self.found.setdefault(UUID.search(text).group(), f"{where}: {text[:80]!r}")

    def assert_clean(self) -> None:
        assert not self.found, "English or internal text on zh_CN screens:\n" + "\n".join(
            f"  {word!r} on {where}" for word, where in sorted(self.found.items()))


def read_dialog(check: LanguageCheck, where: str,
                answer: Callable[[QDialog], None] | None = None) -> list[str]:
    """Read the next modal dialog once it is up (its title and texts, returned), then close it
    as Escape does (reject). Not
    through keys: the offscreen platform does not always make the dialog the active window."""
    seen: list[str] = []
    deadline = time.monotonic() + 10.0

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog) or not dialog.isVisible():
            if time.monotonic() < deadline:
                QTimer.singleShot(20, poll)
            return
        seen.append(dialog.windowTitle())
        try:
            seen.extend(visible_texts(dialog))
            check.read(where, seen[1:])
        except Exception as exc:
            check.found[f"{type(exc).__name__}: {exc}"] = f"reading {where}"
        finally:
            (answer or QDialog.reject)(dialog)

    QTimer.singleShot(0, poll)
    return seen


def test_the_till_shows_no_english_in_chinese(qtbot: QtBot, conn: sqlite3.Connection) -> None:
    member = register_member(conn, "1001", "gold", "陈静", card_no="M8888")
    till = Till(conn, ZH_STORE)
    window = keyboard_window(qtbot, till, None)
    check = LanguageCheck(catalog_words(conn))
    check.read("login", visible_texts(window))
    window.login_view.pad.submitted.emit("1001", "1234")
    assert window.stack.currentIndex() == SALE
    check.read("empty sale", visible_texts(window))

    a, b = gtins(conn, 2)
    window.enter_code(a)
    window.enter_code(b)
    window.enter_code(scale_label(1, 1579, 1234))                  # a weighed line: 公斤
    till.set_member(member.id, member.tier)
    till.discount_line(1, "percent", 10, "", override={"staff": "2001", "pin": "5678"})
    till.discount_order("amount", 10)
    window.refresh()
    texts = visible_texts(window)
    check.read("sale with a member and discounts", texts)
    press(qtbot, window, Qt.Key.Key_Up)                              # select a line for F2-F4
    assert any("陈静" in text for text in texts)                    # the member by name
    assert any("折扣 10%" in text for text in texts) and any("整单折扣" in text for text in texts)
    assert not any("kg" in text for text in texts)

    keys = window.sale_screen.keys.buttons      # each key's on-screen button: its one slot
    for where, key in (("member dialog", "F5"), ("price override", "F4"), ("no sale", "F9"),
                       ("shift menu", "F10"), ("return", "F8"), ("product search", "Ctrl+F"),
                       ("line discount", "Ctrl+D"), ("order discount", "Ctrl+Shift+D"),
                       ("quantity", "F2")):
        check.read(f"{key} button", [keys[key].text(), keys[key].toolTip()])
        seen = read_dialog(check, f"{where} ({key})") if key != "F2" else []
        keys[key].click()
        if key == "F2":      # the Qty cell is edited in place: no dialog
            (editor,) = [e for e in window.sale_screen.table.findChildren(QLineEdit, "qtyEditor")
                         if e.isVisible()]
            check.read(where, visible_texts(window))
            QTest.keyClick(editor, Qt.Key.Key_Escape)
            qtbot.waitUntil(lambda: not any(e.isVisible() for e in window.sale_screen.table
                                            .findChildren(QLineEdit, "qtyEditor")))
            continue
        qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=5000)
        assert seen, f"no dialog for {where}: {window.sale_screen.message.text()!r}"
    check.read("sale after the dialogs", visible_texts(window))

    shifts.open_shift(conn, ZH_STORE, "1001", 10_000)          # the X report: F10, then X

    report: list[list[str]] = []

    def x_report(menu: QDialog) -> None:
        assert isinstance(menu, QInputDialog)
        menu.setTextValue(menu.comboBoxItems()[1])
        report.append(read_dialog(check, "X report"))
        menu.accept()

    seen = read_dialog(check, "shift menu (F10)", x_report)
    keys["F10"].click()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=5000)
    assert seen and report and report[0], (seen, report)

    keys["F6"].click()                                               # suspend: a held sale
    assert till.suspended(), window.sale_screen.message.text()
    seen = read_dialog(check, "held sales (F7)")
    keys["F7"].click()
    cashier = till.staff.name if till.staff else "?"
    assert any(cashier in text for text in seen), seen               # the cashier by name
    assert not any("1001" in text for text in seen), seen            # never by number
    window.enter_code(a)

    keys["F12"].click()
    assert window.stack.currentIndex() == TENDER
    check.read("tender", visible_texts(window))
    window.tender_view.quick_keys.buttons["F6"].click()              # F6 quick cash: exact
    sale = till.last_sale
    assert sale is not None and sale.status == "completed"
    check.read("done", visible_texts(window))
    window.tender_view.done_keys.buttons["F12"].click()              # next customer
    assert window.stack.currentIndex() == SALE
    assert window.sale_screen.message.text() == "" and window.tender_view.message.text() == ""
    check.read("next customer", visible_texts(window))
    check.assert_clean()


def test_a_zh_receipt_holds_no_english(conn: sqlite3.Connection) -> None:
    member = register_member(conn, "1001", "gold", "陈静", card_no="M8888")
    till = Till(conn, ZH_STORE)
    till.login("1001", "1234")
    for gtin in gtins(conn, 3):
        till.scan(gtin)
    till.scan(scale_label(1, 1579, 1234))
    till.set_member(member.id, member.tier)
    till.discount_line(1, "percent", 10, "", override={"staff": "2001", "pin": "5678"})
    till.discount_order("percent", 5)
    till.tender("card", 100, approval_code="A1B2C3", masked_pan="622202******4321")
    sale = till.tender("cash", 100_000)
    check = LanguageCheck(catalog_words(conn) | {"A1B2C3"})
    for width in (32, 48):
        zh = dataclasses.replace(ZH_STORE, extra={"receipt": {"language": "zh"}})
        check.read(f"receipt {width}", render_text(sale_receipt(conn, sale, zh, "王芳"),
                                                   width).splitlines())
    check.read("reprint and training marks", [receipt_mark("reprint", "zh"),
                                              receipt_mark("training", "zh")])
    check.assert_clean()


def test_the_kiosk_shows_no_english_in_chinese(qtbot: QtBot, conn: sqlite3.Connection) -> None:
    till = Till(conn, ZH_STORE)
    check = LanguageCheck(catalog_words(conn))
    window = open_lane(qtbot, till, None)
    check.read("attract", visible_texts(window))
    window.start()
    window.enter_code(gtins(conn, 1)[0])
    assert window.stack.currentIndex() == BASKET
    check.read("basket", visible_texts(window))
    member = register_member(conn, "1001", "silver", "", card_no="M7777", qr_token="QR7777")
    window.member("QR7777")
    check.read("basket with a member", visible_texts(window))
    assert till.sale is not None and till.sale.member_id == member.id
    window.show_produce()
    assert window.stack.currentIndex() == PRODUCE
    check.read("fruit and veg", visible_texts(window))
    window.start()
    window.go_pay()
    assert window.stack.currentIndex() == PAY
    check.read("pay", visible_texts(window))
    window.pay("mobile")                                          # asks for the code
    check.read("pay, asking for the code", visible_texts(window))
    window.stack.setCurrentIndex(BASKET)
    window.enter_code(alcohol_gtin(conn))                          # an alert for the attendant
    check.read("basket with an alert", visible_texts(window))
    window.alert.click()
    window.attendant_pad.submitted.emit("2001", "5678")
    assert window.stack.currentIndex() == ATTENDANT
    texts = visible_texts(window)
    check.read("attendant", texts)
    assert not any(member.id[:8] in text for text in texts)        # the member, never the id
    window.attendant_buttons["age"].click()
    window.attendant_buttons["done"].click()
    window.buttons["pay"].click()
    window.pay_buttons["card"].click()
    assert window.stack.currentIndex() == DONE
    check.read("done", visible_texts(window))
    window.finish()
    assert window.message.text() == ""                              # nothing left for the next
    check.read("attract again", visible_texts(window))
    check.assert_clean()


def test_manager_mode_shows_no_english_in_chinese(
        qtbot: QtBot, conn: sqlite3.Connection, prompts: ScriptedPrompts) -> None:
    check = LanguageCheck(catalog_words(conn))
    window = manager(qtbot, conn, ZH_STORE, None, prompts)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        check.read(f"manager tab {window.tabs.tabText(index)}", visible_texts(window))
    check.assert_clean()


class MemberTenPercent:
    """A promotions engine with member prices only: 10 % off every line for a gold member."""

    def apply(self, lines: Sequence[PricedLine], context: PricingContext) -> list[LineDiscount]:
        if context.member_tier != "gold":
            return []
        return [LineDiscount(ln.line_no, "GOLD", ln.gross // 10, "会员价") for ln in lines]


@pytest.mark.parametrize(("tier", "said"), [("gold", "欢迎会员！已享会员价"),
                                             ("silver", "欢迎会员！")])
def test_the_kiosk_says_member_prices_only_when_they_changed_the_basket(
        qtbot: QtBot, conn: sqlite3.Connection, tier: str, said: str) -> None:
    register_member(conn, "1001", tier, "周敏", card_no="M5555", qr_token="QR5555")
    till = Till(conn, ZH_STORE, MemberTenPercent())
    window = open_lane(qtbot, till, None)
    window.start()
    window.enter_code(gtins(conn, 1)[0])
    window.member("QR5555")
    assert window.message.text() == said
