"""Keyboard layouts as a wedge scanner types them: per Linux key code, the character at each level.

Copied from the XKB data (xkeyboard-config 2.35, package xkb-data, symbols/us, gb, de, fr, be, es,
it) as libxkbcommon compiles it for model pc105 with the layout's xkb name; tests/drivers/scanner/
test_layouts.py compiles them again and compares, key by key. Per key a string of its levels:
1 plain, 2 Shift, then, where the right Alt key is AltGr (ISO_Level3_Shift: every layout here but
us), 3 AltGr and 4 AltGr+Shift. "\0" marks a level with no character (a keysym that types none);
a combining mark (U+0300–U+036F) marks a dead key, standing for its accent.

Only the main block is here (KEY_1 … KEY_SLASH and KEY_102ND, the ISO key left of Z): the keys
whose characters differ between layouts. Enter, Tab, Space and the keypad are the same in all.
"""

from __future__ import annotations

from typing import NamedTuple


class Layout(NamedTuple):
    name: str  # the xkb layout name
    altgr: bool  # the right Alt key is AltGr (level 3), not a second Alt
    keys: dict[int, str]  # key code → the characters of its levels


LAYOUTS: dict[str, Layout] = {
    "us": Layout("us", False, {
        2: "1!", 3: "2@", 4: "3#", 5: "4$", 6: "5%", 7: "6^", 8: "7&", 9: "8*", 10: "9(", 11: "0)",
        12: "-_", 13: "=+", 16: "qQ", 17: "wW", 18: "eE", 19: "rR", 20: "tT", 21: "yY", 22: "uU",
        23: "iI", 24: "oO", 25: "pP", 26: "[{", 27: "]}", 30: "aA", 31: "sS", 32: "dD", 33: "fF",
        34: "gG", 35: "hH", 36: "jJ", 37: "kK", 38: "lL", 39: ";:", 40: "'\"", 41: "`~", 43: "\\|",
        44: "zZ", 45: "xX", 46: "cC", 47: "vV", 48: "bB", 49: "nN", 50: "mM", 51: ",<", 52: ".>",
        53: "/?", 86: "<>",
    }),
    "gb": Layout("gb", True, {
        2: "1!\u00b9\u00a1", 3: "2\"\u00b2\u215b", 4: "3\u00a3\u00b3\u00a3", 5: "4$\u20ac\u00bc",
        6: "5%\u00bd\u215c", 7: "6^\u00be\u215d", 8: "7&{\u215e", 9: "8*[\u2122", 10: "9(]\u00b1",
        11: "0)}\u00b0", 12: "-_\\\u00bf", 13: "=+\u0327\u0328", 16: "qQ@\u03a9", 17: "wW\u017f\u00a7",
        18: "eEeE", 19: "rR\u00b6\u00ae", 20: "tT\u0167\u0166", 21: "yY\u2190\u00a5",
        22: "uU\u2193\u2191", 23: "iI\u2192\u0131", 24: "oO\u00f8\u00d8", 25: "pP\u00fe\u00de",
        26: "[{\u0308\u030a", 27: "]}\u0303\u0304", 30: "aA\u00e6\u00c6", 31: "sS\u00df\u1e9e",
        32: "dD\u00f0\u00d0", 33: "fF\u0111\u00aa", 34: "gG\u014b\u014a", 35: "hH\u0127\u0126",
        36: "jJ\u0309\u031b", 37: "kK\u0138&", 38: "lL\u0142\u0141", 39: ";:\u0301\u030b",
        40: "'@\u0302\u030c", 41: "`\u00ac||", 43: "#~\u0300\u0306", 44: "zZ\u00ab<", 45: "xX\u00bb>",
        46: "cC\u00a2\u00a9", 47: "vV\u201e\u201a", 48: "bB\u201c\u2018", 49: "nN\u201d\u2019",
        50: "mM\u00b5\u00ba", 51: ",<\u2022\u00d7", 52: ".>\u00b7\u00f7", 53: "/?\u0323\u0307",
        86: "\\||\u00a6",
    }),
    "de": Layout("de", True, {
        2: "1!\u00b9\u00a1", 3: "2\"\u00b2\u215b", 4: "3\u00a7\u00b3\u00a3", 5: "4$\u00bc\u00a4",
        6: "5%\u00bd\u215c", 7: "6&\u00ac\u215d", 8: "7/{\u215e", 9: "8([\u2122", 10: "9)]\u00b1",
        11: "0=}\u00b0", 12: "\u00df?\\\u00bf", 13: "\u0301\u0300\u0327\u0328", 16: "qQ@\u03a9",
        17: "wW\u017f\u00a7", 18: "eE\u20ac\u20ac", 19: "rR\u00b6\u00ae", 20: "tT\u0167\u0166",
        21: "zZ\u2190\u00a5", 22: "uU\u2193\u2191", 23: "iI\u2192\u0131", 24: "oO\u00f8\u00d8",
        25: "pP\u00fe\u00de", 26: "\u00fc\u00dc\u0308\u030a", 27: "+*~\u00af", 30: "aA\u00e6\u00c6",
        31: "sS\u017f\u1e9e", 32: "dD\u00f0\u00d0", 33: "fF\u0111\u00aa", 34: "gG\u014b\u014a",
        35: "hH\u0127\u0126", 36: "jJ\u0323\u0307", 37: "kK\u0138&", 38: "lL\u0142\u0141",
        39: "\u00f6\u00d6\u030b\u0323", 40: "\u00e4\u00c4\u0302\u030c", 41: "\u0302\u00b0\u2032\u2033",
        43: "#'\u2019\u0306", 44: "yY\u00bb\u203a", 45: "xX\u00ab\u2039", 46: "cC\u00a2\u00a9",
        47: "vV\u201e\u201a", 48: "bB\u201c\u2018", 49: "nN\u201d\u2019", 50: "mM\u00b5\u00ba",
        51: ",;\u00b7\u00d7", 52: ".:\u2026\u00f7", 53: "-_\u2013\u2014", 86: "<>|\u0331",
    }),
    "fr": Layout("fr", True, {
        2: "&1\u00b9\u00a1", 3: "\u00e92~\u215b", 4: "\"3#\u00a3", 5: "'4{$", 6: "(5[\u215c",
        7: "-6|\u215d", 8: "\u00e87`\u215e", 9: "_8\\\u2122", 10: "\u00e79^\u00b1",
        11: "\u00e00@\u00b0", 12: ")\u00b0]\u00bf", 13: "=+}\u0328", 16: "aA\u00e6\u00c6",
        17: "zZ\u00ab<", 18: "eE\u20ac\u00a2", 19: "rR\u00b6\u00ae", 20: "tT\u0167\u0166",
        21: "yY\u2190\u00a5", 22: "uU\u2193\u2191", 23: "iI\u2192\u0131", 24: "oO\u00f8\u00d8",
        25: "pP\u00fe\u00de", 26: "\u0302\u0308\u0308\u030a", 27: "$\u00a3\u00a4\u0304",
        30: "qQ@\u03a9", 31: "sS\u00df\u1e9e", 32: "dD\u00f0\u00d0", 33: "fF\u0111\u00aa",
        34: "gG\u014b\u014a", 35: "hH\u0127\u0126", 36: "jJ\u0309\u031b", 37: "kK\u0138&",
        38: "lL\u0142\u0141", 39: "mM\u00b5\u00ba", 40: "\u00f9%\u0302\u030c",
        41: "\u00b2~\u00ac\u00ac", 43: "*\u00b5\u0300\u0306", 44: "wW\u0142\u0141", 45: "xX\u00bb>",
        46: "cC\u00a2\u00a9", 47: "vV\u201e\u201a", 48: "bB\u201c\u2018", 49: "nN\u201d\u2019",
        50: ",?\u0301\u030b", 51: ";.\u2022\u00d7", 52: ":/\u00b7\u00f7", 53: "!\u00a7\u0323\u0307",
        86: "<>|\u00a6",
    }),
    "be": Layout("be", True, {
        2: "&1|\u00a1", 3: "\u00e92@\u215b", 4: "\"3#\u00a3", 5: "'4\u00bc$", 6: "(5\u00bd\u215c",
        7: "\u00a76^\u215d", 8: "\u00e87{\u215e", 9: "!8[\u2122", 10: "\u00e79{\u00b1",
        11: "\u00e00}\u00b0", 12: ")\u00b0\\\u00bf", 13: "-_\u0327\u0328", 16: "aA@\u03a9",
        17: "zZ\u017f\u00a7", 18: "eE\u20ac\u00a2", 19: "rR\u00b6\u00ae", 20: "tT\u0167\u0166",
        21: "yY\u2190\u00a5", 22: "uU\u2193\u2191", 23: "iI\u2192\u0131", 24: "oO\u0153\u0152",
        25: "pP\u00fe\u00de", 26: "\u0302\u0308[\u030a", 27: "$*]\u0304", 30: "qQ\u00e6\u00c6",
        31: "sS\u00df\u1e9e", 32: "dD\u00f0\u00d0", 33: "fF\u0111\u00aa", 34: "gG\u014b\u014a",
        35: "hH\u0127\u0126", 36: "jJ\u0309\u031b", 37: "kK\u0138&", 38: "lL\u0142\u0141",
        39: "mM\u0301\u030b", 40: "\u00f9%\u0301\u030c", 41: "\u00b2\u00b3\u00ac\u00ac",
        43: "\u00b5\u00a3\u0300\u0306", 44: "wW\u00ab<", 45: "xX\u00bb>", 46: "cC\u00a2\u00a9",
        47: "vV\u201e\u201a", 48: "bB\u201c\u2018", 49: "nN\u201d\u2019", 50: ",?\u0327\u00ba",
        51: ";.\u2022\u00d7", 52: ":/\u00b7\u00f7", 53: "=+\u0303\u0307", 86: "<>\\\\",
    }),
    "es": Layout("es", True, {
        2: "1!|\u00a1", 3: "2\"@\u215b", 4: "3\u00b7#\u00a3", 5: "4$~$", 6: "5%\u00bd\u215c",
        7: "6&\u00ac\u215d", 8: "7/{\u215e", 9: "8([\u2122", 10: "9)]\u00b1", 11: "0=}\u00b0",
        12: "'?\\\u00bf", 13: "\u00a1\u00bf\u0327\u0328", 16: "qQ@\u03a9", 17: "wW\u017f\u00a7",
        18: "eE\u20ac\u00a2", 19: "rR\u00b6\u00ae", 20: "tT\u0167\u0166", 21: "yY\u2190\u00a5",
        22: "uU\u2193\u2191", 23: "iI\u2192\u0131", 24: "oO\u00f8\u00d8", 25: "pP\u00fe\u00de",
        26: "\u0300\u0302[\u030a", 27: "+*]\u0304", 30: "aA\u00e6\u00c6", 31: "sS\u00df\u1e9e",
        32: "dD\u00f0\u00d0", 33: "fF\u0111\u00aa", 34: "gG\u014b\u014a", 35: "hH\u0127\u0126",
        36: "jJ\u0309\u031b", 37: "kK\u0138&", 38: "lL\u0142\u0141", 39: "\u00f1\u00d1\u0303\u030b",
        40: "\u0301\u0308{\u030c", 41: "\u00ba\u00aa\\\\", 43: "\u00e7\u00c7}\u0306", 44: "zZ\u00ab<",
        45: "xX\u00bb>", 46: "cC\u00a2\u00a9", 47: "vV\u201e\u201a", 48: "bB\u201c\u2018",
        49: "nN\u201d\u2019", 50: "mM\u00b5\u00ba", 51: ",;\u2022\u00d7", 52: ".:\u00b7\u00f7",
        53: "-_\u0323\u0307", 86: "<>|\u00a6",
    }),
    "it": Layout("it", True, {
        2: "1!\u00b9\u00a1", 3: "2\"\u00b2\u030b", 4: "3\u00a3\u00b3\u0303", 5: "4$\u00bc\u215b",
        6: "5%\u00bd\u215c", 7: "6&\u00ac\u215d", 8: "7/{\u215e", 9: "8([\u2122", 10: "9)]\u00b1",
        11: "0=}\u0328", 12: "'?`\u00bf", 13: "\u00ec^~\u0302", 16: "qQ@\u03a9", 17: "wW\u017f\u00a7",
        18: "eE\u20ac\u00a2", 19: "rR\u00b6\u00ae", 20: "tT\u0167\u0166", 21: "yY\u2190\u00a5",
        22: "uU\u2193\u2191", 23: "iI\u2192\u0131", 24: "oO\u00f8\u00d8", 25: "pP\u00fe\u00de",
        26: "\u00e8\u00e9[{", 27: "+*]}", 30: "aA\u00e6\u00c6", 31: "sS\u00df\u1e9e",
        32: "dD\u00f0\u00d0", 33: "fF\u0111\u00aa", 34: "gG\u014b\u014a", 35: "hH\u0127\u0126",
        36: "jJ\u0309\u031b", 37: "kK\u0138&", 38: "lL\u0142\u0141", 39: "\u00f2\u00e7@\u0327",
        40: "\u00e0\u00b0#\u030a", 41: "\\|\u00ac\u00a6", 43: "\u00f9\u00a7\u0300\u0306",
        44: "zZ\u00ab<", 45: "xX\u00bb>", 46: "cC\u00a2\u00a9", 47: "vV\u201c\u2018",
        48: "bB\u201d\u2019", 49: "nN\u00f1\u00d1", 50: "mM\u00b5\u00ba", 51: ",;\u0301\u00d7",
        52: ".:\u00b7\u0308", 53: "-_\u0304\u00f7", 86: "<>\u00ab\u00bb",
    }),

}
