"""The receipt as the customer gets it, read back from the printer simulator's paper (receipt →
print document → ESC/POS bytes over TCP → the simulator's roll): the member's name, the points
the sale earned and the balance, the stored-value card's balance, the bank card's masked number
and approval code, in each `[receipt] language`; a sale named by its receipt number and seq,
never by its id."""

from __future__ import annotations

import dataclasses
import re
import sqlite3

import pytest

from drivers.printer.simulator import PrintedQr, PrinterSimulator
from edge.config import ConfigError, StoreConfig
from edge.customers import members, stored_value
from edge.sale.basket import Sale
from edge.sale.receipt import receipt_language
from edge.till.receipts import sale_receipt
from tests.edge.sale.sale_helpers import demo_gtins, logged_in_till
from ui.hardware.devices import Devices
from ui.till.receipt_document import receipt_document

CARD = "SV00001234"


def member_sale(conn: sqlite3.Connection, config: StoreConfig) -> Sale:
    """A gold member pays part by stored value, part by bank card, the rest in cash."""
    member = members.register_member(conn, "1001", "gold", name="李娜", card_no="M0000777")
    stored_value.issue_card(conn, "1001", CARD, member.id)
    stored_value.topup(conn, "1001", config.terminal_id, CARD, 5_000, "cash")
    till = logged_in_till(conn, config)
    for gtin in demo_gtins(conn, 3):
        till.scan(gtin)
    till.set_member(member.id, member.tier)
    till.tender("stored_value", 300, reference=CARD)
    till.tender("card", 200, approval_code="A7Q2K9", masked_pan="622202******4321")
    return till.tender("cash", 100_000)


def printed(devices: Devices, printer_sim: PrinterSimulator, conn: sqlite3.Connection,
            sale: Sale, config: StoreConfig) -> list[str]:
    receipt = sale_receipt(conn, sale, config, "王芳")
    printer = devices.printer
    assert printer is not None
    printer.print(receipt_document(receipt, printer.profile.columns))
    assert printer_sim.wait_until(
        lambda p: any(isinstance(i, PrintedQr) for i in p.roll.items), timeout=10.0)
    return printer_sim.roll.lines()


def in_language(config: StoreConfig, language: str) -> StoreConfig:
    return dataclasses.replace(config, locale="zh_CN", extra={"receipt": {"language": language}})


def amount_on(lines: list[str], label: str) -> str:
    line = next(line for line in lines if line.startswith(label))
    return line.split()[-1]


def test_a_zh_receipt_names_the_member_points_balances_and_card_in_chinese_only(
        conn: sqlite3.Connection, config: StoreConfig, devices: Devices,
        printer_sim: PrinterSimulator) -> None:
    zh = in_language(config, "zh")
    sale = member_sale(conn, zh)
    lines = printed(devices, printer_sim, conn, sale, zh)
    text = "\n".join(lines)
    earned = conn.execute("SELECT points_earned FROM sale_member WHERE sale_id = ?",
                          (sale.id,)).fetchone()[0]
    assert earned > 0
    assert amount_on(lines, "会员") == "李娜"
    assert amount_on(lines, "本次积分") == f"+{earned}"
    assert amount_on(lines, "积分余额") == str(members.points_balance(conn, sale.member_id or ""))
    assert amount_on(lines, "储值卡余额 ****1234") == "47.00"     # 50.00 loaded, 3.00 spent
    assert amount_on(lines, "  卡号") == "622202******4321"
    assert amount_on(lines, "  授权码") == "A7Q2K9"
    assert f"单号 {sale.receipt_no}  流水 {sale.event_seq}" in lines
    assert sale.id not in text and sale.id[:8] not in text and CARD not in text
    # Latin only in what is not a word of ours: the store's and products' names, the codes
    for name in (zh.store_name, "A7Q2K9", *(ln.name_zh for ln in sale.lines)):
        text = text.replace(name, "")
    assert not re.findall(r"[A-Za-z]{2,}", text)


def test_an_en_receipt_says_the_same_in_english(conn: sqlite3.Connection, config: StoreConfig,
                                                devices: Devices,
                                                printer_sim: PrinterSimulator) -> None:
    en = in_language(config, "en")
    sale = member_sale(conn, en)
    lines = printed(devices, printer_sim, conn, sale, en)
    text = "\n".join(lines)
    assert amount_on(lines, "Member") == "李娜"       # a name is a name in any language
    assert amount_on(lines, "Points earned").startswith("+")
    assert amount_on(lines, "Card balance ****1234") == "47.00"
    assert amount_on(lines, "  Approval") == "A7Q2K9"
    assert f"No. {sale.receipt_no}  Seq {sale.event_seq}" in lines
    assert sale.lines[0].name_en in text
    assert not re.search("[\u4e00-\u9fff]", text.replace("李娜", "").replace("王芳", ""))


def test_a_both_receipt_prints_each_word_twice(conn: sqlite3.Connection, config: StoreConfig,
                                               devices: Devices,
                                               printer_sim: PrinterSimulator) -> None:
    both = in_language(config, "both")
    sale = member_sale(conn, both)
    lines = printed(devices, printer_sim, conn, sale, both)
    assert amount_on(lines, "会员 Member") == "李娜"
    assert amount_on(lines, "  授权码 Approval") == "A7Q2K9"
    assert any(line.startswith("合计 TOTAL") for line in lines)
    at = lines.index("储值卡余额 Card balance ****1234")    # too long for 32 columns: two lines
    assert lines[at + 1].strip() == "47.00"


def test_the_receipt_language_follows_the_store_and_refuses_others() -> None:
    assert receipt_language(StoreConfig(locale="zh_CN")) == "zh"
    assert receipt_language(StoreConfig(locale="en")) == "en"
    with pytest.raises(ConfigError, match=r"receipt\.language"):
        receipt_language(StoreConfig(extra={"receipt": {"language": "fr"}}))


def test_the_e_receipt_line_and_qr_follow_the_configured_url(
        conn: sqlite3.Connection, config: StoreConfig) -> None:
    till = logged_in_till(conn, config)
    till.scan(demo_gtins(conn, 1)[0])
    sale = till.tender("cash", 100_000)
    bare = sale_receipt(conn, sale, dataclasses.replace(config, e_receipt_url=""), "x")
    assert bare.qr_payload == f"{config.store_id}/{config.terminal_id}/{sale.id}"
    assert not bare.e_receipt
    local = sale_receipt(conn, sale, dataclasses.replace(
        config, e_receipt_url="http://127.0.0.1:8765/r/"), "x")
    assert local.qr_payload == f"http://127.0.0.1:8765/r/S001/T01/{sale.id}" and local.e_receipt
