"""UI latency and footprint (not part of the default run):

    QT_QPA_PLATFORM=offscreen .venv/bin/pytest tests/bench/test_ui_bench.py -p no:cacheprovider -s

- scanner event → row painted, p99, with a 100-line basket: the simulated serial scanner writes a
  barcode into its pty; the clock stops when the line list has painted the new row;
- cold start → login screen shown: a fresh Python process, wall time until the window is exposed;
- resident memory of that process after a 100-line sale is on screen.
It rewrites its section of docs/performance.md.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ui.widgets.refcount_guard import make_singletons_immortal

make_singletons_immortal()  # PySide6 6.12 on Python 3.11: see ui/widgets/refcount_guard.py

import sqlite3  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from drivers.device import SerialSettings  # noqa: E402
from drivers.scanner.serial_scanner import SerialScanner  # noqa: E402
from drivers.scanner.simulator import ScannerSimulator  # noqa: E402
from edge.config import StoreConfig  # noqa: E402
from edge.promotions.engine import PromotionsEngine  # noqa: E402
from edge.promotions.promotion_file import load_promotions  # noqa: E402
from edge.till.session import Till  # noqa: E402
from tests.bench.performance_doc import write_section  # noqa: E402
from ui.hardware.devices import Devices  # noqa: E402
from ui.till.till_app import TillWindow, make_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCAN_BUDGET_MS = 16.0  # one frame at 60 Hz
START_BUDGET_S = 1.0
RSS_BUDGET_MB = 250.0
PACKAGES = ("cli", "cloud_sync", "drivers", "edge", "hq", "migrations", "providers", "ui")
SAMPLES = 200
PROMOTIONS = """[{"id": "PCT-DRINKS-10", "type": "percent_off",
  "name": {"zh": "饮料九折", "en": "Drinks 10% off"},
  "target": {"categories": ["饮料 Drinks"]}, "params": {"percent_bp": 1000}}]"""

CHILD = r"""
import os, sys, time
t0 = float(sys.argv[2])
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QTimer
from edge.config import StoreConfig
from edge.ledger.store import open_store
from edge.till.session import Till
from ui.till.till_app import TillWindow, make_app

app = make_app("zh_CN")
conn = open_store(sys.argv[1])
window = TillWindow(Till(conn, StoreConfig()))
window.resize(1024, 768)
window.show()

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

def shown():
    print("shown", time.time() - t0, rss_mb(), flush=True)
    window.login("1001", "1234")
    codes = [r[0].lstrip("0") for r in conn.execute("SELECT gtin FROM product_gtin LIMIT 100")]
    for code in codes:
        window.enter_code(code)
    app.processEvents()
    window.sale_screen.table.repaint()
    print("rss", rss_mb(), window.sale_screen.model.rowCount(), flush=True)
    app.quit()

