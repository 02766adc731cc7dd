"""Keyboard-wedge keymap core: kernel key codes (linux/input-event-codes.h) in, characters out."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from drivers.device import ErrorEvent
from drivers.scanner.keymap import (
    KEY_DOWN,
    KEY_LEFTALT,
    KEY_LEFTCTRL,
    KEY_LEFTSHIFT,
    KEY_RIGHTBRACE,
    KEY_RIGHTCTRL,
    KEY_UP,
    KeymapDecoder,
    key_events_for,
)
from drivers.scanner.protocol import ScanEvent, ScannerProtocol


def type_events(events: list[tuple[int, int]]) -> str:
    decoder = KeymapDecoder()
    return "".join(decoder.feed(code, value) for code, value in events)


def test_digits_and_enter() -> None:
    # KEY_6=7, KEY_9=10, KEY_0=11, KEY_ENTER=28
    events = [(7, 1), (7, 0), (10, 1), (10, 0), (11, 1), (11, 0), (28, 1), (28, 0)]
    assert type_events(events) == "690\r"


def test_shift_gives_upper_case_and_symbols() -> None:
    events = [(KEY_LEFTSHIFT, KEY_DOWN), (30, 1), (30, 0), (27, 1), (27, 0),
              (KEY_LEFTSHIFT, KEY_UP), (30, 1), (30, 0)]  # fmt: skip
    assert type_events(events) == "A}a"


def test_alt_0029_on_keypad_gives_gs() -> None:
    # KP0=82, KP2=80, KP9=73
    events = [(KEY_LEFTALT, KEY_DOWN), (82, 1), (82, 0), (82, 1), (82, 0), (80, 1), (80, 0),
              (73, 1), (73, 0), (KEY_LEFTALT, KEY_UP)]  # fmt: skip
    assert type_events(events) == "\x1d"


def test_ctrl_rightbrace_gives_gs() -> None:
    # linux/input-event-codes.h: KEY_LEFTCTRL 29, KEY_RIGHTBRACE 27, KEY_RIGHTCTRL 97. Scanners in
    # "Ctrl+ASCII" wedge mode send GS (0x1D) as Ctrl+], the ASCII control of "]" (0x5D & 0x1F).
    assert (KEY_LEFTCTRL, KEY_RIGHTBRACE, KEY_RIGHTCTRL) == (29, 27, 97)
    events = [(7, 1), (7, 0), (KEY_LEFTCTRL, KEY_DOWN), (KEY_RIGHTBRACE, KEY_DOWN),
              (KEY_RIGHTBRACE, KEY_UP), (KEY_LEFTCTRL, KEY_UP), (27, 1), (27, 0)]  # fmt: skip
    assert type_events(events) == "6\x1d]"
    right = [(KEY_RIGHTCTRL, KEY_DOWN), (KEY_RIGHTBRACE, KEY_DOWN), (KEY_RIGHTBRACE, KEY_UP),
             (KEY_RIGHTCTRL, KEY_UP)]  # fmt: skip
    assert type_events(right) == "\x1d"


def test_ctrl_with_a_key_without_a_control_character_is_garbage_not_the_key() -> None:
    assert type_events([(KEY_LEFTCTRL, KEY_DOWN), (2, 1), (2, 0), (KEY_LEFTCTRL, KEY_UP)]) == "\x00"


def test_gs1_scan_with_gs_as_ctrl_rightbrace_reaches_framer_intact() -> None:
    decoder = KeymapDecoder()
    protocol = ScannerProtocol("hid", suffix=b"\r")
    for code, value in key_events_for("]C10109501101530003\x1d10ABC", gs_as="ctrl"):
        protocol.receive_data(decoder.feed(code, value).encode())
    assert protocol.next_event() == ScanEvent("hid", "0109501101530003\x1d10ABC", "]C1")


def test_key_repeat_is_ignored() -> None:
    assert type_events([(7, 1), (7, 2), (7, 2), (7, 0)]) == "6"


def test_unknown_key_yields_nul_which_the_framer_reports() -> None:
    decoder = KeymapDecoder()
    protocol = ScannerProtocol("hid")
    for code, value in [(7, 1), (7, 0), (59, 1), (59, 0), (28, 1), (28, 0)]:  # 59 = F1
        protocol.receive_data(decoder.feed(code, value).encode())
    event = protocol.next_event()
    assert isinstance(event, ErrorEvent) and event.code == "garbage"


def test_gs1_scan_through_wedge_reaches_framer_intact() -> None:
    decoder = KeymapDecoder()
    protocol = ScannerProtocol("hid", suffix=b"\r")
    for code, value in key_events_for("]C10109501101530003\x1d10ABC"):
        protocol.receive_data(decoder.feed(code, value).encode())
    assert protocol.next_event() == ScanEvent("hid", "0109501101530003\x1d10ABC", "]C1")


printable = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.just("\x1d"))


@given(printable, st.sampled_from(["alt", "ctrl"]))
def test_typing_any_ascii_text_round_trips(text: str, gs_as: str) -> None:
    assert type_events(key_events_for(text, gs_as)) == text + "\r"


@given(st.lists(st.tuples(st.integers(0, 300), st.integers(0, 2)), max_size=200))
def test_random_key_events_never_crash(events: list[tuple[int, int]]) -> None:
    decoder = KeymapDecoder()
    for code, value in events:
        assert len(decoder.feed(code, value)) <= 2
