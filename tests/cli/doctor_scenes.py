"""A healthy and a sick terminal for `pos doctor` (and the fleet view): real database, real
Mosquitto, a printer simulator over TCP, an NTP server, a real backup. Used by the tests and to
write the outputs shown in docs/operations.md."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cloud_sync.status import write_status
from drivers.printer.simulator import PrinterSimulator
from edge.ledger.backup import take_backup
from edge.ledger.clock import utc_now_iso
from edge.ledger.store import open_store
from tests.cli.sntp import SntpServer
from tests.cloud_sync.harness import free_port
from tests.cloud_sync.sales import make_sales


@contextmanager
def terminal(directory: Path, broker_port: int | None, clock_skew_s: float = 0.0,
             paper: bool = True, terminal_id: str = "T01", store: str = "S001",
             sales: int = 3, printer: bool = True, sync: str = "",
             hq_clock_offset_s: float | None = None) -> Iterator[list[str]]:
    """Yield the `pos doctor` arguments for a terminal set up in `directory`; no broker port
    means a port where nothing listens (broker unreachable); `sync`: more [sync] lines (the
    terminal's broker credential); `hq_clock_offset_s` is what its sync agent measured against
    HQ's acks."""
    directory.mkdir(parents=True, exist_ok=True)
    db = directory / "store.db"
    conn = open_store(db)
    make_sales(conn, store, terminal_id, sales, random.Random(5))
    if hq_clock_offset_s is not None:
        write_status(conn, clock_offset_s=hq_clock_offset_s, clock_checked_at=utc_now_iso())
    conn.close()
    take_backup(db, directory / "backups")
    simulator = PrinterSimulator().start() if printer else None
    if simulator and not paper:
        simulator.run_out_of_paper()
    ntp = SntpServer(clock_skew_s)
    (directory / "store.toml").write_text(f"""[store]
store_id = "{store}"
terminal_id = "{terminal_id}"

[sync]
host = "127.0.0.1"
port = {broker_port or free_port()}
insecure = true  # the test broker is plaintext; TLS itself is checked in test_doctor
{sync}
""" + (f"""
[devices.receipt]
kind = "printer"
transport = "tcp"
host = "127.0.0.1"
port = {simulator.port}
""" if simulator else ""))
    try:
        yield ["doctor", "--db", str(db), "--time-server", f"127.0.0.1:{ntp.port}"]
    finally:
        ntp.close()
        if simulator:
            simulator.kill()
