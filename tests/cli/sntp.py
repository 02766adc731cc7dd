"""A tiny NTP server for tests (UDP, the RFC 4330 reply layout) whose clock is `skew_s` ahead of
this machine's: what `pos doctor` measures a terminal's clock against."""

from __future__ import annotations

import socket
import struct
import threading
import time

NTP_EPOCH_OFFSET = 2208988800


class SntpServer:
    def __init__(self, skew_s: float = 0.0) -> None:
        self.skew_s = skew_s
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop_flag.is_set():
            try:
                request, peer = self.sock.recvfrom(512)
            except TimeoutError:
                continue
            now = time.time() + self.skew_s + NTP_EPOCH_OFFSET
            stamp = struct.pack("!II", int(now), int((now % 1) * 2**32))
            # LI 0, version 4, mode 4 (server), stratum 2; originate = the client's transmit.
            header = bytes([0x24, 2, 6, 0xEC]) + bytes(8) + b"LOCL"
            self.sock.sendto(header + stamp + request[40:48] + stamp + stamp, peer)

    def close(self) -> None:
        self.stop_flag.set()
        self.thread.join(2)
        self.sock.close()
