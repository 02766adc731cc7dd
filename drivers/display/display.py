"""The `CustomerDisplay` device: the four screens a till shows the customer, over serial."""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.device import (
    Device,
    DeviceError,
    DeviceState,
    Health,
    SerialPort,
    SerialSettings,
    open_serial,
)
from drivers.display.commands import PROFILES, DisplayCommands, DisplayProfile


@dataclass
class CustomerDisplay(Device):
    """Labels ("TOTAL", "CHANGE", …) come from the caller, already translated."""

    settings: SerialSettings = field(default_factory=lambda: SerialSettings(port=""))
    profile: DisplayProfile = field(default_factory=lambda: PROFILES["epson"])
    _port: SerialPort | None = field(default=None, repr=False)
    _link_error: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        self.commands = DisplayCommands(self.profile)

    def _open(self) -> None:
        self._port = open_serial(self.settings, timeout=0.5)
        self._link_error = ""
        self._write(self.commands.initialize())

    def _close(self) -> None:
        if self._port is not None:
            self._port.close()
        self._port = None

    def health(self) -> Health:
        # A pole display answers nothing; the honest check is that the port takes our bytes.
        if self._port is None:
            return Health(False, "closed", f"{self.settings.port} is not open")
        if self._link_error:
            return Health(False, "link_lost", self._link_error)
        return Health(True, "online", self.settings.port)

    def show_item(self, name: str, price_text: str, english_name: str | None = None) -> None:
        """The item just scanned: its name on top, its price bottom right."""
        c = self.commands
        self._show(c.line(name, fallback=english_name), c.line("", price_text))

    def show_line_and_total(self, name: str, price_text: str, total_text: str,
                            label: str = "TOTAL", english_name: str | None = None,
                            english_label: str = "TOTAL") -> None:
        """While selling: the line just scanned (name and amount) on top, the running total
        below; the English texts stand in where the display cannot show the others."""
        c = self.commands
        self._show(c.line(name, price_text, fallback=english_name),
                   c.line(label, total_text, fallback=english_label))

    def show_total(self, total_text: str, label: str = "TOTAL") -> None:
        c = self.commands
        self._show(c.line(label), c.line("", total_text))

    def show_change(
        self,
        paid_text: str,
        change_text: str,
        paid_label: str = "PAID",
        change_label: str = "CHANGE",
    ) -> None:
        c = self.commands
        self._show(c.line(paid_label, paid_text), c.line(change_label, change_text))

    def show_idle(self, message: str, second_line: str = "") -> None:
        c = self.commands
        self._show(c.centred(message), c.centred(second_line))

    def _show(self, top: bytes, bottom: bytes) -> None:
        if self.state is not DeviceState.ENABLED:
            raise DeviceError("not_enabled", f"{self.name}: enable the display before showing")
        self._write(self.commands.screen(top, bottom))

    def _write(self, data: bytes) -> None:
        assert self._port is not None
        try:
            self._port.write(data)
        except Exception as exc:  # pyserial raises several types when a USB adapter vanishes
            self._link_error = str(exc)
            raise DeviceError("link_lost", f"{self.name}: write failed: {exc}") from exc
