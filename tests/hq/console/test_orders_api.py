"""The online-order API served by HQ's one app as `pos hq console --signing-key … ` runs it (its
own process, a real uvicorn, the real broker): a signed order is taken and published to its
store's `orders` stream, a bad signature and a disabled channel get JSON errors, not tracebacks,
the console's own pages still answer beside it, and the webhook loop running beside the app
delivers the signed status to the channel."""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from cli.main import main
from cloud_sync.signing import generate_keypair
from hq.orders import signing
from hq.storage import open_storage
from tests.cloud_sync.harness import Broker, free_port, wait_until
from tests.hq.console.harness import ServedProcess


def _request(url: str, path: str, body: bytes, secret: str, channel: str = "mini"
             ) -> tuple[int, Any]:
    ts = int(time.time())
    request = urllib.request.Request(url + path, body, method="POST", headers={
        "content-type": "application/json", "x-pos-channel": channel,
        "x-pos-timestamp": str(ts),
        "x-pos-signature": signing.signature(secret, ts, "POST", path, body)})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def test_pos_hq_console_serves_signed_orders_and_delivers_their_webhooks(
        pg_url: str, broker: Broker, tmp_path: Path) -> None:
    hooks: list[tuple[dict[str, Any], bool]] = []
    secret_file = tmp_path / "mini.secret"

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            secret = secret_file.read_text().strip()
            good = signing.check(secret, self.headers["x-pos-timestamp"], "POST", self.path,
                                 body, self.headers["x-pos-signature"], time.time()) is None
            hooks.append((json.loads(body), good))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    channel = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Hook)
    threading.Thread(target=channel.serve_forever, daemon=True).start()
    open_storage(pg_url).close()
    assert main(["hq", "channel", "add", "mini", "--db", pg_url, "--secret-file", str(secret_file),
                 "--webhook", f"http://127.0.0.1:{channel.server_port}/hooks"]) == 0
    with psycopg.connect(pg_url, autocommit=True) as pg:
        pg.execute("INSERT INTO hq_stock_on_hand (store, sku, qty_milli) VALUES"
                   " ('S001', 'A001', 5000)")
    generate_keypair(tmp_path / "hq.key", tmp_path / "hq.pub")
    served = ServedProcess(["hq", "console", "--db", pg_url, "--bind", "127.0.0.1:{port}",
                            "--signing-key", str(tmp_path / "hq.key"),
                            "--port", str(broker.port), "--insecure"], tmp_path / "console.log")
    try:
        secret = secret_file.read_text().strip()
        body = json.dumps({"channel_order_id": "W1", "store": "S001",
                           "slot_end": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
                           "lines": [{"sku": "A001", "qty_milli": 2000, "unit_price": 350}]}
                          ).encode()
        status, order = _request(served.url, "/api/v1/orders", body, secret)
        assert status == 201 and order["status"] == "sent" and order["store"] == "S001"
        storage = open_storage(pg_url)
        try:
            assert storage.head("S001", "orders") == 1        # published, signed, to the store
        finally:
            storage.close()
        assert _request(served.url, "/api/v1/orders", body, "wrong") == (
            401, {"error": "unauthorized", "message": "X-Pos-Signature does not match"})
        status, again = _request(served.url, "/api/v1/orders", body, secret)
        assert status == 200 and again["order_id"] == order["order_id"]
        with urllib.request.urlopen(served.url + "/login", timeout=10) as page:
            assert page.status == 200                          # the console beside it
        wait_until(lambda: hooks, 15, "the webhook from the loop beside the app")
        assert hooks[0][1] and hooks[0][0]["channel_order_id"] == "W1"
        assert main(["hq", "channel", "disable", "mini", "--db", pg_url]) == 0
        status, refused = _request(served.url, "/api/v1/orders", body, secret)
        assert status == 401 and refused["error"] == "unauthorized"
    finally:
        served.stop()
        channel.shutdown()
