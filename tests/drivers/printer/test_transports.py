"""The thin transports: bytes both ways, and every failure a LinkLost, never a hang."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from drivers.device import DeviceError
from drivers.printer import create_printer
from drivers.printer.serial_port import SerialTransport
from drivers.printer.simulator import PrinterSimulator
from drivers.printer.tcp import TcpTransport
from drivers.printer.transport import LinkLost
from drivers.printer.usb import UsbTransport


def test_tcp_status_round_trip_with_the_simulator(sim: PrinterSimulator) -> None:
    transport = TcpTransport("127.0.0.1", sim.port)
    transport.open()
    try:
        transport.write(b"\x10\x04\x01")
        assert transport.read(timeout=2) == b"\x12"
        assert transport.read(timeout=0.05) == b""  # a timeout is empty, not an error
    finally:
        transport.close()


def test_tcp_to_a_closed_port_is_link_lost() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(LinkLost):
        TcpTransport("127.0.0.1", port, connect_timeout=0.5).open()


def test_tcp_peer_gone_is_link_lost(sim: PrinterSimulator) -> None:
    transport = TcpTransport("127.0.0.1", sim.port)
    transport.open()
    sim.kill()
    with pytest.raises(LinkLost):
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            transport.read(timeout=0.1)


def test_serial_transport_moves_bytes_through_a_pyserial_loopback() -> None:
    transport = SerialTransport("loop://", 19200)
    transport.open()
    try:
        transport.write(b"\x1b@hello\n")
        assert transport.read(timeout=1) == b"\x1b@hello\n"
        assert transport.read(timeout=0.05) == b""
    finally:
        transport.close()


def test_serial_port_that_does_not_exist_is_link_lost(tmp_path: Path) -> None:
    with pytest.raises(LinkLost):
        SerialTransport(str(tmp_path / "ttyNONE")).open()


def test_usb_without_the_printer_or_a_backend_is_link_lost_not_an_import_error() -> None:
    with pytest.raises(LinkLost):
        UsbTransport(0xFFFF, 0xFFFE).open()


def test_create_printer_builds_each_transport_and_refuses_bad_config(tmp_path: Path) -> None:
    db = str(tmp_path / "q.sqlite")
    for config in (
        {"transport": "tcp", "host": "127.0.0.1", "port": 9100},
        {"transport": "serial", "port": "loop://"},
        {"transport": "usb", "vendor_id": 0x04B8, "product_id": 0x0202},
    ):
        printer = create_printer("receipt", {**config, "queue_db": db, "profile": "58mm"})
        assert printer.profile.columns == 32 and printer.health().status == "closed"
    for bad in (
        {"transport": "ipp", "queue_db": db},
        {"transport": "tcp", "queue_db": db},
        {"transport": "serial", "port": "loop://", "flow": "xonxoff", "queue_db": db},
        {"transport": "tcp", "host": "h", "profile": "76mm", "queue_db": db},
    ):
        with pytest.raises(DeviceError) as refused:
            create_printer("receipt", bad)
        assert refused.value.code == "bad_config"
