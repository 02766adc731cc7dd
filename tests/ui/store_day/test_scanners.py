"""Scanners as the store has them, at the till: payment codes from a HID (keyboard-wedge) scanner
— typed into the scan box or caught by the wedge filter — and from the serial scanner over its pty,
on the sale screen (they start payment for the basket) and on the tender screen; a member's QR or
card number in the scan box; a price check that adds nothing. Books: the sale's tenders in SQLite."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.edge.payments.harness import CODES
from tests.ui.store_day.conftest import Counter

SOURCES = ["hid_entry", "hid_wedge", "serial"]


def scan(c: Counter, source: str, code: str) -> None:
    if source == "hid_entry":
        c.type_code(code)
    elif source == "hid_wedge":
        c.wedge_code(code)
    else:
        c.serial_scan(code)


def basket_due(c: Counter) -> int:
    for code in c.gtins(2):
        c.type_code(code)
    assert c.till.sale is not None
    return c.till.sale.total


@pytest.mark.parametrize("provider", ["wechat", "alipay"])
@pytest.mark.parametrize("source", SOURCES)
def test_a_payment_code_on_the_sale_screen_pays_for_the_basket(counter: Counter, source: str,
                                                               provider: str) -> None:
    due = basket_due(counter)
    scan(counter, source, CODES[provider])
    counter.qtbot.waitUntil(lambda: counter.window.tender_view.done, timeout=5000)
    sale = counter.till.last_sale
    assert sale is not None and sale.status == "completed"
    assert counter.tenders(sale.id) == [("mobile", due)]
    assert sale.tenders[0].reference == f"{provider}:{CODES[provider]}"
    assert counter.journal("line.voided") == []


def hid_where_the_focus_is(code: str) -> None:
    """A HID scanner types into whatever has the focus: on the tender screen, the amount field
    (holding what is due, selected)."""
    focus = QApplication.focusWidget()
    assert focus is not None
    QTest.keyClicks(focus, code)
    QTest.keyClick(focus, Qt.Key.Key_Return)


@pytest.mark.parametrize("source", [*SOURCES, "hid_focus"])
def test_a_payment_code_on_the_tender_screen_pays_what_is_left(counter: Counter,
                                                               source: str) -> None:
    due = basket_due(counter)
    counter.press("F12")
    view = counter.window.tender_view
    view.amount.setText("1.00")
    counter.press("F1")                                   # part in cash
    assert QApplication.focusWidget() is view.amount
    if source == "hid_focus":
        hid_where_the_focus_is(CODES["wechat"])           # never cash of ¥1,345,678,901,234,567.89
    else:
        scan(counter, source, CODES["wechat"])
    counter.qtbot.waitUntil(lambda: counter.window.tender_view.done, timeout=5000)
    sale = counter.till.last_sale
    assert sale is not None and counter.tenders(sale.id) == [("cash", 100), ("mobile", due - 100)]


@pytest.mark.parametrize("source", SOURCES)
def test_a_payment_code_with_an_empty_basket_sells_nothing(counter: Counter, source: str) -> None:
    scan(counter, source, CODES["alipay"])
    counter.qtbot.waitUntil(lambda: counter.message() != "", timeout=5000)
    assert counter.till.sale is None and counter.sales() == []


@pytest.mark.parametrize("token", ["MQR-DEMO-0002", "88000002"])
@pytest.mark.parametrize("source", SOURCES)
def test_a_member_code_in_the_scan_box_attaches_the_member(counter: Counter, source: str,
                                                           token: str) -> None:
    if token == "88000002":      # card numbers are the store's range, set in store.toml
        counter.till.config.extra["member_codes"] = [
            {"prefix": "MQR-", "min_length": 8, "max_length": 64},
            {"prefix": "88", "min_length": 8, "max_length": 8}]
    basket_due(counter)
    scan(counter, source, token)
    counter.qtbot.waitUntil(lambda: counter.till.sale is not None
                            and counter.till.sale.member_id is not None, timeout=5000)
    assert counter.till.sale is not None and counter.till.sale.member_tier == "gold"
    assert len(counter.till.sale.lines) == 2                   # nothing sold for the code
    assert counter.message() == counter.window.tr("Member identified")
    counter.press("F12")
    counter.press("F6")
    assert counter.sales()[-1]["member_id"] == counter.till.last_sale.member_id  # type: ignore[union-attr]


@pytest.mark.parametrize("source", SOURCES)
def test_price_check_shows_the_item_and_adds_nothing(counter: Counter, source: str) -> None:
    code = counter.gtins(1)[0]
    outbox = counter.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    counter.press("Ctrl+I")
    scan(counter, source, code)
    counter.qtbot.waitUntil(lambda: counter.window.tr("Price check: %1 · %2").split("%1")[0]
                            in counter.message(), timeout=5000)
    assert counter.till.sale is None and counter.window.sale_screen.model.rowCount() == 0
    assert counter.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == outbox
    scan(counter, source, code)                       # the next scan sells again
    counter.qtbot.waitUntil(lambda: counter.till.sale is not None, timeout=5000)


@pytest.mark.parametrize("source", SOURCES)
def test_a_payment_code_on_the_sale_screen_goes_through_the_provider(
        counter: Counter, source: str) -> None:
    """With [payments] set up: the same scan asks the provider (simulator over real HTTP) and
    the sale completes only on its SUCCESS, the attempt's id as the tender's reference."""
    from edge.payments.attempts import attempts_of_sale
    from edge.till.mobile_payment import MobilePayments
    from tests.edge.payments.harness import RealClock, adapters, simulator
    from tests.ui.test_payment_codes import QUICK

    sim = simulator()
    try:
        clock = RealClock()
        counter.till.payments = MobilePayments(counter.conn, counter.till.config,
                                               adapters(sim.url), QUICK, now=clock.now,
                                               sleep=clock.sleep)
        due = basket_due(counter)
        scan(counter, source, CODES["alipay"])
        counter.qtbot.waitUntil(lambda: counter.window.tender_view.done, timeout=10000)
        sale = counter.till.last_sale
        assert sale is not None and counter.tenders(sale.id) == [("mobile", due)]
        assert sale.tenders[0].reference == attempts_of_sale(counter.conn, sale.id)[0].out_trade_no
    finally:
        sim.stop()


def test_a_product_barcode_typed_into_the_amount_field_is_not_cash(counter: Counter) -> None:
    """An EAN-8 from a HID scanner after Pay would be ¥12,345,678 of cash with the change to
    match; it is refused as a barcode and the sale waits, unchanged."""
    basket_due(counter)
    counter.press("F12")
    view = counter.window.tender_view
    view.amount.setFocus()
    hid_where_the_focus_is("12345670")
    assert not view.done and counter.till.sale is not None and not counter.till.sale.tenders
    assert view.message_is_error and counter.sales() == []
