"""USB transport through python-escpos's `Usb` printer class (pyusb underneath).

Rule: the package imports without a USB backend; only opening this transport needs one, and
its absence is a `LinkLost` the device reports, not an ImportError at start-up.
"""

from __future__ import annotations

from typing import Any

from drivers.printer.transport import LinkLost

try:
    from escpos.printer import Usb
except ImportError:  # pragma: no cover - python-escpos without its usb extra
    Usb = None


class UsbTransport:
    def __init__(
        self,
        vendor_id: int,
        product_id: int,
        *,
        in_ep: int = 0x82,
        out_ep: int = 0x01,
        timeout_ms: int = 5000,
    ) -> None:
        self.vendor_id = vendor_id
        self.product_id = product_id
        self.in_ep = in_ep
        self.out_ep = out_ep
        self.timeout_ms = timeout_ms
        self._printer: Any = None

    def _name(self) -> str:
        return f"usb {self.vendor_id:04x}:{self.product_id:04x}"

    def open(self) -> None:
        self.close()
        if Usb is None or not Usb.is_usable():
            raise LinkLost(f"{self._name()}: no USB backend (install pyusb and libusb)")
        try:
            printer = Usb(
                self.vendor_id,
                self.product_id,
                timeout=self.timeout_ms,
                in_ep=self.in_ep,
                out_ep=self.out_ep,
            )
            printer.open(raise_not_found=True)
        except Exception as exc:  # python-escpos and pyusb raise many unrelated types
            raise LinkLost(f"{self._name()}: cannot open: {exc}") from exc
        self._printer = printer

    def close(self) -> None:
        if self._printer is not None:
            try:
                self._printer.close()
            finally:
                self._printer = None

    def write(self, data: bytes) -> None:
        if self._printer is None:
            raise LinkLost(f"{self._name()} is not open")
        try:
            self._printer._raw(data)
        except Exception as exc:
            self.close()
            raise LinkLost(f"{self._name()}: write failed: {exc}") from exc

    def read(self, timeout: float) -> bytes:
        if self._printer is None:
            raise LinkLost(f"{self._name()} is not open")
        import usb.core  # present whenever Usb opened

        try:
            data = self._printer.device.read(self.in_ep, 64, timeout=max(int(timeout * 1000), 1))
        except usb.core.USBTimeoutError:
            return b""
        except usb.core.USBError as exc:
            self.close()
            raise LinkLost(f"{self._name()}: read failed: {exc}") from exc
        return bytes(data)
