"""Reconciliation with generated settlement files in both providers' formats (WeChat: backtick
fields and a summary; Alipay: a zip of GBK CSV with # lines): a matched payment and refund, a
one-sided payment (settled by the provider, no sale here), a refund missing at the provider, an
amount mismatch, a payment reversed after the charge, fees, and a bad row."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cli.main import main
from edge.ledger.store import open_store
from edge.payments.reconcile import reconcile
from providers.settlement import parse_alipay_trade_bill, parse_wechat_trade_bill

DAY = "2026-03-05"
# 2026-03-05 10:00 in Beijing is 02:00 UTC
AT = "2026-03-05T02:00:00.000+00:00"
NEXT_DAY = "2026-03-05T17:00:00.000+00:00"        # 01:00 on 03-06 in Beijing: not this bill

WECHAT_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
                 "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
                 "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,"
                 "费率备注")


def seed(conn: sqlite3.Connection, provider: str) -> None:
    """The store's side: four paid attempts, one reversed after a charge, two refunds."""
    rows = [("PS001T010000000001", 1, 1250, "paid", 0, AT),
            ("PS001T010000000002", 2, 800, "paid", 0, AT),        # the file says 8.10
            ("PS001T010000000003", 3, 500, "paid", 0, AT),        # not in the file
            ("PS001T010000000004", 4, 300, "paid", 0, NEXT_DAY),  # tomorrow's file
            ("PS001T010000000005", 5, 700, "reversed", 1, AT)]
    conn.executemany("INSERT INTO payment_attempt (out_trade_no, seq, provider, sale_id, amount,"
                     " code_hint, staff_id, state, charged_then_reversed, created_at, final_at)"
                     " VALUES (?, ?, ?, 's', ?, '1345**6789', '1001', ?, ?, ?, ?)",
                     [(n, q, provider, a, st, c, f, f) for n, q, a, st, c, f in rows])
    conn.executemany("INSERT INTO payment_refund (out_refund_no, out_trade_no, amount, state,"
                     " created_at, final_at) VALUES (?, ?, ?, 'success', ?, ?)",
                     [("RS001T010000000001", "PS001T010000000001", 250, AT, AT),
                      ("RS001T010000000002", "PS001T010000000001", 100, AT, AT)])


def wechat_bill() -> str:
    def row(state: str, otn: str, settle: str, orn: str, refund: str, fee: str) -> str:
        fields = ["2026-03-05 10:00:00", "wxd930ea5d5a258f4f", "1900000109", "0", "T01",
                  "4200000001", otn, "oUser", "MICROPAY", state, "OTHERS", "CNY", settle, "0.00",
                  "5000001" if orn else "0", orn or "0", refund, "0.00", "ORIGINAL" if orn else "",
                  "SUCCESS" if orn else "", "Demo Store", "T01", fee, "0.60%", settle, refund, ""]
        return ",".join("`" + f for f in fields)

    lines = [WECHAT_HEADER,
             row("SUCCESS", "PS001T010000000001", "12.50", "", "0.00", "0.07500"),
             row("REFUND", "PS001T010000000001", "0.00", "RS001T010000000001", "2.50", "-0.01500"),
             row("SUCCESS", "PS001T010000000002", "8.10", "", "0.00", "0.04860"),
             row("SUCCESS", "PS001T010000000099", "6.66", "", "0.00", "0.03996"),   # one-sided
             row("SUCCESS", "PS001T010000000005", "7.00", "", "0.00", "0.04200"),
             row("REFUND", "PS001T010000000005", "0.00", "WXREVOKE5", "7.00", "-0.04200"),
             "`2026-03-05 11:00:00,`broken,`row",
             "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
             "`5,`34.26,`9.50,`0.00,`0.14856,`34.26,`9.50"]
    return "\n".join(lines) + "\n"


def alipay_zip() -> bytes:
    header = ("支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,"
              "对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,"
              "商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,"
              "退款批次号/请求号,服务费（元）,分润（元）,备注")

    def row(kind: str, otn: str, amount: str, orn: str, fee: str) -> str:
        return ",".join(["2026030522001", otn, kind, "Demo Store", "2026-03-05 10:00:00",
                         "2026-03-05 10:00:05", "S001", "Demo", "", "T01", "buyer@example.com",
                         amount, amount, "0.00", "0.00", "0.00", "0.00", "0.00", "", "0.00",
                         "0.00", orn, fee, "0.00", ""])

    csv_text = "\n".join([
        "#支付宝业务明细查询", "#账号：[20880000000000000156]", "#起始日期：[2026年03月05日 00:00:00]",
        "#-----------------------------------------业务明细列表----------------------------------------",
        header,
        row("交易", "PS001T010000000001", "12.50", "", "-0.08"),
        row("退款", "PS001T010000000001", "-2.50", "RS001T010000000001", "0.02"),
        row("交易", "PS001T010000000002", "8.10", "", "-0.05"),
        row("交易", "PS001T010000000099", "6.66", "", "-0.04"),
        row("交易", "PS001T010000000005", "7.00", "", "-0.04"),
        row("退款", "PS001T010000000005", "-7.00", "", "0.04"),
        row("转账", "PS001T010000000077", "1.00", "", "0.00"),
        "#-----------------------------------------业务明细列表结束------------------------------------",
        "#导出时间：[2026年03月06日 10:00:00]"]) + "\n"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("20880000000000000156_20260305_业务明细.csv", csv_text.encode("gbk"))
        archive.writestr("20880000000000000156_20260305_业务明细(汇总).csv",
                         "#汇总\n".encode("gbk"))
    return out.getvalue()


@pytest.mark.parametrize("provider", ["wechat", "alipay"])
def test_reconciliation_report(db_path: Path, provider: str,
                               capsys: pytest.CaptureFixture[str]) -> None:
    conn = open_store(db_path)
    seed(conn, provider)
    if provider == "wechat":
        settlement = parse_wechat_trade_bill(wechat_bill())
        assert settlement.summary["总交易单数"] == "5"
        assert [line for line, _ in settlement.problems] == [8]
    else:
        settlement = parse_alipay_trade_bill(alipay_zip())
        assert len(settlement.problems) == 1 and "转账" in settlement.problems[0][1]
    report = reconcile(conn, provider, date.fromisoformat(DAY), settlement.items)
    assert report.matched == ["PS001T010000000001", "RS001T010000000001"]
    assert [(i.kind, i.out_trade_no, i.amount) for i in report.missing_here] == \
        [("payment", "PS001T010000000099", 666)]
    assert report.mismatched == [("PS001T010000000002", 800, 810)]
    assert report.missing_at_provider == [("payment", "PS001T010000000003", 500),
                                          ("refund", "RS001T010000000002", 100)]
    assert report.reversed_after_charge == ["PS001T010000000005"]
    # fees as the file says: WeChat's detail fees add up to its summary's 手续费总金额
    assert report.fees == (Decimal("0.14856") if provider == "wechat" else Decimal("-0.15"))
    if provider == "wechat":
        assert report.fees == Decimal(settlement.summary["手续费总金额"])
    assert not report.clean

    bill = db_path.with_name("bill.zip" if provider == "alipay" else "bill.csv")
    bill.write_bytes(alipay_zip() if provider == "alipay" else wechat_bill().encode())
    assert main(["payments", "recon", str(bill), "--provider", provider, "--date", DAY,
                 "--db", str(db_path)]) == 1
    out = capsys.readouterr().out
    assert "ALERT one-sided payment of PS001T010000000099 6.66" in out
    assert "2 matched, 1 one-sided, 2 missing" in out
