"""Screens at 1024×768 and 1920×1080: text and targets grow with the window and nothing that
matters is clipped (the till's totals, lines and function keys, the kiosk's total and buttons,
the manager's count table); full-screen by
default, windowed on request; the device panel on the screen; the drawn age mark."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from edge.config import StoreConfig
from edge.store_ops import stock
from edge.till.session import Till
from tests.ui.conftest import ScriptedPrompts
from tests.ui.test_kiosk_flow import alcohol_gtin, open_lane
from tests.ui.test_manager_flow import manager, products
from tests.ui.test_till_flow import gtins, login, make_window
from ui.kiosk.kiosk_app import BASKET, KioskWindow
from ui.manager.manager_app import COUNT
from ui.manager.stock_count_model import EXPECTED, SKU
from ui.till.sale_lines_model import PRICE, QTY, TOTAL
from ui.widgets.screen_mode import show_window

SIZES = [(1024, 768), (1920, 1080)]


def settle(qtbot: QtBot, window: QWidget, size: tuple[int, int]) -> None:
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size, timeout=3000)
    QApplication.processEvents()


def text_fits(widget: QLabel | QPushButton) -> bool:
    metrics = QFontMetrics(widget.font())
    room = widget.contentsRect().width() - (24 if isinstance(widget, QPushButton) else 0)
    return metrics.horizontalAdvance(widget.text().replace("&&", "&")) <= room


@pytest.mark.parametrize("size", SIZES)
def test_the_kiosk_total_and_buttons_fit_and_scale(qtbot: QtBot, till: Till,
                                                   conn: sqlite3.Connection,
                                                   size: tuple[int, int]) -> None:
    window = open_lane(qtbot, till, None)
    for code in gtins(conn, 3) * 4:
        window.enter_code(code)
    settle(qtbot, window, size)
    assert window.total_label.text() and text_fits(window.total_label)
    for button in window.buttons.values():
        assert text_fits(button), button.text()
    window.show_produce()
    scale_weighed(window, conn)
    window.stack.setCurrentIndex(BASKET)
    QApplication.processEvents()
    metrics = QFontMetrics(window.table.font())
    for row in range(window.model.rowCount()):
        for column in (QTY, PRICE, TOTAL):
            text = window.model.index(row, column).data()
            assert metrics.horizontalAdvance(text) < window.table.columnWidth(column), text
    total_px = window.total_label.font().pixelSize()
    button_height = window.buttons["pay"].height()
    if size == SIZES[0]:
        assert total_px == 44 and button_height >= 72
    else:  # min(1920 / 1024, 1080 / 768) = 1.40625
        assert total_px == round(44 * 1.40625) and button_height >= round(72 * 1.40625)
        assert window.table.font().pixelSize() == round(17 * 1.40625)


def test_the_kiosk_attendant_screen_keeps_to_1024_px_in_english(
        qtbot: QtBot, conn: sqlite3.Connection) -> None:
    """Six attendant buttons in one row made the window 1,160 px wide at 1024×768 in English."""
    window = open_lane(qtbot, Till(conn, StoreConfig(locale="en")), None)
    window.enter_code(gtins(conn, 1)[0])
    settle(qtbot, window, SIZES[0])
    window.open_attendant()
    window.attendant_pad.submitted.emit("2001", "5678")
    assert window.attendant_panel.isVisibleTo(window)
    QApplication.processEvents()
    assert window.width() == 1024 and window.minimumSizeHint().width() <= 1024
    for button in window.attendant_buttons.values():
        assert text_fits(button), button.text()


def key_fits(button: QPushButton) -> bool:
    """A function key's label ("F2" over "Quantity"): every line fits across the button."""
    metrics = QFontMetrics(button.font())
    room = button.contentsRect().width() - 8
    return all(metrics.horizontalAdvance(line) <= room for line in button.text().split("\n"))


