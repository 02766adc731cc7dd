"""Text that crosses a trust boundary: control characters are refused where text comes in (catalog
and promotion import) and stripped once more where text goes out to a device (receipt, display),
since old data or HQ's downlink may hold what import would now refuse; a CSV cell that a
spreadsheet would run as a formula is neutralised on export.

Rule CONTROL_CHARACTERS: C0 (U+0000-U+001F, tab and newlines included: every field is one line),
DEL (U+007F), C1 (U+0080-U+009F), the Unicode line and paragraph separators (U+2028, U+2029) and
lone surrogates (not encodable as UTF-8). ESC p on a receipt printer kicks the cash drawer; a
NUL or a newline breaks the line layout of every device.
Rule CSV_FORMULA (OWASP "CSV Injection"): a cell starting with = + - @ tab or CR is written with a
leading single quote, so the spreadsheet shows the text instead of evaluating it.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def first_control(text: str) -> str | None:
    """The first control character in `text` as "U+001B", or None when there is none."""
    match = _CONTROL.search(text)
    return f"U+{ord(match.group()):04X}" if match else None


def shown(text: str) -> str:
    """`text` safe to put in a message for a terminal or a log: control characters as escapes."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace")
                        .decode("ascii"), text)


def device_text(text: str) -> str:
    """`text` without its control characters, for printing or display."""
    return _CONTROL.sub("", text)


def csv_cell(value: object) -> object:
    """A value for a CSV export: text that a spreadsheet would run as a formula is quoted."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
