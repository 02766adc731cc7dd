"""The applied version travels up promptly: right after the agent applies a downlink version it
publishes the terminal's health report (check `downlink`), which HQ's ingest keeps; with
`report_on_apply = false` it waits for pos-doctor.timer."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cloud_sync.agent import Agent
from cloud_sync.downlink import applied_version
from cloud_sync.health import decode_report
from cloud_sync.protocol import PriceItem
from cloud_sync.settings import AgentSettings, BrokerSettings
from cloud_sync.signing import generate_keypair, load_private_key
from edge.ledger.store import open_store
from hq.fleet import applied_versions
from hq.ingest import IngestOptions, IngestWorker
from hq.publish import publish_version, send
from hq.storage import open_storage
from tests.cloud_sync.harness import Broker, Running, wait_until


@pytest.mark.parametrize("report_on_apply", [True, False])
def test_the_agent_reports_the_version_it_applied_at_once(
        pg_url: str, broker: Broker, tmp_path: Path, report_on_apply: bool) -> None:
    generate_keypair(tmp_path / "hq.key", tmp_path / "hq.pub")
    bs = BrokerSettings(port=broker.port, keepalive=2)
    storage = open_storage(pg_url)
    worker = Running(IngestWorker(IngestOptions(db_url=pg_url, broker=bs)))
    agent = Running(Agent(AgentSettings("S001", "T01", bs, hq_public_key=str(tmp_path / "hq.pub"),
                                        backoff_min=0.1, status_interval=0.2, ack_timeout=3.0,
                                        report_on_apply=report_on_apply), tmp_path / "till.db"))

    def applied() -> dict[str, int]:
        kept = [h for h in storage.health() if (h.store, h.terminal) == ("S001", "T01")]
        return applied_versions(decode_report(kept[0].report)) if kept else {}

    try:
        key = load_private_key(tmp_path / "hq.key")
        for n in (1, 2):
            version, signed = publish_version(storage, key, "prices",
                                              [PriceItem("SKU1", 100 * n)], "S001")
            t0 = time.monotonic()
            send(bs, [("S001", "prices", version, signed)])
            if not report_on_apply:
                break
            wait_until(lambda n=n: applied().get("prices") == n, 20, f"version {n} reported")
            print(f"\nprices v{n}: published → applied version at HQ"
                  f" {time.monotonic() - t0:.2f} s (machine loaded)")
        if not report_on_apply:
            conn = open_store(tmp_path / "till.db")
            try:
                wait_until(lambda: applied_version(conn, "prices") == 1, 20, "version 1 applied")
            finally:
                conn.close()
            time.sleep(3)
            assert applied() == {}          # nothing reported: the timer's report will say it
    finally:
        agent.stop()
        worker.stop()
        storage.close()
