"""ESC/POS renderer: a print document becomes bytes, one self-contained chunk per block. No I/O.

Rule (the baseline): every chunk starts and ends with the printer in the baseline state that
ESC @ and power-on leave it in (left aligned, bold off, normal size, Chinese mode off). A chunk
sets what it needs and restores it after its line is printed, so any chunk can be sent after a
printer restart without the chunks before it; the print queue relies on this to resume a job.
Chunk 0 is the setup (ESC @, code page): it prints nothing and may be sent any number of times.
"""

from __future__ import annotations

import re

import qrcode
from escpos.constants import CD_KICK_2, CD_KICK_5, QR_ECLEVEL_M
from escpos.exceptions import Error as EscposError
from escpos.image import EscposImage
from escpos.printer import Dummy

from drivers.printer.document import (
    Block,
    Cut,
    Document,
    Feed,
    KickDrawer,
    Logo,
    QrCode,
    Rule,
    Text,
)
from drivers.printer.profiles import PrinterProfile
from drivers.printer.raster import raster_commands

ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
LF = b"\n"

INITIALIZE = ESC + b"@"
BOLD_ON, BOLD_OFF = ESC + b"E\x01", ESC + b"E\x00"
# GS ! n: bits 0-3 height multiplier - 1, bits 4-7 width multiplier - 1; 0x11 is 2x2.
DOUBLE_ON, DOUBLE_OFF = GS + b"!\x11", GS + b"!\x00"
KANJI_ON, KANJI_OFF = FS + b"&", FS + b"."
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01", "right": ESC + b"a\x02"}
# GS V m n with m = 65 / 66 (function B): feed to the cutting position plus n dots, then cut.
CUT_FULL, CUT_PARTIAL = GS + b"VA\x00", GS + b"VB\x00"
# A printer without a cutter: feed enough for the text to clear the tear bar.
TEAR_FEED_LINES = 4
# What to print for a character the printer's character set lacks. ¥ (U+00A5, the default
# currency symbol) exists only in GB18030, as the four bytes 81 30 84 36, which GBK and GB2312
# printers print as garbage; the full-width ￥ (U+FFE5) is A3 A4 in all three.
SUBSTITUTES = {"¥": "￥"}


class RenderError(ValueError):
    """A block cannot be rendered for this profile (bad QR size, raster of the wrong length)."""


def render(document: Document, profile: PrinterProfile) -> bytes:
    """The whole document as one byte string (setup chunk first)."""
    return b"".join(render_chunks(document, profile))


def render_chunks(document: Document, profile: PrinterProfile) -> list[bytes]:
    """Setup chunk, then one chunk per block; each chunk ends at a line boundary."""
    return [setup_chunk(profile), *(render_block(block, profile) for block in document)]


def setup_chunk(profile: PrinterProfile) -> bytes:
    code_page = b"" if profile.code_page is None else ESC + b"t" + bytes([profile.code_page])
    return INITIALIZE + code_page


def render_block(block: Block, profile: PrinterProfile) -> bytes:
    match block:
        case Text():
            return _text(block, profile)
        case Rule():
            return _text(Text(block.char * profile.columns), profile)
        case QrCode():
            return _qr(block, profile)
        case Logo():
            return _logo(block, profile)
        case Feed():
            return _feed(block.lines)
        case Cut():
            if not profile.cutter:
                return _feed(TEAR_FEED_LINES)
            return CUT_PARTIAL if block.partial else CUT_FULL
        case KickDrawer():
            if block.pin not in (0, 1):
                raise RenderError(f"drawer pin must be 0 (connector pin 2) or 1 (pin 5): {block.pin}")
            return bytes(CD_KICK_2 if block.pin == 0 else CD_KICK_5)
    raise RenderError(f"not a print block: {block!r}")


def drawer_kick(pin: int) -> bytes:
    """ESC p m t1 t2: pulse on t1 x 2 ms, off t2 x 2 ms (python-escpos's 100 ms / 100 ms)."""
    if pin not in (0, 1):
        raise RenderError(f"drawer pin must be 0 (connector pin 2) or 1 (pin 5): {pin}")
    return bytes(CD_KICK_2 if pin == 0 else CD_KICK_5)


