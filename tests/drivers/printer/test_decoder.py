"""The test decoder itself: strict on what it accepts, and only ever failing with DecodeError."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.drivers.printer.escpos_decoder import (
    ChineseMode,
    DecodeError,
    Line,
    StatusQuery,
    decode,
)


def test_gb18030_text_decodes_only_inside_chinese_mode() -> None:
    assert decode(b"\x1c&\xc6\xbb\xb9\xfb\n\x1c.") == [
        ChineseMode(True), Line("苹果"), ChineseMode(False)
    ]  # fmt: skip
    with pytest.raises(DecodeError):
        decode(b"\xc6\xbb\xb9\xfb\n")


@pytest.mark.parametrize(
    "data",
    [b"abc", b"\x1bE", b"\x1d(k\x03\x001Q0", b"\x1d(k\x05\x001P0", b"\x1bz\x00", b"\x1dv0\x00\x01"],
    ids=["no-lf", "truncated", "qr-print-nothing-stored", "qr-short", "unknown", "raster-short"],
)
def test_malformed_streams_are_decode_errors(data: bytes) -> None:
    with pytest.raises(DecodeError):
        decode(data)


def test_status_queries_decode() -> None:
    assert decode(b"\x10\x04\x02\x1dr\x01") == [StatusQuery("DLE EOT", 2), StatusQuery("GS r", 1)]


@settings(max_examples=400)
@given(st.binary(max_size=200))
def test_random_bytes_never_crash_the_decoder(data: bytes) -> None:
    try:
        decode(data)
    except DecodeError:
        pass


escpos_ish = st.lists(
    st.sampled_from(
        [b"\x1b@", b"\x1c&", b"\x1c.", b"\x1bE\x01", b"\x1d!\x11", b"\x1ba\x01", b"\n", b"A",
         b"\xc6\xbb", b"\x1d(k\x03\x001Q0", b"\x1dVA\x00", b"\x1bp\x00\x32\x32", b"\xff"]
    ),
    max_size=30,
).map(b"".join)  # fmt: skip


@settings(max_examples=400)
@given(escpos_ish)
def test_near_valid_streams_never_crash_the_decoder(data: bytes) -> None:
    try:
        decode(data)
    except DecodeError:
        pass
