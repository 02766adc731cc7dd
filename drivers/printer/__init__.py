"""Receipt printers and cash drawers (ESC/POS): renderer, status, transports, queue, simulator.

Rule: `create_printer` is the one entry for the device registry; the config says which transport
and profile, and every other module stays usable on its own (the renderer needs no printer).
The printer, its renderer and its profiles (python-escpos: ~0.35 s to import) load on first use,
so a screen that only builds a document (the X report) does not pay for them at start.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from drivers.device import DeviceError
from drivers.printer.document import (
    Block,
    Cut,
    Document,
    Feed,
    KickDrawer,
    Logo,
    QrCode,
    Rule,
    Text,
)

if TYPE_CHECKING:
    from drivers.printer.printer import PrinterDevice
    from drivers.printer.profiles import PrinterProfile
    from drivers.printer.transport import Transport

__all__ = [
    "Block",
    "Cut",
    "Document",
    "Feed",
    "KickDrawer",
    "Logo",
    "PrinterDevice",
    "PrinterProfile",
    "QrCode",
    "Rule",
    "Text",
    "create_printer",
]


def __getattr__(name: str) -> Any:
    if name == "PrinterDevice":
        from drivers.printer.printer import PrinterDevice

        return PrinterDevice
    if name == "PrinterProfile":
        from drivers.printer.profiles import PrinterProfile

        return PrinterProfile
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _transport(config: dict[str, Any]) -> Transport:
    kind = config.get("transport", "tcp")
    if kind == "tcp":
        from drivers.printer.tcp import RAW_PORT, TcpTransport

        return TcpTransport(config["host"], int(config.get("port", RAW_PORT)))
    if kind == "serial":
        from drivers.printer.serial_port import SerialTransport

        return SerialTransport(
            config["port"], int(config.get("baudrate", 19200)), flow=config.get("flow", "dsrdtr")
        )
    if kind == "usb":
        from drivers.printer.usb import UsbTransport

        return UsbTransport(int(config["vendor_id"]), int(config["product_id"]))
    raise DeviceError("bad_config", f"unknown printer transport {kind!r} (tcp, serial, usb)")


def create_printer(name: str, config: dict[str, Any]) -> PrinterDevice:
    """Config keys: transport (tcp|serial|usb) with host/port, port/baudrate/flow or
    vendor_id/product_id; profile (58mm|80mm); encoding (gb18030|gbk|gb2312, the font's Chinese
    set); queue_db (path of the SQLite job file); drawer_pin (0|1); drawer_open_when_high (bool)."""
    from drivers.printer.printer import PrinterDevice
    from drivers.printer.profiles import ENCODINGS, PROFILES

    try:
        profile = PROFILES[config.get("profile", "80mm")]
        if config.get("encoding", profile.encoding) not in ENCODINGS:
            raise ValueError(f"printer encoding must be one of {', '.join(ENCODINGS)}")
        profile = replace(profile, encoding=config.get("encoding", profile.encoding))
        return PrinterDevice(
            name,
            transport=_transport(config),
            profile=profile,
            queue_path=config["queue_db"],
            drawer_pin=int(config.get("drawer_pin", 0)),
            drawer_open_when_high=bool(config.get("drawer_open_when_high", True)),
        )
    except KeyError as exc:
        raise DeviceError("bad_config", f"{name}: printer config lacks {exc}") from exc
    except ValueError as exc:
        raise DeviceError("bad_config", f"{name}: {exc}") from exc
