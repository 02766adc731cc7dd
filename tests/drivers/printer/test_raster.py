"""Raster images with no real-time command inside their bytes.

Reference: the ESC/POS manuals' notes to the real-time commands DLE EOT (10 04 n), DLE ENQ
(10 05 n) and DLE DC4 (10 14 fn ...): "If another command (such as graphics data or defined data)
has a code string in a parameter that is the same as this command, the printer starts processing
this command" (HPRT TP80K programming manual; Epson TM-T90 specification, GS ( D note); GS ( D
disables only DLE DC4 fn 1 and 2. GS v 0 m xL xH yL yH d1...dk: raster bit image, rows of
(xL + xH·256) bytes, bit 7 the leftmost dot.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.printer.raster import has_realtime_sequence, raster_commands

DLE_EOT_1 = b"\x10\x04\x01"


def images(data: bytes) -> list[tuple[int, list[int]]]:
    """The GS v 0 commands in `data` as (width in dots, one int per row, leftmost dot highest)."""
    out = []
    i = 0
    while i < len(data):
        assert data[i : i + 4] == b"\x1dv0\x00", data[i : i + 8]
        width = data[i + 4] + 256 * data[i + 5]
        height = data[i + 6] + 256 * data[i + 7]
        body = data[i + 8 : i + 8 + width * height]
        assert len(body) == width * height
        rows = [int.from_bytes(body[r * width : (r + 1) * width], "big") for r in range(height)]
        out.append((width * 8, rows))
        i += 8 + width * height
    return out


def pixels(data: bytes) -> tuple[int, list[int]]:
    bands = images(data)
    assert len({w for w, _ in bands}) == 1
    return bands[0][0], [row for _, rows in bands for row in rows]


def test_a_clean_raster_is_one_plain_gs_v_0() -> None:
    raster = bytes([0xFF, 0x00]) * 3
    assert raster_commands(2, raster, 48) == b"\x1dv0\x00\x02\x00\x03\x00" + raster


def test_a_logo_containing_dle_eot_1_moves_right_until_its_bytes_spell_nothing() -> None:
    raster = b"\x00" + DLE_EOT_1 + b"\x00\x00" + b"\xff" * 6  # 6 bytes a row, 2 rows
    assert has_realtime_sequence(b"\x1dv0\x00\x06\x00\x02\x00" + raster)
    out = raster_commands(6, raster, 48)
    assert not has_realtime_sequence(out)
    assert pixels(out)[0] == 56  # one byte wider: the dots moved right by 1..7


def test_shifted_image_keeps_every_dot() -> None:
    raster = b"\x00" + DLE_EOT_1 + b"\x00\x00" + b"\xff" * 6
    width, rows = pixels(raster_commands(6, raster, 48))
    original = [int.from_bytes(raster[0:6], "big"), int.from_bytes(raster[6:12], "big")]
    shifts = [s for s in range(1, 8) if [(r << 8) >> s for r in original] == rows]
    assert len(shifts) == 1 and width == 56


def test_a_full_width_logo_that_cannot_move_loses_one_dot_per_sequence() -> None:
    raster = (b"\x00" * 10 + DLE_EOT_1 + b"\x00" * 35) * 2  # 48 bytes: the 58 mm paper's width
    out = raster_commands(48, raster, 48)
    assert not has_realtime_sequence(out)
    width, rows = pixels(out)
    assert width == 384
    original = [int.from_bytes(raster[0:48], "big")] * 2
    lost = [bin(a ^ b).count("1") for a, b in zip(original, rows, strict=True)]
    assert lost == [1, 1] and all(a & b == b for a, b in zip(original, rows, strict=True))


def test_a_sequence_across_two_rows_is_broken_too() -> None:
    raster = b"\x00\x10" + b"\x05\x00"  # row 1 ends with DLE, row 2 starts with ENQ
    out = raster_commands(2, raster, 48)
    assert not has_realtime_sequence(out)


def test_tall_images_are_sent_in_bands_whose_headers_spell_nothing() -> None:
    # 1040 rows would make yL yH = 10 04: a DLE EOT in the header itself.
    raster = b"\x81" * 1040
    out = raster_commands(1, raster, 48)
    assert not has_realtime_sequence(out)
    bands = images(out)
    assert [len(rows) for _, rows in bands] == [1023, 17]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda w: st.tuples(
            st.just(w),
            st.lists(
                st.binary(min_size=w, max_size=w) | st.just((DLE_EOT_1 * w)[:w]), min_size=1, max_size=20
            ),
        )
    )
)
def test_any_raster_goes_out_without_a_real_time_sequence_and_with_its_dots(
    case: tuple[int, list[bytes]],
) -> None:
    width_bytes, rows = case
    raster = b"".join(rows)
    out = raster_commands(width_bytes, raster, 48)
    assert not has_realtime_sequence(out)
    width, printed = pixels(out)
    original = [int.from_bytes(row, "big") for row in rows]
    if width == width_bytes * 8:  # unchanged, or dots cleared: never a dot added
        assert all(p & o == p for p, o in zip(printed, original, strict=True))
    else:
        assert any([(o << 8) >> s for o in original] == printed for s in range(1, 8))
