"""A simulated OpenEPaperLink access point, written from the AP firmware (ESP32_AP-Flasher/src,
commit 468f6b7, and cdd1cfa for /tagtypes), quirks included: a real threaded HTTP server on
127.0.0.1 with /imgupload, /get_db, /get_ap_config and /tagtypes/<HH>.json.

What it does as the firmware does:
- /imgupload answers a bare 200 with an empty body, always (web.cpp: the route's `send(200)`
  replaces doImageUpload's answers). While not `running` the upload is ignored; a MAC it does not
  know is ignored; otherwise the tag's `modecfgjson` names "/temp/<mac>_<millis>.jpg", its
  `contentMode` becomes 24 and `nextupdate` 0.
- The content runner (contentmanager.cpp `contentRunner`/`drawNew`, only while running, after
  `convert_delay_s`) draws the JPEG at its own size onto the tag's width × height from the
  AP's own tag-type file (no scaling; `jpg2buffer`), makes the tag's raw image, and queues it
  (newproto.cpp `prepareDataAvail`) unless its md5's first 8 bytes equal the tag's: then nothing
  is queued. A queued image replaces one still queued for the tag. `nextupdate` becomes
  3216153600. A `hwType` the AP has no file for gets `nextupdate` now + 300 and nothing else.
- /tagtypes/<HH>.json serves the AP's tag-type files (LittleFS /tagtypes, web.cpp `serveStatic`,
  Cache-Control max-age=300): by default one per built-in type, written as the repository's
  resources/tagtypes files are; `tag_type_files` may add, change or remove any. Upper-case hex
  only (the file system is case-sensitive); a missing file is 404.
- After `apply_delay_s` the tag fetches it (unless `asleep`): `processXferComplete` sets the md5
  to the first 8 bytes of the queued image's md5 plus 8 zero bytes, `pending` to what is still
  queued, `updatecount` + 1. So `hash` is never the md5 of the JPEG sent.
- /get_db pages with ArduinoJson's memory heuristic of `tagDBtoJson` (a 5000-byte document:
  "continu" once the room left is under the average node size + 500), and reads `pos` into a
  uint8_t, so a request for position 260 gets the page at position 4. `?mac=` gives one tag or
  none; a MAC that is not 12 or 16 hex digits gets {"error": "malformatted parameter"}.

Failures, drawn per request with `failure_rate`: a 500 before doing anything, a dropped
connection before doing anything, or the request done and its answer lost.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import io
import json
import random
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image, UnidentifiedImageError

from drivers.esl.openepaperlink import NEVER, TAG_TYPE_TTL_S, normalise_mac
from drivers.esl.tag_types import TAG_TYPES, TagType, parse_tag_type

DOC_CAPACITY = 5000  # tag_db.cpp: DynamicJsonDocument doc(5000)
SLOT = 16  # bytes of one ArduinoJson 6 variant slot on the 32-bit ESP32
_HEX_MAC = re.compile(r"^(?:[0-9A-Fa-f]{12}|[0-9A-Fa-f]{16})$")
_TAG_TYPE_PATH = re.compile(r"^/tagtypes/([0-9A-F]{2})\.json$")


def tag_type_file(tag_type: TagType, version: int = 1) -> bytes:
    """A /tagtypes/<HH>.json file as the repository writes them (tab-indented, colour table as
    name → [r, g, b]), for the fields the AP reads; `contentids` and templates left out."""
    rgb = {"white": [255, 255, 255], "black": [0, 0, 0], "red": [255, 0, 0],
           "yellow": [255, 255, 0], "gray": [150, 150, 150], "green": [0, 255, 0],
           "blue": [0, 0, 255], "orange": [255, 128, 0]}  # fmt: skip
    doc = {"version": version, "name": tag_type.name, "width": tag_type.width,
           "height": tag_type.height, "rotatebuffer": 0, "bpp": tag_type.bpp,
           "colortable": {c: rgb.get(c, [0, 0, 0]) for c in tag_type.colors}, "shortlut": 0}  # fmt: skip
    return json.dumps(doc, indent="\t", ensure_ascii=False).encode()


@dataclass
class SimTag:
    mac: str
    hw_type: int = 1
    md5: bytes = bytes(16)
    queue: list[tuple[bytes, float]] = field(default_factory=list)  # (dataVer, fetched at)
    nextupdate: int = NEVER
    modecfg: str = ""
    content_mode: int = 0
    lastseen: int = 0
    nextcheckin: int = 0
    rssi: int = -60  # 0 until a tag has checked in; the content runner skips such tags
    updatecount: int = 0
    asleep: bool = False  # a tag that does not wake up to fetch what is queued
    upload: bytes | None = None  # the JPEG in /temp, not converted yet
    taken_at: float = 0.0
    uploads: int = 0  # uploads the AP took for this tag
    conversions: int = 0

    @property
    def pending(self) -> int:
        return len(self.queue)

    @property
    def hash(self) -> str:
        return self.md5.hex()


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
        type_file = _TAG_TYPE_PATH.match(url.path)
        if url.path not in ("/get_db", "/get_ap_config") and type_file is None:
            self._reply(404, b"")
            return
        fault = ap.draw_fault()
        if fault == "error" or any(url.path.startswith(path) for path in ap.failing_paths):
            self._reply(500, b"")
            return
        if fault in ("drop", "lost_answer"):
            self._drop()
            return
        if url.path == "/get_ap_config":
            self._reply(200, ap.ap_config(), "application/json")
            return
        if type_file is not None:
            ap.tag_type_requests.append(url.path)
            body = ap.tag_type_files.get(int(type_file.group(1), 16))
            if body is None:
                self._reply(404, b"Not found")
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", f"max-age={TAG_TYPE_TTL_S:.0f}")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
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
        ap.upload(parse_multipart(self.headers.get("Content-Type", ""), body))
        if fault == "lost_answer":
            self._drop()
            return
        self._reply(200, b"")  # web.cpp: request->send(200), whatever the upload handler said


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


def converted_image(jpeg: bytes, tag_type: TagType) -> bytes | None:
    """The raw image the AP makes of a JPEG for a tag type (None: not a JPEG it can read).

    The JPEG is drawn at (0, 0) at its own size on a white canvas of the tag's size, then
    thresholded to black and white; 2 bpp tags get a second (empty) colour plane. The bytes
    differ from the firmware's, the rule does not: the hash is of this, never of the JPEG.
    """
    try:
        picture = Image.open(io.BytesIO(jpeg))
        picture.load()
    except (UnidentifiedImageError, OSError):
        return None
    canvas = Image.new("L", (tag_type.width, tag_type.height), 255)
    canvas.paste(picture.convert("L"), (0, 0))
    plane = canvas.point(lambda v: 255 if v < 128 else 0).convert("1").tobytes()
    return plane + bytes(len(plane)) if tag_type.bpp == 2 else plane


def hash_for(jpeg: bytes, tag_type: TagType | int) -> str:
    """The `hash` /get_db reports once a tag of this type (or built-in hwType) shows `jpeg`."""
    raw = converted_image(jpeg, TAG_TYPES[tag_type] if isinstance(tag_type, int) else tag_type)
    assert raw is not None, "not a JPEG the AP can read"
    return (hashlib.md5(raw).digest()[:8] + bytes(8)).hex()


class SimulatedAP:
    """Start with `start()`; `url` is its base URL. `clock` (seconds) decides when the content
    runner converts an upload and when a tag fetches it; the AP does both as time passes."""

    def __init__(
        self,
        macs: Iterable[str] = (),
        *,
        failure_rate: float = 0.0,
        convert_delay_s: float = 0.0,
        apply_delay_s: float = 0.0,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
        hw_type: int = 1,
    ) -> None:
        self.failure_rate = failure_rate
        self.convert_delay_s = convert_delay_s
        self.apply_delay_s = apply_delay_s
        self.clock = clock
        self.running = True  # config.runStatus == RUNSTATUS_RUN
        self.apstate = 1  # AP_STATE_ONLINE
        self.tags: dict[str, SimTag] = {}
        self._order: list[str] = []
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._millis = 0
        self._busy: set[str] = set()  # tags the content runner or a fetch has work for
        self.requests = 0
        self.faults = 0
        self.get_db_requests: list[str] = []
        self.tag_type_requests: list[str] = []
        self.failing_paths: set[str] = set()  # GET paths (prefixes) answered 500, for tests
        # The AP's /tagtypes directory: hwType → file. The firmware converts with these only.
        self.tag_type_files: dict[int, bytes] = {hw: tag_type_file(t) for hw, t in TAG_TYPES.items()}
        for mac in macs:
            self.add_tag(mac, hw_type)
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def add_tag(self, mac: str, hw_type: int = 1) -> None:
        with self._lock:
            mac = normalise_mac(mac)
            if mac not in self.tags:
                self.tags[mac] = SimTag(mac, hw_type, lastseen=int(self.clock()))
                self._order.append(mac)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> SimulatedAP:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the HTTP server (to stop the AP's content runner, set `running = False`)."""
        if self._thread.is_alive():  # shutdown() would wait forever on a never-started server
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SimulatedAP:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what happens to an AP ---------------------------------------------------------------

    def reboot(self) -> None:
        """Power cycle: queued images are lost (they lived in RAM and .pending files, which the
        AP deletes at boot); tags that had some are redrawn (newproto.cpp `refreshAllPending`),
        which finds their upload deleted already."""
        with self._lock:
            for tag in self.tags.values():
                if tag.queue:
                    tag.queue.clear()
                    tag.nextupdate = 0
                    self._busy.add(tag.mac)

    def reboot_tag(self, mac: str) -> None:
        """The tag restarts and checks in (wakeupReason >= 0xE0): with nothing pending the AP
        forgets what it shows (newproto.cpp `processDataReq`: md5 zeroed)."""
        with self._lock:
            tag = self.tags[normalise_mac(mac)]
            if not tag.queue:
                tag.md5 = bytes(16)
                tag.nextupdate = 0
                self._busy.add(tag.mac)

    def advance(self) -> None:
        """Let the content runner and the tags catch up with the clock (requests do this too)."""
        with self._lock:
            self._run_content()

    # -- the firmware ------------------------------------------------------------------------

    def draw_fault(self) -> str | None:
        with self._lock:
            self.requests += 1
            if self._rng.random() >= self.failure_rate:
                return None
            self.faults += 1
            return self._rng.choice(("error", "drop", "lost_answer"))

    def upload(self, form: dict[str, bytes]) -> None:
        """web.cpp doImageUpload, on the last chunk; nothing it decides reaches the client."""
        with self._lock:
            self._run_content()
            mac_param = form.get("mac", b"").decode("ascii", "replace")
            if not self.running or not _HEX_MAC.match(mac_param):
                return
            tag = self.tags.get(normalise_mac(mac_param))
            if tag is None:
                return  # "mac not found", replaced by 200
            self._millis = max(self._millis + 1, int(self.clock() * 1000))
            dither = form.get("dither", b"1").decode("ascii", "replace")
            tag.modecfg = (
                f'{{"filename":"/temp/{mac_param}_{self._millis}.jpg","timetolive":"0",'
                f'"dither":"{dither}","delete":"1", "preload":"0", "preload_lut":"0",'
                ' "preload_type":"0"}'
            )
            tag.content_mode = 24
            tag.nextupdate = 0
            tag.upload = form.get("file", b"")
            tag.taken_at = self.clock()
            tag.uploads += 1
            self._busy.add(tag.mac)

    def _run_content(self) -> None:
        now = self.clock()
        for mac in list(self._busy):
            tag = self.tags[mac]
            if self.running and tag.rssi and now >= tag.nextupdate:
                self._draw(tag, now)
            # processXferComplete returns at once while the AP is stopped.
            if self.running and tag.queue and not tag.asleep and tag.queue[0][1] <= now:
                self._fetched(tag, now)
            if tag.upload is None and not tag.queue and tag.nextupdate == NEVER:
                self._busy.discard(mac)

    def _draw(self, tag: SimTag, now: float) -> None:
        """contentmanager.cpp drawNew for contentMode 24, then newproto.cpp prepareDataAvail."""
        tag_type = self._tag_type(tag.hw_type)
        if tag_type is None:
            tag.nextupdate = int(now) + 300  # "No definition found for tag type"
            return
        if tag.upload is None:
            tag.nextupdate = NEVER  # "Not found: /temp/...": the upload was deleted
            return
        if now < tag.taken_at + self.convert_delay_s:
            return
        raw, tag.upload = converted_image(tag.upload, tag_type), None
        tag.nextupdate = NEVER
        if raw is None:
            return  # "invalid jpg"
        tag.conversions += 1
        version = hashlib.md5(raw).digest()[:8]
        if version == tag.md5[:8]:
            return  # "new image is the same as current image. not updating tag."
        tag.queue = [(version, now + self.apply_delay_s)]  # replaces an image still queued

    def _tag_type(self, hw_type: int) -> TagType | None:
        """tag_db.cpp getHwType: the AP's own /tagtypes file, or no definition."""
        body = self.tag_type_files.get(hw_type)
        if body is None:
            return None
        try:
            return parse_tag_type(body)
        except ValueError:
            return None  # "json error in /tagtypes/..."

    def _fetched(self, tag: SimTag, now: float) -> None:
        """newproto.cpp processXferComplete."""
        version, _ = tag.queue.pop(0)
        tag.md5 = version + bytes(8)
        tag.updatecount += 1
        tag.lastseen = int(now)
        tag.nextcheckin = int(now) + 60
        if tag.queue:
            tag.queue[0] = (tag.queue[0][0], now + self.apply_delay_s)

    def _node(self, tag: SimTag) -> dict[str, object]:
        # Every field of the firmware's fillNode(), in its order; values not simulated are fixed.
        return {
            "mac": tag.mac, "hash": tag.hash, "lastseen": tag.lastseen, "nextupdate": tag.nextupdate,
            "nextcheckin": tag.nextcheckin, "pending": tag.pending, "alias": "",
            "contentMode": tag.content_mode, "LQI": 100, "RSSI": tag.rssi, "temperature": 21,
            "batteryMv": 2900, "hwType": tag.hw_type, "wakeupReason": 0, "capabilities": 0,
            "modecfgjson": tag.modecfg, "isexternal": False, "apip": "0.0.0.0", "rotate": 0,
            "lut": 0, "invert": 0, "updatecount": tag.updatecount, "updatelast": tag.lastseen,
            "ch": 11, "ver": 0,
        }  # fmt: skip

    @staticmethod
    def _memory(node: dict[str, object]) -> int:
        """ArduinoJson 6 memory for one node: a slot for the array element and one per member,
        plus a copy of every String value (keys are literals, numbers live in their slot)."""
        strings = sum(len(str(v)) + 1 for v in node.values() if isinstance(v, str))
        return SLOT * (1 + len(node)) + strings

    def get_db(self, query: dict[str, list[str]]) -> bytes:
        with self._lock:
            self._run_content()
            if "mac" in query:
                self.get_db_requests.append(f"mac={query['mac'][0]}")
                if not _HEX_MAC.match(query["mac"][0]):
                    return b'{"error": "malformatted parameter"}'
                tag = self.tags.get(normalise_mac(query["mac"][0]))
                return _dumps({"tags": [self._node(tag)] if tag else []})
            digits = re.match(r"\s*\d*", query.get("pos", ["0"])[0]).group()  # type: ignore[union-attr]
            start = (int(digits) if digits.strip() else 0) & 0xFF  # atoi into a uint8_t
            self.get_db_requests.append(f"pos={start}")
            nodes: list[dict[str, object]] = []
            doc: dict[str, object] = {"tags": nodes}
            usage = SLOT  # the root's "tags" member
            for index in range(start, len(self._order)):
                node = self._node(self.tags[self._order[index]])
                nodes.append(node)
                usage += self._memory(node)
                if DOC_CAPACITY - usage < usage // (index + 1) + 500:
                    doc["continu"] = index + 1
                    break
            return _dumps(doc)

    def ap_config(self) -> bytes:
        # web.cpp /get_ap_config, without an apconfig.json: the flags, then "apstate".
        return (
            b'{"C6": "0", "savespace": "0", "hasFlasher": "0", "hasBLE": "0", "hasSubGhz": "0", '
            + f'"apstate": "{self.apstate}"}}'.encode()
        )


def _dumps(doc: object) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()  # ArduinoJson writes no spaces
