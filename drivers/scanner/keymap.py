"""The keyboard-wedge core, with no I/O: Linux key events from a USB HID scanner in, characters out,
read in the keyboard layout the scanner types (`[scanner] keyboard_layout`, an xkb name).

Rules it keeps:
- Key codes are the kernel's (linux/input-event-codes.h), so evdev events feed it unchanged and
  tests need no evdev. A scanner "types" a character by pressing the keys that give it in the
  layout it is set to: a German-layout scanner types "Z" with the key that is Y on a US keyboard,
  a French one types "4" with Shift and the 4 key. So the characters are those of the layout the
  scanner is set to (drivers/scanner/layouts.py, copied from the XKB data), never assumed US.
- Shift (left or right) selects level 2; where the layout has AltGr (the right Alt key), AltGr
  selects level 3 and AltGr+Shift level 4. Key repeat (value 2) is ignored: a scanner never
  holds a key.
- Alt held while keypad digits are typed, then released, yields the character with that code: how
  scanners send GS (Alt+0029) and other control characters through a keyboard. Left Alt always;
  the right Alt key too on a layout without AltGr (US).
- Ctrl held with a key yields the ASCII control character of the character that key gives (its
  code point & 0x1F, as a terminal does): the other way scanners send control characters
  ("Ctrl+ASCII" keyboard-wedge mode, e.g. Honeywell, Zebra, Datalogic), so GS arrives as Ctrl+].
- A dead key followed by Space gives its accent as a character (^ ` ~ ´ ¨ ¸), as XKB's compose
  does; followed by anything else it gives NUL.
- Enter (main or keypad) ends a scan as CR, matching the serial framing core.
- A key that gives no character in the layout yields NUL, which the framing core reports as
  garbage instead of silently dropping or changing a character of a barcode.
"""

from __future__ import annotations

import unicodedata

from drivers.scanner.layouts import LAYOUTS, Layout

KEY_LEFTSHIFT = 42
KEY_RIGHTSHIFT = 54
KEY_LEFTALT = 56
KEY_RIGHTALT = 100
KEY_LEFTCTRL = 29
KEY_RIGHTCTRL = 97
KEY_RIGHTBRACE = 27
KEY_ENTER = 28
KEY_KPENTER = 96
KEY_SPACE = 57

KEY_UP, KEY_DOWN, KEY_REPEAT = 0, 1, 2

DEFAULT_LAYOUT = "us"

# Keys whose character is the same in every layout here: Tab, Space and the keypad's operators.
_SHARED: dict[int, str] = {15: "\t", KEY_SPACE: " ", 55: "*", 74: "-", 78: "+", 83: ".", 98: "/"}

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

# A dead key's accent as the character it gives before Space (XKB's Compose: <dead_X> <space>).
DEAD_SPACING: dict[str, str] = {
    "\u0302": "^",
    "\u0300": "`",
    "\u0303": "~",
    "\u0301": "\u00b4",
    "\u0308": "\u00a8",
    "\u0327": "\u00b8",
}


def layout_named(name: str) -> Layout:
    """The layout called `name` (an xkb name), or ValueError naming the ones known."""
    layout = LAYOUTS.get(name)
    if layout is None:
        raise ValueError(f"unknown keyboard layout {name!r}: one of {', '.join(LAYOUTS)}")
    return layout


def _is_dead(char: str) -> bool:
    return unicodedata.category(char) == "Mn"


class KeymapDecoder:
    """Turns (key code, value) pairs into characters, one `feed` per key event."""

    def __init__(self, layout: str = DEFAULT_LAYOUT) -> None:
        self.layout = layout_named(layout)
        self._shift: set[int] = set()
        self._alt: set[int] = set()
        self._altgr: set[int] = set()
        self._ctrl: set[int] = set()
        self._alt_digits = ""
        self._dead = ""

    def feed(self, code: int, value: int) -> str:
        """Return the characters this event completes ("" for none; at most two, when Enter
        ends a scan after a dangling dead key: NUL, then CR)."""
        if code in (KEY_LEFTSHIFT, KEY_RIGHTSHIFT):
            self._track(self._shift, code, value)
            return ""
        if code == KEY_RIGHTALT and self.layout.altgr:
            self._track(self._altgr, code, value)
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
        dead, self._dead = self._dead, ""
        if code in (KEY_ENTER, KEY_KPENTER):
            return "\x00\r" if dead else "\r"
        if dead:
            return DEAD_SPACING.get(dead, "\x00") if code == KEY_SPACE and not self._ctrl else "\x00"
        if code in KEYPAD_DIGITS:
            return KEYPAD_DIGITS[code]
        char = self.char(code, bool(self._shift), bool(self._altgr))
        if char is None:
            return "\x00"
        if _is_dead(char):
            self._dead = char
            return ""
        if self._ctrl:
            return _control_character(char)
        return char

    def char(self, code: int, shift: bool, altgr: bool) -> str | None:
        """The character (or dead accent) key `code` gives with these modifiers; None: none."""
        if code in _SHARED:
            return _SHARED[code]
        levels = self.layout.keys.get(code)
        if levels is None:
            return None
        index = (1 if shift else 0) + (2 if altgr and self.layout.altgr else 0)
        char = levels[index] if index < len(levels) else "\x00"
        return None if char == "\x00" else char

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


