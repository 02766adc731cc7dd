"""A logo whose raster spells DLE EOT 1 (10 04 01) is printed exactly once.

Epson printers execute real-time commands even inside another command's data and answer the
status nobody asked for (ESC/POS manuals, notes to DLE EOT; the simulator answers DLE EOT
wherever it appears in the raw stream). Before issue 12 the queue took that answer as a
`StatusError`, reset the link and resent the logo, forever. Now: the renderer sends images whose
bytes spell no real-time command, and the link expects (and drops) the answers to any DLE EOT
spelled inside data it writes, so a job rendered before the fix also prints once.
"""

from __future__ import annotations

import pytest

from drivers.printer.document import Cut, Logo, QrCode, Text
from drivers.printer.print_queue import JobState
from drivers.printer.profiles import PROFILE_58MM
from drivers.printer.raster import has_realtime_sequence
from drivers.printer.render import render_chunks, setup_chunk
from drivers.printer.simulator import PrintedImage, PrinterSimulator
from tests.drivers.printer.conftest import MakePrinter

pytestmark = pytest.mark.timeout(30)

# 64 dots wide, 24 rows; every row spells DLE EOT 1, the first also DLE EOT 2 and DLE EOT 4.
LOGO_ROWS = [b"\x10\x04\x01\x00\xff\x00\x10\x04", b"\x02\x10\x04\x04\x00\x00\x10\x04"] + [
    b"\x00\x00\x10\x04\x01\xf0\x0f\x00"
] * 22
LOGO = Logo(b"".join(LOGO_ROWS), width=64)
DOC = [Text("店名 SHOP"), LOGO, Text("谢谢 THANK YOU"), Cut()]


def images(sim: PrinterSimulator) -> list[PrintedImage]:
    return [item for item in sim.roll.items if isinstance(item, PrintedImage)]


def test_a_logo_spelling_dle_eot_1_is_printed_exactly_once(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    printer, _ = make_printer(sim.port)
    job = printer.print(DOC)
    assert printer.queue.wait_done(job, timeout=5)
    assert len(images(sim)) == 1 and images(sim)[0].height == 24
    assert sim.roll.lines() == ["店名 SHOP", "谢谢 THANK YOU"]
    record = printer.job(job)
    assert (record.state, record.attempts) == (JobState.DONE, 1)
    # What went over the wire for the image spells no real-time command.
    logo_chunk = render_chunks(DOC, PROFILE_58MM)[2]
    assert not has_realtime_sequence(logo_chunk)
    assert logo_chunk in bytes(sim.received)


def test_a_job_rendered_before_the_fix_still_prints_its_logo_once(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    # The bytes an older renderer stored in the queue: the raw raster, DLE EOTs and all.
    raw_logo = (
        b"\x1ba\x01\x1dv0\x00\x08\x00\x18\x00" + LOGO.source + b"\x1ba\x00"  # type: ignore[operator]
    )
    assert has_realtime_sequence(raw_logo)
    printer, events = make_printer(sim.port)
    chunks = [setup_chunk(PROFILE_58MM), raw_logo, b"THANKS\n"]
    job = printer.queue.submit(chunks)
    assert printer.queue.wait_done(job, timeout=5)
    assert len(images(sim)) == 1
    assert sim.roll.lines() == ["THANKS"]
    assert printer.job(job).attempts == 1
    assert sim.realtime_answered >= 24  # the printer did answer the DLE EOTs in the image
    assert printer.link.unasked_replies >= 24  # and the link expected and dropped every one
    assert "offline" not in events.statuses()


def test_an_image_qr_on_a_printer_without_native_qr_prints_once(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    from dataclasses import replace

    printer, _ = make_printer(sim.port, profile=replace(PROFILE_58MM, native_qr=False))
    qr_jobs = [printer.print([QrCode(f"https://pos.example/r/{i}", size=4), Cut()]) for i in range(20)]
    for job in qr_jobs:
        assert printer.queue.wait_done(job, timeout=5)
        assert printer.job(job).attempts == 1
    assert len(images(sim)) == 20
