"""The receipt of a finished sale as data, and its plain-text rendering for 32- and 48-column
printers. CJK characters take two columns (East Asian Wide/Fullwidth), so columns line up on paper.

Rule: the rendering is text for a device, so every text field loses its control characters first
(CONTROL_CHARACTERS in edge/safe_text.py): a product name holding ESC p from old data or HQ's
downlink must not kick the drawer or break the layout.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from edge.config import StoreConfig
from edge.ledger.money import format_amount, format_quantity
from edge.safe_text import device_text
from edge.sale.basket import Sale


@dataclass(frozen=True)
class ReceiptLine:
    name: str
    qty: str
    unit: str
    unit_price: str
    total: str
    discounts: tuple[tuple[str, str], ...]   # (reason, amount)


@dataclass(frozen=True)
class Receipt:
    store_name: str
    store_address: str
    tax_id: str
    sale_id: str
    receipt_no: int | None
    event_seq: int | None
    time: str
    cashier: str
    status: str
    lines: tuple[ReceiptLine, ...]
    subtotal: str
    discount: str
    total: str
    rounding: str
    tax_summary: tuple[tuple[str, str, str], ...]   # (rate "13%", taxable total, tax)
    tenders: tuple[tuple[str, str], ...]
    change: str
    currency_symbol: str
    qr_payload: str
    prices_include_tax: bool


TENDER_NAMES = {"cash": "现金 Cash", "card": "银行卡 Card", "mobile": "移动支付 Mobile",
                "other": "其他 Other", "stored_value": "储值卡 Stored value",
                "points": "积分 Points"}


def build_receipt(sale: Sale, config: StoreConfig, cashier: str) -> Receipt:
    digits = config.minor_digits

    def money(value: int) -> str:
        return format_amount(value, digits)

    by_rate: dict[int, tuple[int, int]] = {}
    for ln in sale.lines:
        total, tax = by_rate.get(ln.tax_rate_bp, (0, 0))
        by_rate[ln.tax_rate_bp] = (total + ln.total, tax + ln.tax)
    return Receipt(
        store_name=config.store_name, store_address=config.store_address, tax_id=config.tax_id,
        sale_id=sale.id, receipt_no=sale.receipt_no, event_seq=sale.event_seq,
        time=sale.closed_at or sale.opened_at, cashier=cashier, status=sale.status,
        lines=tuple(ReceiptLine(ln.name(config.locale), format_quantity(ln.qty_milli), ln.unit,
                                money(ln.unit_price), money(ln.total),
                                tuple((d.reason, money(d.amount)) for d in ln.discounts))
                    for ln in sale.lines),
        subtotal=money(sale.subtotal), discount=money(sale.discount), total=money(sale.total),
        rounding=money(sale.rounding),
        tax_summary=tuple((f"{rate / 100:g}%", money(t), money(x))
                          for rate, (t, x) in sorted(by_rate.items(), reverse=True)),
        tenders=tuple((TENDER_NAMES.get(t.type, t.type), money(t.amount)) for t in sale.tenders),
        change=money(sale.change), currency_symbol=config.currency_symbol,
        qr_payload=f"{config.e_receipt_url}{config.store_id}/{config.terminal_id}/{sale.id}",
        prices_include_tax=config.prices_include_tax,
    )


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def fit(text: str, width: int) -> str:
    """Cut text to at most `width` columns without splitting a wide character."""
    out, used = [], 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out)


def wrap(text: str, width: int) -> list[str]:
    """Split text into lines of at most `width` columns."""
    lines = []
    while text:
        head = fit(text, width)
        lines.append(head)
        text = text[len(head):]
    return lines


def local_time(iso_utc: str) -> str:
    """The store's wall-clock time for a stored UTC timestamp, to the second."""
    return datetime.fromisoformat(iso_utc).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def two_columns(left: str, right: str, width: int) -> str:
    left = fit(left, width - display_width(right) - 1)
    return left + " " * (width - display_width(left) - display_width(right)) + right


def center(text: str, width: int) -> str:
    text = fit(text, width)
    pad = (width - display_width(text)) // 2
    return " " * pad + text


def _for_device(receipt: Receipt) -> Receipt:
    """The receipt with the control characters dropped from every text it holds (the QR payload
    is data inside a length-prefixed command, and must stay what return_lookup reads)."""
    t = device_text

    def pairs(items: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        return tuple((t(a), t(b)) for a, b in items)

    return dataclasses.replace(
        receipt, store_name=t(receipt.store_name), store_address=t(receipt.store_address),
        tax_id=t(receipt.tax_id), sale_id=t(receipt.sale_id), time=t(receipt.time),
        cashier=t(receipt.cashier), status=t(receipt.status),
        lines=tuple(ReceiptLine(t(ln.name), t(ln.qty), t(ln.unit), t(ln.unit_price), t(ln.total),
                                pairs(ln.discounts)) for ln in receipt.lines),
        subtotal=t(receipt.subtotal), discount=t(receipt.discount), total=t(receipt.total),
        rounding=t(receipt.rounding),
        tax_summary=tuple((t(a), t(b), t(c)) for a, b, c in receipt.tax_summary),
        tenders=pairs(receipt.tenders), change=t(receipt.change),
        currency_symbol=t(receipt.currency_symbol))


def render_text(receipt: Receipt, width: int = 32) -> str:
    """The receipt as plain text, every line at most `width` display columns."""
    receipt = _for_device(receipt)
    rule = "-" * width
    out = [center(receipt.store_name, width)]
    if receipt.store_address:
        out.append(center(receipt.store_address, width))
    if receipt.tax_id:
        out.append(center(f"税号 {receipt.tax_id}", width))
    out.append(rule)
    if receipt.status == "cancelled":
        out.append(center("*** 已取消 CANCELLED ***", width))
    for ln in receipt.lines:
        out.append(fit(ln.name, width))
        unit = "kg" if ln.unit == "kg" else ""
        out.append(two_columns(f"  {ln.qty}{unit} x {ln.unit_price}", ln.total, width))
        for reason, amount in ln.discounts:
            out.append(two_columns(f"  {reason}", f"-{amount}", width))
    out.append(rule)
    out.append(two_columns("小计 Subtotal", receipt.subtotal, width))
    if receipt.discount != format_amount(0):
        out.append(two_columns("优惠 Discount", f"-{receipt.discount}", width))
    out.append(two_columns("合计 TOTAL", f"{receipt.currency_symbol}{receipt.total}", width))
    if receipt.rounding != format_amount(0):
        out.append(two_columns("抹零 Rounding", receipt.rounding, width))
    for name, amount in receipt.tenders:
        out.append(two_columns(name, amount, width))
    out.append(two_columns("找零 Change", receipt.change, width))
    out.append(rule)
    label = "含税 VAT incl." if receipt.prices_include_tax else "税额 VAT"
    for rate, taxable, tax in receipt.tax_summary:
        out.append(two_columns(f"{label} {rate} / {taxable}", tax, width))
    out.append(rule)
    out.append(fit(f"单号 No. {receipt.receipt_no}  Seq {receipt.event_seq}", width))
    out.append(local_time(receipt.time))
    out.append(fit(f"收银员 Cashier {receipt.cashier}", width))
    out.extend(wrap(f"ID {receipt.sale_id}", width))
    out.append(center("扫码取电子小票 e-receipt", width))
    return "\n".join(out) + "\n"
