"""The receipt of a finished sale as data, and its plain-text rendering for 32- and 48-column
printers. CJK characters take two columns (East Asian Wide/Fullwidth), so columns line up on paper.

The receipt speaks `[receipt] language`: zh, en or both (the default follows the store's locale:
zh for a zh_CN store). Every word on it comes from WORDS, so a zh receipt holds no English but
brand and product names; a sale is named by its receipt number and seq, never by its id (the id
travels in the e-receipt QR).

Rule: the rendering is text for a device, so every text field loses its control characters first
(CONTROL_CHARACTERS in edge/safe_text.py): a product name holding ESC p from old data or HQ's
downlink must not kick the drawer or break the layout.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from edge.config import ConfigError, StoreConfig
from edge.ledger.money import format_amount, format_quantity
from edge.safe_text import device_text
from edge.sale.basket import Sale

RECEIPT_LANGUAGES = ("zh", "en", "both")

# Every word a receipt prints: (zh, en); "both" prints "zh en".
WORDS: dict[str, tuple[str, str]] = {
    "tax_id": ("税号", "Tax ID"),
    "cancelled": ("已取消", "CANCELLED"),
    "subtotal": ("小计", "Subtotal"),
    "discount": ("优惠", "Discount"),
    "total": ("合计", "TOTAL"),
    "rounding": ("抹零", "Rounding"),
    "change": ("找零", "Change"),
    "tax_incl": ("含税", "VAT incl."),
    "tax": ("税额", "VAT"),
    "receipt_no": ("单号", "No."),
    "seq": ("流水", "Seq"),
    "cashier": ("收银员", "Cashier"),
    "e_receipt": ("扫码取电子小票", "Scan for your e-receipt"),
    "member": ("会员", "Member"),
    "points_earned": ("本次积分", "Points earned"),
    "points_balance": ("积分余额", "Points balance"),
    "card_balance": ("储值卡余额", "Card balance"),
    "card_no": ("卡号", "Card"),
    "approval_code": ("授权码", "Approval"),
    "line_discount": ("折扣", "Discount"),
    "order_discount": ("整单折扣", "Order discount"),
    "kg": ("公斤", "kg"),
    "reprint": ("重印", "REPRINT"),
    "training": ("培训", "TRAINING"),
    "cash": ("现金", "Cash"),
    "card": ("银行卡", "Card"),
    "mobile": ("移动支付", "Mobile"),
    "other": ("其他", "Other"),
    "stored_value": ("储值卡", "Stored value"),
    "points": ("积分", "Points"),
}


def word(key: str, language: str) -> str:
    zh, en = WORDS[key]
    return zh if language == "zh" else en if language == "en" else f"{zh} {en}"


def receipt_mark(kind: str, language: str) -> str:
    """The mark printed first and last on a copy ("reprint") or a practice receipt ("training"),
    so neither is ever taken for an original."""
    return f"*** {word(kind, language)} ***"


def receipt_language(config: StoreConfig) -> str:
    """`[receipt] language`, by default zh for a Chinese store and en otherwise."""
    table = config.extra.get("receipt", {})
    if not isinstance(table, dict):
        raise ConfigError("[receipt] must be a table")
    language = table.get("language", "zh" if config.locale.startswith("zh") else "en")
    if language not in RECEIPT_LANGUAGES:
        raise ConfigError(f"receipt.language must be one of {', '.join(RECEIPT_LANGUAGES)}, "
                          f"not {language!r}")
    return str(language)


@dataclass(frozen=True)
class ReceiptLine:
    name: str
    qty: str
    unit: str
    unit_price: str
    total: str
    discounts: tuple[tuple[str, str], ...]   # (label in the receipt's language, amount)


@dataclass(frozen=True)
class ReceiptAccount:
    """What the member and stored-value ledgers say after the sale (edge/till/receipts.py)."""
    member_name: str = ""
    points_earned: int = 0
    points_balance: int | None = None
    card_balances: tuple[tuple[str, int], ...] = ()    # (stored-value card number, fen left)


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
    language: str = "both"
    tender_details: tuple[tuple[str, str], ...] = ()   # (label, value): masked card, approval
    account: tuple[tuple[str, str], ...] = ()          # (label, value): member, points, balances
    e_receipt: bool = True                             # a URL is configured: say what the QR is


def mask_card(card_no: str) -> str:
    """A stored-value card as the receipt shows it: its last four characters."""
    return "****" + card_no[-4:]


def discount_label(kind: str, percent: int | None, reason: str, language: str) -> str:
    """A line discount's words (edge.sale.pricing.LineDiscount): a promotion by its name, a
    manual discount by its kind, percentage and typed reason."""
    if kind not in ("line", "order"):
        return reason
    parts = [word(f"{kind}_discount", language)]
    if percent is not None:
        parts.append(f"{percent}%")
    if reason:
        parts.append(reason)
    return " ".join(parts)


def build_receipt(sale: Sale, config: StoreConfig, cashier: str,
                  account: ReceiptAccount | None = None) -> Receipt:
    digits = config.minor_digits
    language = receipt_language(config)
    locale = "en" if language == "en" else "zh" if language == "zh" else config.locale

    def money(value: int) -> str:
        return format_amount(value, digits)

    by_rate: dict[int, tuple[int, int]] = {}
    for ln in sale.lines:
        total, tax = by_rate.get(ln.tax_rate_bp, (0, 0))
        by_rate[ln.tax_rate_bp] = (total + ln.total, tax + ln.tax)
    details: list[tuple[str, str]] = []
    for t in sale.tenders:
        if t.masked_pan:
            details.append((word("card_no", language), t.masked_pan))
        if t.approval_code:
            details.append((word("approval_code", language), t.approval_code))
    return Receipt(
        store_name=config.store_name, store_address=config.store_address, tax_id=config.tax_id,
        sale_id=sale.id, receipt_no=sale.receipt_no, event_seq=sale.event_seq,
        time=sale.closed_at or sale.opened_at, cashier=cashier, status=sale.status,
        lines=tuple(ReceiptLine(ln.name(locale), format_quantity(ln.qty_milli), ln.unit,
                                money(ln.unit_price), money(ln.total),
                                tuple((discount_label(d.kind, d.percent, d.reason, language),
                                       money(d.amount)) for d in ln.discounts))
                    for ln in sale.lines),
        subtotal=money(sale.subtotal), discount=money(sale.discount), total=money(sale.total),
        rounding=money(sale.rounding),
        tax_summary=tuple((f"{rate / 100:g}%", money(t), money(x))
                          for rate, (t, x) in sorted(by_rate.items(), reverse=True)),
        tenders=tuple((word(t.type, language) if t.type in WORDS else t.type, money(t.amount))
                      for t in sale.tenders),
        change=money(sale.change), currency_symbol=config.currency_symbol,
        qr_payload=f"{config.e_receipt_url}{config.store_id}/{config.terminal_id}/{sale.id}",
        prices_include_tax=config.prices_include_tax, language=language,
        tender_details=tuple(details),
        account=_account_lines(account, language, money),
        e_receipt=bool(config.e_receipt_url),
    )


def _account_lines(account: ReceiptAccount | None, language: str,
                   money: Callable[[int], str]) -> tuple[tuple[str, str], ...]:
    if account is None:
        return ()
    out: list[tuple[str, str]] = []
    if account.member_name:
        out.append((word("member", language), account.member_name))
        if account.points_earned:
            out.append((word("points_earned", language), f"+{account.points_earned}"))
        if account.points_balance is not None:
            out.append((word("points_balance", language), str(account.points_balance)))
    for card_no, left in account.card_balances:
        out.append((f"{word('card_balance', language)} {mask_card(card_no)}", money(left)))
    return tuple(out)


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


def label_value(label: str, value: str, width: int) -> list[str]:
    """`two_columns`, or the label on a line of its own when both do not fit: a card's last
    digits or a name are never cut."""
    if display_width(label) + 1 + display_width(value) <= width:
        return [two_columns(label, value, width)]
    return [fit(label, width), " " * max(width - display_width(value), 0) + fit(value, width)]


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
        currency_symbol=t(receipt.currency_symbol), tender_details=pairs(receipt.tender_details),
        account=pairs(receipt.account))


def render_text(receipt: Receipt, width: int = 32) -> str:
    """The receipt as plain text, every line at most `width` display columns."""
    receipt = _for_device(receipt)
    language = receipt.language

    def w(key: str) -> str:
        return word(key, language)

    rule = "-" * width
    out = [center(receipt.store_name, width)]
    if receipt.store_address:
        out.append(center(receipt.store_address, width))
    if receipt.tax_id:
        out.append(center(f"{w('tax_id')} {receipt.tax_id}", width))
    out.append(rule)
    if receipt.status == "cancelled":
        out.append(center(f"*** {w('cancelled')} ***", width))
    for ln in receipt.lines:
        out.append(fit(ln.name, width))
        unit = w("kg") if ln.unit == "kg" else ""
        out.append(two_columns(f"  {ln.qty}{unit} x {ln.unit_price}", ln.total, width))
        for reason, amount in ln.discounts:
            out.append(two_columns(f"  {reason}", f"-{amount}", width))
    out.append(rule)
    out.append(two_columns(w("subtotal"), receipt.subtotal, width))
    if receipt.discount != format_amount(0):
        out.append(two_columns(w("discount"), f"-{receipt.discount}", width))
    out.append(two_columns(w("total"), f"{receipt.currency_symbol}{receipt.total}", width))
    if receipt.rounding != format_amount(0):
        out.append(two_columns(w("rounding"), receipt.rounding, width))
    for name, amount in receipt.tenders:
        out.append(two_columns(name, amount, width))
    out.append(two_columns(w("change"), receipt.change, width))
    for label, value in receipt.tender_details:
        out.extend(label_value(f"  {label}", value, width))
    if receipt.account:
        out.append(rule)
        for label, value in receipt.account:
            out.extend(label_value(label, value, width))
    out.append(rule)
    label = w("tax_incl") if receipt.prices_include_tax else w("tax")
    for rate, taxable, tax in receipt.tax_summary:
        out.append(two_columns(f"{label} {rate} / {taxable}", tax, width))
    out.append(rule)
    if receipt.receipt_no is not None:  # a training sale has none
        out.append(fit(f"{w('receipt_no')} {receipt.receipt_no}  {w('seq')} {receipt.event_seq}",
                       width))
    out.append(local_time(receipt.time))
    out.append(fit(f"{w('cashier')} {receipt.cashier}", width))
    if receipt.e_receipt:
        out.append(center(w("e_receipt"), width))
    return "\n".join(out) + "\n"
