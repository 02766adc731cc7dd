"""The providers' daily trade bills written out, in the layouts providers/settlement.py reads: the
simulator serves them for download and the tests generate them (a writer and its parser, round
trip).

- WeChat Pay trade bill (`GET /v3/bill/tradebill`, bill_type=ALL): UTF-8, comma-separated, a
  header line, detail lines whose every field starts with a backtick (so a spreadsheet keeps long
  numbers as text), then the summary header (总交易单数,…) and one summary line, also backticked.
  Refund rows are 交易状态 REFUND with 商户退款单号 and 申请退款金额; the fee they give back is
  negative.
- Alipay trade bill (`alipay.data.dataservice.bill.downloadurl.query`, bill_type=trade): a zip of
  two GBK CSV files, the detail (…_业务明细.csv) and the summary (…_业务明细(汇总).csv); the detail
  has `#` lines before and after a header and its rows; 业务类型 交易 or 退款, refunds negative,
  退款批次号/请求号 the out_request_no.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WECHAT_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
                 "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
                 "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,"
                 "费率备注")
WECHAT_SUMMARY = ("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,"
                  "申请退款总金额")
ALIPAY_HEADER = ("支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,"
                 "操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,"
                 "商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,"
                 "退款批次号/请求号,服务费（元）,分润（元）,备注")


@dataclass(frozen=True)
class BillRow:
    kind: str                    # payment | refund
    out_trade_no: str
    amount: int                  # fen, positive
    fee: Decimal                 # yuan the provider charged (a refund's: what it gave back)
    at: str                      # "YYYY-MM-DD HH:MM:SS", Beijing time
    out_refund_no: str | None = None
    transaction_id: str = "4200000000"


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def wechat_trade_bill(rows: Iterable[BillRow], appid: str = "wxd930ea5d5a258f4f",
                      mchid: str = "1900000109") -> bytes:
    lines = [WECHAT_HEADER]
    paid = refunded = 0
    fees = Decimal("0")
    count = 0
    for r in rows:
        count += 1
        refund = r.kind == "refund"
        fee = -abs(r.fee) if refund else abs(r.fee)
        fees += fee
        settle = 0 if refund else r.amount
        paid += settle
        refunded += r.amount if refund else 0
        fields = [r.at, appid, mchid, "0", "", r.transaction_id, r.out_trade_no, "oUserOpenId",
                  "MICROPAY", "REFUND" if refund else "SUCCESS", "OTHERS", "CNY", yuan(settle),
                  "0.00", "50000000" if refund else "0", r.out_refund_no or "0",
                  yuan(r.amount if refund else 0), "0.00", "ORIGINAL" if refund else "",
                  "SUCCESS" if refund else "", "store-edge-pos", "", f"{fee:.5f}", "0.60%",
                  yuan(settle), yuan(r.amount if refund else 0), ""]
        lines.append(",".join("`" + f for f in fields))
    lines.append(WECHAT_SUMMARY)
    lines.append(",".join("`" + f for f in (str(count), yuan(paid), yuan(refunded), "0.00",
                                           f"{fees:.5f}", yuan(paid), yuan(refunded))))
    return ("\n".join(lines) + "\n").encode("utf-8")


def alipay_trade_bill(rows: Iterable[BillRow], day: date,
                      account: str = "20880000000000000156") -> bytes:
    body = ["#支付宝业务明细查询", f"#账号：[{account}]",
            f"#起始日期：[{day:%Y年%m月%d日} 00:00:00]   终止日期：[{day:%Y年%m月%d日} 23:59:59]",
            "#-----------------------------------------业务明细列表----------------------------------------",
            ALIPAY_HEADER]
    payments = refunds = 0
    for r in rows:
        refund = r.kind == "refund"
        amount = yuan(-r.amount if refund else r.amount)
        fee = abs(r.fee) if refund else -abs(r.fee)       # Alipay: a charge is negative
        payments += 0 if refund else 1
        refunds += 1 if refund else 0
        body.append(",".join([r.transaction_id, r.out_trade_no, "退款" if refund else "交易",
                              "store-edge-pos", r.at, r.at, "S001", "", "", "", "buyer@example.com",
                              amount, amount, "0.00", "0.00", "0.00", "0.00", "0.00", "", "0.00",
                              "0.00", r.out_refund_no or "", f"{fee:.2f}", "0.00", ""]))
    body += ["#-----------------------------------------业务明细列表结束------------------------------------",
             f"#交易合计：{payments}笔", f"#退款合计：{refunds}笔",
             f"#导出时间：[{day:%Y年%m月%d日} 23:59:59]"]
    out = io.BytesIO()
    stem = f"{account}_{day:%Y%m%d}"
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(f"{stem}_业务明细.csv", ("\n".join(body) + "\n").encode("gbk"))
        archive.writestr(f"{stem}_业务明细(汇总).csv",
                         f"#支付宝业务汇总查询\n#交易合计：{payments}笔\n".encode("gbk"))
    return out.getvalue()
