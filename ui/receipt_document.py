"""A finished sale's receipt as a print document (drivers.printer.document blocks): the core's
text rendering, line by line, at the printer's column width, then the e-receipt QR code and a cut.
A reprint carries the reprint mark above and below, so a copy is never taken for the original.
"""

from __future__ import annotations

from drivers.printer.document import Block, Cut, Feed, QrCode, Text
from edge.sale.receipt import Receipt, render_text
from edge.till.session import REPRINT_MARK


def receipt_document(receipt: Receipt, columns: int, reprint: bool = False) -> list[Block]:
    lines = render_text(receipt, columns).splitlines()
    blocks: list[Block] = [Text(REPRINT_MARK, bold=True)] if reprint else []
    blocks.append(Text(lines[0], bold=True))
    blocks.extend(Text(line) for line in lines[1:])
    if reprint:
        blocks.append(Text(REPRINT_MARK, bold=True))
    blocks.extend([QrCode(receipt.qr_payload, size=5), Feed(2), Cut(partial=True)])
    return blocks
