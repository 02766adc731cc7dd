"""TCP transport to a network printer's raw port (9100, "port 9100 protocol"): one socket.

Rule: every socket call has a timeout; a closed or reset connection raises `LinkLost`.
"""

from __future__ import annotations

import socket

from drivers.printer.transport import LinkLost

RAW_PORT = 9100


class TcpTransport:
    def __init__(
        self,
        host: str,
        port: int = RAW_PORT,
        *,
        connect_timeout: float = 2.0,
        write_timeout: float = 5.0,
    ) -> None:
        self.host = host
        self.port = port
        self.connect_timeout = connect_timeout
        self.write_timeout = write_timeout
        self._sock: socket.socket | None = None

    def open(self) -> None:
        self.close()
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except OSError as exc:
            raise LinkLost(f"cannot connect to {self.host}:{self.port}: {exc}") from exc
        # Small chunks and one-byte queries must not wait for Nagle's delayed ack.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

    def _socket(self) -> socket.socket:
        if self._sock is None:
            raise LinkLost(f"{self.host}:{self.port} is not connected")
        return self._sock

    def write(self, data: bytes) -> None:
        sock = self._socket()
        try:
            sock.settimeout(self.write_timeout)
            sock.sendall(data)
        except OSError as exc:
            self.close()
            raise LinkLost(f"write to {self.host}:{self.port} failed: {exc}") from exc

    def read(self, timeout: float) -> bytes:
        sock = self._socket()
        try:
            sock.settimeout(max(timeout, 0.001))
            data = sock.recv(4096)
        except TimeoutError:
            return b""
        except OSError as exc:
            self.close()
            raise LinkLost(f"read from {self.host}:{self.port} failed: {exc}") from exc
        if not data:
            self.close()
            raise LinkLost(f"{self.host}:{self.port} closed the connection")
        return data
