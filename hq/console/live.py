"""The live page's wake-up call: one thread LISTENs on PostgreSQL's `hq_sales` channel (the
ingest transaction NOTIFYs it at commit, hq/storage/rollups.py) and wakes every open event
stream; each stream then reads the rollups for its own user and scope.

Rule: a subscriber holds at most one pending wake-up (a burst of commits is one re-read), and a
lost database connection is retried every second, with one wake-up after it is back in case a
notification was missed meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import threading

import psycopg

from hq.storage.rollups import NOTIFY_CHANNEL

log = logging.getLogger("hq.console.live")


class LiveHub:
    def __init__(self, url: str) -> None:
        self.url = url
        self.loop: asyncio.AbstractEventLoop | None = None
        self.subscribers: set[asyncio.Queue[None]] = set()
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None
        self.closing = False

    def close_streams(self) -> None:
        """The server is stopping: every open stream ends at its next wake-up, now."""
        self.closing = True
        self._wake()

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.thread = threading.Thread(target=self._listen, name="hq-console-listen", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(5)

    def subscribe(self) -> asyncio.Queue[None]:
        queue: asyncio.Queue[None] = asyncio.Queue(maxsize=1)
        self.subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[None]) -> None:
        self.subscribers.discard(queue)

    def _wake(self) -> None:
        for queue in list(self.subscribers):
            if queue.empty():
                queue.put_nowait(None)

    def _wake_threadsafe(self) -> None:
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._wake)

    def _listen(self) -> None:
        first = True
        while not self.stop_event.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    if not first:
                        self._wake_threadsafe()
                    first = False
                    while not self.stop_event.is_set():
                        for _ in conn.notifies(timeout=0.5):  # wakes to notice stop
                            self._wake_threadsafe()
            except psycopg.Error as exc:
                log.warning("live updates: %s; retrying in 1 s", exc)
                self.stop_event.wait(1.0)

