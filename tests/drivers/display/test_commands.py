"""Display command core on exact bytes. Golden vectors from the POS-X XP8200 manual §4.1.2 "EPSON
Command Mode" (ESC @ = 1B 40, CLR = 0C, US $ x y = 1F 24 x y with 1 ≤ x ≤ 20, 1 ≤ y ≤ 2,
ESC t n = 1B 74 n, US MD1 = 1F 01) and the Epson P07303 display manual §7.8 (same table).
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from drivers.display.commands import PROFILES, DisplayCommands, move_cursor, select_code_table
from drivers.display.simulator import ScreenEmulator


def test_command_bytes_match_the_manual() -> None:
    assert move_cursor(1, 2) == b"\x1f\x24\x01\x02"
    assert move_cursor(20, 1) == b"\x1f\x24\x14\x01"
    assert select_code_table(0) == b"\x1b\x74\x00"
    assert DisplayCommands(PROFILES["epson"]).initialize() == b"\x1b\x40\x1f\x01\x1b\x74\x00\x0c"


def test_line_puts_left_and_right_text_in_twenty_columns() -> None:
    commands = DisplayCommands(PROFILES["epson"])
    assert commands.line("Milk 1L", "12.50") == b"Milk 1L        12.50"
    assert commands.line("A very long product name indeed", "12.50") == b"A very long pr 12.50"


def test_chinese_on_gb18030_display_takes_two_columns_and_is_not_split() -> None:
    commands = DisplayCommands(PROFILES["gb18030"])
    line = commands.line("鲜牛奶", "12.50")
    assert line == "鲜牛奶".encode("gb18030") + b" " * 9 + b"12.50"
    cut = commands.fit("一二三四五六七八九十十一", width=7)
    assert cut == "一二三".encode("gb18030")  # 6 bytes; a fourth character would need 8


def test_chinese_on_a_latin_display_falls_back_to_the_english_name() -> None:
    commands = DisplayCommands(PROFILES["epson"])
    assert commands.line("鲜牛奶", "12.50", fallback="Fresh milk") == b"Fresh milk     12.50"


def test_without_fallback_accents_are_stripped_and_the_rest_replaced() -> None:
    commands = DisplayCommands(PROFILES["epson"])
    assert commands.encode("Crème brûlée") == "Crème brûlée".encode("cp437")  # cp437 has them
    assert commands.encode("Ĺódź 牛") == b"Lodz ?"
    assert commands.encode("Łódź") == b"?odz"  # Ł has no decomposition: replaced, not dropped


@given(st.text(max_size=40), st.text(max_size=12), st.sampled_from(sorted(PROFILES)))
def test_any_text_gives_exactly_one_display_line(left: str, right: str, profile: str) -> None:
    assert len(DisplayCommands(PROFILES[profile]).line(left, right)) == 20


def test_screen_emulator_reads_back_a_whole_screen() -> None:
    commands = DisplayCommands(PROFILES["epson"])
    screen = ScreenEmulator()
    screen.feed(commands.initialize() + b"junk on screen")
    screen.feed(commands.screen(commands.line("TOTAL"), commands.line("", "88.00")))
    assert screen.text() == ["TOTAL               ", "               88.00"]
    assert screen.errors == []


def test_screen_emulator_handles_commands_split_across_reads() -> None:
    screen = ScreenEmulator()
    for byte in b"\x1f\x24\x03\x02hi":
        screen.feed(bytes([byte]))
    assert screen.text()[1] == "  hi                "


def test_unknown_command_is_an_error_event() -> None:
    screen = ScreenEmulator()
    screen.feed(b"\x1bZ\x07")
    assert [e.code for e in screen.errors] == ["unknown_command", "control_byte"]


@given(st.binary(max_size=300))
def test_random_bytes_never_crash_the_emulator(data: bytes) -> None:
    screen = ScreenEmulator()
    screen.feed(data)
    assert all(len(row) == 20 for row in screen.cells)
    assert 0 <= screen.column < 20 and 0 <= screen.row < 2


control_bytes = st.integers(0, 0x1F).filter(lambda x: x not in (0x1B, 0x1F))


@given(st.lists(control_bytes, min_size=1, max_size=20).map(bytes))
def test_stray_control_bytes_give_error_events(data: bytes) -> None:
    known = {0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x18}
    screen = ScreenEmulator()
    screen.feed(data)
    if any(x not in known for x in data):
        assert screen.errors
