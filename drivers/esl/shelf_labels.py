"""Shelf labels as a Device: renders price changes, queues them in the durable outbox and pumps
the outbox through an `EslSystem` until each label confirms it shows the newest version.

Rule: the pump never raises for a system fault; a failed push is retried with backoff and a
label that is not confirmed stays in the stale report, which is what a manager acts on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.device import Device, DeviceError, ErrorEvent, Health, StatusEvent
from drivers.esl.outbox import EslOutbox, StaleLabel
from drivers.esl.render import encode_jpeg, render_label
from drivers.esl.system import EslRejectedError, EslSystem, EslTransientError, LabelFields


@dataclass(frozen=True)
class PumpResult:
    pushed: int
    failed: int
    delivered: int
    waiting: int  # still queued or sent, after this pass


class ShelfLabels(Device):
    """ESL fan-out for one store. `default_size` is used until the system reports a tag's size."""

    def __init__(
        self,
        name: str,
        system: EslSystem,
        outbox: EslOutbox,
        *,
        default_size: tuple[int, int] = (296, 128),
        size_override: tuple[int, int] | None = None,
        batch_size: int = 50,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(name)
        self.system = system
        self.outbox = outbox
        self.default_size = default_size
        self.size_override = size_override
        self.batch_size = batch_size
        self.clock = clock

    def _open(self) -> None:
        self.emit(StatusEvent(self.name, "online", self.system.name))

    def _close(self) -> None:
        self.outbox.close()

    def health(self) -> Health:
        system = self.system.status()
        stale = len(self.outbox.stale_labels())
        if not system.ok and system.status != "unknown":
            return Health(False, system.status, system.detail)
        detail = f"{stale} labels not yet showing their price" if stale else ""
        return Health(True, "online", detail)

    def set_label(self, label: str, fields: LabelFields, version: int) -> bool:
        """Render and queue `version` for `label`; False when a same or newer one is queued."""
        size = self.size_override or self.system.label_size(label) or self.default_size
        image = encode_jpeg(render_label(fields, size))
        return self.outbox.enqueue(label, version, image, fields.to_json())

    def pump(self) -> PumpResult:
        """One pass: push a batch of due items, then ask the system what labels now show."""
        pushed = failed = 0
        for item in self.outbox.due(self.batch_size):
            try:
                token = self.system.push(
                    item.mac, item.image, LabelFields.from_json(item.fields), item.version
                )
            except EslTransientError as exc:
                failed += 1
                self.outbox.mark_failed(item.mac, item.version, str(exc))
                continue
            except EslRejectedError as exc:
                # Retrying will not help, but dropping would hide it: keep it queued with the
                # longest backoff and tell the user; the stale report lists the label.
                failed += 1
                self.outbox.mark_failed(item.mac, item.version, str(exc))
                self.emit(ErrorEvent(self.name, "label_rejected", str(exc)))
                continue
            self.outbox.mark_sent(item.mac, item.version, token)
            pushed += 1
        awaiting = self.outbox.awaiting_confirmation()
        delivered = 0
        if awaiting:
            shown = self.system.confirm({mac: tok for mac, (_, tok) in awaiting.items()})
            delivered = self.outbox.mark_delivered((mac, awaiting[mac][0]) for mac in shown)
        return PumpResult(pushed, failed, delivered, self.outbox.pending_count())

    def run_until_idle(self, timeout_s: float, pause_s: float = 0.05) -> PumpResult:
        """Pump until nothing waits or `timeout_s` of wall time passed (tests, the demo, CLI)."""
        deadline = time.monotonic() + timeout_s
        result = self.pump()
        while result.waiting and time.monotonic() < deadline:
            if not result.pushed and not result.delivered:
                time.sleep(pause_s)
            result = self.pump()
        return result

    def stale_labels(self) -> list[StaleLabel]:
        return self.outbox.stale_labels()


def require_keys(name: str, config: dict[str, object], *keys: str) -> None:
    missing = [k for k in keys if k not in config]
    if missing:
        raise DeviceError("bad_config", f"{name}: missing {', '.join(missing)}")
