"""A product name that holds printer commands (ESC p kicks the cash drawer) never reaches the
printer's bytes, even when it is already in the database (old data, HQ's downlink): the receipt's
text rendering drops control characters (edge/sale/receipt.py), checked on the real path
receipt → print document → ESC/POS bytes → the strict decoder of tests/drivers/printer."""

from __future__ import annotations

import sqlite3

import pytest

from drivers.printer.profiles import PROFILE_58MM, PROFILE_80MM
from drivers.printer.render import render
from edge.config import StoreConfig
from edge.ledger.store import write_transaction
from edge.sale.receipt import build_receipt
from tests.drivers.printer.escpos_decoder import DrawerKick, decode, lines
from tests.edge.sale.sale_helpers import demo_gtins, logged_in_till
from ui.till.receipt_document import receipt_document

HOSTILE = "\x1bp\x00\x19\xfa"


@pytest.mark.parametrize("profile", [PROFILE_58MM, PROFILE_80MM], ids=["58mm", "80mm"])
def test_a_name_with_esc_p_in_the_database_prints_as_text_and_kicks_nothing(
        conn: sqlite3.Connection, config: StoreConfig, profile: object) -> None:
    gtin = demo_gtins(conn, 1)[0]
    with write_transaction(conn):
        conn.execute("UPDATE product SET name_zh = '可乐' || ?, name_en = 'Cola' || ?"
                     " WHERE sku = (SELECT sku FROM product_gtin WHERE gtin = ?)",
                     (HOSTILE, HOSTILE, gtin.zfill(14)))
    till = logged_in_till(conn, config)
    till.scan(gtin)
    sale = till.tender("cash", 100_000)
    assert sale.lines[0].name_zh == "可乐" + HOSTILE   # the sale keeps the fact as it was
    receipt = build_receipt(sale, config, "王芳\x1b@")
    data = render(receipt_document(receipt, profile.columns), profile)  # type: ignore[attr-defined]
    elements = decode(data)
    assert not [e for e in elements if isinstance(e, DrawerKick)]
    assert b"\x1bp" not in data and b"\x00\x19" not in data
    printed = lines(elements)
    assert ("可乐pú" if config.locale.startswith("zh") else "Colapú") in printed
    assert any(line.endswith("王芳@") for line in printed)