def keys_for_char(char: str, layout: str = DEFAULT_LAYOUT) -> list[tuple[int, bool, bool]]:
    """How `layout` types `char`: a list of (key code, shift, altgr) presses (a dead accent is its
    dead key, then Space). The simplest way first: no AltGr before AltGr, a plain key before a
    dead key and Space, the main keys before the ISO key left of Z (which US keyboards lack).
    ValueError when the layout cannot type it."""
    spec = layout_named(layout)
    ways: list[tuple[tuple[int, int, int, int], list[tuple[int, bool, bool]]]] = []
    for code, chars in spec.keys.items():
        for level, found in enumerate(chars):
            altgr, shift = bool(level & 2), bool(level & 1)
            if found == char:
                ways.append(((altgr, code == 86, 0, level), [(code, shift, altgr)]))
            elif DEAD_SPACING.get(found) == char:
                way = [(code, shift, altgr), (KEY_SPACE, False, False)]
                ways.append(((altgr, code == 86, 1, level), way))
    if ways:
        return min(ways, key=lambda way: way[0])[1]
    for code, shared in _SHARED.items():
        if shared == char:
            return [(code, False, False)]
    raise ValueError(f"the {layout} layout cannot type {char!r}")


def key_events_for(text: str, gs_as: str = "alt", layout: str = DEFAULT_LAYOUT) -> list[tuple[int, int]]:
    """The key events a wedge scanner set to `layout` types for `text`, ending with Enter. GS goes
    as Alt+0029 (`gs_as="alt"`) or as Ctrl+] (`gs_as="ctrl"`), the two ways scanners are
    programmed to send it."""
    events: list[tuple[int, int]] = []

    def press(code: int, shift: bool, altgr: bool) -> None:
        held = ([KEY_LEFTSHIFT] if shift else []) + ([KEY_RIGHTALT] if altgr else [])
        events.extend((key, KEY_DOWN) for key in held)
        events.extend([(code, KEY_DOWN), (code, KEY_UP)])
        events.extend((key, KEY_UP) for key in reversed(held))

    for char in text:
        if char == "\x1d" and gs_as == "ctrl":
            events.append((KEY_LEFTCTRL, KEY_DOWN))
            for code, shift, altgr in keys_for_char("]", layout):
                press(code, shift, altgr)
            events.append((KEY_LEFTCTRL, KEY_UP))
            continue
        if char == "\x1d":
            events.append((KEY_LEFTALT, KEY_DOWN))
            for digit in "0029":
                code = next(c for c, d in KEYPAD_DIGITS.items() if d == digit)
                events += [(code, KEY_DOWN), (code, KEY_UP)]
            events.append((KEY_LEFTALT, KEY_UP))
            continue
        for code, shift, altgr in keys_for_char(char, layout):
            press(code, shift, altgr)
    events += [(KEY_ENTER, KEY_DOWN), (KEY_ENTER, KEY_UP)]
    return events


def decode_keys(events: list[tuple[int, int]], layout: str = DEFAULT_LAYOUT) -> str:
    """The text a decoder in `layout` makes of a whole stream of key events."""
    decoder = KeymapDecoder(layout)
    return "".join(decoder.feed(code, value) for code, value in events)


def translate(text: str, typed_in: str, read_as: str) -> str | None:
    """What `text`, read through layout `read_as` (the computer's), was typed as by a scanner set
    to `typed_in`: each character back to its keys in `read_as`, then those keys in `typed_in`.
    None when `read_as` cannot have produced `text`. For text that reached the till through the
    desktop's keyboard layout (a Qt key event) rather than as raw key codes."""
    events: list[tuple[int, int]] = []
    try:
        for char in text:
            events += key_events_for(char, layout=read_as)[:-2]  # without its Enter
    except ValueError:
        return None
    decoded = decode_keys(events, typed_in)
    return None if "\x00" in decoded else decoded


def layouts_typing(expected: str, read: str, read_as: str = DEFAULT_LAYOUT) -> list[str]:
    """The layouts a scanner may be set to, given that scanning a code holding `expected` gave
    `read` through layout `read_as`: the installer's check (`pos devices test scanner`)."""
    return [name for name in LAYOUTS if translate(read, typed_in=name, read_as=read_as) == expected]
