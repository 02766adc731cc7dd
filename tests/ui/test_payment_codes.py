"""The Qt till's and the kiosk's payment-code tender: a code from the scanner on the pay screen charges the
customer through the provider (the simulator over real HTTP); the screen waits (the till with a
cancel key, Esc) while the customer confirms on the phone, and completes the sale only on SUCCESS."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit
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
from ui.kiosk.kiosk_app import KioskWindow
from ui.till.till_app import TENDER, TillWindow

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
    assert paying.payments is not None
    qtbot.waitUntil(lambda: paying.payments is not None and paying.payments.waiting is not None
                    and not window.payment_runner.busy, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: "reversed" in window.tender_view.message.text(), timeout=5000)
    assert paying.payments.waiting is None
    assert window.stack.currentIndex() == TENDER and not window.tender_view.done
    assert paying.sale is not None and not paying.sale.tenders and sim.charged() == {}


def test_the_kiosk_takes_a_payment_code_through_the_provider(
        qtbot: QtBot, paying: Till, conn: sqlite3.Connection, sim: ProviderSimulator) -> None:
    from tests.ui.test_kiosk_flow import open_lane
    from ui.kiosk.kiosk_app import DONE, PAY

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


# --- a provider that holds the connection: the screen stays live ----------------------------

HOLD_S = 3.0   # the simulator holds the pay answer this long (the adapters wait up to 10 s)


@pytest.fixture
def slow_paying(conn: sqlite3.Connection, config: StoreConfig, sim: ProviderSimulator) -> Till:
    clock = RealClock()
    return Till(conn, config, payments=MobilePayments(conn, config,
                                                      adapters(sim.url, timeout_s=10.0), QUICK,
                                                      now=clock.now, sleep=clock.sleep))


class Ticker:
    """A 20 ms timer on the GUI thread: it ticks only while the event loop runs."""

    def __init__(self) -> None:
        self.ticks = 0
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.timer.start(20)

    def _tick(self) -> None:
        self.ticks += 1


def key_handled_within(qtbot: QtBot, ms: int) -> None:
    """A key press posted to the event loop reaches its widget within `ms`."""
    probe = QLineEdit()
    qtbot.addWidget(probe)
    QApplication.postEvent(probe, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_X,
                                            Qt.KeyboardModifier.NoModifier, "x"))
    qtbot.waitUntil(lambda: probe.text() == "x", timeout=ms)


def completed_once(conn: sqlite3.Connection, sale_id: str) -> None:
    assert conn.execute("SELECT count(*) FROM sale WHERE id = ?", (sale_id,)).fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM sale_tender WHERE sale_id = ?",
                        (sale_id,)).fetchone()[0] == 1
    assert [a.state for a in attempts_of_sale(conn, sale_id)] == ["paid"]


def test_a_provider_holding_the_pay_request_leaves_the_till_live(
        qtbot: QtBot, slow_paying: Till, conn: sqlite3.Connection, sim: ProviderSimulator,
        prompts: ScriptedPrompts) -> None:
    sim.behaviour = Behaviour(s.SUCCESS, hold_s=HOLD_S)
    window = to_tender(qtbot, slow_paying, conn, prompts)
    completions: list[object] = []
    window.sale_completed.connect(completions.append)
    ticker = Ticker()
    window.device_event(PaymentCodeEvent("scanner", CODES["wechat"], "wechat"))
    assert window.payment_runner.busy and "Waiting for the customer" in \
        window.tender_view.message.text()
    qtbot.waitUntil(lambda: ticker.ticks >= 25, timeout=2000)   # half a second of ticks…
    key_handled_within(qtbot, 100)
    assert window.payment_runner.busy and not window.tender_view.done  # …while the request waits
    qtbot.waitUntil(lambda: window.tender_view.done, timeout=int(HOLD_S * 1000) + 5000)
    qtbot.wait(200)   # a stray second poll or completion would show here
    sale = slow_paying.last_sale
    assert sale is not None and sale.status == "completed" and len(completions) == 1
    completed_once(conn, sale.id)
    assert sim.charged() == {sale.tenders[0].reference: sale.total}


def test_esc_during_a_held_request_cancels_once_the_request_returns(
        qtbot: QtBot, slow_paying: Till, conn: sqlite3.Connection, sim: ProviderSimulator,
        prompts: ScriptedPrompts) -> None:
    sim.behaviour = Behaviour(s.ABANDON, paying_s=30, hold_s=HOLD_S)
    window = to_tender(qtbot, slow_paying, conn, prompts)
    window.device_event(PaymentCodeEvent("scanner", CODES["alipay"], "alipay"))
    qtbot.wait(100)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert "waiting for the provider" in window.tender_view.message.text()
    assert window.stack.currentIndex() == TENDER and window.payment_runner.busy
    qtbot.waitUntil(lambda: "reversed" in window.tender_view.message.text(),
                    timeout=int(HOLD_S * 1000) + 5000)
    assert slow_paying.payments is not None and slow_paying.payments.waiting is None
    assert slow_paying.sale is not None and not slow_paying.sale.tenders
    assert [a.state for a in attempts_of_sale(conn, slow_paying.sale.id)] == ["reversed"]
    assert sim.charged() == {}


def test_the_kiosk_stays_live_while_the_provider_holds_the_request(
        qtbot: QtBot, slow_paying: Till, conn: sqlite3.Connection,
        sim: ProviderSimulator) -> None:
    from tests.ui.test_kiosk_flow import open_lane
    from ui.kiosk.kiosk_app import DONE, PAY

    sim.behaviour = Behaviour(s.SUCCESS, hold_s=HOLD_S)
    window = open_lane(qtbot, slow_paying, None)
    for code in gtins(conn, 2):
        slow_paying.scan(code)
    window.refresh()
    window.go_pay()
    ticker = Ticker()
    window.device_event(PaymentCodeEvent("scanner", CODES["wechat"], "wechat"))
    window.device_event(PaymentCodeEvent("scanner", CODES["wechat"], "wechat"))  # a second show
    assert window.payment_runner.busy and window.stack.currentIndex() == PAY
    qtbot.waitUntil(lambda: ticker.ticks >= 25, timeout=2000)
    key_handled_within(qtbot, 100)
    assert window.payment_runner.busy and window.stack.currentIndex() == PAY
    qtbot.waitUntil(lambda: window.stack.currentIndex() == DONE, timeout=int(HOLD_S * 1000) + 5000)
    qtbot.wait(200)
    sale = slow_paying.last_sale
    assert sale is not None
    completed_once(conn, sale.id)
    assert sum(sim.charged().values()) == sale.total and len(sim.charged()) == 1


# --- the kiosk's cancel key -----------------------------------------------------------------

# the customer has long enough that only the cancel key can end the attempt early
PATIENT = PaymentSettings(timeout_s=20.0, query_interval_s=0.05, reverse_interval_s=0.05,
                          reverse_for_s=2.0)


@pytest.fixture
def patient(conn: sqlite3.Connection, config: StoreConfig, sim: ProviderSimulator) -> Till:
    clock = RealClock()
    return Till(conn, config, payments=MobilePayments(conn, config, adapters(sim.url), PATIENT,
                                                      now=clock.now, sleep=clock.sleep))


def kiosk_at_pay(qtbot: QtBot, till: Till, conn: sqlite3.Connection) -> KioskWindow:
    from tests.ui.test_kiosk_flow import open_lane
    from ui.kiosk.kiosk_app import PAY

    window = open_lane(qtbot, till, None)
    for code in gtins(conn, 2):
        till.scan(code)
    window.refresh()
    window.go_pay()
    assert window.stack.currentIndex() == PAY
    return window


def test_the_kiosk_cancel_key_reverses_a_waiting_payment_and_keeps_the_basket(
        qtbot: QtBot, patient: Till, conn: sqlite3.Connection, sim: ProviderSimulator) -> None:
    from ui.kiosk.kiosk_app import DONE, PAY

    sim.behaviour = Behaviour(s.USERPAYING, paying_s=30)   # the phone asks for a password
    window = kiosk_at_pay(qtbot, patient, conn)
    assert window.cancel_payment_button.isHidden()
    window.device_event(PaymentCodeEvent("scanner", CODES["wechat"], "wechat"))
    assert not window.cancel_payment_button.isHidden()
    assert not window.pay_buttons["card"].isEnabled() and not window.pay_back.isEnabled()
    qtbot.waitUntil(lambda: patient.payments is not None and patient.payments.waiting is not None
                    and not window.payment_runner.busy, timeout=5000)
    qtbot.mouseClick(window.cancel_payment_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cancelled" in window.pay_message.text(), timeout=5000)
    assert window.pay_message.text() == \
        "Payment cancelled: you were not charged. Choose how to pay"
    assert window.stack.currentIndex() == PAY and window.cancel_payment_button.isHidden()
    sale = patient.sale
    assert sale is not None and len(sale.lines) == 2 and not sale.tenders   # the basket is kept
    assert [a.state for a in attempts_of_sale(conn, sale.id)] == ["reversed"]
    assert [(o["state"], o["charged"]) for o in sim.ledger()] == [("REVOKED", False)]
    assert sim.charged() == {}
    assert window.pay_buttons["card"].isEnabled()
    qtbot.mouseClick(window.pay_buttons["card"], Qt.MouseButton.LeftButton)  # another tender
    assert window.stack.currentIndex() == DONE
    paid = patient.last_sale
    assert paid is not None and [t.type for t in paid.tenders] == ["card"]
    assert sim.charged() == {}


def test_escape_at_the_kiosk_during_a_held_success_completes_the_sale_once(
        qtbot: QtBot, slow_paying: Till, conn: sqlite3.Connection,
        sim: ProviderSimulator) -> None:
    from ui.kiosk.kiosk_app import DONE, PAY

    sim.behaviour = Behaviour(s.SUCCESS, hold_s=HOLD_S)   # the customer paid; the answer is slow
    window = kiosk_at_pay(qtbot, slow_paying, conn)
    completions: list[str] = []
    original = window.completed
    window.completed = lambda: (completions.append("done"), original())  # type: ignore[method-assign]
    window.device_event(PaymentCodeEvent("scanner", CODES["alipay"], "alipay"))
    qtbot.wait(100)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.pay_message.text() == "Cancelling the payment…"
    assert window.payment_runner.busy and window.stack.currentIndex() == PAY
    qtbot.waitUntil(lambda: window.stack.currentIndex() == DONE, timeout=int(HOLD_S * 1000) + 5000)
    qtbot.wait(200)   # a stray cancel or second completion would show here
    sale = slow_paying.last_sale
    assert sale is not None and completions == ["done"]
    completed_once(conn, sale.id)
    assert sim.charged() == {sale.tenders[0].reference: sale.total}


# --- a return's refund to the payment code, off the GUI thread --------------------------------

class GapTicker(Ticker):
    """A 20 ms timer that remembers the longest gap between its ticks: a frozen event loop
    shows as a gap as long as the freeze."""

    def __init__(self) -> None:
        self.last = time.monotonic()
        self.longest = 0.0
        super().__init__()

    def _tick(self) -> None:
        now = time.monotonic()
        self.longest = max(self.longest, now - self.last)
        self.last = now
        super()._tick()


def test_a_returns_refund_held_by_the_provider_leaves_the_till_live(
        qtbot: QtBot, slow_paying: Till, conn: sqlite3.Connection, sim: ProviderSimulator,
        prompts: ScriptedPrompts) -> None:
    sim.behaviour = Behaviour(s.SUCCESS)
    window = make_window(qtbot, slow_paying, None, prompts)
    login(qtbot, window)
    for code in gtins(conn, 2):
        slow_paying.scan(code)
    sale = slow_paying.pay_code(CODES["wechat"])
    assert sale.status == "completed"
    out_trade_no = sale.tenders[0].reference
    sim.refund_hold_s = HOLD_S
    prompts.texts = [sale.id, "1"]
    prompts.choices = [0, 1]
    ticker = GapTicker()
    window.returns()
    assert "asking WeChat Pay/Alipay" in window.sale_screen.message.text()
    record = conn.execute("SELECT id, total FROM sale_return").fetchone()
    assert record is not None                                   # the return is recorded at once
    qtbot.waitUntil(lambda: ticker.ticks >= 25, timeout=2000)   # the loop ticks meanwhile…
    key_handled_within(qtbot, 100)
    assert ticker.longest < 1.0, f"the event loop stopped for {ticker.longest:.2f} s"
    assert "asking" in window.sale_screen.message.text()        # …while the refund is held
    qtbot.waitUntil(lambda: "Refunded" in window.sale_screen.message.text(),
                    timeout=int(HOLD_S * 1000) + 5000)
    assert ticker.longest < 1.0, f"the event loop stopped for {ticker.longest:.2f} s"
    refunded = conn.execute("SELECT amount FROM return_tender WHERE type = 'mobile'"
                            " AND return_id = ?", (record["id"],)).fetchone()[0]
    assert 0 < refunded < sale.total
    assert window.sale_screen.message.text().startswith(
        f"Refunded {window.money.minor(refunded)} to WeChat Pay/Alipay")
    qtbot.wait(200)
    rows = conn.execute("SELECT out_refund_no, amount, state FROM payment_refund").fetchall()
    assert [(r["amount"], r["state"]) for r in rows] == [(refunded, "success")]
    asked = [r for r in sim.requests if r[2] == "refund"]
    assert [r[3] for r in asked] == [rows[0]["out_refund_no"]]   # asked once, refunded once
    assert sim.charged() == {out_trade_no: sale.total - refunded}


def test_a_returns_refund_the_provider_cannot_take_now_is_pending_for_the_agent(
        qtbot: QtBot, slow_paying: Till, conn: sqlite3.Connection, sim: ProviderSimulator,
        prompts: ScriptedPrompts) -> None:
    window = make_window(qtbot, slow_paying, None, prompts)
    login(qtbot, window)
    for code in gtins(conn, 2):
        slow_paying.scan(code)
    sale = slow_paying.pay_code(CODES["alipay"])
    sim.refuse_requests = True        # an outage: every request answered 500
    prompts.texts = [sale.id, "1"]
    prompts.choices = [0, 0]
    window.returns()
    qtbot.waitUntil(lambda: "not confirmed yet" in window.sale_screen.message.text(),
                    timeout=5000)
    assert "retried automatically (X report)" in window.sale_screen.message.text()
    assert [r["state"] for r in conn.execute("SELECT state FROM payment_refund")] == ["pending"]
    assert sim.charged() == {sale.tenders[0].reference: sale.total}   # nothing refunded yet
