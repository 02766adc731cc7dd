"""The OpenEPaperLink access point as an `EslSystem`: `POST /imgupload` hands a JPEG to a tag,
`GET /get_db?mac=` reads back what one tag shows, `GET /get_ap_config` whether the AP's radio runs.

Wire facts, from the AP firmware (OpenEPaperLink, ESP32_AP-Flasher/src, commit 468f6b7):
- /imgupload (web.cpp): multipart fields `mac` (12 or 16 hex digits, hex2mac) and `dither`, the
  JPEG as the file part. The route's request handler ends with a bare `send(200)` that replaces
  what `doImageUpload` answered, so the AP always says 200 with an empty body: also for an unknown
  MAC ("mac not found") and while it is not running ("Come back later", 409, and the upload is
  then ignored). The answer tells nothing; only the tag's record does.
- On a taken upload `doImageUpload` sets the tag's `modeConfigJson` (`modecfgjson` in /get_db) to
  name a fresh "/temp/<mac>_<millis>.jpg", `contentMode` 24 and `nextupdate` 0. The content runner
  (contentmanager.cpp, `contentRunner` / `drawNew`, only while running) converts the JPEG for the
  tag, queues it (newproto.cpp `prepareDataAvail`: `pending` + 1, unless the image equals the one
  shown: "new image is the same as current image. not updating tag") and sets `nextupdate` to
  3216153600 ("never"). When the tag has fetched it, `processXferComplete` sets the tag's md5 to
  the first 8 bytes of the md5 of the converted image followed by 8 zero bytes, and `pending` to
  what is still queued. A tag that reboots with nothing pending gets md5 all zeros
  (`processDataReq`).
- /tagtypes/<HH>.json (web.cpp `serveStatic`, Cache-Control max-age=300): the AP's own definition
  of a tag type, the one its content runner converts with (tag_db.cpp `getHwType`); 404 when the
  AP has none (its web UI then fetches it from GitHub). Read per hwType, kept for `TAG_TYPE_TTL_S`
  (the AP's max-age), the built-in table (tag_types.py) when the AP has none or cannot answer.
- /get_db (tag_db.cpp `tagDBtoJson`, `fillNode`): {"tags": [...]}, `hash` as 32 lower-case hex
  digits of that md5. Paged, "continu" naming the next position, but web.cpp reads `pos` into a
  `uint8_t`: a page past position 255 cannot be asked for. `?mac=` returns one tag, or no tags.

Delivery rule (`delivery_check`): the label shows our upload when, compared with the record read
just before the first upload, the AP took the upload (`modecfgjson` changed), finished converting
it (`nextupdate` is "never"), has nothing pending and reports a different, non-zero hash.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from drivers.device import Health
from drivers.esl.system import (
    Check,
    EslRejectedError,
    EslTransientError,
    LabelFields,
    LabelState,
    Verdict,
)
from drivers.esl.tag_types import TAG_TYPES, TagType, parse_tag_type

MULTIPART_BOUNDARY = "----posEslBoundary7MA4YWxkTrZu0gW"
NEVER = 3216153600  # contentmanager.cpp: the `nextupdate` of a tag whose content is done
EMPTY_HASH = "0" * 32
TAG_TYPE_TTL_S = 300.0  # web.cpp serves /tagtypes with Cache-Control max-age=300
MAX_PAGE_POS = 255  # web.cpp keeps the /get_db `pos` in a uint8_t
# The fields of a fillNode() record kept as a label's baseline.
RECORD_FIELDS = ("mac", "hash", "pending", "hwType", "nextupdate", "modecfgjson", "lastseen", "nextcheckin")
# serialap.h AP_STATE_*: the radio's state in /get_ap_config "apstate".
AP_STATES = {0: "offline", 1: "online", 2: "flashing", 3: "wait_reset", 4: "required_power_cycle",
             5: "failed", 6: "coming_online", 7: "noradio"}  # fmt: skip


def normalise_mac(mac: str) -> str:
    """The AP prints MACs as 16 upper-case hex digits; a 12-digit MAC is 0000-prefixed there."""
    clean = mac.replace(":", "").replace("-", "").upper()
    if len(clean) == 12:
        clean = "0000" + clean
    if len(clean) != 16 or any(c not in "0123456789ABCDEF" for c in clean):
        raise ValueError(f"not a tag MAC: {mac!r}")
    return clean


def imgupload_body(mac: str, jpeg: bytes, dither: int = 0, boundary: str = MULTIPART_BOUNDARY) -> bytes:
    """multipart/form-data for /imgupload. Dither 0: our image is already two-tone."""
    parts = []
    for name, value in (("mac", mac), ("dither", str(dither))):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{mac}.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + jpeg
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


def label_state(
    node: Mapping[str, Any], tag_type_of: Callable[[int], TagType | None] = TAG_TYPES.get
) -> LabelState:
    """One fillNode() record as a LabelState, its size from `tag_type_of(hwType)` (the AP's own
    definition when asked through `OpenEPaperLinkAP`, the built-in table otherwise)."""
    mac = normalise_mac(str(node.get("mac", "")))
    tag_hash = str(node.get("hash") or "").lower()
    pending = int(node.get("pending") or 0)
    record = {key: node.get(key) for key in RECORD_FIELDS}
    record.update(mac=mac, hash=tag_hash, pending=pending, nextupdate=int(node.get("nextupdate") or 0),
                  modecfgjson=str(node.get("modecfgjson") or ""))  # fmt: skip
    hw_type = int(node["hwType"]) if node.get("hwType") is not None else -1
    tag_type = tag_type_of(hw_type) if 0 <= hw_type <= 0xFF else None
    if tag_type is None:
        model = f"hwType 0x{hw_type:02X}" if hw_type >= 0 else "hwType unknown"
    else:
        model = f"hwType 0x{hw_type:02X}, {tag_type.name} ({'/'.join(tag_type.colors)})"
    return LabelState(
        label=mac,
        shown="" if tag_hash in ("", EMPTY_HASH) else tag_hash,
        pending=pending,
        size=(tag_type.width, tag_type.height) if tag_type and tag_type.shows_label else None,
        model=model,
        raw=json.dumps(record, sort_keys=True),
    )


def parse_get_db(
    payload: bytes, tag_type_of: Callable[[int], TagType | None] = TAG_TYPES.get
) -> tuple[list[LabelState], int | None]:
    """One /get_db answer → the tags in it and the `continu` position (None when last)."""
    doc = json.loads(payload)
    if not isinstance(doc, dict) or not isinstance(doc.get("tags"), list):
        raise ValueError(f"get_db answer without a tags list: {str(doc)[:80]}")
    nxt = doc.get("continu")
    tags = [label_state(node, tag_type_of) for node in doc["tags"]]
    return tags, (int(nxt) if nxt is not None else None)


def delivery_check(before: Mapping[str, Any], now: Mapping[str, Any]) -> Check:
    """Whether the tag record `now` shows the upload made after the record `before` was read.

    Pure: both are fillNode() records (RECORD_FIELDS). See the module rule; each reason names
    what a person can do about it.
    """
    since = f"lastseen {now['lastseen']}, nextcheckin {now['nextcheckin']}"
    if now["modecfgjson"] == before["modecfgjson"]:
        return Check(Verdict.NOT_TAKEN, "ap_not_running",
                     "the AP answered 200 but did not take the upload (it ignores uploads while"
                     " it is not running)")  # fmt: skip
    if now["nextupdate"] == 0:
        return Check(Verdict.WAITING, "ap_not_running",
                     "the AP took the upload but has not converted it (stopped, paused or in its"
                     " sleep hours)")  # fmt: skip
    if now["nextupdate"] != NEVER:
        return Check(Verdict.WAITING, "converting", "the AP is converting the upload")
    if now["pending"] > 0:
        return Check(Verdict.WAITING, "tag_asleep",
                     f"the AP holds the image; the tag has not fetched it ({since})")  # fmt: skip
    if now["hash"] != before["hash"] and now["hash"] != EMPTY_HASH:
        return Check(Verdict.SHOWN)
    return Check(Verdict.WAITING, "unchanged",
                 "the AP converted the upload but queued nothing: the tag shows the same image,"
                 " or the AP lost it (reboot)")  # fmt: skip


class OpenEPaperLinkAP:
    """HTTP client of one AP at `base_url` (e.g. "http://192.168.1.50")."""

    name = "openepaperlink"

    def __init__(
        self, base_url: str, *, timeout_s: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme != "http" or not parsed.hostname:
            raise ValueError(f"AP URL must be http://host[:port], not {base_url!r}")
        self.host = parsed.hostname
        self.port = parsed.port or 80
        self.timeout_s = timeout_s
        self.where = f"OpenEPaperLink AP at {self.host}:{self.port}"
        self._health = Health(False, "unknown", f"{self.where}, not asked yet")
        self._clock = clock
        self._tag_types: dict[int, tuple[TagType | None, float]] = {}  # hwType → (type, read at)

    def _request(
        self, method: str, path: str, body: bytes | None = None, headers: Mapping[str, str] = {}
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)
        try:
            conn.request(method, path, body=body, headers=dict(headers))
            response = conn.getresponse()
            answer = response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            self._health = Health(False, "unreachable", f"{self.where}: {method} {path}: {exc!r}")
            raise EslTransientError(f"{method} {path}: {exc!r}") from exc
        finally:
            conn.close()
        if not self._health.ok and self._health.status in ("unknown", "unreachable"):
            self._health = Health(True, "online", self.where)
        return answer

    def tag_type(self, hw_type: int) -> TagType | None:
        """The AP's own definition of `hw_type` (GET /tagtypes/<HH>.json), kept TAG_TYPE_TTL_S;
        the built-in table's when the AP has none (404) or sends one that does not parse. When
        the AP cannot answer now: what was read last, else the built-in one (kept for no time),
        else `EslTransientError`, so that a type only the AP knows is asked again, not refused."""
        kept = self._tag_types.get(hw_type)
        now = self._clock()
        if kept is not None and now - kept[1] < TAG_TYPE_TTL_S:
            return kept[0]
        path = f"/tagtypes/{hw_type:02X}.json"
        try:
            status, payload = self._request("GET", path)
        except EslTransientError as exc:
            status, payload, failure = 0, b"", str(exc)
        else:
            failure = f"{path}: HTTP {status}"
        if status == 200:
            try:
                found: TagType | None = parse_tag_type(payload)
            except ValueError:
                found = TAG_TYPES.get(hw_type)
        elif status == 404:
            found = TAG_TYPES.get(hw_type)
        else:  # unreachable, or a fault: ask again next time
            fallback = kept[0] if kept is not None else TAG_TYPES.get(hw_type)
            if fallback is None:  # not "unknown": the AP may well know it
                raise EslTransientError(failure)
            return fallback
        self._tag_types[hw_type] = (found, now)
        return found

    def _get_db(self, query: str) -> tuple[list[LabelState], int | None]:
        status, payload = self._request("GET", f"/get_db?{query}")
        if status != 200:
            raise EslTransientError(f"/get_db?{query}: HTTP {status}")
        try:
            return parse_get_db(payload, self.tag_type)
        except (ValueError, KeyError, TypeError) as exc:
            raise EslTransientError(f"/get_db?{query}: unreadable answer: {exc}") from exc

    def observe(self, label: str) -> LabelState:
        mac = normalise_mac(label)
        tags, _ = self._get_db(f"mac={mac}")
        if not tags:
            raise EslRejectedError("unknown_mac", f"the AP at {self.host} knows no tag {mac}")
        return tags[0]

    def push(self, label: str, image: bytes, fields: LabelFields, version: int) -> None:
        mac = normalise_mac(label)
        status, _ = self._request(
            "POST",
            "/imgupload",
            imgupload_body(mac, image),
            {"Content-Type": f"multipart/form-data; boundary={MULTIPART_BOUNDARY}"},
        )
        if status != 200:
            raise EslTransientError(f"/imgupload {mac}: HTTP {status}")

    def check(self, before: LabelState, now: LabelState) -> Check:
        return delivery_check(json.loads(before.raw), json.loads(now.raw))

    def tags(self) -> tuple[list[LabelState], bool]:
        """Every tag /get_db pages reach, and whether that was all of them: pages past position
        255 cannot be asked for (the uint8_t `pos`); those tags are reachable by `observe` only."""
        found: list[LabelState] = []
        pos: int | None = 0
        while pos is not None:
            if pos > MAX_PAGE_POS:
                return found, False
            tags, nxt = self._get_db(f"pos={pos}")
            found.extend(tags)
            if nxt is not None and nxt <= pos:
                return found, False  # a pointer that does not advance would loop forever
            pos = nxt
        return found, True

    def status(self) -> Health:
        return self._health

    def probe(self) -> Health:
        """GET /get_ap_config: reachable, and the radio's state ("apstate", serialap.h)."""
        try:
            status, payload = self._request("GET", "/get_ap_config")
            config = json.loads(payload) if status == 200 else None
        except (EslTransientError, ValueError) as exc:
            self._health = Health(False, "unreachable", f"{self.where}: {exc}")
            return self._health
        if not isinstance(config, dict) or "apstate" not in config:
            self._health = Health(False, "unreachable", f"{self.where}: /get_ap_config: HTTP {status}")
            return self._health
        state = AP_STATES.get(int(config["apstate"]), str(config["apstate"]))
        self._health = Health(state == "online", "online" if state == "online" else f"radio_{state}",
                              self.where)  # fmt: skip
        return self._health