@pytest.mark.parametrize("size", SIZES)
def test_the_till_totals_lines_and_keys_fit_and_scale(qtbot: QtBot, till: Till,
                                                      conn: sqlite3.Connection,
                                                      prompts: ScriptedPrompts,
                                                      size: tuple[int, int]) -> None:
    factor = 1.0 if size == SIZES[0] else 1.40625  # min(1920 / 1024, 1080 / 768)
    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)
    for code in gtins(conn, 3) * 30:  # a total in the thousands: the widest the box must hold
        window.enter_code(code)
    window.till.add(plu="2", qty="12.856")
    window.refresh()
    settle(qtbot, window, size)
    screen = window.sale_screen
    assert screen.total_label.text() and text_fits(screen.total_label), screen.total_label.text()
    for label in (screen.items_label, screen.discount_label, screen.tax_label):
        assert text_fits(label), label.text()
    assert screen.total_label.font().pixelSize() == round(44 * factor)
    assert screen.entry.font().pixelSize() == round(20 * factor)
    assert screen.entry.height() >= round(44 * factor)
    metrics = QFontMetrics(screen.table.font())
    assert screen.table.font().pixelSize() == round(17 * factor)
    for row in range(screen.model.rowCount()):
        for column in (QTY, PRICE, TOTAL):
            text = screen.model.index(row, column).data()
            assert metrics.horizontalAdvance(text) < screen.table.columnWidth(column), text
    for button in screen.keys.buttons.values():
        assert button.font().pixelSize() == round(14 * factor)
        assert button.height() >= round(54 * factor) and key_fits(button), button.text()
    screen.say("No product for this barcode", error=True)
    assert screen.message.font().pixelSize() == round(16 * factor)
    window.go_to_tender()
    QApplication.processEvents()
    tender = window.tender_view
    assert text_fits(tender.due_label) and tender.due_label.font().pixelSize() == round(44 * factor)
    for button in tender.keys.buttons.values():
        if button.isVisible():
            assert key_fits(button), button.text()


def test_the_till_with_every_device_fits_1024_wide_in_english(
        qtbot: QtBot, till: Till, prompts: ScriptedPrompts) -> None:
    """The status strip names each device ("✔ Scanner"; a problem spelled out): six devices and
    an offline link with events waiting must not push the window past 1024 px."""
    from ui.widgets.status_bar import LinkState

    window = make_window(qtbot, till, None, prompts)
    strip = window.status
    for kind in ("scanner", "printer", "scale", "rfid", "esl", "display"):
        strip.add_device(kind, strip.kind_name(kind))
    strip.set_device("printer", "paper_out")
    strip.timer.stop()  # the long link text below stays
    strip.link_label.setText(strip._link_text(LinkState(False, True, 29, 59.0)))
    QApplication.processEvents()
    assert window.minimumSizeHint().width() <= SIZES[0][0], window.minimumSizeHint()
    settle(qtbot, window, SIZES[0])
    for label in strip.devices.values():                      # each device whole
        assert text_fits(label), label.text()
    assert strip.link_label.toolTip() == strip.link_label.text()  # the link's text, if cut


def test_a_scan_does_not_restyle_the_till(qtbot: QtBot, till: Till, conn: sqlite3.Connection,
                                          prompts: ScriptedPrompts) -> None:
    """The scan path stays cheap: the scale is applied when the window's size changes, not when
    a line is added (a style sheet set re-polishes and repaints the window)."""
    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)
    settle(qtbot, window, SIZES[1])
    first, *more = gtins(conn, 4)
    window.enter_code(first)
    screen = window.sale_screen
    restyled: list[QWidget] = []
    for widget in window.findChildren(QWidget):
        widget.installEventFilter(StyleChangeSpy(restyled, widget))  # lives as the widget's child
    for code in more:
        window.enter_code(code)
    assert screen.model.rowCount() == 4
    assert restyled == [], [w.objectName() or type(w).__name__ for w in restyled]


class StyleChangeSpy(QObject):
    def __init__(self, seen: list[QWidget], widget: QWidget) -> None:
        super().__init__(widget)
        self.seen, self.widget = seen, widget

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.StyleChange:
            self.seen.append(self.widget)
        return False


def scale_weighed(window: KioskWindow, conn: sqlite3.Connection) -> None:
    """A weighed line, the widest quantity a basket shows ("0.856 kg")."""
    window.till.add(plu="2", qty="0.856")
    window.refresh()


def test_the_kiosk_keeps_its_scale_across_a_language_switch(qtbot: QtBot, till: Till) -> None:
    window = open_lane(qtbot, till, None)
    settle(qtbot, window, SIZES[1])
    window.switch_language()
    try:
        assert window.total_label.font().pixelSize() == round(44 * 1.40625)
    finally:
        window.switch_language()


