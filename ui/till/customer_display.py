"""What the customer sees on the pole display while the till sells: the line just scanned with
the running total, the total to pay, the payment and change, then a welcome. Texts in the till's
language (the English ones stand in on a display without Chinese).

Rule: the display never holds up a sale; a display that fails is reported once on the status
strip (through `failed`) and then left alone until it works again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from drivers.device import DeviceError
from edge.sale.basket import Sale
from ui.widgets.money_text import MoneyText


class CustomerDisplayFeed(QObject):
    def __init__(self, display: Any, money: MoneyText, locale: str,
                 failed: Callable[[DeviceError], None] | None = None) -> None:
        super().__init__()
        self.locale_name = locale
        self.display = display            # drivers.display.display.CustomerDisplay, or None
        self.money = money
        self.failed = failed
        self._lines: dict[int, tuple[int, int]] = {}
        self._shown: tuple[Any, ...] | None = None
        self._failing = False

    def sale(self, sale: Sale | None) -> None:
        """The sale screen changed: show the line that changed (else the last) and the total."""
        if sale is None or sale.status != "open" or not sale.lines:
            self._lines = {}
            welcome = self.tr("Welcome")
            self._show(("idle",), lambda d: d.show_idle(welcome, ""))
            return
        lines = {ln.line_no: (ln.qty_milli, ln.total) for ln in sale.lines}
        changed = [ln for ln in sale.lines if self._lines.get(ln.line_no) != lines[ln.line_no]]
        self._lines = lines
        line = (changed or sale.lines)[-1]
        name, total, price = line.name(self.locale_name), self._money(sale.total), self._money(line.total)
        label = self.tr("TOTAL")
        self._show(("line", line.line_no, name, price, total),
                   lambda d: d.show_line_and_total(name, price, total, label, line.name_en,
                                                   "TOTAL"))

    def due(self, due: int) -> None:
        """The tender screen: what is left to pay."""
        text = self._money(due)
        label = self.tr("TO PAY")
        self._show(("due", text), lambda d: d.show_total(text, label))

    def paid(self, paid: int, change: int) -> None:
        paid_text, change_text = self._money(paid), self._money(change)
        labels = self.tr("PAID"), self.tr("CHANGE")
        self._show(("paid", paid_text, change_text),
                   lambda d: d.show_change(paid_text, change_text, *labels))

    def _money(self, fen: int) -> str:
        text = self.money.minor(fen)
        # ¥ is four bytes in GB18030 but the full-width ￥ two, one per column (docs/devices.md).
        return text.replace("¥", "￥") if getattr(self.display, "profile", None) is not None \
            and self.display.profile.gb18030 else text

    def _show(self, key: tuple[Any, ...], show: Callable[[Any], None]) -> None:
        if self.display is None or key == self._shown:
            return
        try:
            show(self.display)
        except DeviceError as exc:
            self._shown = None
            if not self._failing and self.failed is not None:
                self.failed(exc)
            self._failing = True
            return
        self._shown = key
        self._failing = False
