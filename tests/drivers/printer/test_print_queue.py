"""The print queue survives paper-out, cover-open, a link drop, a printer power cut and its own
restart, and never prints a line twice unmarked: each test asserts the roll holds every line
exactly once, in order, or, where the printer's own answers cannot tell whether a line printed
(docs/printer.md, "Printing exactly once"), that line again right after a "continued" marker."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from drivers.device import DeviceError, ErrorEvent
from drivers.printer.document import Cut, Text
from drivers.printer.link import PrinterLink
from drivers.printer.print_queue import JobState, PrintQueue
from drivers.printer.printer import CONTINUED_TEXT
from drivers.printer.profiles import PROFILE_58MM
from drivers.printer.render import render_chunks
from drivers.printer.simulator import PrintedCut, PrinterSimulator
from drivers.printer.tcp import TcpTransport
from tests.drivers.printer.conftest import FAST, Events, MakePrinter

LINES = [f"第{i:02d}行 商品 ¥{i}.00" for i in range(1, 13)]
DOC = [*(Text(line) for line in LINES), Cut()]


def test_a_job_prints_once_and_is_marked_done_with_one_attempt(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    printer, _ = make_printer(sim.port)
    job = printer.print(DOC)
    assert printer.queue.wait_done(job, timeout=5)
    assert sim.roll.lines() == LINES
    record = printer.job(job)
    assert (record.state, record.attempts, record.chunks_done) == (JobState.DONE, 1, 14)


def test_paper_out_mid_job_waits_then_finishes_without_printing_a_line_twice(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    sim.paper_runs_out_after(5)
    printer, events = make_printer(sim.port)
    job = printer.print(DOC)
    waiting = events.wait_status("paper_out")
    assert waiting.detail == f"job {job} waits"
    time.sleep(0.2)  # the queue keeps waiting; it must not resend what the printer holds
    assert sim.roll.lines() == LINES[:5]
    assert printer.job(job).state is JobState.PRINTING
    assert printer.health().status == "paper_out" and not printer.health().ok
    sim.load_paper()
    assert printer.queue.wait_done(job, timeout=5)
    assert sim.roll.lines() == LINES
    assert printer.job(job).attempts == 1
    events.wait_status("online")


def test_paper_loaded_from_a_qt_button_resumes_the_job_and_clears_the_status_at_once(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    """The demo's "load paper" button: QPushButton.clicked(bool) connected to `load_paper`. Qt
    passes `checked` (False) to a slot that takes an argument, and `load_paper(lines=False)` was
    an empty roll: the status stayed paper_out and the job "printing" (issue 12, item 8)."""
    from PySide6.QtCore import QObject, Signal

    class Button(QObject):
        clicked = Signal(bool)

    sim.paper_runs_out_after(3)
    printer, events = make_printer(sim.port)
    job = printer.print(DOC)
    events.wait_status("paper_out")
    button = Button()
    button.clicked.connect(sim.load_paper)
    started = time.monotonic()
    button.clicked.emit(False)
    assert printer.queue.wait_done(job, timeout=2)
    assert sim.roll.lines() == LINES
    deadline = time.monotonic() + 1
    while printer.health().status != "online" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert printer.health().status == "online"
    assert events.statuses()[-1] == "online"
    assert time.monotonic() - started < 2


def test_cover_opened_mid_job_waits_then_finishes_without_printing_a_line_twice(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    sim.cover_opens_after(7)
    printer, events = make_printer(sim.port)
    job = printer.print(DOC)
    events.wait_status("cover_open")
    time.sleep(0.2)
    assert sim.roll.lines() == LINES[:7]
    sim.close_cover()
    assert printer.queue.wait_done(job, timeout=5)
    assert sim.roll.lines() == LINES
    assert sum(isinstance(item, PrintedCut) for item in sim.roll.items) == 1


def test_a_job_waits_before_it_starts_while_the_cover_is_open(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    sim.open_cover()
    printer, events = make_printer(sim.port)
    job = printer.print(DOC)
    events.wait_status("cover_open")
    assert sim.roll.items == []
    sim.close_cover()
    assert printer.queue.wait_done(job, timeout=5)
    assert sim.roll.lines() == LINES


def test_printer_killed_mid_job_then_restarted_completes_the_job_once(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    sim.paper_runs_out_after(4)
    printer, events = make_printer(sim.port)
    job = printer.print(DOC)
    events.wait_status("paper_out")  # the printer holds the next line, unprinted
    sim.kill()  # power cut: what it held is gone, the paper stays
    events.wait_status("offline")
    assert any(isinstance(e, ErrorEvent) and e.code == "link_lost" for e in events.items)
    restarted = PrinterSimulator(port=sim.port, roll=sim.roll).start()
    try:
        assert printer.queue.wait_done(job, timeout=5)
        # The restarted printer holds nothing and never answers for line 5: it may have printed
        # it (had the paper come back before the power went) or not; the queue cannot know, so
        # it prints it under the marker.
        assert restarted.roll.lines() == [*LINES[:4], CONTINUED_TEXT, *LINES[4:]]
        record = printer.job(job)
        assert (record.attempts, record.continued) == (2, 1)
    finally:
        restarted.kill()


def test_printer_killed_while_printing_repeats_at_most_the_one_unconfirmed_line(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    # No paper-out here: the power goes at an arbitrary moment. The documented window is a line
    # printed whose confirmation died with the link; it may print again, nothing else may.
    printer, _ = make_printer(sim.port)
    job = printer.print(DOC)
    assert sim.wait_until(lambda s: len(s.roll.lines()) >= 5, timeout=5)
    sim.kill()
    restarted = PrinterSimulator(port=sim.port, roll=sim.roll).start()
    try:
        assert printer.queue.wait_done(job, timeout=5)
    finally:
        restarted.kill()
    printed = restarted.roll.lines()
    assert printed.count(CONTINUED_TEXT) == printer.job(job).continued <= 1
    if CONTINUED_TEXT in printed:
        at = printed.index(CONTINUED_TEXT)
        before, after = printed[:at], printed[at + 1 :]
        # The line after the marker is the one in doubt: printed before it too, or not at all.
        assert before + after in (LINES, [*before, *LINES[len(before) - 1 :]])
    else:
        assert printed == LINES


def test_the_queue_itself_restarted_mid_job_resumes_from_the_sqlite_file(
    sim: PrinterSimulator, tmp_path: Path
) -> None:
    sim.paper_runs_out_after(6)
    events = Events()
    db = tmp_path / "jobs.sqlite"
    first = PrintQueue(db, PrinterLink(TcpTransport("127.0.0.1", sim.port)), device_name="p",
                       emit=events, timings=FAST)  # fmt: skip
    first.start()
    job = first.submit(render_chunks(DOC, PROFILE_58MM))
    events.wait_status("paper_out")
    first.close()  # the till restarts; its connection (and what the printer held on it) goes
    assert first_state(db, job) == ("printing", 7)  # setup + 6 confirmed lines
    assert first_sent(db, job) == 8  # line 7 went out, unconfirmed: the printer holds it
    second = PrintQueue(db, PrinterLink(TcpTransport("127.0.0.1", sim.port)), device_name="p",
                        emit=Events(), timings=FAST)  # fmt: skip
    second.start()
    try:
        time.sleep(0.2)  # connected, waiting for the paper
        sim.load_paper()  # line 7 prints now; the printer answers for it on the new link
        assert second.wait_done(job, timeout=5)
        assert sim.roll.lines() == LINES
        assert second.job(job).continued == 0
    finally:
        second.close()


def test_a_queue_restarted_after_the_printer_printed_what_it_held_marks_the_line_it_sends_again(
    sim: PrinterSimulator, tmp_path: Path
) -> None:
    sim.paper_runs_out_after(6)
    events = Events()
    db = tmp_path / "jobs.sqlite"
    first = PrintQueue(db, PrinterLink(TcpTransport("127.0.0.1", sim.port)), device_name="p",
                       emit=events, timings=FAST)  # fmt: skip
    first.start()
    job = first.submit(render_chunks(DOC, PROFILE_58MM))
    events.wait_status("paper_out")
    first.close()
    sim.load_paper()  # line 7 prints with no link to hear its answer
    assert sim.wait_until(lambda s: len(s.roll.lines()) == 7, timeout=2)
    second = PrintQueue(db, PrinterLink(TcpTransport("127.0.0.1", sim.port)), device_name="p",
                        emit=Events(), timings=FAST, continued_marker=b"-- continued --\n")  # fmt: skip
    second.start()
    try:
        assert second.wait_done(job, timeout=5)
        assert sim.roll.lines() == [*LINES[:7], "-- continued --", *LINES[6:]]
        assert second.job(job).continued == 1
    finally:
        second.close()


def test_a_link_drop_while_the_printer_holds_a_stopped_line_resumes_from_its_answer(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    # Issue 21: the link drops (network, not power) while the paper is out and the printer holds
    # line 4. It keeps it; the queue reconnects and waits for the printer's own answer instead of
    # resending the line, which would print it twice once the paper is back.
    sim.paper_runs_out_after(3)
    printer, events = make_printer(sim.port)
    job = printer.print(DOC)
    events.wait_status("paper_out")
    sim.unplug()
    events.wait_status("offline")
    sim.plug_in()
    deadline = time.monotonic() + 5
    while printer.job(job).attempts < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    assert sim.roll.lines() == LINES[:3]
    sim.load_paper()
    assert printer.queue.wait_done(job, timeout=5)
    assert sim.roll.lines() == LINES
    record = printer.job(job)
    assert (record.attempts, record.continued, record.chunks_done) == (2, 0, 14)


def test_a_line_printed_while_the_link_was_down_is_sent_again_only_under_the_marker(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    sim.paper_runs_out_after(3)
    printer, events = make_printer(sim.port)
    job = printer.print(DOC)
    events.wait_status("paper_out")
    sim.unplug()
    events.wait_status("offline")
    sim.load_paper()  # line 4 prints; its answer has no link to go to
    assert sim.wait_until(lambda s: len(s.roll.lines()) == 4, timeout=2)
    sim.plug_in()
    assert printer.queue.wait_done(job, timeout=5)
    assert sim.roll.lines() == [*LINES[:4], CONTINUED_TEXT, *LINES[3:]]
    assert printer.job(job).continued == 1


def first_sent(db: Path, job: int) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT chunks_sent FROM print_jobs WHERE id = ?", (job,)).fetchone()[0])


def first_state(db: Path, job: int) -> tuple[str, int]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT state, chunks_done FROM print_jobs WHERE id = ?", (job,)).fetchone()
    return row[0], row[1]


def test_submit_returns_at_once_while_the_printer_is_unreachable(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    port = sim.port
    sim.kill()
    printer, events = make_printer(port)
    started = time.monotonic()
    job = printer.print(DOC)
    assert time.monotonic() - started < 0.1
    events.wait_status("offline")
    assert printer.job(job).state is not JobState.DONE
    revived = PrinterSimulator(port=port).start()
    try:
        assert printer.queue.wait_done(job, timeout=5)
        assert revived.roll.lines() == LINES
    finally:
        revived.kill()


def test_jobs_print_in_submission_order(sim: PrinterSimulator, make_printer: MakePrinter) -> None:
    printer, _ = make_printer(sim.port)
    jobs = [printer.print([Text(f"receipt {n}")]) for n in range(5)]
    assert all(printer.queue.wait_done(j, timeout=5) for j in jobs)
    assert sim.roll.lines() == [f"receipt {n}" for n in range(5)]


def test_reprint_of_a_done_job_prints_it_again_as_a_new_job(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    printer, _ = make_printer(sim.port)
    job = printer.print([Text("小票 0001")])
    assert printer.queue.wait_done(job, timeout=5)
    again = printer.reprint(job)
    assert again != job and printer.job(again).reprint_of == job
    assert printer.queue.wait_done(again, timeout=5)
    assert sim.roll.lines() == ["小票 0001", "小票 0001"]


def test_reprint_refuses_unknown_and_unfinished_jobs(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    sim.run_out_of_paper()
    printer, _ = make_printer(sim.port)
    job = printer.print([Text("x")])
    with pytest.raises(DeviceError) as unfinished:
        printer.reprint(job)
    assert unfinished.value.code == "job_not_done"
    with pytest.raises(DeviceError) as unknown:
        printer.reprint(9999)
    assert unknown.value.code == "no_such_job"


def test_printing_before_enable_is_misuse(sim: PrinterSimulator, make_printer: MakePrinter) -> None:
    printer, _ = make_printer(sim.port)
    printer.disable()
    with pytest.raises(DeviceError) as misuse:
        printer.print(DOC)
    assert misuse.value.code == "not_enabled"
