"""Zeroconf advertising and browsing for real, on the loopback interface only."""

from __future__ import annotations

import socket

import pytest
from zeroconf import ServiceInfo

from drivers.discovery import Discovery, FoundService, TerminalAdvert


@pytest.mark.timeout(20)
def test_terminal_advert_and_printer_are_found_on_loopback() -> None:
    till = Discovery(interfaces=["127.0.0.1"])
    browser = Discovery(interfaces=["127.0.0.1"])
    printer = ServiceInfo(
        "_pdl-datastream._tcp.local.",
        "Receipt printer._pdl-datastream._tcp.local.",
        addresses=[socket.inet_aton("127.0.0.1")],
        port=9100,
        server="printer-1.local.",
    )
    try:
        name = till.advertise(TerminalAdvert("s001", "t02", "0.1.0", "till", 8765, addresses=("127.0.0.1",)))
        assert name == "s001-t02._pos-terminal._tcp.local."
        till.register(printer)

        def both(found: list[FoundService]) -> bool:
            return {s.kind for s in found} >= {"terminal", "printer-raw"}

        found = browser.browse(timeout=8, until=both)
    finally:
        browser.close()
        till.close()
    by_kind = {s.kind: s for s in found}
    terminal = by_kind["terminal"]
    assert terminal.port == 8765 and "127.0.0.1" in terminal.addresses
    assert terminal.properties == {
        "store": "s001",
        "terminal": "t02",
        "version": "0.1.0",
        "role": "till",
    }
    assert by_kind["printer-raw"].port == 9100


@pytest.mark.timeout(10)
def test_browse_with_nothing_there_returns_empty_after_timeout() -> None:
    discovery = Discovery(interfaces=["127.0.0.1"])
    try:
        # a kind no test announces: tests on another xdist worker announce a store broker
        # (`mqtt`) and printers on loopback at any moment
        assert discovery.browse(timeout=0.5, kinds=["printer-lpd"]) == []
    finally:
        discovery.close()
