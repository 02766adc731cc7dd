"""A scan must be able to be a barcode of its symbology (AIM ids, ISO/IEC 15424; check digits as
GS1 General Specifications §7.9 gives them, computed by biip)."""

from __future__ import annotations

import pytest

from drivers.device import ErrorEvent
from drivers.scanner.protocol import ScanEvent, ScannerProtocol
from drivers.scanner.symbology import refusal


@pytest.mark.parametrize(
    ("data", "symbology"),
    [
        ("6901234567892", "]E0"),  # EAN-13
        ("036000291452", "]E0"),  # UPC-A, 12 digits
        ("01234565", "]E0"),  # UPC-E, check digit of its UPC-A 012345000065
        ("96385074", "]E4"),  # EAN-8
        ("690123456789212", "]E3"),  # EAN-13 + 2-digit add-on
        ("6901234567892" + "51234", "]E3"),  # EAN-13 + 5-digit add-on
        ("12", "]E1"),
        ("0109501101530003\x1d10ABC", "]C1"),
        ("00123456789012345675", "]C1"),  # SSCC
        ("0109501101530003", "]e0"),
        ("ABZ-12/Y", "]C0"),
        ("https://r.example.com/r/1", "]Q1"),
        ("MQR-DEMO-0001", ""),
        ("134567890123456789", ""),
    ],
)
def test_real_barcodes_pass(data: str, symbology: str) -> None:
    assert refusal(data, symbology) is None


@pytest.mark.parametrize(
    ("data", "symbology", "why"),
    [
        ("6901234567891", "]E0", "check digit"),
        ("690123456789", "]E4", "EAN-8"),
        ("69O1234567892", "]E0", "digits only"),
        ("6901234", "]E0", "8, 12 or 13"),
        ("01234560", "]E0", "check digit"),
        ("123", "]E2", "2 or 5"),
        ("0109501101530004", "]C1", "check digit"),
        ("ABC", "]C1", "not GS1"),
        ("^()!@#$%^&*(@", "", "keyboard layout"),
        ("!#$%^&*()!@#$%^&*(", "]Q1", "keyboard layout"),
    ],
)
def test_impossible_scans_are_refused_with_the_reason(data: str, symbology: str, why: str) -> None:
    reason = refusal(data, symbology)
    assert reason is not None and why in reason


def test_the_framer_turns_a_refused_scan_into_an_error_event() -> None:
    protocol = ScannerProtocol("s")
    protocol.receive_data(b"]E06901234567891\r]E06901234567892\r")
    error = protocol.next_event()
    assert isinstance(error, ErrorEvent) and error.code == "not_a_barcode"
    assert error.data == b"]E06901234567891"
    assert protocol.next_event() == ScanEvent("s", "6901234567892", "]E0")
