"""Keyboard-wedge keymap core: kernel key codes (linux/input-event-codes.h) in, characters out."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from drivers.device import ErrorEvent
from drivers.scanner.keymap import (
    KEY_DOWN,
    KEY_LEFTALT,
    KEY_LEFTSHIFT,
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


@given(printable)
def test_typing_any_ascii_text_round_trips(text: str) -> None:
    assert type_events(key_events_for(text)) == text + "\r"


@given(st.lists(st.tuples(st.integers(0, 300), st.integers(0, 2)), max_size=200))
def test_random_key_events_never_crash(events: list[tuple[int, int]]) -> None:
    decoder = KeymapDecoder()
    for code, value in events:
        assert len(decoder.feed(code, value)) <= 1
