"""A threaded TCP proxy that injects network faults between an MQTT client and its broker:
`blackhole` (keep the sockets open, silently forward nothing) and `drop_acks` (drop whole MQTT
PUBLISH packets from the broker to the client, so acknowledgements never arrive). Given TLS
contexts it terminates TLS on both sides (a certificate from the test CA), as a middlebox that
holds the keys would: the MQTT packets it must see are inside the encryption."""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import threading


class FaultProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1",
                 tls: tuple[ssl.SSLContext, ssl.SSLContext] | None = None) -> None:
        self.target = (target_host, target_port)
        self.tls = tls  # (towards the client, as a server; towards the broker, as a client)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.blackhole = False
        self.drop_acks = False
        self.closed = False
        self.dropped_publishes = 0
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.closed = True
        self.listener.close()
        self.cut()

    def cut(self) -> None:
        """Close every open connection (as a refused/reset link, not a silent one)."""
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for a, b in pairs:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=2)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        down = _PacketFilter(self)
        if self.tls is not None:
            try:
                client.settimeout(5)
                upstream.settimeout(5)
                client = self.tls[0].wrap_socket(client, server_side=True)
                upstream = self.tls[1].wrap_socket(upstream, server_hostname=self.target[0])
                client.settimeout(None)
                upstream.settimeout(None)
            except OSError:
                for s in (client, upstream):
                    with contextlib.suppress(OSError):
                        s.close()
                return
            with self._lock:
                self._pairs.append((client, upstream))
        socks = [client, upstream]
        try:
            while not self.closed:
                ready, _, _ = select.select(socks, [], [], 0.2)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    while isinstance(s, ssl.SSLSocket) and s.pending():
                        data += s.recv(s.pending())  # decrypted already: select cannot see it
                    if self.blackhole:
                        continue  # swallowed: the peer sees no reset, no FIN, nothing
                    if s is client:
                        upstream.sendall(data)
                    else:
                        client.sendall(down.feed(data))
        except OSError:
            return
        finally:
            for s in socks:
                with contextlib.suppress(OSError):
                    s.close()


class _PacketFilter:
    """Splits the broker→client byte stream into MQTT packets so whole PUBLISHes can be dropped."""

    def __init__(self, proxy: FaultProxy) -> None:
        self.proxy = proxy
        self.buf = b""

    def feed(self, data: bytes) -> bytes:
        self.buf += data
        out = []
        while True:
            size = _packet_size(self.buf)
            if size is None or size > len(self.buf):
                break
            packet, self.buf = self.buf[:size], self.buf[size:]
            if self.proxy.drop_acks and packet[0] >> 4 == 3:
                self.proxy.dropped_publishes += 1
                continue
            out.append(packet)
        return b"".join(out)


def _packet_size(buf: bytes) -> int | None:
    multiplier, length, i = 1, 0, 1
    while True:
        if i >= len(buf):
            return None
        byte = buf[i]
        length += (byte & 0x7F) * multiplier
        multiplier *= 128
        i += 1
        if not byte & 0x80:
            return i + length
