"""Every HTTP endpoint HQ serves runs on a uvicorn that bounds what clients send: the invoice
request endpoint under a slowloris, an oversized chunked body, Content-Length −1 and 2,000
guesses a second, all at once, against `pos hq console` in its own process — memory bounded
(peak RSS, printed) and an honest customer from another address answered within 1 s throughout.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hq.console.app import ConsoleSettings
from hq.console.server import ServerLimits
from tests.hq.console.harness import Served, ServedProcess
from tests.hq.console.seed import HqData

HONEST = "127.0.0.2"        # another client address on the loopback network
AT = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def connect(port: int, source: str = "127.0.0.1", timeout: float = 5) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout, source_address=(source, 0))


def answer_of(sock: socket.socket) -> tuple[int, dict[str, Any]]:
    """One HTTP response read from `sock`: (status, JSON body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length"))
    while len(body) < length:
        body += sock.recv(65536)
    return status, json.loads(body[:length])


def closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except (ConnectionResetError, TimeoutError, OSError):
        return True


@pytest.mark.timeout(60)
def test_slow_headers_slow_bodies_bad_lengths_and_too_many_connections_are_cut(
        data: HqData) -> None:
    limits = ServerLimits(header_timeout_s=1.0, body_timeout_s=1.0, connections_per_client=8)
    server = Served(ConsoleSettings(data.url, limits=limits))
    path = f"/invoices/S001/T01/{uuid.uuid4()}"
    try:
        slow = connect(server.port, timeout=3)
        slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        t0 = time.monotonic()
        assert closed_by_server(slow)                     # headers never finished: cut
        assert 0.8 < time.monotonic() - t0 < 2.5

        body = connect(server.port)
        body.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                     "Content-Type: application/json\r\n\r\n{".encode())
        assert answer_of(body) == (408, {"error": "timeout",
                                         "message": "the request body came too slowly"})

        for length in (b"-1", b"abc", b"99999999999999999999999"):
            bad = connect(server.port)
            bad.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: "
                        + length + b"\r\n\r\n{}")
            status, answer = answer_of(bad)
            assert (status, answer["error"]) in {(400, "bad_request"), (413, "too_large")}, length

        big = connect(server.port)
        big.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 17000\r\n\r\n".encode()
                    + b"x" * 17000)
        assert answer_of(big)[0] == 413

        held = [connect(server.port) for _ in range(8)]
        extra = connect(server.port)
        assert closed_by_server(extra)                    # the ninth from one address
        other = connect(server.port, HONEST)
        other.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert answer_of(other)[0] == 404                 # another address is still served
        for s in held:
            s.close()
    finally:
        server.stop()


@pytest.mark.timeout(60)
def test_invoice_serve_on_a_sqlite_demo_store_serves_only_the_endpoint(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'hq.sqlite'}"
    server = ServedProcess(["invoice", "serve", "--db", db, "--port", "{port}"],
                           tmp_path / "serve.log")
    try:
        for path, error in ((f"/invoices/S001/T01/{uuid.uuid4()}", "unknown_sale"),
                            ("/live", "not_found")):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            conn.request("GET", path)
            answer = conn.getresponse()
            assert (answer.status, json.loads(answer.read())["error"]) == (404, error)
            conn.close()
    finally:
        server.stop()
    assert "the console itself needs PostgreSQL" in (tmp_path / "serve.log").read_text()


