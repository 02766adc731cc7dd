"""Raster images (GS v 0) built so that no real-time command can fire inside their bytes.

Rule: an ESC/POS printer acts on a real-time command (DLE EOT, DLE ENQ, DLE DC4) wherever its
bytes appear in what it receives, inside another command's data too ("If another command (such as
graphics data or defined data) has a code string in a parameter that is the same as this command,
the printer starts processing this command": the real-time command notes of the ESC/POS manuals,
e.g. HPRT TP80K, Epson TM-T90 specification). GS ( D, "Enable/disable real-time command", takes
only a = 1, 2: DLE DC4 fn 1 (pulse) and fn 2 (power-off); nothing disables DLE EOT or DLE ENQ, so
it cannot protect an image and is not sent. Hence the bytes of an image
command never contain 0x10 followed by 0x04, 0x05 or 0x14: an image whose raster does is moved
right by 1 to 7 dots (its bits then fall into different bytes), and only when no shift clears it
are the offending dots cleared (0x10 becomes 0x00: one white dot each). The command headers never
spell such a pair themselves: bands are at most 1023 rows, so yH < 4, and xH is 0.
"""

from __future__ import annotations

GS_V_0 = b"\x1dv0\x00"  # GS v 0, m = 0: normal density
REALTIME_SECOND_BYTES = frozenset((0x04, 0x05, 0x14))  # after DLE: EOT, ENQ, DC4
MAX_BAND_ROWS = 1023
MAX_SHIFT_DOTS = 7


def has_realtime_sequence(data: bytes) -> bool:
    """True when `data` holds a DLE followed by EOT, ENQ or DC4 anywhere."""
    start = data.find(0x10)
    while start != -1 and start + 1 < len(data):
        if data[start + 1] in REALTIME_SECOND_BYTES:
            return True
        start = data.find(0x10, start + 1)
    return False


def raster_commands(width_bytes: int, raster: bytes, max_width_bytes: int) -> bytes:
    """GS v 0 command(s) printing `raster` (rows of `width_bytes` bytes, bit 7 leftmost, 1 black)
    with no real-time command inside; the image may come out up to 7 dots further right."""
    if width_bytes <= 0 or not raster or len(raster) % width_bytes:
        raise ValueError(f"raster of {len(raster)} bytes is not whole rows of {width_bytes}")
    rows = [raster[i : i + width_bytes] for i in range(0, len(raster), width_bytes)]
    candidate = _bands(width_bytes, rows)
    if not has_realtime_sequence(candidate):
        return candidate
    if width_bytes < max_width_bytes:
        for shift in range(1, MAX_SHIFT_DOTS + 1):
            shifted = [_shift_right(row, shift) for row in rows]
            candidate = _bands(width_bytes + 1, shifted)
            if not has_realtime_sequence(candidate):
                return candidate
    return _bands(width_bytes, _cleared(b"".join(rows), width_bytes))


def _shift_right(row: bytes, dots: int) -> bytes:
    """The row one byte wider, its dots moved `dots` to the right (white enters on the left)."""
    value = int.from_bytes(row, "big") << (8 - dots)
    return value.to_bytes(len(row) + 1, "big")


def _cleared(raster: bytes, width_bytes: int) -> list[bytes]:
    data = bytearray(raster)
    for i in range(len(data) - 1):
        if data[i] == 0x10 and data[i + 1] in REALTIME_SECOND_BYTES:
            data[i] = 0x00
    return [bytes(data[i : i + width_bytes]) for i in range(0, len(data), width_bytes)]


def _bands(width_bytes: int, rows: list[bytes]) -> bytes:
    out = []
    for top in range(0, len(rows), MAX_BAND_ROWS):
        band = rows[top : top + MAX_BAND_ROWS]
        header = GS_V_0 + width_bytes.to_bytes(2, "little") + len(band).to_bytes(2, "little")
        out.append(header + b"".join(band))
    return b"".join(out)
