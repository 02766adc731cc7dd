"""Manager mode: a stock count with the simulated LLRP RFID reader over TCP (live counted vs
expected, variance), a scanned item, a recount and the approval that posts the variances; price
check, goods receiving and the report charts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from drivers.rfid.reader import LlrpReader
from drivers.rfid.simulator import LlrpReaderSimulator, ReaderPopulation, sgtin_population
from edge.config import StoreConfig
from edge.store_ops import stock
from tests.ui.conftest import ScriptedPrompts, activate
from ui.hardware.devices import Devices
from ui.manager.manager_app import COUNT, PRICE, RECEIVING, REPORTS, ManagerWindow


def products(conn: sqlite3.Connection, n: int) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT g.sku, g.gtin FROM product_gtin g ORDER BY g.sku LIMIT ?", (n,))]


@pytest.fixture
def rfid(conn: sqlite3.Connection) -> Iterator[tuple[LlrpReaderSimulator, Devices]]:
    (_, g1), (_, g2) = products(conn, 2)
    sim = LlrpReaderSimulator(ReaderPopulation(sgtin_population({g1: 5, g2: 3}), reads_per_tag=3))
    sim.start()
    host, port = sim.address
    devices = Devices(rfid=LlrpReader("rfid", host, port, timeout_s=5.0))
    devices.start()
    assert not devices.failures, devices.failures
    yield sim, devices
    devices.close()
    sim.stop()


def manager(qtbot: QtBot, conn: sqlite3.Connection, config: StoreConfig, devices: Devices | None,
            prompts: ScriptedPrompts) -> ManagerWindow:
    window = ManagerWindow(conn, config, devices)
    window.prompt = prompts  # type: ignore[assignment]
    qtbot.addWidget(window)
    window.resize(1024, 768)
    activate(qtbot, window)
    window.pad.submitted.emit("1001", "1234")
    assert window.pages.currentIndex() == 0  # a cashier may not enter
    window.pad.submitted.emit("3001", "9999")
    assert window.pages.currentIndex() == 1
    return window


def test_stock_count_with_the_rfid_reader_recount_and_approve(
        qtbot: QtBot, conn: sqlite3.Connection, config: StoreConfig,
        rfid: tuple[LlrpReaderSimulator, Devices], prompts: ScriptedPrompts) -> None:
    _, devices = rfid
    (sku1, _), (sku2, _), (sku3, gtin3) = products(conn, 3)
    stock.move(conn, "3001", "receipt", [(sku1, 4000), (sku2, 3000)])
    window = manager(qtbot, conn, config, devices, prompts)
    window.tabs.setCurrentIndex(COUNT)
    window.count_buttons["start"].click()
    model = window.count_model
    assert window.count_id is not None and model.rowCount() == 2  # expected, not yet counted

    window.count_buttons["rfid"].click()
    qtbot.waitUntil(lambda: all(ln.counted is not None for ln in model.lines), timeout=8000)
    by_sku = {ln.sku: ln for ln in model.lines}
    assert by_sku[sku1].counted == 5000 and by_sku[sku1].variance == 1000
    assert by_sku[sku2].counted == 3000 and by_sku[sku2].variance == 0

    window.scanned(gtin3.lstrip("0"))
    assert window.count_model.row_of(sku3) is not None

    window.count_table.selectRow(window.count_model.row_of(sku1))
    prompts.texts.append("4")
    window.count_buttons["recount"].click()
    assert {ln.sku: ln for ln in model.lines}[sku1].variance == 0

    window.count_buttons["approve"].click()
    dialog = window.approval_dialog
    assert dialog is not None and dialog.isVisible()
    assert "3 items counted" in dialog.counted.text()
    assert "Every item in scope was counted" in dialog.uncounted_text.text()
    dialog.approve_button.click()
    assert window.count_id is None
    assert stock.on_hand(conn, sku3) == 1000 and stock.on_hand(conn, sku1) == 4000


def test_count_approval_summary_lists_the_uncounted_and_the_manager_sets_them_to_zero(
        qtbot: QtBot, conn: sqlite3.Connection, config: StoreConfig,
        prompts: ScriptedPrompts) -> None:
    from PySide6.QtCore import Qt

    (sku1, gtin1), (sku2, _), (sku3, _) = products(conn, 3)
    stock.move(conn, "3001", "receipt", [(sku1, 4000), (sku2, 3000), (sku3, 2000)])
    window = manager(qtbot, conn, config, None, prompts)
    window.tabs.setCurrentIndex(COUNT)
    window.count_buttons["start"].click()
    window.scanned(gtin1.lstrip("0"))
    window.count_buttons["approve"].click()
    dialog = window.approval_dialog
    assert dialog is not None
    assert "1 items counted" in dialog.counted.text()
    assert "2 items in scope were not counted" in dialog.uncounted_text.text()
    assert dialog.uncounted_list.count() == 2 and sku2 in dialog.uncounted_list.item(0).text()
    assert dialog.leave.isChecked()  # leaving them is the default

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Escape cancels: nothing posted
    assert window.count_id is not None and stock.on_hand(conn, sku2) == 3000

    window.count_buttons["approve"].click()
    dialog = window.approval_dialog
    assert dialog is not None
    dialog.zero.setChecked(True)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter approves
    assert window.count_id is None
    assert stock.on_hand(conn, sku1) == 1000
    assert stock.on_hand(conn, sku2) == 0 and stock.on_hand(conn, sku3) == 0
    assert "zero" in window.count_summary.text()


def test_price_check_receiving_and_report_charts(
        qtbot: QtBot, conn: sqlite3.Connection, config: StoreConfig,
        prompts: ScriptedPrompts) -> None:
    window = manager(qtbot, conn, config, None, prompts)
    (sku, gtin), = products(conn, 1)
    window.tabs.setCurrentIndex(RECEIVING)
    window.scanned(gtin.lstrip("0"))
    window.scanned(gtin.lstrip("0"))
    window.post_receipt()
    assert stock.on_hand(conn, sku) == 2000
    window.tabs.setCurrentIndex(PRICE)
    window.scanned(gtin.lstrip("0"))
    assert "¥" in window.price_value.text() and sku in window.price_detail.text()
    window.tabs.setCurrentIndex(REPORTS)
    assert len(window.charts.views) == 3
