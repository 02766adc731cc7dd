"""Making a paho MQTT 5 client (callback API v2) from broker settings: TLS, credentials, will.

Rule: every process of the sync path connects through here, so TLS and credentials are set the
same way everywhere.
"""

from __future__ import annotations

import ssl

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from cloud_sync.settings import BrokerSettings


def make_client(client_id: str, broker: BrokerSettings,
                will: tuple[str, bytes] | None = None) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id,
                         protocol=mqtt.MQTTv5)
    if broker.username:
        client.username_pw_set(broker.username, broker.password or None)
    if broker.tls:
        client.tls_set(ca_certs=broker.ca_file or None, cert_reqs=ssl.CERT_REQUIRED)
    if will:
        client.will_set(will[0], will[1], qos=1)
    # paho keeps QoS 1 messages in memory only; our outbox is the durable queue, so a small
    # in-flight window here is enough.
    client.max_inflight_messages_set(64)
    client.max_queued_messages_set(0)
    return client


def session_properties(expiry_s: int = 0) -> Properties:
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = expiry_s
    return props


def reply_properties(response_topic: str, correlation: bytes) -> Properties:
    props = Properties(PacketTypes.PUBLISH)
    props.ResponseTopic = response_topic
    props.CorrelationData = correlation
    return props
