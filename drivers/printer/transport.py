"""What every printer transport offers (python-escpos's one-hook way): open, write, read, close.

Rule: a transport moves bytes and nothing else; any failure of the link becomes `LinkLost`, and
`read` returns b"" when its timeout passes, so no caller ever waits without a bound.
"""

from __future__ import annotations

from typing import Protocol

from drivers.device import DeviceError


class LinkLost(DeviceError):
    """The printer cannot be reached, or the link broke or went out of step."""

    def __init__(self, message: str) -> None:
        super().__init__("link_lost", message)


class Transport(Protocol):
    def open(self) -> None: ...

    def close(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def read(self, timeout: float) -> bytes: ...
