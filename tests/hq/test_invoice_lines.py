"""Rules INVOICE_SUMS and DISCOUNT_NEXT_TO_LINE over random discounted baskets: the invoice's
lines and discount lines add up to the sale to the fen, each discount sits right after its line,
and the Nuonuo request built from them passes the platform's own checks (the simulator's)."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from edge.ledger.money import line_amount
from edge.ledger.tax import tax_included
from hq.invoices.buyer import Buyer
from hq.invoices.lines import ReturnLineFact, SaleLineFact, blue_lines, red_lines
from hq.invoices.provider import InvoiceOrder
from providers.invoice_nuonuo import NuonuoSettings, order_body
from providers.invoice_simulator import InvoiceSimulator

SETTINGS = NuonuoSettings(url="http://127.0.0.1:1/open/v1/services", app_key="k",
                          app_secret="s", access_token="t", seller_tax_id="91110000600037341L")
BUYER = Buyer("张三", "", "z@example.com", "")


@st.composite
def sale_line(draw: st.DrawFn, line_no: int) -> SaleLineFact:
    unit = draw(st.sampled_from(["each", "kg"]))
    qty = draw(st.integers(1, 20)) * 1000 if unit == "each" else draw(st.integers(1, 30_000))
    price = draw(st.integers(1, 200_000))
    gross = line_amount(price, qty)
    discount = draw(st.one_of(st.just(0), st.integers(0, gross)))
    rate = draw(st.sampled_from([0, 300, 600, 900, 1300]))
    total = gross - discount
    return SaleLineFact(line_no, f"SKU{line_no % 7}", f"商品{line_no % 7}", unit, qty, gross,
                        discount, total, rate, tax_included(total, rate))


@st.composite
def basket(draw: st.DrawFn) -> list[SaleLineFact]:
    n = draw(st.integers(1, 25))
    return [draw(sale_line(i)) for i in range(1, n + 1)]


def codes(lines: list[SaleLineFact]) -> dict[str, str]:
    return {ln.sku: f"10{int(ln.sku[3:]):017d}" for ln in lines}


@settings(max_examples=300, deadline=None)
@given(basket())
def test_lines_and_discount_lines_sum_to_the_sale_to_the_fen(lines: list[SaleLineFact]) -> None:
    total, tax = sum(ln.total for ln in lines), sum(ln.tax for ln in lines)
    out = blue_lines(lines, total, tax, codes(lines))
    assert sum(x.amount for x in out) == total and sum(x.tax for x in out) == tax
    for i, x in enumerate(out):
        if x.kind == "discounted":
            after = out[i + 1]
            assert (after.kind, after.sale_line_no, after.name, after.tax_code) == \
                ("discount", x.sale_line_no, x.name, x.tax_code)
        if x.kind == "discount":
            assert out[i - 1].kind == "discounted"
    by_line = {ln.line_no: ln for ln in lines}
    for no, ln in by_line.items():
        mine = [x for x in out if x.sale_line_no == no]
        assert (sum(x.amount for x in mine), sum(x.tax for x in mine)) == (ln.total, ln.tax)
        assert len(mine) == (2 if ln.discount else 1)
    body = order_body(SETTINGS, InvoiceOrder("B1", "blue", BUYER, tuple(out)),
                      datetime(2026, 11, 30, 10, 0))
    assert InvoiceSimulator()._check(body) == ""


@settings(max_examples=200, deadline=None)
@given(basket(), st.data())
def test_red_letter_lines_are_minus_the_returned_share(lines: list[SaleLineFact],
                                                       data: st.DataObject) -> None:
    returned = []
    for ln in lines:
        if ln.total and data.draw(st.booleans()):
            qty = data.draw(st.integers(1, ln.qty_milli))
            amount = ln.total * qty // ln.qty_milli
            returned.append(ReturnLineFact(ln.line_no, qty, amount,
                                           tax_included(amount, ln.tax_rate_bp)))
    out = red_lines(returned, lines, codes(lines))
    assert sum(x.amount for x in out) == -sum(r.amount for r in returned)
    assert all(x.kind == "normal" and x.amount < 0 and (x.qty_milli or 0) < 0 for x in out)
    if out:
        body = order_body(SETTINGS, InvoiceOrder("R1", "red", BUYER, tuple(out), "2" * 20),
                          datetime(2026, 11, 30, 10, 0))
        assert [InvoiceSimulator._check_line(i, d, body["invoiceDetail"], True)
                for i, d in enumerate(body["invoiceDetail"])] == [""] * len(out)
