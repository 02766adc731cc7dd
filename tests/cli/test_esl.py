"""`pos esl`: a label assigned from the command line, and the store's label loop reporting to
HQ as soon as what the rollout page reads changed — a label's state or an applied version —
and not on a pass where nothing did (the health topic of a real Mosquitto, watched)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import msgspec
import paho.mqtt.client as mqtt

from cli.esl import LabelLoop
from cli.main import main as pos
from cloud_sync.health import HealthReport, health_topic
from drivers.esl import create_esl
from drivers.esl.simulator import SimulatedAP
from tests.cloud_sync.harness import Broker, wait_until
from tests.drivers.esl.test_delivery import Clock

MAC = "0000021EAF3B0001"


def test_the_loop_reports_when_a_label_or_an_applied_version_changed_and_only_then(
        broker: Broker, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    assert pos(["init", "--db", str(db), "--demo"]) == 0
    config = db.with_name("store.toml")
    config.write_text(config.read_text() + f"\n[sync]\nhost = \"127.0.0.1\"\nport = {broker.port}\n"
                                           "insecure = true\n")
    clock = Clock()
    with SimulatedAP([MAC], clock=clock) as ap:
        config.write_text(config.read_text() + f"\n[devices.shelf]\nkind = \"esl\"\ntransport = \"http\"\n"
                                               f"url = \"{ap.url}\"\n")
        assert pos(["esl", "assign", MAC.lower(), "P00001", "--db", str(db)]) == 0
        reports: list[HealthReport] = []
        got = threading.Event()
        watcher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, "watcher")

        def on_message(client: object, userdata: object, msg: mqtt.MQTTMessage) -> None:
            reports.append(msgspec.json.decode(msg.payload, type=HealthReport))
            got.set()

        watcher.on_message = on_message
        watcher.connect("127.0.0.1", broker.port)
        watcher.subscribe(health_topic("S001", "T01"), qos=1)
        watcher.loop_start()
        labels = create_esl("shelf", {"url": ap.url, "database": str(tmp_path / "esl-shelf.sqlite"),
                                      "timeout_s": 2}, clock=clock)
        loop = LabelLoop(db, config, labels, publish=True)
        try:
            assert loop.once()                          # the first report: the label pending
            wait_until(lambda: len(reports) == 1, 10, "the first report")
            assert [(lb.mac, lb.state) for lb in reports[0].labels or []] == [(MAC, "pending")]
            clock.now += 30
            assert loop.once()                          # delivered: confirmed, reported
            assert not loop.once() and not loop.once()  # nothing changed: nothing sent
            with sqlite3.connect(db) as conn:
                conn.execute("INSERT INTO sync_stream (stream, version, applied_at)"
                             " VALUES ('prices', 4, '2026-12-06T10:00:00+00:00')")
            assert loop.once()                          # an applied version changed
            wait_until(lambda: len(reports) == 3, 10, "three reports")
            assert (reports[1].labels or [])[0].state == "confirmed"
            downlink = reports[2].check("downlink")
            assert downlink is not None and downlink.data["prices"] == 4
            assert reports[2].check("device shelf") is None      # the till holds the devices
        finally:
            watcher.loop_stop()
            watcher.disconnect()
            labels.outbox.close()
