"""Full card numbers (PANs) never enter the till: card results carry a masked PAN, and a
Luhn-valid run of 13 to 19 digits in any free text (a reference, a reason, a note, a name) is
refused, because free text is stored, journaled and sent to HQ as it is.
"""

from __future__ import annotations

import re

# Digits possibly grouped by single spaces or dashes, as people type card numbers.
_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d){12,}")


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def contains_full_pan(text: str) -> bool:
    """True when `text` holds a run of 13 to 19 digits (single spaces or dashes between them
    allowed) that passes the Luhn check. Longer runs (a provider's 28-digit transaction id) are
    not card numbers."""
    for match in _DIGIT_RUN.finditer(text):
        digits = match.group().replace(" ", "").replace("-", "")
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            return True
    return False
