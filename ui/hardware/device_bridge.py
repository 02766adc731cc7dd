"""Device events into the GUI thread: drivers call listeners on their own threads; a DeviceBridge
re-posts each event as a Qt signal delivered by a queued connection in the thread it lives in.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal

from drivers.device import DeviceEvent


class DeviceBridge(QObject):
    """Add `bridge.listener` to any device; connect to `bridge.connect_gui(slot)`."""

    event = Signal(object)

    def listener(self, event: DeviceEvent) -> None:
        # Emitting from a driver thread: Qt queues the call into this object's thread.
        self.event.emit(event)

    def connect_gui(self, slot: Callable[[object], None]) -> None:
        self.event.connect(slot, Qt.ConnectionType.QueuedConnection)


class CallResult(QObject):
    """The result of a blocking device call made on a worker thread (scale, RFID round),
    handed back to the GUI thread: `done(result)` or `failed(exception)`."""

    done = Signal(object)
    failed = Signal(object)

    def run_in_thread(self, call: Callable[[], object]) -> None:
        import threading

        def work() -> None:
            try:
                result = call()
            except Exception as exc:  # shown to the user, never lost on the worker thread
                self.failed.emit(exc)
            else:
                self.done.emit(result)

        threading.Thread(target=work, name="device-call", daemon=True).start()
