"""Amounts and quantities for the screen, in the UI's locale: the core's decimal strings
(edge.till.view.sale_view) get the locale's digit grouping and the store's currency symbol.

Rule: no floats on the way; the core's string is split, grouped and joined again.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale

from edge.ledger.money import format_amount


class MoneyText:
    def __init__(self, locale: QLocale, symbol: str, digits: int = 2) -> None:
        self.locale = locale
        self.symbol = symbol
        self.digits = digits

    def decimal(self, text: str) -> str:
        """'1234.50' → '1,234.50' in the locale's separators."""
        sign = "-" if text.startswith("-") else ""
        whole, _, frac = text.lstrip("-").partition(".")
        grouped = self.locale.toString(int(whole or "0"))
        return f"{sign}{grouped}{self.locale.decimalPoint() + frac if frac else ''}"

    def amount(self, text: str) -> str:
        """'1234.50' → '¥1,234.50'."""
        if text.startswith("-"):
            return f"-{self.symbol}{self.decimal(text[1:])}"
        return f"{self.symbol}{self.decimal(text)}"

    def minor(self, value: int) -> str:
        """An amount in minor units (fen) → '¥1,234.50'."""
        return self.amount(format_amount(value, self.digits))
