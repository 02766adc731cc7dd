"""The Qt till's and the kiosk's payment-code tender: a code from the scanner on the pay screen charges the
customer through the provider (the simulator over real HTTP); the screen waits (the till with a
cancel key, Esc) while the customer confirms on the phone, and completes the sale only on SUCCESS."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from drivers.scanner.protocol import PaymentCodeEvent
from edge.config import StoreConfig
from edge.payments.attempts import attempts_of_sale
from edge.payments.settings import PaymentSettings
from edge.till.mobile_payment import MobilePayments
from edge.till.session import Till
from providers import simulator as s
from providers.simulator import Behaviour, ProviderSimulator
from tests.edge.payments.harness import CODES, RealClock, adapters, simulator
from tests.ui.conftest import ScriptedPrompts
from tests.ui.test_till_flow import gtins, login, make_window
from ui.till_app import TENDER, TillWindow

# real seconds, short: the window's timer polls for real
QUICK = PaymentSettings(timeout_s=1.0, query_interval_s=0.05, reverse_interval_s=0.05,
                        reverse_for_s=2.0)


@pytest.fixture
def sim() -> Iterator[ProviderSimulator]:
    sim = simulator()
    yield sim
    sim.stop()


@pytest.fixture
def paying(conn: sqlite3.Connection, config: StoreConfig, sim: ProviderSimulator) -> Till:
    clock = RealClock()
    return Till(conn, config, payments=MobilePayments(conn, config, adapters(sim.url), QUICK,
                                                      now=clock.now, sleep=clock.sleep))


def to_tender(qtbot: QtBot, till: Till, conn: sqlite3.Connection,
              prompts: ScriptedPrompts) -> TillWindow:
    window = make_window(qtbot, till, None, prompts)
    login(qtbot, window)
    for code in gtins(conn, 2):
        window.enter_code(code)
    qtbot.keyClick(window, Qt.Key.Key_F12)
    assert window.stack.currentIndex() == TENDER
    return window


def test_the_screen_waits_for_the_customer_then_completes(
        qtbot: QtBot, paying: Till, conn: sqlite3.Connection, sim: ProviderSimulator,
        prompts: ScriptedPrompts) -> None:
    sim.behaviour = Behaviour(s.USERPAYING, paying_s=0.3)
    window = to_tender(qtbot, paying, conn, prompts)
    window.device_event(PaymentCodeEvent("scanner", CODES["wechat"], "wechat"))
    assert "Waiting for the customer" in window.tender_view.message.text()
    qtbot.waitUntil(lambda: window.tender_view.done, timeout=5000)
    sale = paying.last_sale
    assert sale is not None and sale.status == "completed"
    assert [t.type for t in sale.tenders] == ["mobile"]
    assert sale.tenders[0].reference == attempts_of_sale(conn, sale.id)[0].out_trade_no


def test_esc_while_waiting_cancels_and_reverses(qtbot: QtBot, paying: Till,
                                                conn: sqlite3.Connection, sim: ProviderSimulator,
                                                prompts: ScriptedPrompts) -> None:
    sim.behaviour = Behaviour(s.ABANDON, paying_s=30)
    window = to_tender(qtbot, paying, conn, prompts)
    window.device_event(PaymentCodeEvent("scanner", CODES["alipay"], "alipay"))
    assert paying.payments is not None and paying.payments.waiting is not None
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert paying.payments.waiting is None
    assert "reversed" in window.tender_view.message.text()
    assert window.stack.currentIndex() == TENDER and not window.tender_view.done
    assert paying.sale is not None and not paying.sale.tenders and sim.charged() == {}


def test_the_kiosk_takes_a_payment_code_through_the_provider(
        qtbot: QtBot, paying: Till, conn: sqlite3.Connection, sim: ProviderSimulator) -> None:
    from tests.ui.test_kiosk_flow import open_lane
    from ui.kiosk_app import DONE, PAY

    sim.behaviour = Behaviour(s.USERPAYING, paying_s=0.3)
    window = open_lane(qtbot, paying, None)
    for code in gtins(conn, 2):
        paying.scan(code)
    window.refresh()
    window.go_pay()
    assert window.stack.currentIndex() == PAY
    window.device_event(PaymentCodeEvent("scanner", CODES["alipay"], "alipay"))
    assert "Confirm the payment on your phone" in window.pay_message.text()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == DONE, timeout=5000)
    sale = paying.last_sale
    assert sale is not None and [t.type for t in sale.tenders] == ["mobile"]
    assert sum(sim.charged().values()) == sale.total
