"""OpenEPaperLink tag types: the size and colours of the image a tag of each `hwType` shows.

The AP serves its own definitions at GET /tagtypes/<HH>.json (web.cpp: `serveStatic("/tagtypes",
contentFS, "/tagtypes/")`, Cache-Control max-age=300; HH is the hwType as two upper-case hex
digits, tag_db.cpp `getHwType`: "/tagtypes/%02X.json"), and converts uploads with exactly those:
`width`, `height`, `bpp` and `colortable` (colour name → [r, g, b], in palette order). The AP
draws an uploaded JPEG at its own size onto the tag's width × height and does not scale it
(makeimage.cpp `jpg2buffer`), so a label must be rendered at exactly that size.

`parse_tag_type` reads one such file. `TAG_TYPES` is the built-in fallback for an AP that cannot
answer, copied from the OpenEPaperLink repository's resources/tagtypes/*.json at commit cdd1cfa
(August 2026; 0x81 is now the 800 × 480 Chroma Aeon 74, 0xBA is 250 × 136). Left out, as the AP
draws no image for them (no colour table): 0xBE (a BLE thermometer), 0xF0 (a segmented display)
and 0xFA (config mode). A type neither the AP nor this table knows is refused, never guessed.
"""

from __future__ import annotations

import json
from typing import NamedTuple

# Colour tables, in the order the tag-type files list them.
BW = ("white", "black")
BWR = ("white", "black", "red")
BWY = ("white", "black", "yellow")
BWRY = ("white", "black", "red", "yellow")
KWYR = ("black", "white", "yellow", "red")
BWR_GRAY = ("white", "black", "red", "gray")
ACEP7 = ("black", "white", "green", "blue", "red", "yellow", "orange")
SPECTRA7 = ("black", "white", "yellow", "red", "orange", "blue", "green")


class TagType(NamedTuple):
    name: str
    width: int
    height: int
    bpp: int  # 1: black/white, 2: a third (and fourth) colour, 3–5: more colours, 16: colour TFT
    colors: tuple[str, ...]

    @property
    def shows_label(self) -> bool:
        """A shelf label is black on white: the tag needs both, and an image at all."""
        return self.width > 0 and self.height > 0 and {"black", "white"} <= set(self.colors)


def parse_tag_type(payload: bytes) -> TagType:
    """One /tagtypes/<HH>.json file as a TagType; ValueError when it is not one."""
    try:
        doc = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ValueError("not a JSON object")
    table = doc.get("colortable", {})
    if not isinstance(table, dict):
        raise ValueError("colortable is not an object")
    try:
        # The AP's web UI reads these with parseInt: numbers, or strings of digits.
        width, height, bpp = (int(doc[key]) for key in ("width", "height", "bpp"))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"width, height and bpp must be whole numbers ({exc})") from None
    if not (0 <= width <= 4096 and 0 <= height <= 4096):
        raise ValueError(f"size {width} × {height} is out of range")
    return TagType(str(doc.get("name") or ""), width, height, bpp, tuple(str(c) for c in table))