class Flood:
    """Background attackers; each counts what it did."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()

    def count(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n

    def run(self, target: Any, *args: Any) -> None:
        t = threading.Thread(target=self._guarded, args=(target, *args), daemon=True)
        t.start()
        self.threads.append(t)

    def _guarded(self, target: Any, *args: Any) -> None:
        try:
            target(*args)
        except Exception as exc:
            self.count(f"error {type(exc).__name__}")

    def join(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(10)


def slowloris(flood: Flood, port: int, connections: int) -> None:
    socks: list[socket.socket] = []
    while not flood.stop.is_set():
        while len(socks) < connections and not flood.stop.is_set():
            try:
                s = connect(port, timeout=2)
                s.sendall(b"POST /invoices/S001/T01/x HTTP/1.1\r\nHost: x\r\n")
                socks.append(s)
                flood.count("slowloris opened")
            except OSError:
                flood.count("slowloris refused")
                break
        for s in list(socks):
            try:
                s.sendall(b"X-a: b\r\n")
            except OSError:
                socks.remove(s)
                flood.count("slowloris cut")
        flood.stop.wait(0.5)
    for s in socks:
        s.close()


def chunked_bomb(flood: Flood, port: int) -> None:
    while not flood.stop.is_set():
        s = connect(port)
        s.sendall(b"POST /invoices/S001/T01/x HTTP/1.1\r\nHost: x\r\n"
                  b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n")
        chunk = b"10000\r\n" + b"{" * 0x10000 + b"\r\n"
        sent = 0
        try:
            while sent < 100 * 2**20 and not flood.stop.is_set():
                s.sendall(chunk)
                sent += 0x10000
        except OSError:
            flood.count("chunked cut")
            flood.count("chunked bytes before cut", sent)
        s.close()
        flood.stop.wait(0.2)


def negative_length(flood: Flood, port: int) -> None:
    while not flood.stop.is_set():
        s = connect(port)
        s.sendall(b"POST /invoices/S001/T01/x HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"
                  + b"{" * 100_000)
        try:
            flood.count(f"content-length -1 answered {answer_of(s)[0]}")
        except OSError:
            flood.count("content-length -1 cut")
        s.close()
        flood.stop.wait(0.1)


def guesses(flood: Flood, port: int, per_s: float) -> None:
    """Invoice requests for made-up sale ids, paced at `per_s` on one kept-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    body = json.dumps({"title": "某公司", "email": "a@example.com"})
    start, n = time.monotonic(), 0
    while not flood.stop.is_set():
        conn.request("POST", f"/invoices/S001/T01/{uuid.uuid4()}", body,
                     {"Content-Type": "application/json"})
        answer = conn.getresponse()
        answer.read()
        flood.count(f"guess {answer.status}")
        if answer.getheader("connection") == "close":
            conn.close()
        n += 1
        ahead = start + n / per_s - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)


@pytest.mark.timeout(90)
def test_the_invoice_endpoint_stays_up_for_honest_customers_under_four_attacks_at_once(
        data: HqData, tmp_path: Path) -> None:
    sale = data.sale("S001", "T01", AT)
    server = ServedProcess(["hq", "console", "--db", data.url, "--bind", "127.0.0.1:{port}"],
                           tmp_path / "console.log")
    honest_path = f"/invoices/S001/T01/{sale['sale_id']}"
    honest = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5,
                                        source_address=(HONEST, 0))

    def ask() -> float:
        t0 = time.monotonic()
        honest.request("GET", honest_path)
        answer = honest.getresponse()
        assert answer.status == 200 and json.loads(answer.read()) == {"invoices": []}
        return time.monotonic() - t0

    flood = Flood()
    try:
        for _ in range(5):
            ask()
        before = server.rss_mb()
        for _ in range(4):
            flood.run(guesses, flood, server.port, 500.0)
        flood.run(slowloris, flood, server.port, 300)
        flood.run(chunked_bomb, flood, server.port)
        flood.run(negative_length, flood, server.port)
        waits = []
        start = time.monotonic()
        while time.monotonic() - start < 8:       # longer than the 5 s header deadline
            waits.append(ask())
            time.sleep(0.25)                      # a customer's page polling, within 5/s
        peak_during = server.peak_rss_mb()
        flood.join()
        took = time.monotonic() - start
        guessed = sum(v for k, v in flood.counts.items() if k.startswith("guess"))
        print(f"\nhonest GETs {len(waits)}: max {max(waits) * 1000:.0f} ms, "
              f"p50 {sorted(waits)[len(waits) // 2] * 1000:.0f} ms; guesses "
              f"{guessed / took:.0f}/s; server RSS {before:.0f} MB before, peak "
              f"{peak_during:.0f} MB; {json.dumps(flood.counts, sort_keys=True)}")
        assert max(waits) < 1.0
        assert flood.counts.get("guess 429", 0) > 0.9 * guessed
        # Only the bucket's burst and refill reached the endpoint: 20 + 5/s.
        assert flood.counts.get("guess 404", 0) <= 20 + 5 * took + 5
        assert flood.counts.get("slowloris cut", 0) > 0
        assert flood.counts.get("chunked cut", 0) > 0
        assert flood.counts.get("chunked bytes before cut", 0) < 8 * 2**20 * flood.counts[
            "chunked cut"]
        # Answered 400, or cut unread when the slowloris held its address's connections.
        assert flood.counts.get("content-length -1 answered 400", 0) > 0
        assert {k for k in flood.counts if k.startswith("content-length")} <= {
            "content-length -1 answered 400", "content-length -1 cut"}
        assert peak_during - before < 80, "memory grew with the attack"
        assert ask() < 1.0
    finally:
        flood.join()
        honest.close()
        server.stop()
