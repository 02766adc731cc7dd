"""Nothing a terminal leaves retained stays on HQ's broker: every `interval` seconds a sweep
subscribes to the terminals' uplink topics, takes the retained messages the broker sends on
subscribing, clears each (an empty retained message on its topic) and says so in the log.

Rule: Mosquitto 2.0 cannot refuse the retain flag per user (`retain_available` is global, and
HQ's own signed heads and key rollovers are retained), so the ACL bounds what a terminal can
leave (its few exact uplink topics, each message at most `max_packet_size`) and this sweep clears
it. Terminals publish nothing retained themselves; a store bridge strips the flag going up.
"""

from __future__ import annotations

import logging
import threading

import paho.mqtt.client as mqtt
from paho.mqtt.subscribeoptions import SubscribeOptions

from cloud_sync.mqtt_link import make_client, session_properties
from cloud_sync.protocol import ROOT
from cloud_sync.settings import BrokerSettings

log = logging.getLogger("hq.retained")

UPLINK = f"{ROOT}/+/+/up/+"
# Long enough for the broker to send what it holds retained after a SUBACK on a busy machine.
SETTLE_S = 1.0


class RetainedSweeper:
    """One connection (as an HQ service user) that clears terminals' retained uplink messages;
    `cleared` counts them, for the tests and the log."""

    def __init__(self, broker: BrokerSettings, interval: float = 30.0,
                 client_id: str = "hq-retained-sweeper") -> None:
        self.broker = broker
        self.interval = interval
        self.cleared = 0
        self.sweeps = 0
        self.client = make_client(client_id, broker)
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(1, 5)

    def _on_message(self, client: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        # retainAsPublished: a live message keeps the flag its sender set, so one published
        # retained during the sweep is caught too; an empty payload is a clear, ours or not.
        if not msg.retain or not msg.payload:
            return
        client.publish(msg.topic, b"", qos=1, retain=True)
        self.cleared += 1
        log.warning("retained_cleared topic=%s bytes=%d: terminals may not leave retained"
                    " messages", msg.topic, len(msg.payload))

    def sweep_once(self, stop: threading.Event) -> None:
        # QoS 0: a retained message missed now is there at the next sweep.
        options = SubscribeOptions(qos=0, retainAsPublished=True,
                                   retainHandling=SubscribeOptions.RETAIN_SEND_ON_SUBSCRIBE)
        self.client.subscribe(UPLINK, options=options)
        stop.wait(SETTLE_S)
        self.client.unsubscribe(UPLINK)
        self.sweeps += 1

    def run(self, stop: threading.Event) -> None:
        b = self.broker
        self.client.connect_async(b.host, b.port, b.keepalive, clean_start=True,
                                  properties=session_properties())
        self.client.loop_start()
        try:
            while not stop.is_set():
                if self.client.is_connected():
                    self.sweep_once(stop)
                stop.wait(self.interval if self.sweeps else 0.2)
        finally:
            self.client.disconnect()
            self.client.loop_stop()
