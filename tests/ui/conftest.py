"""UI test fixtures: Qt offscreen, the demo store in a real SQLite file, and simulated devices on
their real transports (pty for the scanner and scale, TCP for the printer and the RFID reader)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.device import SerialSettings
from drivers.printer.print_queue import QueueTimings
from drivers.printer.printer import PrinterDevice
from drivers.printer.profiles import PROFILE_58MM
from drivers.printer.simulator import PrinterSimulator
from drivers.printer.tcp import TcpTransport
from drivers.scale.scale import Scale
from drivers.scale.simulator import ScaleSimulator
from drivers.scanner.serial_scanner import SerialScanner
from drivers.scanner.simulator import ScannerSimulator
from edge.config import StoreConfig
from edge.till.session import Till
from ui.hardware.devices import Devices
from ui.widgets.refcount_guard import make_singletons_immortal

FAST_QUEUE = QueueTimings(poll=0.01, status_interval=0.03, status_timeout=1.0, ack_timeout=3.0,
                          reconnect_delay=0.05)


def pytest_configure(config: pytest.Config) -> None:
    # PySide6 6.12 on Python 3.11 drops references to None/True/False on every call.
    make_singletons_immortal()


@pytest.fixture(autouse=True, scope="session")
def _english_default() -> None:
    # The apps follow the store's locale; tests pin English unless they switch.
    os.environ.setdefault("LANG", "en_US.UTF-8")


@pytest.fixture
def config() -> StoreConfig:
    return StoreConfig(locale="en")


@pytest.fixture
def till(conn: sqlite3.Connection, config: StoreConfig) -> Till:
    return Till(conn, config)


@pytest.fixture
def scanner_sim() -> Iterator[ScannerSimulator]:
    sim = ScannerSimulator()
    yield sim
    sim.close()


@pytest.fixture
def printer_sim() -> Iterator[PrinterSimulator]:
    sim = PrinterSimulator().start()
    yield sim
    sim.kill()


@pytest.fixture
def scale_sim() -> Iterator[ScaleSimulator]:
    sim = ScaleSimulator()
    yield sim
    sim.close()


@pytest.fixture
def devices(tmp_path: Path, scanner_sim: ScannerSimulator,
            printer_sim: PrinterSimulator, scale_sim: ScaleSimulator) -> Iterator[Devices]:
    found = Devices(
        scanner=SerialScanner("scanner", settings=SerialSettings(scanner_sim.port)),
        printer=PrinterDevice("printer", transport=TcpTransport("127.0.0.1", printer_sim.port,
                                                                connect_timeout=0.5),
                              profile=PROFILE_58MM, queue_path=tmp_path / "print.sqlite",
                              timings=FAST_QUEUE),
        scale=Scale("scale", settings=SerialSettings(scale_sim.port)),
    )
    found.start()
    assert not found.failures, found.failures
    yield found
    found.close()


def activate(qtbot: object, window: object) -> None:
    """Show and activate a window and wait until it is active: shortcuts need an active window."""
    from PySide6.QtWidgets import QApplication, QWidget

    assert isinstance(window, QWidget)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)  # type: ignore[attr-defined]


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


class ScriptedPrompts:
    """Answers the app's questions from a script instead of modal dialogs."""

    def __init__(self) -> None:
        self.texts: list[str | None] = []
        self.choices: list[int | None] = []
        self.confirms: list[bool] = []
        self.overrides: list[dict[str, str] | None] = []
        self.products: list[object] = []
        self.discounts: list[tuple[str, int, str] | None] = []
        self.prices: list[int | None] = []
        self.reports: list[object] = []      # the ReportDialog each report opened (not shown)
        self.print_reports = False           # press its Print button
        self.informed: list[str] = []
        self.asked: list[str] = []

    def text(self, title: str, label: str, value: str = "") -> str | None:
        self.asked.append(label)
        return self.texts.pop(0)

    def choose(self, title: str, label: str, items: list[str]) -> int | None:
        self.asked.append(label)
        return self.choices.pop(0)

    def confirm(self, title: str, question: str) -> bool:
        self.asked.append(question)
        return self.confirms.pop(0)

    def inform(self, title: str, text: str) -> None:
        self.informed.append(text)

    def override(self, reason: str) -> dict[str, str] | None:
        self.asked.append(reason)
        return self.overrides.pop(0)

    def discount(self, title: str, digits: int,
                 reasons: object = ()) -> tuple[str, int, str] | None:
        self.asked.append(title)
        return self.discounts.pop(0)

    def report(self, title: str, body: dict[str, object], money: object, tender_name: object,
               print_document: object) -> None:
        from ui.till.report_dialog import ReportDialog

        dialog = ReportDialog(title, body, money, tender_name, print_document)  # type: ignore[arg-type]
        self.reports.append(dialog)
        if self.print_reports:
            dialog.print_button.click()

    def open_price(self, name: str, category: str, digits: int) -> int | None:
        self.asked.append(f"price of {name} ({category})")
        return self.prices.pop(0)

    def find_product(self, conn: object, money: object, locale: str) -> object:
        self.asked.append("find product")
        return self.products.pop(0)


@pytest.fixture
def prompts() -> ScriptedPrompts:
    return ScriptedPrompts()
