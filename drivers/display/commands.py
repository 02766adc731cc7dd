"""The Epson ESC/POS customer-display command set as bytes, and the text layout, with no I/O.

Commands, from the Epson DM-D / POS-X XP8200 manual §4.1.2 "EPSON Command Mode" (also the
Tysso VFD-450 "Mode 1" list): ESC @ (1B 40) initialise, CLR (0C) clear screen, US $ x y
(1F 24 x y) cursor to column x 1–20, row y 1–2, ESC t n (1B 74 n) character code table,
HOM (0B) home, CAN (18) clear cursor line, US MD1 (1F 01) overwrite mode.
Rules kept here: every line is written in full (padded), so nothing from the last screen
survives; a line never holds more bytes than the display has columns, and a multi-byte
character is never cut in half. A display that supports GB18030 (its profile says so) shows
Chinese, taking two columns per Han character; otherwise text goes out in the profile's code
page, falling back to the caller's English name, then to accents stripped and "?" for the rest.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

ESC, US = 0x1B, 0x1F
INITIALIZE = b"\x1b@"
CLEAR = b"\x0c"
HOME = b"\x0b"
OVERWRITE_MODE = b"\x1f\x01"


@dataclass(frozen=True)
class DisplayProfile:
    """What a display model can do, as data (python-escpos's way)."""

    columns: int = 20
    rows: int = 2
    encoding: str = "cp437"
    code_table: int | None = None  # ESC t n to send at init, when the code page needs selecting
    gb18030: bool = False


PROFILES: dict[str, DisplayProfile] = {
    "epson": DisplayProfile(encoding="cp437", code_table=0),
    "epson-latin1": DisplayProfile(encoding="cp1252", code_table=16),
    "gb18030": DisplayProfile(encoding="gb18030", gb18030=True),
}


def move_cursor(column: int, row: int) -> bytes:
    """US $ x y, 1-based as the manual numbers them."""
    return bytes([US, ord("$"), column, row])


def select_code_table(table: int) -> bytes:
    return bytes([ESC, ord("t"), table])


class DisplayCommands:
    """Builds the bytes for whole screens on a display with the given profile."""

    def __init__(self, profile: DisplayProfile) -> None:
        self.profile = profile

    def initialize(self) -> bytes:
        data = INITIALIZE + OVERWRITE_MODE
        if self.profile.code_table is not None:
            data += select_code_table(self.profile.code_table)
        return data + CLEAR

    def screen(self, top: bytes, bottom: bytes) -> bytes:
        """Two already-fitted lines, each written from column 1 over the old one."""
        return move_cursor(1, 1) + top + move_cursor(1, 2) + bottom

    def encode(self, text: str, fallback: str | None = None) -> bytes:
        """Text in the display's encoding, by the fallback rule at the top of this module."""
        encoding = "gb18030" if self.profile.gb18030 else self.profile.encoding
        try:
            return text.encode(encoding)
        except UnicodeEncodeError:
            pass
        if fallback is not None:
            try:
                return fallback.encode(encoding)
            except UnicodeEncodeError:
                text = fallback
        stripped = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        return stripped.encode(encoding, errors="replace")

    def fit(self, text: str, width: int | None = None, fallback: str | None = None) -> bytes:
        """`text` cut to `width` columns (default: the whole line) on a character boundary."""
        width = self.profile.columns if width is None else width
        encoded = self.encode(text, fallback)
        encoding = "gb18030" if self.profile.gb18030 else self.profile.encoding
        if len(encoded) <= width:
            return encoded
        out = b""
        for char in encoded.decode(encoding, errors="replace"):
            piece = char.encode(encoding, errors="replace")
            if len(out) + len(piece) > width:
                break
            out += piece
        return out

    def line(self, left: str, right: str = "", fallback: str | None = None) -> bytes:
        """One full-width line: `left` flush left, `right` flush right; `right` wins space."""
        columns = self.profile.columns
        right_bytes = self.fit(right)
        room = columns - len(right_bytes) - (1 if right_bytes and left else 0)
        left_bytes = self.fit(left, max(room, 0), fallback) if room > 0 else b""
        gap = columns - len(left_bytes) - len(right_bytes)
        return left_bytes + b" " * gap + right_bytes

    def centred(self, text: str) -> bytes:
        body = self.fit(text)
        pad = self.profile.columns - len(body)
        return b" " * (pad // 2) + body + b" " * (pad - pad // 2)
