"""The built-in keyboard layouts against the XKB data itself: libxkbcommon (the library Qt and every
Linux desktop use) compiles each layout from xkeyboard-config's symbols files (package xkb-data,
/usr/share/X11/xkb/symbols/us, de, fr, …), and every key of drivers/scanner/layouts.py must give
what it gives, at every level. Nothing here is written from memory."""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.scanner.keymap import DEAD_SPACING, KEY_LEFTSHIFT, KEY_RIGHTALT
from drivers.scanner.layouts import LAYOUTS

XKB_SYMBOLS = Path("/usr/share/X11/xkb/symbols")
EVDEV_OFFSET = 8  # an XKB key code is the evdev code + 8 (xkeyboard-config keycodes/evdev)
KEY_DOWN = 1  # enum xkb_key_direction


class _RuleNames(ctypes.Structure):
    _fields_ = [(name, ctypes.c_char_p) for name in ("rules", "model", "layout", "variant", "options")]


@pytest.fixture(scope="module")
def xkb() -> ctypes.CDLL:
    name = ctypes.util.find_library("xkbcommon")
    assert name, "libxkbcommon is missing: packaging/setup.sh installs it with Qt"
    assert (XKB_SYMBOLS / "de").exists(), "xkb-data is missing: bash packaging/setup.sh --dev"
    lib = ctypes.CDLL(name)
    lib.xkb_context_new.restype = ctypes.c_void_p
    lib.xkb_context_new.argtypes = [ctypes.c_int]
    lib.xkb_keymap_new_from_names.restype = ctypes.c_void_p
    lib.xkb_keymap_new_from_names.argtypes = [ctypes.c_void_p, ctypes.POINTER(_RuleNames), ctypes.c_int]
    lib.xkb_state_new.restype = ctypes.c_void_p
    lib.xkb_state_new.argtypes = [ctypes.c_void_p]
    lib.xkb_state_unref.argtypes = [ctypes.c_void_p]
    lib.xkb_state_update_key.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int]
    lib.xkb_state_key_get_one_sym.restype = ctypes.c_uint32
    lib.xkb_state_key_get_one_sym.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    lib.xkb_state_key_get_utf8.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t]
    lib.xkb_keysym_get_name.argtypes = [ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t]
    return lib


class Compiled:
    """One layout as libxkbcommon compiles it (rules evdev, model pc105)."""

    def __init__(self, lib: ctypes.CDLL, layout: str) -> None:
        self.lib = lib
        context = lib.xkb_context_new(0)
        names = _RuleNames(b"evdev", b"pc105", layout.encode(), b"", b"")
        self.keymap = lib.xkb_keymap_new_from_names(context, ctypes.byref(names), 0)
        assert self.keymap, f"xkb cannot compile layout {layout}"

    def key(self, code: int, held: tuple[int, ...] = ()) -> tuple[str, str]:
        """(keysym name, text) of evdev key `code` with the evdev keys `held` down."""
        state = self.lib.xkb_state_new(self.keymap)
        try:
            for key in held:
                self.lib.xkb_state_update_key(state, key + EVDEV_OFFSET, KEY_DOWN)
            sym = self.lib.xkb_state_key_get_one_sym(state, code + EVDEV_OFFSET)
            name = ctypes.create_string_buffer(64)
            self.lib.xkb_keysym_get_name(sym, name, 64)
            text = ctypes.create_string_buffer(16)
            self.lib.xkb_state_key_get_utf8(state, code + EVDEV_OFFSET, text, 16)
            return name.value.decode(), text.value.decode()
        finally:
            self.lib.xkb_state_unref(state)


def _levels(layout: str) -> Iterator[tuple[int, int, str]]:
    for code, chars in LAYOUTS[layout].keys.items():
        for level, char in enumerate(chars):
            yield code, level, char


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_key_and_level_is_what_xkb_makes_of_the_layout(xkb: ctypes.CDLL, layout: str) -> None:
    compiled = Compiled(xkb, layout)
    spec = LAYOUTS[layout]
    assert spec.altgr == (compiled.key(KEY_RIGHTALT)[0] == "ISO_Level3_Shift")
    mismatches = []
    for code, level, char in _levels(layout):
        held = ((KEY_LEFTSHIFT,) if level & 1 else ()) + ((KEY_RIGHTALT,) if level & 2 else ())
        sym, text = compiled.key(code, held)
        if char == "\x00":
            ok = text == "" or not text.isprintable()
        elif char in DEAD_SPACING or "\u0300" <= char <= "\u036f":
            ok = sym.startswith("dead_") and text == ""
        else:
            ok = text == char
        if not ok:
            mismatches.append((code, level, char, sym, text))
    assert mismatches == []


def test_the_layouts_the_brief_names_are_known_with_their_famous_keys() -> None:
    # The keys issue 21 saw misread: German Y/Z swapped and "-" on the US "/" key; French digits
    # on Shift, "a" and "q" swapped.
    assert LAYOUTS["de"].keys[21][:2] == "zZ" and LAYOUTS["de"].keys[44][:2] == "yY"
    assert LAYOUTS["de"].keys[53][0] == "-" and LAYOUTS["de"].keys[8][1] == "/"
    assert LAYOUTS["fr"].keys[7][:2] == "-6" and LAYOUTS["fr"].keys[16][0] == "a"
    assert not LAYOUTS["us"].altgr and LAYOUTS["de"].altgr and LAYOUTS["fr"].altgr
