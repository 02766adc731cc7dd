"""The customer display driven by the till: each line with the running total, the amount to pay,
then paid and change, and a welcome between customers, read back from the simulated 2×20
display's screen buffer (the bytes the driver sent over the pty)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from drivers.device import SerialSettings
from drivers.display.commands import PROFILES
from drivers.display.display import CustomerDisplay
from drivers.display.simulator import DisplaySimulator
from edge.config import StoreConfig
from edge.till.session import Till
from tests.ui.conftest import ScriptedPrompts
from tests.ui.test_till_flow import gtins, login, make_window
from ui.hardware.devices import Devices
from ui.till.till_app import make_app


@pytest.fixture
def display_sim() -> Iterator[DisplaySimulator]:
    sim = DisplaySimulator()
    yield sim
    sim.close()


def display_devices(sim: DisplaySimulator, profile: str) -> Devices:
    devices = Devices(display=CustomerDisplay("display", settings=SerialSettings(sim.port),
                                              profile=PROFILES[profile]))
    devices.start()
    assert not devices.failures, devices.failures
    return devices


def shows(qtbot: QtBot, sim: DisplaySimulator, top: str, bottom: str,
          encoding: str = "cp437") -> None:
    expected = [top, bottom]
    qtbot.waitUntil(lambda: [line.rstrip() for line in sim.text(encoding)] == expected,
                    timeout=3000)


def test_each_line_the_total_then_paid_and_change_reach_the_display(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, prompts: ScriptedPrompts,
        display_sim: DisplaySimulator) -> None:
    devices = display_devices(display_sim, "epson")
    try:
        window = make_window(qtbot, till, devices, prompts)
        shows(qtbot, display_sim, f"{'Welcome':^20}".rstrip(), "")
        login(qtbot, window)
        a, b = gtins(conn, 2)
        for code in (a, b, a):
            qtbot.keyClicks(window.sale_screen.entry, code)
            qtbot.keyClick(window.sale_screen.entry, Qt.Key.Key_Return)
        sale = till.sale
        assert sale is not None
        first = sale.lines[0]                                  # the repeat scan changed line 1
        money = window.money.minor
        name = first.name_en[:20 - len(money(first.total)) - 1]
        shows(qtbot, display_sim,
              f"{name:<{20 - len(money(first.total))}}{money(first.total)}",
              f"TOTAL{money(sale.total):>15}")
        qtbot.keyClick(window, Qt.Key.Key_F12)
        shows(qtbot, display_sim, "TO PAY", f"{money(sale.total):>20}")
        window.tender_view.amount.setText("100.00")
        qtbot.keyClick(window, Qt.Key.Key_F1)                 # cash
        done = till.last_sale
        assert done is not None and done.status == "completed"
        shows(qtbot, display_sim, f"PAID{money(done.paid):>16}", f"CHANGE{money(done.change):>14}")
        qtbot.keyClick(window, Qt.Key.Key_F12)                # next customer
        shows(qtbot, display_sim, f"{'Welcome':^20}".rstrip(), "")
        assert display_sim.screen.errors == []                 # nothing a real display rejects
    finally:
        devices.close()


def test_a_chinese_till_shows_chinese_on_a_gb18030_display(
        qtbot: QtBot, conn: sqlite3.Connection, prompts: ScriptedPrompts,
        display_sim: DisplaySimulator) -> None:
    till = Till(conn, StoreConfig(locale="zh_CN"))
    devices = display_devices(display_sim, "gb18030")
    make_app("zh_CN")
    try:
        window = make_window(qtbot, till, devices, prompts)
        login(qtbot, window)
        qtbot.keyClicks(window.sale_screen.entry, gtins(conn, 1)[0])
        qtbot.keyClick(window.sale_screen.entry, Qt.Key.Key_Return)
        sale = till.sale
        assert sale is not None
        total = window.money.minor(sale.total).replace("¥", "￥")
        qtbot.waitUntil(lambda: display_sim.text("gb18030")[1].startswith("合计")
                        and display_sim.text("gb18030")[1].endswith(total), timeout=3000)
        assert display_sim.text("gb18030")[0].startswith(sale.lines[0].name_zh[:4])
    finally:
        make_app("en")
        devices.close()


def test_the_demo_panel_shows_the_simulated_display(
        qtbot: QtBot, conn: sqlite3.Connection, prompts: ScriptedPrompts, tmp_path: Path) -> None:
    from ui.demo.demo_devices import start_simulated_devices
    from ui.demo.device_panel import DevicePanel

    sims = start_simulated_devices(conn, tmp_path)
    try:
        assert sims.devices.display is not None
        till = Till(conn, StoreConfig(locale="zh_CN"))
        window = make_window(qtbot, till, sims.devices, prompts)
        panel = DevicePanel(sims, [])
        qtbot.addWidget(panel)
        login(qtbot, window)
        qtbot.keyClicks(window.sale_screen.entry, gtins(conn, 1)[0])
        qtbot.keyClick(window.sale_screen.entry, Qt.Key.Key_Return)
        assert till.sale is not None
        name = till.sale.lines[0].name_zh[:4]
        qtbot.waitUntil(lambda: name in panel.display.text(), timeout=3000)
    finally:
        sims.close()


def test_the_kiosk_lane_drives_its_pole_display_too(
        qtbot: QtBot, conn: sqlite3.Connection, display_sim: DisplaySimulator) -> None:
    from tests.ui.test_kiosk_flow import open_lane
    from ui.kiosk.kiosk_app import DONE

    devices = display_devices(display_sim, "epson")
    try:
        till = Till(conn, StoreConfig(locale="en"))
        lane = open_lane(qtbot, till, devices)
        shows(qtbot, display_sim, f"{'Welcome':^20}".rstrip(), "")
        lane.enter_code(gtins(conn, 1)[0])
        sale = till.sale
        assert sale is not None and len(sale.lines) == 1
        money = lane.money.minor
        line = sale.lines[0]
        name = line.name_en[:20 - len(money(line.total)) - 1]
        shows(qtbot, display_sim, f"{name:<{20 - len(money(line.total))}}{money(line.total)}",
              f"TOTAL{money(sale.total):>15}")
        lane.buttons["pay"].click()
        shows(qtbot, display_sim, "TO PAY", f"{money(sale.total):>20}")
        lane.pay_buttons["card"].click()
        assert lane.stack.currentIndex() == DONE
        done = till.last_sale
        assert done is not None and done.status == "completed"
        shows(qtbot, display_sim, f"PAID{money(done.paid):>16}", f"CHANGE{money(done.change):>14}")
        lane.finish()
        shows(qtbot, display_sim, f"{'Welcome':^20}".rstrip(), "")
        assert display_sim.screen.errors == []
    finally:
        devices.close()
