"""Cash drawer: ESC p goes out over the link, DLE EOT 1 bit 2 reads the drawer back."""

from __future__ import annotations

import time

from drivers.printer.document import KickDrawer, Text
from drivers.printer.simulator import PrinterSimulator
from tests.drivers.printer.conftest import MakePrinter
from tests.drivers.printer.escpos_decoder import DrawerKick, decode


def test_kick_sends_esc_p_and_the_drawer_reads_open_then_closed(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    printer, events = make_printer(sim.port)
    assert printer.drawer.is_open(timeout=2) is False
    printer.drawer.kick().result(timeout=2)
    assert sim.wait_until(lambda s: s.kicks == [0], timeout=2)
    assert b"\x1bp\x00\x32\x32" in sim.received
    assert DrawerKick(pin=0, on_ms=100, off_ms=100) in decode(bytes(sim.received))
    assert printer.drawer.is_open(timeout=2) is True
    events.wait_status("drawer_open")
    sim.close_drawer()
    assert printer.drawer.wait_closed(timeout=2)
    events.wait_status("drawer_closed")


def test_wait_closed_gives_up_at_its_timeout_while_the_drawer_stays_open(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    sim.open_drawer()
    printer, _ = make_printer(sim.port)
    assert printer.drawer.wait_closed(timeout=0.3) is False


def test_a_kick_inside_the_receipt_opens_the_drawer_after_its_lines(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    printer, _ = make_printer(sim.port)
    job = printer.print([Text("现金 ¥50.00"), KickDrawer()])
    assert printer.queue.wait_done(job, timeout=5)
    assert sim.kicks == [0] and sim.roll.lines() == ["现金 ¥50.00"]
    assert printer.drawer.is_open(timeout=2)


def test_drawer_on_pin_5_and_a_drawer_whose_switch_reads_low_when_open(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    printer, _ = make_printer(sim.port, drawer_pin=1, drawer_open_when_high=False)
    printer.drawer.kick().result(timeout=2)
    assert sim.wait_until(lambda s: s.kicks == [1], timeout=2)
    # The simulator drives pin 3 HIGH when open; this drawer is wired the other way round.
    assert printer.drawer.is_open(timeout=2) is False


def test_wait_closed_is_false_within_its_timeout_when_the_printer_is_gone(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    printer, events = make_printer(sim.port)
    events.wait_status("online")
    sim.kill()
    started = time.monotonic()
    assert printer.drawer.wait_closed(timeout=0.5) is False  # unknown is not closed
    assert time.monotonic() - started < 1.0
