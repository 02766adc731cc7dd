"""A Chinese receipt, rendered, sent over real TCP to the simulated printer, decoded back."""

from __future__ import annotations

from drivers.printer.document import Cut, QrCode, Rule, Text
from drivers.printer.profiles import PROFILE_58MM
from drivers.printer.render import render
from drivers.printer.simulator import PrintedCut, PrintedLine, PrintedQr, PrinterSimulator
from drivers.printer.tcp import TcpTransport
from tests.drivers.printer.conftest import MakePrinter
from tests.drivers.printer.escpos_decoder import CutPaper, Qr, decode, lines

RECEIPT = [
    Text("惠民超市 南京路店", bold=True, double=True, align="center"),
    Rule(),
    Text("苹果 富士 1.234kg  ¥12.34"),
    Text("牛奶 250ml x2       ¥9.00"),
    Rule(),
    Text("合计               ¥21.34", bold=True),
    QrCode("https://pos.example/r/S001-T02-000042", size=6),
    Text("谢谢惠顾", align="center"),
    Cut(),
]
EXPECTED_LINES = [
    "惠民超市 南京路店",
    "-" * 32,
    "苹果 富士 1.234kg  ¥12.34",
    "牛奶 250ml x2       ¥9.00",
    "-" * 32,
    "合计               ¥21.34",
    "谢谢惠顾",
]


def test_receipt_sent_raw_over_tcp_decodes_back_to_its_text_qr_and_cut(
    sim: PrinterSimulator,
) -> None:
    data = render(RECEIPT, PROFILE_58MM)
    transport = TcpTransport("127.0.0.1", sim.port)
    transport.open()
    try:
        transport.write(data)
        assert sim.wait_until(lambda s: len(s.received) == len(data), timeout=5)
    finally:
        transport.close()
    assert bytes(sim.received) == data
    elements = decode(bytes(sim.received))
    assert lines(elements) == EXPECTED_LINES
    assert [e for e in elements if isinstance(e, Qr)] == [
        Qr("https://pos.example/r/S001-T02-000042", size=6, model=2, level="M")
    ]
    assert elements[-1] == CutPaper(partial=False)
    # The simulated printer read the same bytes the same way.
    assert sim.roll.lines() == EXPECTED_LINES
    assert PrintedLine("惠民超市 南京路店", bold=True, double=True, align="center") in sim.roll.items
    assert sim.roll.items[-3:] == [
        PrintedQr("https://pos.example/r/S001-T02-000042"),
        PrintedLine("谢谢惠顾", align="center"),
        PrintedCut(partial=False),
    ]


def test_receipt_through_the_print_queue_prints_once_and_decodes_back(
    sim: PrinterSimulator, make_printer: MakePrinter
) -> None:
    printer, _ = make_printer(sim.port)
    job = printer.print(RECEIPT)
    assert printer.queue.wait_done(job, timeout=5)
    assert sim.roll.lines() == EXPECTED_LINES
    # What went over the wire is the receipt plus the queue's status queries, nothing else.
    elements = decode(bytes(sim.received))
    assert lines(elements) == EXPECTED_LINES
    assert sum(isinstance(e, Qr) for e in elements) == 1
