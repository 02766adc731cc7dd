"""The neutral print document: a list of frozen blocks, knowing nothing of receipts or ESC/POS.

Rule: a document is already laid out for its paper (32 columns on 58 mm, 48 on 80 mm); the
renderer never wraps, pads or reflows text, so what the UI composed is what prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Text:
    """One printed line (no newline inside); `double` is double width and height."""

    text: str
    bold: bool = False
    double: bool = False
    align: Align = "left"


@dataclass(frozen=True)
class Rule:
    """A separator line across the paper's full column width."""

    char: str = "-"


@dataclass(frozen=True)
class QrCode:
    """A QR code (model 2); `size` is the module size in dots, 1..16."""

    data: str
    size: int = 6


@dataclass(frozen=True)
class Logo:
    """A bitmap: a path to an image file, or packed 1-bit raster rows (1 = black dot).

    For raster bytes `width` is the width in dots; each row takes ceil(width / 8) bytes.
    """

    source: str | bytes
    width: int = 0


@dataclass(frozen=True)
class Feed:
    """Feed `lines` blank lines (0..255)."""

    lines: int = 1


@dataclass(frozen=True)
class Cut:
    """Feed to the cutter and cut; `partial` leaves a hinge so the receipt hangs."""

    partial: bool = False


@dataclass(frozen=True)
class KickDrawer:
    """Pulse the drawer-kick connector: pin 0 is connector pin 2, pin 1 is connector pin 5."""

    pin: int = 0


Block = Text | Rule | QrCode | Logo | Feed | Cut | KickDrawer
Document = Sequence[Block]
