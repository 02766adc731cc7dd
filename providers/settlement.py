"""The providers' daily settlement files, parsed into SettledItem rows for reconciliation
(edge/payments/reconcile.py).

- WeChat Pay trade bill (`bill_type=ALL`): UTF-8 text, comma-separated, every detail and summary
  field prefixed with a backtick; a header line, detail lines, then the summary header
  (总交易单数,…) and one summary line. Amounts in yuan; the fee (手续费) has 5 decimals.
  交易状态 SUCCESS is a payment, REFUND a refund (商户退款单号, 申请退款金额), REVOKED a payment
  reversed after it was paid.
- Alipay trade bill (`bill_type=trade`, from bill.downloadurl.query): a zip of GBK CSV files; the
  detail file (业务明细, not 汇总) has `#` comment lines around a header and the rows; 业务类型
  交易 is a payment, 退款 a refund (退款批次号/请求号 = out_request_no). Columns are found by
  name, not position.
Rule: a bad row is reported with its line number and reason, never dropped silently; the good
rows are kept.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from edge.payments.reconcile import SettledItem

_WECHAT_NEEDS = ("商户订单号", "交易状态", "应结订单金额", "商户退款单号", "申请退款金额", "手续费")
_ALIPAY_NEEDS = ("商户订单号", "业务类型", "订单金额（元）", "退款批次号/请求号", "服务费（元）")


@dataclass
class Settlement:
    items: list[SettledItem] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    summary: dict[str, str] = field(default_factory=dict)


def _fen(text: str) -> int:
    value = Decimal(text.strip())
    return int((abs(value) * 100).to_integral_value())


def parse_wechat_trade_bill(text: str) -> Settlement:
    result = Settlement()
    lines = text.lstrip("\ufeff").splitlines()
    if not lines:
        result.problems.append((1, "empty file"))
        return result
    header = [h.strip() for h in lines[0].split(",")]
    missing = [h for h in _WECHAT_NEEDS if h not in header]
    if missing:
        result.problems.append((1, f"not a WeChat Pay trade bill: no {', '.join(missing)}"))
        return result
    col = {name: i for i, name in enumerate(header)}
    number = 1
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        if line.startswith("总交易单数"):
            names = line.split(",")
            if number < len(lines):
                values = [v.lstrip("`") for v in lines[number].split(",")]
                result.summary = dict(zip(names, values, strict=False))
            break
        fields = [f.strip().lstrip("`") for f in line.split(",")]
        if len(fields) != len(header):
            result.problems.append((number, f"{len(fields)} fields, the header has {len(header)}"))
            continue
        try:
            state = fields[col["交易状态"]]
            fee = Decimal(fields[col["手续费"]] or "0")
            if state == "REFUND":
                item = SettledItem("refund", fields[col["商户订单号"]],
                                   fields[col["商户退款单号"]] or None,
                                   _fen(fields[col["申请退款金额"]]), fee, number)
            elif state in ("SUCCESS", "REVOKED"):
                item = SettledItem("payment", fields[col["商户订单号"]], None,
                                   _fen(fields[col["应结订单金额"]]), fee, number)
            else:
                result.problems.append((number, f"unknown 交易状态 {state!r}"))
                continue
        except (InvalidOperation, ValueError) as exc:
            result.problems.append((number, f"bad amount: {exc}"))
            continue
        result.items.append(item)
    return result


def parse_alipay_trade_bill(data: bytes) -> Settlement:
    """`data`: the downloaded csv.zip, or one detail CSV (GBK)."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.endswith(".csv")]
            detail = [n for n in names if "汇总" not in _zip_name(n)]
            if not detail:
                return Settlement(problems=[(0, "no detail CSV in the archive")])
            data = archive.read(detail[0])
    result = Settlement()
    try:
        text = data.decode("gbk")
    except UnicodeDecodeError as exc:
        return Settlement(problems=[(0, f"not GBK text: {exc}")])
    col: dict[str, int] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or row[0].startswith("#"):
            continue
        cells = [c.strip() for c in row]
        if not col:
            col = {name: i for i, name in enumerate(cells)}
            missing = [h for h in _ALIPAY_NEEDS if h not in col]
            if missing:
                return Settlement(problems=[(number, "not an Alipay trade bill: no "
                                                     f"{', '.join(missing)}")])
            continue
        if len(cells) < len(col):
            result.problems.append((number, f"{len(cells)} fields, the header has {len(col)}"))
            continue
        kind = cells[col["业务类型"]]
        try:
            fee = Decimal(cells[col["服务费（元）"]] or "0")
            amount = _fen(cells[col["订单金额（元）"]])
        except (InvalidOperation, ValueError) as exc:
            result.problems.append((number, f"bad amount: {exc}"))
            continue
        if kind == "交易":
            result.items.append(SettledItem("payment", cells[col["商户订单号"]], None, amount, fee,
                                            number))
        elif kind == "退款":
            result.items.append(SettledItem("refund", cells[col["商户订单号"]],
                                            cells[col["退款批次号/请求号"]] or None, amount, fee,
                                            number))
        else:
            result.problems.append((number, f"unknown 业务类型 {kind!r}"))
    return result


def _zip_name(name: str) -> str:
    """Zip member names from Alipay are GBK without the UTF-8 flag: Python reads them as cp437."""
    try:
        return name.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name
