"""The demo's e-receipt page: what the receipt's QR opens, served on this machine so a newcomer's
phone (or browser) sees a real page instead of an example.com address. GET
/r/{store}/{terminal}/{sale_id} answers the receipt as the printer prints it; anything else 404.
A store points `[store] e_receipt_url` at its own page (HQ's invoice page, docs/invoices.md)."""

from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from edge.config import StoreConfig
from edge.ledger.store import connect
from edge.sale.receipt import render_text
from edge.till.receipts import sale_receipt
from edge.till.record import load_sale


class EReceiptServer:
    def __init__(self, db_path: Path, config: StoreConfig, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.db_path = db_path
        self.config = config
        self.httpd = ThreadingHTTPServer((host, port), self._handler())
        self.url = f"http://{host}:{self.httpd.server_address[1]}/r/"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> EReceiptServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def page(self, path: str) -> str | None:
        parts = path.strip("/").split("/")
        if len(parts) != 4 or parts[0] != "r" or parts[1:3] != [self.config.store_id,
                                                                  self.config.terminal_id]:
            return None
        conn = connect(self.db_path)   # one per request: the server's threads share nothing
        try:
            sale = load_sale(conn, parts[3])
            if sale is None or sale.receipt_no is None:
                return None
            text = render_text(sale_receipt(conn, sale, self.config, ""), 32)
        finally:
            conn.close()
        title = html.escape(self.config.store_name)
        return (f"<!doctype html><meta charset=utf-8><title>{title}</title>"
                f"<pre style='font-size:16px'>{html.escape(text)}</pre>")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = server.page(self.path)
                status = 200 if body is not None else 404
                data = (body or "not found").encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8" if body else
                                 "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                return   # a demo: no access log on the terminal

        return Handler
