"""Exact bytes for every command the renderer emits.

References: Epson "ESC/POS Command Reference" (TM series) and "ESC/POS Application Programming
Guide": ESC @ (Initialize printer), ESC E n (Turn emphasized mode on/off), GS ! n (Select
character size: bits 0-3 height, 4-7 width), ESC a n (Select justification), FS & / FS . (Select /
Cancel Kanji character mode; Chinese-market firmwares use them for GB18030), GS ( k <Function
165, 167, 169, 180, 181> (QR Code: select model, module size, error correction level, store data,
print), GS V m n <Function B> (Select cut mode and cut paper), ESC d n (Print and feed n lines),
ESC p m t1 t2 (Generate pulse), GS v 0 (Print raster bit image), ESC t n (Select character code
table).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from drivers.printer.document import Cut, Feed, KickDrawer, Logo, QrCode, Rule, Text
from drivers.printer.profiles import PROFILE_58MM, PROFILE_80MM
from drivers.printer.render import RenderError, render, render_block, render_chunks, setup_chunk
from tests.drivers.printer.escpos_decoder import (
    Align,
    Bold,
    ChineseMode,
    CutPaper,
    Decoder,
    DrawerKick,
    Init,
    Line,
    Qr,
    Raster,
    Size,
    decode,
    lines,
)

P58, P80 = PROFILE_58MM, PROFILE_80MM


def test_setup_chunk_is_esc_at_and_the_code_page_when_the_profile_names_one() -> None:
    assert setup_chunk(P58) == b"\x1b@"
    assert setup_chunk(replace(P58, code_page=0)) == b"\x1b@\x1bt\x00"


def test_plain_ascii_line_is_the_text_and_lf() -> None:
    assert render_block(Text("TOTAL 12.34"), P58) == b"TOTAL 12.34\n"


def test_bold_is_esc_e_1_before_and_esc_e_0_after_the_lf() -> None:
    assert render_block(Text("A", bold=True), P58) == b"\x1bE\x01A\n\x1bE\x00"


def test_double_size_is_gs_bang_0x11_and_restored_to_0() -> None:
    assert render_block(Text("A", double=True), P58) == b"\x1d!\x11A\n\x1d!\x00"


@pytest.mark.parametrize(("align", "n"), [("center", 1), ("right", 2)])
def test_alignment_is_esc_a_n_and_back_to_left(align: str, n: int) -> None:
    block = Text("A", align=align)  # type: ignore[arg-type]
    assert render_block(block, P58) == b"\x1ba" + bytes([n]) + b"A\n\x1ba\x00"


def test_chinese_text_is_gb18030_inside_fs_ampersand_and_fs_dot() -> None:
    # 苹 = C6 BB, 果 = B9 FB in GB2312 (a subset of GB18030).
    assert render_block(Text("苹果"), P58) == b"\x1c&\xc6\xbb\xb9\xfb\n\x1c."


def test_chinese_text_without_the_kanji_switch_when_the_profile_is_always_in_chinese_mode() -> None:
    assert render_block(Text("苹果"), replace(P58, kanji_switch=False)) == b"\xc6\xbb\xb9\xfb\n"


def test_yen_sign_on_a_gb18030_printer_is_its_four_byte_code() -> None:
    # GB18030-2005 maps U+00A5 to the four-byte sequence 81 30 84 36.
    assert render_block(Text("¥9"), P58) == b"\x1c&\x810\x846" + b"9\n\x1c."


@pytest.mark.parametrize("charset", ["gbk", "gb2312"])
def test_yen_sign_on_a_gbk_or_gb2312_printer_is_the_full_width_yuan_sign(charset: str) -> None:
    # GBK / GB2312 have no U+00A5; FULLWIDTH YEN SIGN U+FFE5 is row 3, cell 4: A3 A4.
    gbk = replace(P58, encoding=charset)
    assert render_block(Text("¥9"), gbk) == b"\x1c&\xa3\xa4" + b"9\n\x1c."
    assert b"\x81\x30\x84\x36" not in render([Text("合计 ¥12.34")], gbk)


def test_a_total_line_with_yen_on_a_gbk_printer_still_fits_the_paper() -> None:
    # The till lays "合计 TOTAL ... ¥12.34" out in 32 columns counting ¥ as one column; the printer
    # draws ￥ (like any two-byte character in Chinese mode) two columns wide, so one column of the
    # padding goes, and the line decodes in GBK to exactly 32 printed columns.
    gbk = replace(P58, encoding="gbk")
    laid_out = "合计 TOTAL" + " " * 16 + "¥12.34"
    assert sum(2 if ord(c) > 0x2E80 else 1 for c in laid_out) == 32
    [line] = lines(Decoder("gbk").decode(render([Text(laid_out)], gbk)))
    assert line == "合计 TOTAL" + " " * 15 + "￥12.34"
    assert sum(1 if ord(c) < 0x80 else 2 for c in line) == 32


def test_characters_outside_a_gb2312_font_print_as_question_marks_not_a_crash() -> None:
    gb2312 = replace(P58, encoding="gb2312")
    [line] = lines(Decoder("gb2312").decode(render([Text("€1 喆")], gb2312)))
    assert line == "?1 ?"


def test_all_modes_nest_and_unwind_in_reverse_order() -> None:
    block = Text("总计", bold=True, double=True, align="center")
    assert render_block(block, P80) == (
        b"\x1ba\x01\x1bE\x01\x1d!\x11\x1c&\xd7\xdc\xbc\xc6\n\x1c.\x1d!\x00\x1bE\x00\x1ba\x00"
    )


def test_rule_spans_the_paper_columns() -> None:
    assert render_block(Rule(), P58) == b"-" * 32 + b"\n"
    assert render_block(Rule("="), P80) == b"=" * 48 + b"\n"


def test_qr_code_is_model_2_size_level_m_store_and_print_centred() -> None:
    data = b"https://pos.example/r/42"
    store_len = (len(data) + 3).to_bytes(2, "little")
    assert (
        render_block(QrCode(data.decode(), size=6), P80)
        == (
            b"\x1ba\x01"
            b"\x1d(k\x04\x00\x31\x41\x32\x00"  # fn 165: model 2
            b"\x1d(k\x03\x00\x31\x43\x06"  # fn 167: module 6 dots
            b"\x1d(k\x03\x00\x31\x45\x31"  # fn 169: level M
            b"\x1d(k"
            + store_len
            + b"\x31\x50\x30"
            + data  # fn 180: store
            + b"\x1d(k\x03\x00\x31\x51\x30"  # fn 181: print
            b"\x1ba\x00"
        )
    )


def test_qr_code_becomes_a_raster_image_on_a_printer_without_native_qr() -> None:
    # python-escpos's qr(native=False) symbol: qrcode, box 6, border 1: version 1 is 21 + 2
    # modules = 138 dots, sent as 18 bytes a row, centred by ESC a, and in the baseline state.
    elements = decode(render_block(QrCode("12345"), replace(P58, native_qr=False)))
    assert elements == [Align("center"), Raster(144, 138), Align("left")]


def test_cut_is_gs_v_function_b_full_or_partial() -> None:
    assert render_block(Cut(), P80) == b"\x1dVA\x00"
    assert render_block(Cut(partial=True), P80) == b"\x1dVB\x00"


def test_cut_without_a_cutter_feeds_past_the_tear_bar() -> None:
    assert render_block(Cut(), replace(P58, cutter=False)) == b"\x1bd\x04"


def test_feed_is_esc_d_n() -> None:
    assert render_block(Feed(3), P58) == b"\x1bd\x03"


def test_drawer_kick_is_esc_p_with_python_escpos_pulse_times() -> None:
    assert render_block(KickDrawer(), P58) == b"\x1bp\x00\x32\x32"
    assert render_block(KickDrawer(pin=1), P58) == b"\x1bp\x01\x32\x32"


def test_raster_logo_is_gs_v_0_with_width_in_bytes_and_height_in_rows() -> None:
    raster = bytes([0xFF, 0x00]) * 3  # 16 dots wide, 3 rows
    assert render_block(Logo(raster, width=16), P58) == (
        b"\x1ba\x01\x1dv0\x00\x02\x00\x03\x00" + raster + b"\x1ba\x00"
    )


def test_logo_file_goes_through_python_escpos_raster_centred_by_esc_a(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    Image.new("1", (64, 16), 0).save(path)
    assert decode(render_block(Logo(str(path)), P58)) == [
        Align("center"),
        Raster(64, 16),
        Align("left"),
    ]


def test_a_logo_file_wider_than_the_paper_or_unreadable_is_a_render_error(tmp_path: Path) -> None:
    wide = tmp_path / "wide.png"
    Image.new("1", (P58.dots + 8, 8), 0).save(wide)
    (tmp_path / "junk.png").write_bytes(b"not an image")
    for path in (wide, tmp_path / "junk.png", tmp_path / "missing.png"):
        with pytest.raises(RenderError):
            render_block(Logo(str(path)), P58)


@pytest.mark.parametrize(
    "block",
    [
        QrCode("x", size=0),
        QrCode(""),
        Text("two\nlines"),
        Logo(b"\x00" * 3, width=16),
        Logo(b"\x00", width=1000),
        Feed(256),
        KickDrawer(pin=2),
    ],
)
def test_blocks_the_printer_cannot_print_are_refused_with_a_render_error(block: object) -> None:
    with pytest.raises(RenderError):
        render_block(block, P58)  # type: ignore[arg-type]


def test_a_document_decodes_back_to_its_modes_and_lines() -> None:
    doc = [Text("超市", bold=True, align="center"), Text("total"), Cut(), KickDrawer()]
    assert decode(render(doc, P58)) == [
        Init(),
        Align("center"), Bold(True), ChineseMode(True), Line("超市"),
        ChineseMode(False), Bold(False), Align("left"),
        Line("total"),
        CutPaper(partial=False),
        DrawerKick(pin=0, on_ms=100, off_ms=100),
    ]  # fmt: skip


line_text = st.text(
    st.characters(codec="gb18030", exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\n\r"),
    max_size=8,  # at most 16 printed columns: fits 58 mm paper even at double size
)
texts = st.builds(
    Text,
    line_text,
    bold=st.booleans(),
    double=st.booleans(),
    align=st.sampled_from(["left", "center", "right"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(texts, max_size=12))
def test_rendered_lines_decode_back_to_the_same_text(doc: list[Text]) -> None:
    assert lines(decode(render(doc, P58))) == [t.text for t in doc]


@settings(max_examples=100, deadline=None)
@given(texts)
def test_every_chunk_starts_and_ends_in_the_baseline_state(block: Text) -> None:
    # The queue resumes a job at any chunk, so no chunk may depend on or leave a mode behind.
    decoder = Decoder()
    elements = decoder.decode(render_block(block, P58))
    assert lines(elements) == [block.text]
    assert not decoder.chinese
    last: dict[type, object] = {}
    for e in elements:
        if isinstance(e, Bold | Size | Align | ChineseMode):
            last[type(e)] = e
    assert last.get(Bold, Bold(False)) == Bold(False)
    assert last.get(Size, Size(1, 1)) == Size(1, 1)
    assert last.get(Align, Align("left")) == Align("left")


def test_chunks_are_the_setup_then_one_per_block() -> None:
    doc = [Text("a"), QrCode("q"), Cut()]
    chunks = render_chunks(doc, P80)
    assert chunks[0] == b"\x1b@" and len(chunks) == 4
    assert b"".join(chunks) == render(doc, P80)
    assert [e for e in decode(chunks[2]) if isinstance(e, Qr)] == [Qr("q", 6, 2, "M")]
