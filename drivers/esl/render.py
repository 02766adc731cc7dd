"""Label rendering with Pillow: name, price, unit price, promotion and an EAN-13 barcode into a
black-and-white image of the tag's resolution, encoded as the JPEG the AP takes.

Rule: the same fields and size give the same pixels — text is drawn without anti-aliasing, the
layout is computed from the size alone, so a snapshot hash can pin it. Chinese names use Noto Sans
CJK SC when installed; without it the fallback font draws what it can and `cjk_font_found` says so.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from drivers.esl.system import LabelFields

NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
NOTO_CJK_BOLD = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
NOTO_SC_INDEX = 2  # face order in the .ttc collection: JP, KR, SC, TC, HK

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=64)
def _font(size: int, bold: bool = False) -> Font:
    path = NOTO_CJK_BOLD if bold and NOTO_CJK_BOLD.exists() else NOTO_CJK
    if path.exists():
        return ImageFont.truetype(str(path), size, index=NOTO_SC_INDEX)
    try:
        return ImageFont.load_default(size)
    except (OSError, TypeError):  # a Pillow built without FreeType has only the bitmap font
        return ImageFont.load_default()


def cjk_font_found() -> bool:
    return NOTO_CJK.exists()


def format_fen(fen: int) -> str:
    """Fen to yuan text for the screen; integer arithmetic, no float ever touches money."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{cents:02d}"


# EAN-13 digit patterns (GS1 General Specifications §5.2.2.4): L and G codes for the left half,
# chosen by the first digit; R codes for the right half.
_L = ["0001101", "0011001", "0010011", "0111101", "0100011",
      "0110001", "0101111", "0111011", "0110111", "0001011"]  # fmt: skip
_G = ["0100111", "0110011", "0011011", "0100001", "0011101",
      "0111001", "0000101", "0010001", "0001001", "0010111"]  # fmt: skip
_R = ["1110010", "1100110", "1101100", "1000010", "1011100",
      "1001110", "1010000", "1000100", "1001000", "1110100"]  # fmt: skip
_PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
           "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]  # fmt: skip


def ean13_modules(code: str) -> str | None:
    """The 95 modules ('1' = bar) of an EAN-13 (or 12-digit UPC-A); None if not a valid code."""
    if len(code) == 12:
        code = "0" + code
    if len(code) != 13 or not code.isdigit():
        return None
    digits = [int(c) for c in code]
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits[:12])) % 10) % 10
    if check != digits[12]:
        return None
    parity = _PARITY[digits[0]]
    left = "".join((_L if p == "L" else _G)[d] for p, d in zip(parity, digits[1:7], strict=True))
    right = "".join(_R[d] for d in digits[7:])
    return "101" + left + "01010" + right + "101"


def _fit(draw: ImageDraw.ImageDraw, text: str, max_w: int, size: int, bold: bool) -> Font:
    """The largest font ≤ `size` that fits `text` in `max_w` (names are long, labels are small)."""
    while size > 8:
        font = _font(size, bold)
        if draw.textlength(text, font=font) <= max_w:
            return font
        size -= max(1, size // 10)
    return _font(8, bold)


def render_label(fields: LabelFields, size: tuple[int, int]) -> Image.Image:
    """The label as a mode "L" image with only black (0) and white (255) pixels."""
    w, h = size
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    draw.fontmode = "1"  # no anti-aliasing: e-paper is two-tone and snapshots stay exact
    pad = max(1, w // 60)

    name_font = _fit(draw, fields.name, w - 2 * pad, max(8, h // 6), bold=True)
    draw.text((pad, pad), fields.name, font=name_font, fill=0)
    top = pad + max(8, h // 6) + pad

    if fields.promotion:
        promo_font = _fit(draw, fields.promotion, w // 2, max(8, h // 9), bold=False)
        box = draw.textbbox((pad, top), fields.promotion, font=promo_font)
        draw.rectangle((box[0] - 1, box[1] - 1, box[2] + 1, box[3] + 1), fill=0)
        draw.text((pad, top), fields.promotion, font=promo_font, fill=255)
        top = int(box[3]) + 2 * pad

    price = format_fen(fields.price_fen)
    price_font = _fit(draw, price, w // 2, max(10, h // 3), bold=True)
    cur_font = _font(max(8, h // 8), bold=True)
    price_w = draw.textlength(price, font=price_font)
    cur_w = draw.textlength(fields.currency, font=cur_font)
    price_x = w - pad - price_w
    price_y = h // 3
    draw.text((price_x - cur_w - 1, price_y), fields.currency, font=cur_font, fill=0)
    draw.text((price_x, price_y), price, font=price_font, fill=0)

    small = _font(max(8, h // 10))
    if fields.unit_price_fen is not None:
        unit_text = f"{fields.currency}{format_fen(fields.unit_price_fen)}/{fields.unit}"
        draw.text((pad, top), unit_text, font=small, fill=0)

    modules = ean13_modules(fields.barcode) if fields.barcode else None
    bar_top = h * 2 // 3
    if modules is not None:
        module_w = max(1, (w // 2 - 2 * pad) // 95)
        bar_h = h - bar_top - pad
        for i, bit in enumerate(modules):
            if bit == "1":
                x = pad + i * module_w
                draw.rectangle((x, bar_top, x + module_w - 1, bar_top + bar_h - 1), fill=0)
    elif fields.barcode:
        draw.text((pad, bar_top), fields.barcode, font=small, fill=0)
    return img


def encode_jpeg(img: Image.Image) -> bytes:
    """JPEG for the AP's /imgupload. Fixed settings so equal pixels give equal bytes."""
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=95, subsampling=0, optimize=False)
    return out.getvalue()
