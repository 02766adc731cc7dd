"""The online-order API as HQ's one ASGI app serves it (hq/console/app.py): the endpoint with
HQ's signing key and broker, its error handler, and the webhook delivery loop in a thread beside
it, started and stopped with the app."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.routing import BaseRoute

from cloud_sync.settings import BrokerSettings
from hq.orders.book import OrderRefused
from hq.orders.http_api import OrdersEndpoint, refused


@dataclass(frozen=True)
class OrdersSettings:
    signing_key: Path              # HQ's Ed25519 private key: orders go to stores signed with it
    broker: BrokerSettings         # HQ's broker, to publish them
    webhooks: bool = True          # deliver status webhooks from this process
    webhook_interval: float = 1.0


class OrdersService:
    def __init__(self, db_url: str, settings: OrdersSettings) -> None:
        from cloud_sync.signing import load_private_key
        from hq.publish import send
        from hq.storage import open_storage

        self.db_url = db_url
        self.settings = settings
        key = load_private_key(settings.signing_key)
        self.storage = open_storage(db_url)       # its own connection for the `orders` versions
        self.endpoint = OrdersEndpoint(db_url, self.storage, key,
                                       lambda versions: send(settings.broker, versions))
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def routes(self) -> list[BaseRoute]:
        return list(self.endpoint.routes())

    @property
    def exception_handlers(self) -> dict[Any, Any]:
        return {OrderRefused: refused}

    def start(self) -> None:
        from hq.orders.webhooks import deliver_forever

        if self.settings.webhooks and self.thread is None:
            self.thread = threading.Thread(
                target=deliver_forever, args=(self.db_url, self.stop,
                                              self.settings.webhook_interval),
                name="hq-order-webhooks", daemon=True)
            self.thread.start()

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(10)
        self.storage.close()