@pytest.mark.parametrize("size", SIZES)
def test_the_manager_count_table_shows_sku_and_quantities_whole(
        qtbot: QtBot, conn: sqlite3.Connection, config: StoreConfig, prompts: ScriptedPrompts,
        size: tuple[int, int]) -> None:
    (sku1, _), = products(conn, 1)
    sku2 = conn.execute("SELECT sku FROM product WHERE unit = 'kg' LIMIT 1").fetchone()[0]
    stock.move(conn, "3001", "receipt", [(sku1, 12000), (sku2, 3000)])
    stock.move(conn, "3001", "adjustment", [(sku2, -3856)], reason="spoilt")  # -0.856 on hand
    window = manager(qtbot, conn, config, None, prompts)
    window.tabs.setCurrentIndex(COUNT)
    window.count_buttons["start"].click()
    settle(qtbot, window, size)
    view, model = window.count_table, window.count_model
    metrics = QFontMetrics(view.font())
    for row in range(model.rowCount()):
        for column in (SKU, EXPECTED):
            text = model.index(row, column).data()
            assert metrics.horizontalAdvance(text) < view.columnWidth(column), (text, column)


def test_apps_open_full_screen_unless_windowed(qtbot: QtBot) -> None:
    full, windowed = QWidget(), QWidget()
    qtbot.addWidget(full)
    qtbot.addWidget(windowed)
    show_window(full, windowed=False)
    show_window(windowed, windowed=True)
    assert full.isFullScreen()
    assert not windowed.isFullScreen() and (windowed.width(), windowed.height()) == (1024, 768)


@pytest.mark.parametrize("windowed", [False, True])
def test_the_device_panel_opens_beside_the_app_never_over_it(
        qtbot: QtBot, conn: sqlite3.Connection, tmp_path: object, windowed: bool) -> None:
    """Full-screen (no room beside): the app gives up the panel's width; a window with room
    beside it: the panel stands there, the window untouched. Either way on the screen and over
    nothing."""
    from pathlib import Path

    from ui.demo.device_panel import demo_stand_ins

    window = QWidget()
    qtbot.addWidget(window)
    show_window(window, windowed=windowed)
    if windowed:                        # the offscreen screen is 800 px wide: leave room
        window.setGeometry(40, 40, 400, 500)
    before = window.geometry()
    assert isinstance(tmp_path, Path)
    stand_ins = demo_stand_ins(conn, tmp_path)
    try:
        stand_ins.attach(window)
        [panel] = [w for w in QApplication.topLevelWidgets()
                   if w.objectName() == "devicePanel" and w.isVisible()]
        qtbot.addWidget(panel)
        area = window.screen().availableGeometry()
        assert panel.isVisible() and area.contains(panel.frameGeometry())
        assert not panel.frameGeometry().intersects(window.frameGeometry())
        assert area.contains(window.frameGeometry())
        assert (window.geometry() == before) == windowed
    finally:
        stand_ins.close()


def test_age_restricted_lines_carry_a_drawn_mark_and_no_emoji(qtbot: QtBot, till: Till,
                                                              conn: sqlite3.Connection) -> None:
    from PySide6.QtCore import Qt

    window = open_lane(qtbot, till, None)
    window.enter_code(alcohol_gtin(conn))
    index = window.model.index(0, 1)
    icon = index.data(Qt.ItemDataRole.DecorationRole)
    assert icon is not None and not icon.isNull()
    assert all(ord(ch) < 0x2000 or 0x4E00 <= ord(ch) <= 0x9FFF or ch in "·" for ch in index.data())


# --- every text and every dialog follows the scale --------------------------------------------

def grows_and_fits(window: QWidget, dialog_for: object = None) -> None:
    """At 1024×768 nothing overflows; at 1920×1080 every visible text is larger. With
    `dialog_for(window)`, the same for the dialog it opens over the window (a new one at each
    size, as each opens at its window's scale)."""
    from tests.ui import screen_scale as sc

    sc.settle(window, SIZES[0])
    root = window
    if dialog_for is not None:
        root = dialog_for(window)  # type: ignore[operator]
        root.show()
        QApplication.processEvents()
        assert window.geometry().contains(root.frameGeometry()) or \
            root.frameGeometry().width() <= window.width()
    assert sc.overflowing(root) == []
    small = [px for _name, px in sc.fonts(root).values()]
    names = [name for name, _px in sc.fonts(root).values()]
    if dialog_for is not None:
        root.close()
    sc.settle(window, SIZES[1])
    if dialog_for is not None:
        root = dialog_for(window)  # type: ignore[operator]
        root.show()
        QApplication.processEvents()
    large = [px for _name, px in sc.fonts(root).values()]
    assert len(large) == len(small) >= 1, names
    assert [n for n, a, b in zip(names, small, large, strict=True) if b <= a] == []
    assert sc.overflowing(root) == []
    if dialog_for is not None:
        root.close()


