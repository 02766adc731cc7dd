"""A finished sale's receipt as a print document (drivers.printer.document blocks): the core's
text rendering, line by line, at the printer's column width, then the e-receipt QR code and a cut.
A reprint (or a training sale) carries its mark above and below, so a copy or a practice receipt
is never taken for the original.
"""

from __future__ import annotations

from drivers.printer.document import Block, Cut, Feed, QrCode, Text
from edge.sale.receipt import Receipt, render_text


def receipt_document(receipt: Receipt, columns: int, mark: str | None = None) -> list[Block]:
    """`mark`: edge.sale.receipt.receipt_mark (a reprint, a training sale), printed first and
    last."""
    lines = render_text(receipt, columns).splitlines()
    blocks: list[Block] = [Text(mark, bold=True)] if mark else []
    blocks.append(Text(lines[0], bold=True))
    blocks.extend(Text(line) for line in lines[1:])
    if mark:
        blocks.append(Text(mark, bold=True))
    blocks.extend([QrCode(receipt.qr_payload, size=5), Feed(2), Cut(partial=True)])
    return blocks
