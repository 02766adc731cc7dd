"""Receipts: every rendered line fits the paper's columns with CJK counted double, and the text
carries what a receipt must (lines, tax per rate, tenders, change, ids, e-receipt)."""

from __future__ import annotations

import sqlite3

import pytest

from edge.config import StoreConfig
from edge.sale.receipt import build_receipt, display_width, render_text
from tests.edge.sale.sale_helpers import demo_gtins, logged_in_till, scale_label

pytestmark = pytest.mark.dated


def test_cjk_characters_count_double() -> None:
    assert display_width("苹果ab") == 6
    assert display_width("（全角）") == 8


@pytest.mark.parametrize("width", [32, 48])
def test_receipt_lines_fit_the_paper(conn: sqlite3.Connection, config: StoreConfig,
                                     width: int) -> None:
    till = logged_in_till(conn, config)
    for gtin in demo_gtins(conn, 4):
        till.scan(gtin)
    till.scan(scale_label(1, 1579, 1234))
    till.tender("card", 1000, approval_code="A1", masked_pan="622202******1234")
    sale = till.tender("cash", 10000)
    text = render_text(build_receipt(sale, config, "王芳"), width)
    assert all(display_width(line) <= width for line in text.splitlines())
    assert "红富士苹果" in text and "1.234公斤 x 12.80" in text
    assert "银行卡" in text and "现金" in text and "找零" in text
    assert "卡号" in text and "622202******1234" in text and "授权码" in text
    assert f"单号 {sale.receipt_no}  流水 {sale.event_seq}" in text
    assert sale.id not in text and sale.id[:8] not in text   # the id is in the QR only
    assert "13%" in text and "9%" in text


def test_receipt_model_sums_tax_per_rate_and_carries_the_qr_payload(conn: sqlite3.Connection,
                                                                    config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    for gtin in demo_gtins(conn, 3):
        till.scan(gtin)
    till.scan(scale_label(1, 1579, 1234))
    sale = till.tender("cash", 10000)
    receipt = build_receipt(sale, config, "王芳")
    assert sum(int(tax.replace(".", "")) for _, _, tax in receipt.tax_summary) == sale.tax
    assert receipt.qr_payload.endswith(sale.id)


def test_receipt_snapshot(conn: sqlite3.Connection, config: StoreConfig) -> None:
    """The layout, pinned: a change to it must be deliberate."""
    conn.execute("UPDATE product SET price = 350 WHERE sku = 'P00002'")
    till = logged_in_till(conn, config)
    till.add(sku="P00002", qty="2")
    till.scan(scale_label(1, 1579, 1234))
    sale = till.tender("cash", 5000)
    lines = render_text(build_receipt(sale, config, "王芳"), 32).splitlines()
    assert lines[:12] == [
        "           Demo Store",
        "--------------------------------",
        "可口可乐 330ml",
        "  2 x 3.50                  7.00",
        "红富士苹果",
        "  1.234公斤 x 12.80        15.79",
        "--------------------------------",
        "小计                       22.79",
        "合计                      ¥22.79",
        "现金                       50.00",
        "找零                       27.21",
        "--------------------------------",
    ]
