"""The till warns when its clock is off HQ's: a sync agent whose clock (injected) runs 10 minutes
ahead sends a sale through a real Mosquitto to a real HQ ingest (PostgreSQL); HQ's ack carries its
time, the agent records the offset, and the till's status strip and `pos doctor` warn. Within a
minute, nothing is said."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from cloud_sync.agent import Agent
from cloud_sync.doctor import check_hq_clock
from cloud_sync.settings import AgentSettings, BrokerSettings
from cloud_sync.status import read_status
from edge.till.session import Till
from hq.ingest import IngestOptions, IngestWorker
from tests.cloud_sync.harness import Broker, Running, throwaway_database, wait_until
from tests.ui.conftest import ScriptedPrompts
from tests.ui.test_till_flow import gtins, login, make_window

pytestmark = pytest.mark.timeout(90)


@pytest.mark.parametrize(("skew_s", "warned"), [(600.0, True), (-600.0, True), (30.0, False)],
                         ids=["10 min ahead", "10 min behind", "30 s ahead"])
def test_the_status_strip_warns_when_the_clock_is_off_hq(
        qtbot: QtBot, tmp_path: Path, db_path: Path, till: Till, conn: sqlite3.Connection,
        prompts: ScriptedPrompts, skew_s: float, warned: bool) -> None:
    broker = Broker(tmp_path)
    with throwaway_database() as pg_url:
        hq = Running(IngestWorker(IngestOptions(db_url=pg_url,
                                                broker=BrokerSettings(port=broker.port))))
        agent = Running(Agent(AgentSettings("S001", "T01", broker=BrokerSettings(port=broker.port,
                                                                                 keepalive=2),
                                            status_interval=0.1, backoff_min=0.1,
                                            backoff_max=0.5),
                              db_path, wall=lambda: time.time() + skew_s))
        try:
            window = make_window(qtbot, till, None, prompts)
            login(qtbot, window)
            till.scan(gtins(conn, 1)[0])
            sale = till.tender("cash", till.sale.remaining if till.sale else 0)
            assert sale.status == "completed"
            wait_until(lambda: read_status(conn).clock_offset_s is not None, 30,
                       "HQ's ack with its time")
        finally:
            agent.stop()
            hq.stop()
            broker.stop()
    offset = read_status(conn).clock_offset_s
    assert offset is not None and abs(offset - skew_s) < 5.0   # loopback: a short round trip
    window.status.refresh()
    text = window.status.clock_label.text()
    doctor = check_hq_clock(db_path)
    if warned:
        assert ("ahead of HQ" if skew_s > 0 else "behind HQ") in text and "10 min" in text
        assert doctor.status == "fail" and "against HQ" in doctor.detail
    else:
        assert text == "" and doctor.status == "ok"
    assert abs(doctor.data["offset_s"] - skew_s) < 5.0
