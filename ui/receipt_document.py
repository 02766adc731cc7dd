"""A finished sale's receipt as a print document (drivers.printer.document blocks): the core's
text rendering, line by line, at the printer's column width, then the e-receipt QR code and a cut.
"""

from __future__ import annotations

from drivers.printer.document import Block, Cut, Feed, QrCode, Text
from edge.sale.receipt import Receipt, render_text


def receipt_document(receipt: Receipt, columns: int) -> list[Block]:
    lines = render_text(receipt, columns).splitlines()
    blocks: list[Block] = [Text(lines[0], bold=True)]
    blocks.extend(Text(line) for line in lines[1:])
    blocks.extend([QrCode(receipt.qr_payload, size=5), Feed(2), Cut(partial=True)])
    return blocks