TAG_TYPES: dict[int, TagType] = {
    0x00: TagType('M2 1.54"', 152, 152, 2, BWR),
    0x01: TagType('M2 2.9"', 296, 128, 2, BWR),
    0x02: TagType('M2 4.2"', 400, 300, 2, BWR),
    0x03: TagType('M2 2.2"', 212, 104, 2, BWR),
    0x04: TagType('M2 2.6"', 296, 152, 2, BWR),
    0x05: TagType('M2 7.4"', 640, 384, 2, BWR),
    0x06: TagType('Opticon 2.2"', 250, 128, 2, BWRY),
    0x07: TagType('Opticon 2.9"', 296, 128, 2, BWRY),
    0x08: TagType('Opticon 4.2"', 400, 300, 2, BWR),
    0x09: TagType('Opticon 7.5"', 640, 384, 2, BWR),
    0x11: TagType('M2 2.9" (UC8151)', 296, 128, 2, BWR),
    0x12: TagType('M2 4.2" UC', 400, 300, 2, BWR),
    0x21: TagType('ST‐GM29XXF 2.9"', 296, 128, 1, BW),
    0x22: TagType('M2 2.7"', 264, 176, 2, BWR),
    0x26: TagType('M2 7.5" BW', 640, 384, 1, BW),
    0x27: TagType('ST‐GM29MT1 2.9"', 296, 128, 1, BW),
    0x28: TagType('M3 1.6" BWRY', 168, 168, 2, BWRY),
    0x29: TagType('M3 2.4" BWRY', 296, 168, 2, BWRY),
    0x2A: TagType('M3 3.0" BWRY', 400, 168, 2, BWRY),
    0x2B: TagType('M3 2.9" BWRY', 384, 168, 2, BWRY),
    0x2C: TagType('M3 4.3" BWRY', 522, 152, 2, BWRY),
    0x2D: TagType('M3 12.2"', 960, 768, 2, BWR),
    0x2E: TagType('M3 9.7"', 960, 672, 2, BWR),
    0x2F: TagType('M3 4.3"', 522, 152, 2, BWR),
    0x30: TagType('M3 1.6"', 200, 200, 2, BWR),
    0x31: TagType('M3 2.2"', 296, 160, 2, BWR),
    0x32: TagType('M3 2.6"', 360, 184, 2, BWR),
    0x33: TagType('M3 2.9"', 384, 168, 2, BWR),
    0x34: TagType('M3 4.2"', 400, 300, 2, BWR),
    0x35: TagType('M3 6.0"', 600, 448, 2, BWR),
    0x36: TagType('M3 7.5"', 800, 480, 2, BWR),
    0x37: TagType('M3 11.6"', 960, 640, 2, BWR),
    0x38: TagType('M3 8.2" BWRY', 1024, 576, 2, BWRY),
    0x3C: TagType('M3 4.2" BWY', 400, 300, 2, BWY),
    0x40: TagType('M3 2.9" BW', 384, 168, 1, BW),
    0x41: TagType('M3 5.85"', 792, 272, 2, BWR),
    0x42: TagType('M3 5.85" BW', 792, 272, 1, BW),
    0x43: TagType('M3 1.3" Peghook', 144, 200, 2, BWR),
    0x44: TagType('M3 5.81" BW', 720, 256, 1, BW),
    0x45: TagType('M3 2.2 Lite"', 250, 128, 2, BWR),
    0x46: TagType('M3 2.2" BW', 296, 160, 2, BW),
    0x47: TagType('M3 2.7"', 300, 200, 2, BWR),
    0x48: TagType('M3 5.81" BWR', 720, 256, 2, BWR),
    0x49: TagType('M3 5.81" V2 BWR', 720, 256, 2, BWR),
    0x4A: TagType('M3 1.6" 200px BWRY', 200, 200, 2, BWRY),
    0x4B: TagType('M3 2.2" BWRY', 296, 160, 2, BWRY),
    0x4C: TagType('M3 7.5" BWRY', 800, 480, 2, BWRY),
    0x4D: TagType('M3 11.6" BWRY', 960, 640, 2, BWRY),
    0x4E: TagType('M3 2.6" BW', 360, 184, 1, BW),
    0x4F: TagType('M3 2.6" BWRY', 360, 184, 2, BWRY),
    0x50: TagType('HD150 5.83" BWR', 648, 480, 2, BWR),
    0x53: TagType('M3 3.5" BWRY RTL', 480, 224, 2, BWRY),
    0x54: TagType('HS BW 2.13"', 256, 128, 1, BW),
    0x55: TagType('HS BWR 2.13"', 256, 128, 2, BWR),
    0x56: TagType('HS BWR 2.66"', 296, 152, 2, BWR),
    0x57: TagType('TLSR BWR 1.54"', 200, 200, 2, BWR),
    0x58: TagType('TLSR BW 2.13"', 256, 128, 1, BWR),
    0x59: TagType('TLSR BWR 2.13"', 264, 136, 2, BWR_GRAY),
    0x5A: TagType('HS BW 2.13" LowRes', 212, 104, 1, BW),
    0x60: TagType('HS BWY 3.5"', 384, 184, 2, BWY),
    0x61: TagType('HS BWR 3.5"', 384, 184, 2, BWR),
    0x62: TagType('HS BW 3.5"', 384, 184, 1, BW),
    0x63: TagType('TLSR BWR 4.2"', 400, 300, 2, BWR),
    0x66: TagType('HS BWY 7,5"', 800, 480, 2, BWY),
    0x67: TagType('HS 2.00" BWY', 152, 200, 2, BWY),
    0x68: TagType('HS BWY 3.46"', 480, 176, 2, BWY),
    0x69: TagType('TLSR BW 2.13"', 250, 136, 1, BW),
    0x6A: TagType('HS BWR 5,83"', 648, 480, 2, BWR),
    0x6B: TagType('HS BWRY 7,5"', 800, 480, 2, BWRY),
    0x6C: TagType('HS BWRY 2,00"', 152, 200, 2, BWRY),
    0x6D: TagType('HS BWRY 3,5"', 384, 184, 2, BWRY),
    0x6E: TagType('HS BWRY 2,9"', 296, 128, 2, BWRY),
    0x6F: TagType('HS BWRY 2,60"', 296, 152, 2, BWRY),
    0x70: TagType('HS 2.9" HighRes', 384, 168, 2, BWR),
    0x71: TagType('HS 2.13" BWR High Res', 296, 144, 2, BWR),
    0x80: TagType('Chroma 7.4"', 640, 384, 2, BWR),
    0x81: TagType('Chroma Aeon 74 7.4"', 800, 480, 2, BWR),
    0x82: TagType('Chroma29 2.9"', 296, 128, 2, BWR),
    0x83: TagType('Chroma42 4.2"', 400, 300, 2, BWR),
    0x90: TagType('M3 4.2" BWRY', 400, 300, 2, BWRY),
    0x91: TagType('M3 1.6" 200px BWRY', 200, 200, 2, BWRY),
    0xB0: TagType('Gicisky BLE EPD BW 2.13"', 250, 128, 1, BW),
    0xB1: TagType('Gicisky BLE EPD BWR 2.13"', 250, 128, 2, BWR),
    0xB2: TagType('Gicisky BLE EPD BW 2.9"', 296, 128, 1, BW),
    0xB3: TagType('Gicisky BLE EPD BWR 2.9"', 296, 128, 2, BWR),
    0xB5: TagType('Gicisky BLE EPD BWR 4.2"', 400, 300, 2, BWR),
    0xBA: TagType('Gicisky BLE TFT 2.13"', 250, 136, 1, BW),
    0xBB: TagType('Gicisky BLE EPD BWRY 2.9"', 296, 128, 5, KWYR),
    0xBD: TagType('BLE EPD BWR 2.9" Silabs', 384, 168, 2, BWR),
    0xC0: TagType('BWRY example', 360, 184, 2, KWYR),
    0xC1: TagType('ACeP 4.01', 640, 400, 3, ACEP7),
    0xC2: TagType('Spectra 7.3', 800, 480, 4, SPECTRA7),
    0xE0: TagType('TFT 320x172', 320, 172, 16, BWR),
    0xE1: TagType('TFT 160x80', 160, 80, 16, BWR),
    0xE2: TagType('LILYGO TPANEL 4"', 480, 480, 16, BWR),
    0xE3: TagType('GDEM1085Z51 10.85"', 1360, 480, 2, BWR),
    0xE4: TagType('BLE TFT 128x128', 128, 128, 2, BWR),
    0xE5: TagType('TFT 240x320', 320, 172, 16, BWR),
}
