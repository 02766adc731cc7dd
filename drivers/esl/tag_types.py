"""Display sizes of OpenEPaperLink tag types, by the `hwType` a tag reports in /get_db.

From the OpenEPaperLink repository's tag-type table, resources/tagtypes/<hwType>.json (fields
`name`, `width`, `height`, `bpp`; commit 468f6b7, July 2024). The AP draws an uploaded JPEG at
its own size onto the tag's `width` × `height` and does not scale it (makeimage.cpp,
`jpg2buffer`), so a label must be rendered at exactly this size; a type not in this table is
refused, never guessed. Left out on purpose: 0xBE (a BLE thermometer, 6 × 8) and 0xF0 (a
segmented display): they show no image.
"""

from __future__ import annotations

from typing import NamedTuple


class TagType(NamedTuple):
    name: str
    width: int
    height: int
    bpp: int  # 1: black/white, 2: black/white/red or yellow, 16: colour TFT


TAG_TYPES: dict[int, TagType] = {
    0x00: TagType('M2 1.54"', 152, 152, 2),
    0x01: TagType('M2 2.9"', 296, 128, 2),
    0x02: TagType('M2 4.2"', 400, 300, 2),
    0x05: TagType('M2 7.4"', 640, 384, 2),
    0x11: TagType('M2 2.9" (UC8151)', 296, 128, 2),
    0x12: TagType('M2 4.2" UC', 400, 300, 2),
    0x21: TagType('ST‐GM29XXF 2.9"', 296, 128, 1),
    0x22: TagType('M2 2.7"', 264, 176, 2),
    0x26: TagType('M2 7.5" BW', 640, 384, 1),
    0x27: TagType('ST‐GM29MT1 2.9"', 296, 128, 1),
    0x2E: TagType('M3 9.7"', 960, 672, 2),
    0x2F: TagType('M3 4.3"', 522, 152, 2),
    0x30: TagType('M3 1.6"', 200, 200, 2),
    0x31: TagType('M3 2.2"', 296, 160, 2),
    0x32: TagType('M3 2.6"', 360, 184, 2),
    0x33: TagType('M3 2.9"', 384, 168, 2),
    0x34: TagType('M3 4.2"', 400, 300, 2),
    0x35: TagType('M3 6.0"', 600, 448, 2),
    0x36: TagType('M3 7.5"', 800, 480, 2),
    0x37: TagType('M3 11.6"', 960, 640, 2),
    0x3C: TagType('M3 4.2" BWY', 400, 300, 2),
    0x40: TagType('M3 2.9" BW', 384, 168, 1),
    0x41: TagType('M3 5.85"', 792, 272, 2),
    0x42: TagType('M3 5.85" BW', 792, 272, 1),
    0x43: TagType('M3 1.3" Peghook', 144, 200, 2),
    0x54: TagType('HS BW 2.13"', 256, 128, 1),
    0x55: TagType('HS BWR 2.13"', 256, 128, 2),
    0x56: TagType('HS BWR 2.66"', 296, 152, 2),
    0x60: TagType('HS BWY 3.5"', 384, 184, 2),
    0x61: TagType('HS BWR 3.5"', 384, 184, 2),
    0x62: TagType('HS BW 3.5"', 384, 184, 1),
    0x80: TagType('Chroma 7.4"', 640, 384, 2),
    0x81: TagType('Chroma29 2.9" (UC8154)', 296, 128, 2),
    0x82: TagType('Chroma29 2.9"', 296, 128, 2),
    0x83: TagType('Chroma42 4.2"', 400, 300, 2),
    0xB0: TagType('Gicisky BLE EPD BW 2.13"', 250, 128, 1),
    0xB1: TagType('Gicisky BLE EPD BWR 2.13"', 250, 128, 2),
    0xB2: TagType('Gicisky BLE EPD BW 2.9"', 296, 128, 1),
    0xB3: TagType('Gicisky BLE EPD BWR 2.9"', 296, 128, 2),
    0xB5: TagType('Gicisky BLE EPD BWR 4.2"', 400, 300, 2),
    0xBA: TagType('Gicisky BLE TFT 2.13"', 250, 132, 1),
    0xBD: TagType('BLE EPD BWR 2.9" Silabs', 384, 168, 2),
    0xE0: TagType('TFT 320x172', 320, 172, 16),
    0xE1: TagType('TFT 160x80', 160, 80, 16),
}
