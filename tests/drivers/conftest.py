"""Shared fixture: a store.toml naming a simulator of every device kind, on real transports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.display.simulator import DisplaySimulator
from drivers.esl.simulator import SimulatedAP
from drivers.printer.simulator import PrinterSimulator
from drivers.rfid.simulator import LlrpReaderSimulator, ReaderPopulation, sgtin_population
from drivers.scale.simulator import ScaleSimulator
from drivers.scanner.simulator import ScannerSimulator

KEY = 0x1A2EB


@pytest.fixture
def every_kind(tmp_path: Path) -> Iterator[str]:
    """A store.toml naming one simulator of every kind, and two devices that are not there."""
    key_file = tmp_path / "dialog06.key"
    key_file.write_text(f"{KEY:#x}\n")
    key_file.chmod(0o600)
    scanner, display = ScannerSimulator(), DisplaySimulator()
    toledo = ScaleSimulator("toledo8217")
    dialog = ScaleSimulator("dialog06", dialog06_key=KEY)
    printer = PrinterSimulator().start()
    ap = SimulatedAP(["0000021EDE000001"]).start()
    reader = LlrpReaderSimulator(ReaderPopulation(sgtin_population({"06901234567892": 3}))).start()
    host, port = reader.address
    yield f"""
[devices.front_scanner]
kind = "scanner"
transport = "serial"
port = "{scanner.port}"

[devices.deli_scale]
kind = "scale"
transport = "serial"
port = "{dialog.port}"
protocol = "dialog06"
dialog06_key_file = "{key_file}"

[devices.veg_scale]
kind = "scale"
transport = "serial"
port = "{toledo.port}"
protocol = "toledo8217"

[devices.pole]
kind = "display"
transport = "serial"
port = "{display.port}"

[devices.receipt]
kind = "printer"
transport = "tcp"
host = "127.0.0.1"
port = {printer.port}
profile = "58mm"

[devices.shelf_labels]
kind = "esl"
transport = "http"
url = "{ap.url}"

[devices.backroom]
kind = "rfid"
transport = "tcp"
host = "{host}"
port = {port}

[devices.counter_printer]
kind = "printer"
transport = "usb"
vendor_id = 0x04b8
product_id = 0x0e15

[devices.spare_labels]
kind = "esl"
transport = "http"
url = "http://127.0.0.1:9"
enabled = false
"""
    for close in (scanner.close, display.close, toledo.close, dialog.close, printer.kill, ap.stop,
                  reader.stop):  # fmt: skip
        close()