QTimer.singleShot(0, shown)
app.exec()
"""


def _codes(conn: sqlite3.Connection, n: int) -> list[str]:
    return [r[0].lstrip("0") for r in conn.execute(
        "SELECT g.gtin FROM product_gtin g JOIN product p USING (sku) WHERE p.age_restricted = 0"
        " ORDER BY p.sku LIMIT ?", (n,))]


@pytest.mark.parametrize("size", [(1024, 768), (1920, 1080)], ids=["1024x768", "1920x1080"])
def test_scan_to_painted_row_with_100_lines(conn: sqlite3.Connection, db_path: Path,
                                            size: tuple[int, int]) -> None:
    # The till's own QApplication (its font: no per-glyph fallback for Chinese), not pytest-qt's
    # qtbot, whose per-test hooks added 2-5 ms to every scan.
    make_app("en")
    scanner_sim = ScannerSimulator()
    devices = Devices(scanner=SerialScanner("scanner", settings=SerialSettings(scanner_sim.port)))
    devices.start()
    till = Till(conn, StoreConfig(locale="en"), PromotionsEngine(load_promotions(PROMOTIONS), "en"))
    window = TillWindow(till, devices)
    window.resize(*size)
    window.show()
    window.login("1001", "1234")
    codes = _codes(conn, 101)
    for code in codes[:100]:
        till.scan(code)
    window.refresh()
    table = window.sale_screen.table
    model = window.sale_screen.model
    assert model.rowCount() == 100
    app = QApplication.instance()
    assert app is not None
    painted_at: list[float] = []

    waiting = QEventLoop()
    timeout = QTimer()
    timeout.setSingleShot(True)
    timeout.timeout.connect(waiting.quit)

    def on_painted() -> None:
        if model.rowCount() == 101 and not painted_at:
            painted_at.append(time.perf_counter())
            waiting.quit()

    table.painted.connect(on_painted)
    samples = []
    try:
        for i in range(SAMPLES + 10):
            painted_at.clear()
            start = time.perf_counter()
            scanner_sim.scan(codes[100], "]E0")
            # Wait in Qt's own event loop, as the till does: it releases the GIL while idle, so
            # the scanner's reader thread runs at once. (A Python loop of processEvents would hold
            # the GIL and add up to the 5 ms switch interval to every scan.)
            timeout.start(2000)
            waiting.exec()
            timeout.stop()
            assert painted_at, "the scanned row was never painted"
            if i >= 10:  # warm-up
                samples.append((painted_at[0] - start) * 1000)
            till.void_line(till.sale.lines[-1].line_no)  # type: ignore[union-attr]
            window.refresh()
            # Let the void's repaint finish before the next scan, as between a cashier's scans
            # (23-30 a minute: 2 s apart); without this the scan waits behind the void's paint.
            timeout.start(50)
            waiting.exec()
    finally:
        window.close()
        devices.close()
        scanner_sim.close()
    samples.sort()
    p50 = statistics.median(samples)
    p99 = samples[int(len(samples) * 0.99) - 1]
    _figures[f"scan {size[0]}×{size[1]}"] = (p50, p99, max(samples))
    print(f"\nscan → painted row, 100 lines, {size[0]}×{size[1]}: p50 {p50:.1f} ms,"
          f" p99 {p99:.1f} ms")
    assert p99 <= SCAN_BUDGET_MS


def test_cold_start_to_login_and_rss(db_path: Path) -> None:
    starts, rss_login, rss_sale = [], [], []
    # As installed: pip compiles the package's bytecode at install (packaging/deb/postinst), so
    # the terminal never compiles at start; here PYTHONDONTWRITEBYTECODE may be set, so compile
    # once and let the children read the bytecode.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    subprocess.run([sys.executable, "-m", "compileall", "-q", *PACKAGES], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=300)
    for _ in range(5):
        t0 = time.time()
        out = subprocess.run([sys.executable, "-c", CHILD, str(db_path), repr(t0)], cwd=ROOT,
                             capture_output=True, text=True, timeout=60, env=env)
        lines = {ln.split()[0]: ln.split()[1:] for ln in out.stdout.splitlines() if ln.strip()}
        assert "shown" in lines and "rss" in lines, out.stderr[-2000:]
        starts.append(float(lines["shown"][0]))
        rss_login.append(float(lines["shown"][1]))
        rss_sale.append(float(lines["rss"][0]))
        assert int(lines["rss"][1]) == 100
    _figures["start"] = (statistics.median(starts), max(starts))
    _figures["rss"] = (max(rss_login), max(rss_sale))
    print(f"\ncold start → login shown: median {statistics.median(starts):.2f} s, "
          f"max {max(starts):.2f} s; RSS {max(rss_login):.0f} MB at login, "
          f"{max(rss_sale):.0f} MB with 100 lines")
    _write_section()
    assert max(starts) <= START_BUDGET_S and max(rss_sale) <= RSS_BUDGET_MB


_figures: dict[str, tuple[float, ...]] = {}


def _write_section() -> None:
    start = _figures["start"]
    rss = _figures["rss"]
    rows = ["| what | measured | budget |", "|---|---|---|"]
    for name, scan in sorted((k, v) for k, v in _figures.items() if k.startswith("scan ")):
        rows.append(f"| scanner event → row painted, 100-line basket, window {name[5:]} "
                    f"({SAMPLES} scans over the pty scanner) | p50 {scan[0]:.1f} ms, "
                    f"p99 {scan[1]:.1f} ms, max {scan[2]:.1f} ms | p99 ≤ {SCAN_BUDGET_MS:.0f} ms |")
    rows.append(f"| cold start → login screen shown (new process, 5 runs) | median {start[0]:.2f} s, "
                f"max {start[1]:.2f} s | ≤ {START_BUDGET_S:.0f} s |")
    rows.append(f"| resident memory (VmRSS) | {rss[0]:.0f} MB at login, {rss[1]:.0f} MB with a "
                f"100-line sale | ≤ {RSS_BUDGET_MB:.0f} MB |")
    text = ("### Qt till (`tests/bench/test_ui_bench.py`)\n\n"
            "Offscreen Qt on the project machine; the scan path is pty → serial driver thread → "
            "queued signal → Till.scan (with a promotions engine) → incremental model update → "
            "paint, each scan after the previous change has painted (a cashier scans about every "
            "2 s), the window waiting in Qt's event loop as the till does; the cold start runs "
            "the installed form, bytecode compiled (as pip does at install). "
            "The machine is shared: wall-clock figures move with its load (load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end of this run).\n\n"
            + "\n".join(rows))
    write_section("ui", text)
