"""A simulated OpenEPaperLink access point: a real threaded HTTP server on 127.0.0.1 answering
/imgupload and /get_db like the firmware, with injected failures and a delay before an upload
shows as applied (the tag has to wake up and fetch it: `pending` 1 → 0, `hash` changes).

Failures, drawn per request with `failure_rate`: a 500 before doing anything, a dropped
connection before doing anything, or — the nasty one — the upload is taken and the answer lost.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import json
import random
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from drivers.esl.openepaperlink import normalise_mac

EMPTY_HASH = "0" * 32
PAGE_BUDGET_BYTES = 5000  # the firmware starts a new page once the JSON passes 5000 bytes


@dataclass
class SimTag:
    mac: str
    hw_type: int = 1
    hash: str = EMPTY_HASH
    pending: int = 0
    pending_hash: str | None = None
    apply_at: float = 0.0
    uploads: int = 0
    last_image: bytes = b""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:
        pass  # a thousand uploads would flood the test output

    def _reply(self, status: int, body: bytes, ctype: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drop(self) -> None:
        self.close_connection = True
        self.connection.close()

    def do_GET(self) -> None:
        ap = self.server.ap
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/get_db":
            self._reply(404, b"")
            return
        fault = ap.draw_fault()
        if fault == "error":
            self._reply(500, b"")
            return
        if fault in ("drop", "lost_answer"):
            self._drop()
            return
        query = urllib.parse.parse_qs(url.query)
        self._reply(200, ap.get_db(query), "application/json")

    def do_POST(self) -> None:
        ap = self.server.ap
        if self.path != "/imgupload":
            self._reply(404, b"")
            return
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        fault = ap.draw_fault()
        if fault == "error":
            self._reply(500, b"")
            return
        if fault == "drop":
            self._drop()
            return
        form = parse_multipart(self.headers.get("Content-Type", ""), body)
        status, text = ap.upload(form)
        if fault == "lost_answer":
            self._drop()
            return
        self._reply(status, text)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, ap: SimulatedAP) -> None:
        self.ap = ap
        super().__init__(("127.0.0.1", 0), _Handler)


def parse_multipart(content_type: str, body: bytes) -> dict[str, bytes]:
    """Form fields of a multipart/form-data body, by name."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, bytes] = {}
    if not msg.is_multipart():
        return fields
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields[name] = payload
    return fields


class SimulatedAP:
    """Start with `start()`; `url` is its base URL. `clock` decides when uploads are applied."""

    def __init__(
        self,
        macs: Iterable[str] = (),
        *,
        failure_rate: float = 0.0,
        apply_delay_s: float = 0.0,
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
        hw_type: int = 1,
        page_budget_bytes: int = PAGE_BUDGET_BYTES,
    ) -> None:
        self.failure_rate = failure_rate
        self.apply_delay_s = apply_delay_s
        self.clock = clock
        self.page_budget_bytes = page_budget_bytes
        self.tags: dict[str, SimTag] = {}
        self._order: list[str] = []
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.requests = 0
        self.faults = 0
        for mac in macs:
            self.add_tag(mac, hw_type)
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def add_tag(self, mac: str, hw_type: int = 1) -> None:
        with self._lock:
            mac = normalise_mac(mac)
            if mac not in self.tags:
                self.tags[mac] = SimTag(mac, hw_type)
                self._order.append(mac)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> SimulatedAP:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() would wait forever on a never-started server
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SimulatedAP:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def draw_fault(self) -> str | None:
        with self._lock:
            self.requests += 1
            if self._rng.random() >= self.failure_rate:
                return None
            self.faults += 1
            return self._rng.choice(("error", "drop", "lost_answer"))

    def upload(self, form: dict[str, bytes]) -> tuple[int, bytes]:
        if "mac" not in form:
            return 400, b"parameters incomplete"
        try:
            mac = normalise_mac(form["mac"].decode("ascii", "replace"))
        except ValueError:
            return 400, b"mac not found"
        image = form.get("file", b"")
        with self._lock:
            tag = self.tags.get(mac)
            if tag is None:
                return 400, b"mac not found"
            # A new upload replaces whatever the tag had not fetched yet, as on the AP.
            tag.pending_hash = hashlib.md5(image).hexdigest()
            tag.pending = 1
            tag.apply_at = self.clock() + self.apply_delay_s
            tag.uploads += 1
            tag.last_image = image
        return 200, b"Ok, saved"

    def _apply_due(self) -> None:
        now = self.clock()
        for tag in self.tags.values():
            if tag.pending and tag.pending_hash is not None and tag.apply_at <= now:
                tag.hash, tag.pending, tag.pending_hash = tag.pending_hash, 0, None

    def _node(self, tag: SimTag) -> dict[str, object]:
        # The field names of the firmware's fillNode(); values we do not simulate are constant.
        return {
            "mac": tag.mac,
            "hash": tag.hash,
            "lastseen": 0,
            "nextupdate": 0,
            "nextcheckin": 0,
            "pending": tag.pending,
            "alias": "",
            "contentMode": 24 if tag.uploads else 0,
            "RSSI": -60,
            "batteryMv": 2900,
            "hwType": tag.hw_type,
            "updatecount": tag.uploads,
        }

    def get_db(self, query: dict[str, list[str]]) -> bytes:
        with self._lock:
            self._apply_due()
            if "mac" in query:
                try:
                    tag = self.tags.get(normalise_mac(query["mac"][0]))
                except ValueError:
                    return b'{"error": "malformatted parameter"}'
                return json.dumps({"tags": [self._node(tag)] if tag else []}).encode()
            start = int(query.get("pos", ["0"])[0] or 0)
            nodes: list[dict[str, object]] = []
            doc: dict[str, object] = {"tags": nodes}
            size = 0
            for index in range(start, len(self._order)):
                node = self._node(self.tags[self._order[index]])
                nodes.append(node)
                size += len(json.dumps(node))
                if size > self.page_budget_bytes:
                    doc["continu"] = index + 1
                    break
            return json.dumps(doc).encode()
