"""Keyboard-wedge scanners set to German and French layouts, typed key by key as the scanner types
them (the layouts' keys from the XKB data, checked in test_layouts.py) into the HID path's cores:
the keymap decoder, then the framing and barcode check. Right with the layout configured; refused,
never misread, without it (issue 21: a German scanner's Code 128 ABZ-12/Y arrived as ABY/12&Z, a
French one's EAN-13 as ^()!@#$%^&*(@, both as scans)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.device import DeviceEvent, ErrorEvent
from drivers.scanner.keymap import KeymapDecoder, decode_keys, key_events_for, translate
from drivers.scanner.protocol import PaymentCodeEvent, ScanEvent, ScannerProtocol

EAN_13 = ("6901234567892", "]E0")
CODE_128 = ("ABZ-12/Y", "]C0")
WECHAT_CODE = ("134567890123456789", "]Q1")  # 18 digits, 10–15: a WeChat Pay payment code
GS1_128 = ("0109501101530003\x1d10ABC", "]C1")
CODES = [EAN_13, CODE_128, WECHAT_CODE, GS1_128]


def scan(text: str, typed_in: str, read_as: str, aim: bool = True, gs_as: str = "alt") -> list[DeviceEvent]:
    """A scanner set to `typed_in` types `text` (with its AIM id when `aim`); the till reads the
    keys in `read_as`."""
    decoder = KeymapDecoder(read_as)
    protocol = ScannerProtocol("hid", suffix=b"\r", aim_ids=aim)
    for code, value in key_events_for(text, gs_as, layout=typed_in):
        protocol.receive_data(decoder.feed(code, value).encode())
    events: list[DeviceEvent] = []
    while (event := protocol.next_event()) is not None:
        events.append(event)
    return events


def expected(data: str, symbology: str) -> DeviceEvent:
    if data == WECHAT_CODE[0]:
        return PaymentCodeEvent("hid", data, "wechat", symbology)
    return ScanEvent("hid", data, symbology)


def test_the_misreads_issue_21_saw_are_what_the_keys_give_in_us() -> None:
    assert decode_keys(key_events_for("ABZ-12/Y", layout="de"), "us") == "ABY/12&Z\r"
    assert decode_keys(key_events_for("6901234567892", layout="fr"), "us") == "^()!@#$%^&*(@\r"


@pytest.mark.parametrize("layout", ["de", "fr"])
@pytest.mark.parametrize(("data", "symbology"), CODES)
@pytest.mark.parametrize("gs_as", ["alt", "ctrl"])
def test_right_with_the_layout_configured(layout: str, data: str, symbology: str, gs_as: str) -> None:
    assert scan(symbology + data, layout, layout, gs_as=gs_as) == [expected(data, symbology)]


@pytest.mark.parametrize("layout", ["de", "fr"])
@pytest.mark.parametrize(("data", "symbology"), CODES)
def test_refused_not_misread_when_the_till_reads_us(layout: str, data: str, symbology: str) -> None:
    # With AIM ids (the default), "]" needs AltGr in both layouts, which a US keyboard does not
    # have: Right Alt + a digit key types nothing there, so the scan is garbage, never a scan.
    [event] = scan(symbology + data, layout, "us")
    assert isinstance(event, ErrorEvent), event
    assert event.code in ("garbage", "not_a_barcode")


@pytest.mark.parametrize(("data", "symbology"), [EAN_13, WECHAT_CODE])
def test_without_aim_ids_french_digits_are_refused_as_no_barcode(data: str, symbology: str) -> None:
    [event] = scan(data, "fr", "us", aim=False)
    assert isinstance(event, ErrorEvent) and event.code == "not_a_barcode"
    assert "keyboard layout" in event.message
    assert scan(data, "fr", "fr", aim=False) == [expected(data, "")]


@pytest.mark.parametrize(("data", "symbology"), [EAN_13, WECHAT_CODE])
def test_without_aim_ids_german_digits_are_the_same_keys_so_read_right(data: str, symbology: str) -> None:
    # German digits are unshifted on the same keys as US ones: nothing to misread.
    assert scan(data, "de", "us", aim=False) == [expected(data, "")]


def test_every_printable_ascii_character_round_trips_in_each_layout() -> None:
    text = "".join(chr(c) for c in range(0x20, 0x7F))
    for layout in ("us", "gb", "de", "fr", "be", "es", "it"):
        assert decode_keys(key_events_for(text, layout=layout), layout) == text + "\r", layout


def test_dead_keys_give_their_accent_before_space_and_nothing_else() -> None:
    # German "^" is a dead key (xkb symbols/de: dead_circumflex on TLDE): the scanner types it and
    # a space. Followed by a letter it composes, which no barcode holds: NUL, garbage.
    assert key_events_for("^", layout="de")[:4] == [(41, 1), (41, 0), (57, 1), (57, 0)]
    assert decode_keys([(41, 1), (41, 0), (30, 1), (30, 0)], "de") == "\x00"
    assert decode_keys([(41, 1), (41, 0), (28, 1), (28, 0)], "de") == "\x00\r"


def test_text_read_through_the_desktops_layout_translates_back() -> None:
    # The Qt path gets characters already made by the desktop's layout: the keys are recovered
    # from them and read again in the scanner's layout.
    assert translate("ABY/12&Z", typed_in="de", read_as="us") == "ABZ-12/Y"
    assert translate("^()!@#$%^&*(@", typed_in="fr", read_as="us") == "6901234567892"
    assert translate("6901234567892", typed_in="us", read_as="us") == "6901234567892"
    assert translate("é", typed_in="us", read_as="us") is None  # US types no é


ascii_text = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=30)


@given(ascii_text, st.sampled_from(["de", "fr", "be", "es", "it"]), st.sampled_from(["]C0", "]E0", "]Q1"]))
def test_with_aim_ids_a_scan_typed_in_an_altgr_bracket_layout_is_never_a_scan_when_read_as_us(
    text: str, layout: str, aim: str
) -> None:
    # docs/devices.md: "]" needs AltGr in these layouts, and US has none, so the AIM id itself
    # gives the layout away: whatever the data, the scan is refused, never delivered.
    events = scan(aim + text, layout, "us")
    assert events and all(isinstance(event, ErrorEvent) for event in events)
