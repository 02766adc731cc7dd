"""Every device kind opened from a store.toml through `drivers.registry`, against the simulators
over their real transports (ptys, TCP, HTTP, LLRP), and checked the way `pos devices doctor` does."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from drivers.config import parse_devices
from drivers.printer.document import Text
from drivers.printer.link import PrinterLink
from drivers.printer.print_queue import PrintQueue
from drivers.printer.profiles import PROFILE_58MM
from drivers.printer.render import render_chunks
from drivers.printer.simulator import PrinterSimulator
from drivers.printer.tcp import TcpTransport
from drivers.registry import check, diagnose

pytestmark = pytest.mark.timeout(60)


def test_every_kind_opens_from_store_toml_and_answers_its_health_check(every_kind: str) -> None:
    results = {d.config.name: d for d in diagnose(parse_devices(tomllib.loads(every_kind)))}
    for name in ("front_scanner", "deli_scale", "veg_scale", "pole", "receipt", "shelf_labels", "backroom"):
        assert results[name].health is not None and results[name].health.ok, results[name].line()
        assert results[name].line().startswith("OK  ")
    assert results["receipt"].health.status == "online"  # type: ignore[union-attr]
    assert "OpenEPaperLink AP at 127.0.0.1" in results["shelf_labels"].line()
    # Not there: a clear failure, not a crash; disabled: skipped, not checked.
    assert results["counter_printer"].failed and results["counter_printer"].line().startswith("FAIL")
    assert results["spare_labels"].health is None and results["spare_labels"].line().startswith("SKIP")


def test_a_check_never_prints_the_tills_queued_jobs(tmp_path: Path) -> None:
    queue_db = tmp_path / "print-receipt.sqlite"
    # A job the till queued while the printer was away (its queue is not running now).
    waiting = PrintQueue(queue_db, PrinterLink(TcpTransport("127.0.0.1", 9)), device_name="receipt",
                         emit=lambda event: None)  # fmt: skip
    waiting.submit(render_chunks([Text("QUEUED BY THE TILL")], PROFILE_58MM))
    waiting.close()
    with PrinterSimulator() as sim:
        config = parse_devices(tomllib.loads(
            f'[devices.receipt]\nkind = "printer"\ntransport = "tcp"\nhost = "127.0.0.1"\n'
            f'port = {sim.port}\nqueue_db = "{queue_db}"\n'))["receipt"]  # fmt: skip
        assert check(config).ok
        assert sim.roll.lines() == []  # the check's queue was in memory; the job waits for the till
