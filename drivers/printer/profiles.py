"""Printer capabilities as data (python-escpos's way): paper, columns, dots, Chinese mode, codepage.

Rule: the renderer asks the profile, never the model name; a new printer is a new profile here,
not a new branch in the renderer. Dot widths come from python-escpos's capability database.
"""

from __future__ import annotations

from dataclasses import dataclass

from escpos.capabilities import get_profile


@dataclass(frozen=True)
class PrinterProfile:
    """What one printer model can do.

    `kanji_switch`: the printer needs FS & before GB18030 text and FS . after (Chinese-market
    firmwares that power on in single-byte mode); False means it is always in Chinese mode, or
    has no Chinese font. `code_page`: the ESC t table for single-byte text, None to leave it.
    `native_qr`: the firmware draws QR codes itself (GS ( k); otherwise they go as a raster image.
    `encoding`: the printer's Chinese character set, one of `ENCODINGS`; a character outside it is
    printed as its substitute (the renderer's `SUBSTITUTES`: ¥ becomes the full-width ￥) or "?".
    """

    name: str
    paper_mm: int
    columns: int
    dots: int
    escpos_profile: str
    kanji_switch: bool = True
    encoding: str = "gb18030"
    code_page: int | None = None
    native_qr: bool = True
    cutter: bool = True


def _dots(escpos_profile: str) -> int:
    return int(get_profile(escpos_profile).profile_data["media"]["width"]["pixels"])


# The common 58 mm Chinese thermal printer (POS-5890 class, 203 dpi, 384 dots, Font A 32 columns);
# many have no cutter, but the ones sold for supermarket tills do.
PROFILE_58MM = PrinterProfile(
    name="58mm",
    paper_mm=58,
    columns=32,
    dots=_dots("POS-5890"),
    escpos_profile="POS-5890",
)

# The 80 mm class (TM-T20II geometry, 203 dpi, 576 dots, Font A 48 columns).
PROFILE_80MM = PrinterProfile(
    name="80mm",
    paper_mm=80,
    columns=48,
    dots=_dots("TM-T20II"),
    escpos_profile="TM-T20II",
)

PROFILES: dict[str, PrinterProfile] = {p.name: p for p in (PROFILE_58MM, PROFILE_80MM)}

# Chinese character sets of printer fonts: GB18030 firmwares print everything Unicode has a code
# for (if the font has the glyph); GBK and GB2312 firmwares print only their two-byte sets.
ENCODINGS = ("gb18030", "gbk", "gb2312")
