"""Simulated devices for the demo and the screenshots: a serial scanner, a scale and a 2×20
customer display (GB18030, so it shows Chinese) on ptys, an ESC/POS printer and an LLRP RFID
reader on local TCP, each driven through its real driver."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.device import SerialSettings
from ui.hardware.devices import Devices


@dataclass
class SimulatedDevices:
    devices: Devices
    scanner: Any
    printer: Any
    scale: Any
    rfid: Any
    display: Any = None
    _closers: list[Any] = field(default_factory=list)

    def close(self) -> None:
        self.devices.close()
        for close in self._closers:
            close()


def start_simulated_devices(conn: sqlite3.Connection, state_dir: Path) -> SimulatedDevices:
    from drivers.display.commands import PROFILES
    from drivers.display.display import CustomerDisplay
    from drivers.display.simulator import DisplaySimulator
    from drivers.printer.printer import PrinterDevice
    from drivers.printer.profiles import PROFILE_58MM
    from drivers.printer.simulator import PrinterSimulator
    from drivers.printer.tcp import TcpTransport
    from drivers.rfid.reader import LlrpReader
    from drivers.rfid.simulator import LlrpReaderSimulator, ReaderPopulation, sgtin_population
    from drivers.scale.scale import Scale
    from drivers.scale.simulator import ScaleSimulator
    from drivers.scanner.serial_scanner import SerialScanner
    from drivers.scanner.simulator import ScannerSimulator

    scanner = ScannerSimulator()
    printer = PrinterSimulator().start()
    scale = ScaleSimulator()
    scale.weight_grams = 856
    display = DisplaySimulator()
    # Shelf stock for an RFID count: a few of the first products, tagged.
    stock = {gtin: qty for (gtin,), qty in zip(conn.execute(
        "SELECT gtin FROM product_gtin ORDER BY sku LIMIT 6").fetchall(), (12, 8, 5, 9, 3, 7),
        strict=False)}
    rfid = LlrpReaderSimulator(ReaderPopulation(sgtin_population(stock), reads_per_tag=3)).start()
    host, port = rfid.address
    devices = Devices(
        scanner=SerialScanner("scanner", settings=SerialSettings(scanner.port)),
        printer=PrinterDevice("printer", transport=TcpTransport("127.0.0.1", printer.port),
                              profile=PROFILE_58MM, queue_path=state_dir / "demo-print.sqlite"),
        scale=Scale("scale", settings=SerialSettings(scale.port)),
        rfid=LlrpReader("rfid", host, port, timeout_s=5.0),
        display=CustomerDisplay("display", settings=SerialSettings(display.port),
                                profile=PROFILES["gb18030"]),
    )
    devices.start()
    return SimulatedDevices(devices, scanner, printer, scale, rfid, display,
                            [scanner.close, printer.kill, scale.close, rfid.stop, display.close])
