"""HQ's downlink: turning a file into a new signed version per store, and snapshots on request.

Rules: a version is numbered, signed and stored in one transaction before it is sent, so what a
store receives is always something HQ can send again; given the stores' pinned keys, HQ verifies
it against them first. A new signing key reaches the stores by a rollover signed with the old.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cloud_sync.mqtt_link import make_client
from cloud_sync.protocol import (
    ITEM_TYPES,
    SCHEMA_VERSION,
    STREAMS,
    CatalogItem,
    Document,
    Head,
    OrderItem,
    PriceItem,
    PromotionItem,
    ResendRequest,
    Rollover,
    TransferItem,
    ack_topic,
    encode,
    head_topic,
    keys_topic,
    version_topic,
)
from cloud_sync.settings import BrokerSettings
from cloud_sync.signing import Keyring, SignatureError, key_id, public_pem, sign, verify_pinned
from edge.catalog.products import tax_code_error
from edge.ledger.clock import utc_now_iso
from hq.storage.interface import HqStorage


class PublishError(ValueError):
    """The file cannot become a version; nothing was stored or sent."""


def read_items(stream: str, path: Path) -> list[CatalogItem] | list[PriceItem] | list[PromotionItem]:
    """A JSON array of items of the stream; every item is checked before anything is stored."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PublishError(f"{path}: {exc}") from None
    return parse_items(stream, raw, str(path))


def parse_items(stream: str, raw: bytes, where: str = "items"
                ) -> list[CatalogItem] | list[PriceItem] | list[PromotionItem]:
    """`raw` (a JSON array of the stream's items, as `pos hq publish` reads from a file or the
    console takes from a form), every item checked."""
    if stream not in STREAMS:
        raise PublishError(f"unknown stream {stream!r}; one of {', '.join(STREAMS)}")
    try:
        items: list[Any] = msgspec.json.decode(raw, type=ITEM_TYPES[stream])
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise PublishError(f"{where}: {exc}") from None
    for item in items:
        if getattr(item, "price", 0) < 0:
            raise PublishError(f"{where}: negative price for {item.sku}")
        bad_code = tax_code_error(getattr(item, "tax_code", ""))
        if bad_code:
            raise PublishError(f"{where}: {item.sku}: {bad_code}")
        at = getattr(item, "effective_at", None)
        if at is not None:
            try:
                aware = datetime.fromisoformat(at).tzinfo is not None
            except ValueError:
                aware = False
            if not aware:
                raise PublishError(f"{where}: {item.sku}: effective_at {at!r} is not an ISO-8601"
                                   " time with its offset")
    return items


def item_key(stream: str, item: Any) -> str:
    if isinstance(item, PromotionItem):
        return item.promotion_id
    if isinstance(item, TransferItem):
        return item.transfer_id
    if isinstance(item, OrderItem):
        return item.order_id
    if isinstance(item, PriceItem):
        return f"{item.sku}@{item.effective_at or ''}"
    return item.sku


def document_bytes(stream: str, store: str, version: int, kind: str,
                   bodies: Iterable[bytes]) -> bytes:
    items = msgspec.Raw(b"[" + b",".join(bodies) + b"]")
    return encode(Document(v=SCHEMA_VERSION, stream=stream, store=store,  # type: ignore[arg-type]
                           version=version, kind=kind, created_at=utc_now_iso(),  # type: ignore[arg-type]
                           items=items))


def publish_version(storage: HqStorage, key: Ed25519PrivateKey, stream: str, items: list,  # type: ignore[type-arg]
                    store: str, pinned: Keyring | None = None) -> tuple[int, bytes]:
    """Store a new delta version of `stream` for `store`; returns (version, signed bytes).
    With `pinned` (the keys the stores pin), a version is verified against them before it is
    stored: one the tills would refuse is never stored, so it can never wedge their downlink."""
    bodies = {item_key(stream, i): encode(i) for i in items}

    def signer(version: int) -> bytes:
        doc = document_bytes(stream, store, version, "delta", bodies.values())
        signed = sign(key, doc)
        if pinned is not None:
            try:
                verify_pinned(pinned, signed)
            except SignatureError as exc:
                raise PublishError(f"not stored: {exc}") from None
        return encode(signed)

    return storage.add_version(store, stream, bodies, signer)


def snapshot(storage: HqStorage, key: Ed25519PrivateKey, store: str, stream: str) -> bytes:
    """The whole current state of a stream for a store, signed, at HQ's head version."""
    version, bodies = storage.snapshot_items(store, stream)
    return encode(sign(key, document_bytes(stream, store, version, "snapshot", bodies)))


def rollover_bytes(key: Ed25519PrivateKey, next_public: Ed25519PublicKey) -> bytes:
    """The rollover document announcing `next_public`, signed with the current key."""
    doc = encode(Rollover(v=SCHEMA_VERSION, key_id=key_id(next_public),
                          public_pem=public_pem(next_public).decode("ascii"),
                          created_at=utc_now_iso()))
    return encode(sign(key, doc))


def send_rollover(broker: BrokerSettings, stores: list[str], body: bytes,
                  timeout: float = 30.0) -> None:
    """Publish the rollover, retained, on every store's keys topic."""
    client = make_client(f"hq-publish-{uuid.uuid4().hex[:8]}", broker)
    client.connect(broker.host, broker.port, broker.keepalive)
    client.loop_start()
    try:
        for info in [client.publish(keys_topic(s), body, qos=1, retain=True) for s in stores]:
            info.wait_for_publish(timeout)
    finally:
        client.disconnect()
        client.loop_stop()


def head_bytes(stream: str, version: int) -> bytes:
    return encode(Head(v=SCHEMA_VERSION, stream=stream, version=version))


def send(broker: BrokerSettings, versions: list[tuple[str, str, int, bytes]],
         timeout: float = 30.0) -> None:
    """Publish (store, stream, version, signed) on the version topics, then each store's retained
    head, waiting for the broker to take every message."""
    client = make_client(f"hq-publish-{uuid.uuid4().hex[:8]}", broker)
    client.connect(broker.host, broker.port, broker.keepalive)
    client.loop_start()
    try:
        infos = [client.publish(version_topic(store, stream), signed, qos=1)
                 for store, stream, _, signed in versions]
        heads: dict[tuple[str, str], int] = {}
        for store, stream, version, _ in versions:
            heads[(store, stream)] = max(version, heads.get((store, stream), 0))
        infos += [client.publish(head_topic(store, stream), head_bytes(stream, version), qos=1,
                                 retain=True) for (store, stream), version in heads.items()]
        for info in infos:
            info.wait_for_publish(timeout)
    finally:
        client.disconnect()
        client.loop_stop()


def send_resend(broker: BrokerSettings, store: str, terminal: str, seqs: list[int],
                timeout: float = 30.0) -> None:
    """Ask one terminal, on its own ack topic (only HQ's services may write it: the broker's
    ACL), to send these dead-lettered seqs again; wait for the broker to take it."""
    body = encode(ResendRequest(v=SCHEMA_VERSION, store=store, terminal=terminal, seqs=seqs))
    client = make_client(f"hq-resend-{uuid.uuid4().hex[:8]}", broker)
    client.connect(broker.host, broker.port, broker.keepalive)
    client.loop_start()
    try:
        client.publish(ack_topic(store, terminal), body, qos=1).wait_for_publish(timeout)
    finally:
        client.disconnect()
        client.loop_stop()
