"""A finished sale's receipt with what the ledgers say after it: the member's name, the points
the sale earned and the balance, each stored-value card's balance. Read after the sale's
transaction committed, so the figures are the ones the books hold."""

from __future__ import annotations

import sqlite3

from edge.config import StoreConfig
from edge.customers import members, stored_value
from edge.ops_error import OpsError
from edge.sale.basket import Sale
from edge.sale.receipt import Receipt, ReceiptAccount, build_receipt, mask_card


def sale_receipt(conn: sqlite3.Connection, sale: Sale, config: StoreConfig,
                 cashier: str) -> Receipt:
    return build_receipt(sale, config, cashier, receipt_account(conn, sale))


def receipt_account(conn: sqlite3.Connection, sale: Sale) -> ReceiptAccount:
    name, earned, balance = "", 0, None
    member_id = sale.member_id or members.sale_member_id(conn, sale.id)   # a reloaded sale
    member = members.by_id(conn, member_id) if member_id else None
    if member is not None:
        name = member.name or (mask_card(member.card_no) if member.card_no else "")
        balance = member.points
        row = conn.execute("SELECT points_earned FROM sale_member WHERE sale_id = ?",
                           (sale.id,)).fetchone()
        earned = int(row[0]) if row else 0
    cards: list[tuple[str, int]] = []
    for card_no in dict.fromkeys(t.reference for t in sale.tenders
                                 if t.type == "stored_value" and t.reference):
        try:
            cards.append((card_no, stored_value.balance(conn, card_no).balance))
        except OpsError:
            continue   # a card withdrawn since: the receipt still prints, without its balance
    return ReceiptAccount(name, earned, balance, tuple(cards))