def _text(block: Text, profile: PrinterProfile) -> bytes:
    if "\n" in block.text or "\r" in block.text:
        raise RenderError("a Text block is one line; split it into blocks")
    before: list[bytes] = []
    after: list[bytes] = []
    if block.align != "left":
        before.append(ALIGN[block.align])
        after.append(ALIGN["left"])
    if block.bold:
        before.append(BOLD_ON)
        after.append(BOLD_OFF)
    if block.double:
        before.append(DOUBLE_ON)
        after.append(DOUBLE_OFF)
    if profile.kanji_switch and not block.text.isascii():
        before.append(KANJI_ON)
        after.append(KANJI_OFF)
    # Modes are restored after LF so they never leak into the next chunk (the baseline rule).
    columns = profile.columns // 2 if block.double else profile.columns
    line = encode_line(block.text, profile, columns)
    return b"".join(before) + line + LF + b"".join(reversed(after))


def encode_line(text: str, profile: PrinterProfile, columns: int) -> bytes:
    """One line in the printer's character set, kept within the paper's columns.

    A character the set lacks becomes its `SUBSTITUTES` entry, else "?". In Chinese mode the
    printer draws every multi-byte character two columns wide, also ones a layout counted as one
    (¥, or its substitute ￥); when that pushes the line past the paper, the extra columns come
    out of the line's widest run of spaces (the padding of a two-column line), never by wrapping.
    """
    chars = []
    for char in text:
        for candidate in (char, SUBSTITUTES.get(char, "?"), "?"):
            try:
                candidate.encode(profile.encoding)
            except UnicodeEncodeError:
                continue
            chars.append(candidate)
            break
    line = "".join(chars)
    excess = sum(1 if ord(c) < 0x80 else 2 for c in line) - columns
    while excess > 0 and "  " in line:
        run = max(re.findall(" {2,}", line), key=len)
        at = line.rindex(run)
        line = line[:at] + line[at + 1 :]
        excess -= 1
    return line.encode(profile.encoding)


def _feed(lines: int) -> bytes:
    if not 0 <= lines <= 255:
        raise RenderError(f"feed lines must be 0..255: {lines}")
    return ESC + b"d" + bytes([lines])


def _qr(block: QrCode, profile: PrinterProfile) -> bytes:
    if not 1 <= block.size <= 16:
        raise RenderError(f"QR module size must be 1..16: {block.size}")
    if not block.data:
        raise RenderError("QR code without data")
    printer = Dummy(profile=profile.escpos_profile)
    if profile.native_qr:
        # python-escpos builds the GS ( k sequence: model 2, module size, level M, store, print.
        printer.qr(block.data, ec=QR_ECLEVEL_M, size=block.size, native=True)
        return ALIGN["center"] + bytes(printer.output) + ALIGN["left"]
    # The same symbol python-escpos draws for native=False (qrcode, border 1, level M), sent as
    # our own raster so that no real-time command can fire inside it.
    symbol = qrcode.QRCode(box_size=block.size, border=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    symbol.add_data(block.data)
    symbol.make(fit=True)
    return _image(EscposImage(symbol.make_image().get_image()), profile)


def _logo(block: Logo, profile: PrinterProfile) -> bytes:
    if isinstance(block.source, str):
        try:
            return _image(EscposImage(block.source), profile)
        except (OSError, ValueError, EscposError) as exc:  # unreadable
            raise RenderError(f"logo {block.source!r}: {exc}") from exc
    width_bytes = (block.width + 7) // 8
    if block.width <= 0 or block.width > profile.dots:
        raise RenderError(f"logo width must be 1..{profile.dots} dots: {block.width}")
    if not block.source or len(block.source) % width_bytes:
        raise RenderError(f"raster of {len(block.source)} bytes is not whole rows of {width_bytes}")
    return _raster(width_bytes, block.source, profile)


def _image(image: EscposImage, profile: PrinterProfile) -> bytes:
    if image.width > profile.dots:
        raise RenderError(f"image is {image.width} dots wide, the paper {profile.dots}")
    return _raster(image.width_bytes, image.to_raster_format(), profile)


def _raster(width_bytes: int, raster: bytes, profile: PrinterProfile) -> bytes:
    """Centred GS v 0 raster, with no real-time command inside (see raster.py)."""
    return ALIGN["center"] + raster_commands(width_bytes, raster, profile.dots // 8) + ALIGN["left"]
