"""Whether a scan's characters can be a barcode of its symbology: the check that refuses a misread
(a keyboard-wedge scanner typing one layout while the till reads another, a damaged read) instead
of delivering it. Pure; `refusal(data, symbology)` says why a scan cannot be one, or None.

Rules, by the AIM symbology identifier (ISO/IEC 15424) the scan opened with:
- Every scan holds at least one letter or digit. A barcode a store reads always does; a scan of
  punctuation alone is what digits become when a scanner types a layout that shifts its digits
  (French or Belgian AZERTY) and the till reads another: EAN 6901234567892 typed in "fr" and
  read as "us" is "^()!@#$%^&*(@".
- EAN/UPC (]E0 EAN-13, UPC-A, UPC-E; ]E4 EAN-8; ]E3 with its add-on; ]E1/]E2 the add-on alone):
  digits only, of a length the symbology has, with a right GS1 check digit (biip's GTIN and UPC-E
  parsers, GS1 General Specifications §7.9).
- GS1 data (]C1 GS1-128, ]e0 DataBar, ]d2 GS1 DataMatrix, ]Q3 GS1 QR, ]J1 GS1 DotCode): a GS1
  element string biip can parse (each AI's pattern), with right check digits where an AI has one
  (GTIN, SSCC, GLN).
- Any other symbology (Code 128 ]C0, QR ]Q1, …) or none: the first rule only. A payment code is
  one of these; its shape (digits, length, prefix) is the providers' and lives in
  payment_codes.py, which takes only what matches it.
"""

from __future__ import annotations

import biip
from biip.gs1_messages import GS1Message
from biip.gtin import Gtin
from biip.upc import Upc

_EAN_UPC = ("]E0", "]E1", "]E2", "]E3", "]E4")
_GS1 = ("]C1", "]e0", "]d2", "]Q3", "]J1")


def refusal(data: str, symbology: str = "") -> str | None:
    """Why `data` cannot be a barcode of `symbology` (an AIM id or ""), or None when it can."""
    if not any(char.isalnum() for char in data):
        return "no letter or digit in the scan: is the scanner set to the till's keyboard layout?"
    if symbology.startswith(_EAN_UPC):
        return _ean_upc(data, symbology[:3])
    if symbology.startswith(_GS1):
        return _gs1(data)
    return None


def _ean_upc(data: str, aim: str) -> str | None:
    if not (data.isascii() and data.isdigit()):
        return f"{aim} is EAN/UPC: digits only"
    if aim in ("]E1", "]E2"):
        return None if len(data) in (2, 5) else f"{aim} is an EAN/UPC add-on: 2 or 5 digits"
    main = data
    if aim == "]E3":  # main symbol then its 2- or 5-digit add-on
        main = next((data[: -len(add_on)] for add_on in (data[-5:], data[-2:])
                     if len(data) - len(add_on) in (8, 12, 13)), "")  # fmt: skip
    if aim == "]E4" and len(main) != 8:
        return "]E4 is EAN-8: 8 digits"
    if len(main) not in (8, 12, 13):
        return f"{aim} is EAN/UPC: 8, 12 or 13 digits, not {len(data)}"
    try:
        if len(main) == 8 and aim == "]E0":  # UPC-E, whose check digit is its UPC-A's
            Upc.parse(main)
        else:
            Gtin.parse(main)
    except biip.ParseError as exc:
        return f"{aim}: {exc}"
    return None


def _gs1(data: str) -> str | None:
    try:
        message = GS1Message.parse(data)
    except (biip.ParseError, ValueError, IndexError) as exc:
        return f"not GS1 data: {exc}"
    for element in message.element_strings:
        error = element.gtin_error or element.sscc_error or element.gln_error
        if error:
            return f"GS1 ({element.ai.ai}): {error}"
    return None
