"""Label rendering: deterministic pixels (snapshot), two-tone output, EAN-13 bars, CJK text."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from drivers.esl.render import (
    cjk_font_found,
    ean13_modules,
    encode_jpeg,
    format_fen,
    render_label,
)
from drivers.esl.system import LabelFields

SNAPSHOT = Path(__file__).parent / "snapshots" / "label_296x128.png"
RICE = LabelFields(
    "金龙鱼 大米 5kg",
    4990,
    unit_price_fen=499,
    unit="500g",
    promotion="会员价 满2件9折",
    barcode="6901234567892",
)


@pytest.mark.skipif(not cjk_font_found(), reason="the snapshot was drawn with Noto Sans CJK SC")
def test_label_matches_the_committed_snapshot() -> None:
    # Regenerate after a deliberate layout change:
    #   render_label(RICE, (296, 128)).save(SNAPSHOT)  — and look at the PNG before committing.
    expected = Image.open(SNAPSHOT).convert("L")
    actual = render_label(RICE, (296, 128))
    assert actual.size == expected.size
    assert actual.tobytes() == expected.tobytes()


def test_rendering_is_deterministic_and_two_tone() -> None:
    first = render_label(RICE, (296, 128))
    second = render_label(RICE, (296, 128))
    assert first.tobytes() == second.tobytes()
    assert set(first.tobytes()) == {0, 255}
    assert encode_jpeg(first) == encode_jpeg(second)


@pytest.mark.parametrize("size", [(152, 152), (296, 128), (400, 300), (64, 32)])
def test_every_tag_resolution_renders_at_its_own_size(size: tuple[int, int]) -> None:
    jpeg = encode_jpeg(render_label(RICE, size))
    assert Image.open(io.BytesIO(jpeg)).size == size


def test_ean13_modules_follow_the_gs1_encoding() -> None:
    modules = ean13_modules("4006381333931")
    assert modules is not None
    assert len(modules) == 95
    # Start guard, first left digit "0" in L code (parity for leading 4 is LGLLGG), then G code.
    assert modules.startswith("101" + "0001101" + "0100111")
    assert modules[45:50] == "01010"  # centre guard
    assert modules.endswith("1100110" + "101")  # last digit 1 in R code, end guard
    assert ean13_modules("4006381333932") is None  # bad check digit
    assert ean13_modules("036000291452") is not None  # UPC-A is EAN-13 with a leading 0


def test_a_non_ean_barcode_is_printed_as_text_not_dropped() -> None:
    with_text = render_label(LabelFields("散装糖果", 1290, barcode="2100012"), (296, 128))
    without = render_label(LabelFields("散装糖果", 1290), (296, 128))
    assert with_text.tobytes() != without.tobytes()


def test_the_price_is_formatted_from_integer_fen() -> None:
    assert format_fen(4990) == "49.90"
    assert format_fen(5) == "0.05"
    assert format_fen(-120) == "-1.20"


def test_fields_round_trip_through_json_with_chinese_text() -> None:
    assert LabelFields.from_json(RICE.to_json()) == RICE
    assert "金龙鱼" in RICE.to_json()
