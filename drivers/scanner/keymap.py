"""The keyboard-wedge core, with no I/O: Linux key events from a USB HID scanner in, characters out.

Rules it keeps:
- Key codes are the kernel's (linux/input-event-codes.h), so evdev events feed it unchanged and
  tests need no evdev. Layout is US, the layout scanners assume unless reprogrammed.
- Shift (left or right) selects the shifted character; key repeat (value 2) is ignored because a
  scanner never holds a key.
- Alt held while keypad digits are typed, then released, yields the character with that code: how
  scanners send GS (Alt+0029) and other control characters through a keyboard.
- Ctrl held with a key yields that key's ASCII control character (the key's code point & 0x1F, as a
  terminal does): the other way scanners send control characters ("Ctrl+ASCII" keyboard-wedge
  mode, e.g. Honeywell, Zebra, Datalogic), so GS arrives as Ctrl+] (LEFTCTRL + RIGHTBRACE).
- Enter (main or keypad) ends a scan as CR, matching the serial framing core.
- A key that has no character in this map yields NUL, which the framing core reports as garbage
  instead of silently dropping a character from a barcode.
"""

from __future__ import annotations

KEY_LEFTSHIFT = 42
KEY_RIGHTSHIFT = 54
KEY_LEFTALT = 56
KEY_RIGHTALT = 100
KEY_LEFTCTRL = 29
KEY_RIGHTCTRL = 97
KEY_RIGHTBRACE = 27
KEY_ENTER = 28
KEY_KPENTER = 96

KEY_UP, KEY_DOWN, KEY_REPEAT = 0, 1, 2

# (unshifted, shifted) per key code, US layout.
_CHARS: dict[int, tuple[str, str]] = {
    2: ("1", "!"), 3: ("2", "@"), 4: ("3", "#"), 5: ("4", "$"), 6: ("5", "%"),
    7: ("6", "^"), 8: ("7", "&"), 9: ("8", "*"), 10: ("9", "("), 11: ("0", ")"),
    12: ("-", "_"), 13: ("=", "+"), 15: ("\t", "\t"),
    16: ("q", "Q"), 17: ("w", "W"), 18: ("e", "E"), 19: ("r", "R"), 20: ("t", "T"),
    21: ("y", "Y"), 22: ("u", "U"), 23: ("i", "I"), 24: ("o", "O"), 25: ("p", "P"),
    26: ("[", "{"), 27: ("]", "}"),
    30: ("a", "A"), 31: ("s", "S"), 32: ("d", "D"), 33: ("f", "F"), 34: ("g", "G"),
    35: ("h", "H"), 36: ("j", "J"), 37: ("k", "K"), 38: ("l", "L"), 39: (";", ":"),
    40: ("'", '"'), 41: ("`", "~"), 43: ("\\", "|"),
    44: ("z", "Z"), 45: ("x", "X"), 46: ("c", "C"), 47: ("v", "V"), 48: ("b", "B"),
    49: ("n", "N"), 50: ("m", "M"), 51: (",", "<"), 52: (".", ">"), 53: ("/", "?"),
    55: ("*", "*"), 57: (" ", " "), 74: ("-", "-"), 78: ("+", "+"), 83: (".", "."),
    98: ("/", "/"),
}  # fmt: skip

KEYPAD_DIGITS: dict[int, str] = {
    82: "0",
    79: "1",
    80: "2",
    81: "3",
    75: "4",
    76: "5",
    77: "6",
    71: "7",
    72: "8",
    73: "9",
}

# The inverse map, for the simulator and the tests: character → (key code, needs shift).
KEYS_FOR_CHAR: dict[str, tuple[int, bool]] = {}
for _code, (_plain, _shifted) in sorted(_CHARS.items(), reverse=True):
    KEYS_FOR_CHAR[_shifted] = (_code, True)
    KEYS_FOR_CHAR[_plain] = (_code, False)


class KeymapDecoder:
    """Turns (key code, value) pairs into characters, one `feed` per key event."""

    def __init__(self) -> None:
        self._shift: set[int] = set()
        self._alt: set[int] = set()
        self._ctrl: set[int] = set()
        self._alt_digits = ""

    def feed(self, code: int, value: int) -> str:
        """Return the character this event completes, or "" when it completes none."""
        if code in (KEY_LEFTSHIFT, KEY_RIGHTSHIFT):
            self._track(self._shift, code, value)
            return ""
        if code in (KEY_LEFTALT, KEY_RIGHTALT):
            self._track(self._alt, code, value)
            if value == KEY_UP and not self._alt:
                return self._finish_alt_code()
            return ""
        if code in (KEY_LEFTCTRL, KEY_RIGHTCTRL):
            self._track(self._ctrl, code, value)
            return ""
        if value != KEY_DOWN:
            return ""
        if self._alt:
            if code in KEYPAD_DIGITS:
                self._alt_digits += KEYPAD_DIGITS[code]
                return ""
            return "\x00"
        if code in (KEY_ENTER, KEY_KPENTER):
            return "\r"
        if code in KEYPAD_DIGITS:
            return KEYPAD_DIGITS[code]
        pair = _CHARS.get(code)
        if pair is None:
            return "\x00"
        char = pair[1] if self._shift else pair[0]
        if self._ctrl:
            return _control_character(char)
        return char

    def _track(self, held: set[int], code: int, value: int) -> None:
        if value == KEY_DOWN:
            held.add(code)
        elif value == KEY_UP:
            held.discard(code)

    def _finish_alt_code(self) -> str:
        digits, self._alt_digits = self._alt_digits, ""
        if not digits:
            return ""
        number = int(digits)
        # Alt codes above 255 have no single-byte meaning on a POS keyboard wedge.
        return chr(number) if 0 < number <= 255 else "\x00"


def _control_character(char: str) -> str:
    """Ctrl + a key: "@", the letters and "[ \\ ] ^ _" give 0x00-0x1F (Ctrl+] is GS, 0x1D). Any
    other key has no control character: NUL (garbage to the framer), never the plain character."""
    upper = char.upper()
    return chr(ord(upper) & 0x1F) if "@" <= upper <= "_" else "\x00"


def key_events_for(text: str, gs_as: str = "alt") -> list[tuple[int, int]]:
    """The key events a wedge scanner types for `text`, ending with Enter. GS goes as Alt+0029
    (`gs_as="alt"`) or as Ctrl+] (`gs_as="ctrl"`), the two ways scanners are programmed to send it."""
    events: list[tuple[int, int]] = []
    for char in text:
        if char == "\x1d" and gs_as == "ctrl":
            events += [(KEY_LEFTCTRL, KEY_DOWN), (KEY_RIGHTBRACE, KEY_DOWN), (KEY_RIGHTBRACE, KEY_UP),
                       (KEY_LEFTCTRL, KEY_UP)]  # fmt: skip
            continue
        if char == "\x1d":
            events.append((KEY_LEFTALT, KEY_DOWN))
            for digit in "0029":
                code = next(c for c, d in KEYPAD_DIGITS.items() if d == digit)
                events += [(code, KEY_DOWN), (code, KEY_UP)]
            events.append((KEY_LEFTALT, KEY_UP))
            continue
        code, shifted = KEYS_FOR_CHAR[char]
        if shifted:
            events.append((KEY_LEFTSHIFT, KEY_DOWN))
        events += [(code, KEY_DOWN), (code, KEY_UP)]
        if shifted:
            events.append((KEY_LEFTSHIFT, KEY_UP))
    events += [(KEY_ENTER, KEY_DOWN), (KEY_ENTER, KEY_UP)]
    return events
