"""The OpenEPaperLink access point as an `EslSystem`: `POST /imgupload` to hand a JPEG to a tag,
`GET /get_db` to read back what every tag shows.

Wire facts from the AP firmware (OpenEPaperLink ESP32_AP-Flasher/src/web.cpp, tag_db.cpp):
/imgupload is multipart with form fields `mac` (16 hex digits) and `dither`, plus the file part;
it answers 200 "Ok, saved", 400 "mac not found", 409 while the AP is not running. /get_db returns
{"tags": [...]} with per tag `mac`, `hash` (32 hex, md5 of the tag's current image), `pending`,
`hwType`, `lastseen`…, paged by ~5000 bytes: "continu" gives the `pos` of the next page.

Confirmation: `push` returns the md5 of the uploaded JPEG as the token, and a label counts as
delivered when /get_db shows that hash with `pending` 0. Our simulator hashes the upload itself;
the real firmware hashes the image it converts from the JPEG, so against a real AP the hashes do
not match and labels stay in the stale report (safe, loud) — see docs/esl.md.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import urllib.parse
from collections.abc import Mapping

from drivers.device import Health
from drivers.esl.system import EslRejectedError, EslTransientError, LabelFields, LabelStatus

# Display sizes of common tag types by `hwType` (OpenEPaperLink resources/tagtypes/*.json).
HW_TYPE_SIZES: dict[int, tuple[int, int]] = {
    0x00: (152, 152),  # 1.54"
    0x01: (296, 128),  # 2.9"
    0x02: (400, 300),  # 4.2"
    0x11: (296, 128),  # 2.9" (M3)
}

MULTIPART_BOUNDARY = "----posEslBoundary7MA4YWxkTrZu0gW"


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


def parse_get_db(payload: bytes) -> tuple[list[LabelStatus], int | None]:
    """One /get_db page → tag statuses and the `pos` of the next page (None when last)."""
    doc = json.loads(payload)
    if not isinstance(doc, dict) or not isinstance(doc.get("tags"), list):
        raise ValueError("get_db answer without a tags list")
    tags = []
    for tag in doc["tags"]:
        tags.append(
            LabelStatus(
                label=normalise_mac(str(tag["mac"])),
                shown_token=str(tag.get("hash", "")).lower(),
                pending=int(tag.get("pending", 0)),
                hw_type=int(tag["hwType"]) if "hwType" in tag else None,
            )
        )
    nxt = doc.get("continu")
    return tags, (int(nxt) if nxt is not None else None)


class OpenEPaperLinkAP:
    """HTTP client of one AP at `base_url` (e.g. "http://192.168.1.50")."""

    name = "openepaperlink"

    def __init__(self, base_url: str, *, timeout_s: float = 5.0, page_retries: int = 5) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme != "http" or not parsed.hostname:
            raise ValueError(f"AP URL must be http://host[:port], not {base_url!r}")
        self.host = parsed.hostname
        self.port = parsed.port or 80
        self.timeout_s = timeout_s
        self.page_retries = page_retries
        self._hw_types: dict[str, int] = {}
        self._last_error = ""
        self._last_ok = False

    def _request(
        self, method: str, path: str, body: bytes | None = None, headers: Mapping[str, str] = {}
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)
        try:
            conn.request(method, path, body=body, headers=dict(headers))
            response = conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            self._last_ok = False
            self._last_error = f"{method} {path}: {exc!r}"
            raise EslTransientError(self._last_error) from exc
        finally:
            conn.close()

    def push(self, label: str, image: bytes, fields: LabelFields, version: int) -> str:
        mac = normalise_mac(label)
        status, text = self._request(
            "POST",
            "/imgupload",
            imgupload_body(mac, image),
            {"Content-Type": f"multipart/form-data; boundary={MULTIPART_BOUNDARY}"},
        )
        if status == 200:
            self._last_ok = True
            return hashlib.md5(image).hexdigest()
        message = f"/imgupload {mac}: {status} {text[:100].decode('utf-8', 'replace')}"
        self._last_error = message
        if status == 400 and b"mac not found" in text:
            raise EslRejectedError(message)
        raise EslTransientError(message)

    def tag_statuses(self) -> dict[str, LabelStatus]:
        """Every tag the AP knows, page by page; a page that keeps failing ends the walk early
        (the caller gets what was read, the rest is asked for next time)."""
        out: dict[str, LabelStatus] = {}
        pos: int | None = 0
        while pos is not None:
            page = self._page(pos)
            if page is None:
                break
            tags, nxt = page
            for tag in tags:
                out[tag.label] = tag
                if tag.hw_type is not None:
                    self._hw_types[tag.label] = tag.hw_type
            if nxt is not None and nxt <= pos:
                break  # a page pointer that does not advance would loop forever
            pos = nxt
        return out

    def _page(self, pos: int) -> tuple[list[LabelStatus], int | None] | None:
        for _ in range(self.page_retries):
            try:
                status, payload = self._request("GET", f"/get_db?pos={pos}")
            except EslTransientError:
                continue
            if status != 200:
                self._last_error = f"/get_db: {status}"
                continue
            try:
                result = parse_get_db(payload)
            except (ValueError, KeyError, TypeError) as exc:
                self._last_error = f"/get_db: unreadable answer: {exc}"
                continue
            self._last_ok = True
            return result
        return None

    def confirm(self, awaiting: Mapping[str, str]) -> set[str]:
        if not awaiting:
            return set()
        shown = self.tag_statuses()
        done = set()
        for label, token in awaiting.items():
            tag = shown.get(normalise_mac(label))
            if tag is not None and tag.pending == 0 and tag.shown_token == token:
                done.add(label)
        return done

    def label_size(self, label: str) -> tuple[int, int] | None:
        hw = self._hw_types.get(normalise_mac(label))
        return None if hw is None else HW_TYPE_SIZES.get(hw)

    def status(self) -> Health:
        if self._last_ok:
            return Health(True, "online")
        return Health(False, "unreachable" if self._last_error else "unknown", self._last_error)