def till_at(qtbot: QtBot, till: Till, conn: sqlite3.Connection, prompts: ScriptedPrompts,
            screen: str) -> QWidget:
    window = make_window(qtbot, till, None, prompts)
    if screen == "login":
        return window
    login(qtbot, window)
    for code in gtins(conn, 3):
        window.enter_code(code)
    window.enter_code(alcohol_gtin(conn))                     # the 18+ mark among the lines
    if screen == "tender":
        window.till.confirm_age()
        window.go_to_tender()
    return window


@pytest.mark.parametrize("screen", ["login", "sale", "tender"])
def test_every_text_on_the_till_grows_at_1080p_and_nothing_overflows_at_768(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, prompts: ScriptedPrompts,
        screen: str) -> None:
    window = till_at(qtbot, till, conn, prompts, screen)
    grows_and_fits(window)
    if screen == "sale":                                      # the drawn 18+ mark grows too
        assert window.sale_screen.table.iconSize().height() == round(20 * 1.40625)


def _dialogs() -> dict[str, object]:
    from ui.till import store_operations as ops
    from ui.till.discount_dialog import DiscountDialog
    from ui.till.open_price_dialog import OpenPriceDialog
    from ui.till.product_search import ProductSearchDialog
    from ui.till.report_dialog import ReportDialog
    from ui.widgets.pin_pad import OverrideDialog

    def search(w: object) -> QWidget:
        dialog = ProductSearchDialog(w.till.conn, w.money, "en", w)  # type: ignore[attr-defined]
        dialog.query.setText("nfsq")
        return dialog

    def report(w: object) -> QWidget:
        return ReportDialog("X report", ops.x_report(w.till), w.money,  # type: ignore[attr-defined]
                            w.tender_view.tender_name, None, w)  # type: ignore[attr-defined]

    def message(w: object) -> QWidget:
        from PySide6.QtWidgets import QMessageBox

        return QMessageBox(QMessageBox.Icon.Question, "No sale", "Open the drawer?",
                           QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, w)

    def text(w: object) -> QWidget:
        from PySide6.QtWidgets import QInputDialog

        dialog = QInputDialog(w)  # type: ignore[arg-type]
        dialog.setLabelText("Reason")
        return dialog

    return {"search": search, "x_report": report,
            "discount": lambda w: DiscountDialog("Discount on line 1", 2, w),
            "open_price": lambda w: OpenPriceDialog("Unlisted item", "Sundries", 2, w),
            "approval": lambda w: OverrideDialog("A Z report needs a supervisor", w),
            "message": message, "text": text}


@pytest.mark.parametrize("name", list(_dialogs()))
def test_every_dialog_opens_at_its_windows_scale_and_shows_all_it_holds(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, prompts: ScriptedPrompts,
        name: str) -> None:
    window = till_at(qtbot, till, conn, prompts, "sale")
    grows_and_fits(window, _dialogs()[name])


@pytest.mark.parametrize("size", SIZES)
def test_the_x_report_needs_no_scrolling(qtbot: QtBot, till: Till, conn: sqlite3.Connection,
                                         prompts: ScriptedPrompts,
                                         size: tuple[int, int]) -> None:
    from tests.ui import screen_scale as sc

    window = till_at(qtbot, till, conn, prompts, "sale")
    sc.settle(window, size)
    dialog = _dialogs()["x_report"](window)  # type: ignore[operator]
    dialog.show()
    QApplication.processEvents()
    table = dialog.table
    assert not table.verticalScrollBar().isVisible() and not table.horizontalScrollBar().isVisible()
    last = table.visualRect(table.model().index(table.rowCount() - 1, 0))
    assert last.bottom() <= table.viewport().height()
    assert window.frameGeometry().contains(dialog.frameGeometry())
    dialog.close()


def test_the_managers_screens_and_charts_grow_at_1080p(
        qtbot: QtBot, conn: sqlite3.Connection, config: StoreConfig,
        prompts: ScriptedPrompts) -> None:
    from ui.manager.manager_app import REPORTS

    window = manager(qtbot, conn, config, None, prompts)
    window.tabs.setCurrentIndex(REPORTS)
    grows_and_fits(window)
    from tests.ui import screen_scale as sc

    titles = []
    for size in SIZES:
        sc.settle(window, size)
        titles.append([v.chart().titleFont().pixelSize() for v in window.charts.views])
    assert titles[0] and all(b > a for a, b in zip(*titles, strict=True))
