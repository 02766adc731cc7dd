"""Shelf labels as a Device: queues price changes in the durable outbox and pumps them through an
`EslSystem` until each label is reported showing the newest version.

Rule: the pump never raises for a system fault. An upload step observes the label first (that
record is the baseline a confirmation is judged against; the label's size comes from it), renders
at that size and uploads; a confirmation step asks about the label again. A label the system does
not know, an upload the system did not take, a tag that has not fetched its image: each is a
reason, kept on the row, shown in the stale report and, once the label has waited longer than
`confirm_timeout_s`, reported as an `ErrorEvent`. Only the system's own report that it does not
hold the upload leads to another upload, after a backoff step; nothing is resent on a timer.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from drivers.device import Device, DeviceError, ErrorEvent, Health, StatusEvent
from drivers.esl.outbox import EslOutbox, OutboxItem, Shown, StaleLabel
from drivers.esl.render import encode_jpeg, render_label
from drivers.esl.system import (
    EslRejectedError,
    EslSystem,
    EslTransientError,
    LabelFields,
    LabelState,
    Verdict,
)

Observed = LabelState | EslRejectedError | EslTransientError


@dataclass
class _UploadStep:
    """One row's upload step: what was observed, rendered and decided, and how it went."""

    item: OutboxItem
    state: LabelState | None = None
    image: bytes = b""
    image_md5: str = ""
    new_baseline: str | None = None
    action: str = ""  # push, hold (the system holds an earlier upload), deliver, retry
    reason: str = ""
    detail: str = ""
    tell: bool = False

    def retry(self, reason: str, detail: str, tell: bool = False) -> _UploadStep:
        self.action, self.reason, self.detail, self.tell = "retry", reason, detail, tell
        return self


@dataclass(frozen=True)
class PumpResult:
    pushed: int  # uploads made
    failed: int  # upload steps that did not get through (will be retried)
    delivered: int
    waiting: int  # still queued or sent, after this pass


class ShelfLabels(Device):
    """ESL fan-out for one store."""

    def __init__(
        self,
        name: str,
        system: EslSystem,
        outbox: EslOutbox,
        *,
        batch_size: int = 50,
        confirm_timeout_s: float = 600.0,
    ) -> None:
        super().__init__(name)
        self.system = system
        self.outbox = outbox
        self.batch_size = batch_size
        self.confirm_timeout_s = confirm_timeout_s

    def _open(self) -> None:
        self.emit(StatusEvent(self.name, "online", self.system.name))

    def _close(self) -> None:
        self.outbox.close()

    def wait_ready(self, timeout: float) -> None:
        self.system.probe()

    def health(self) -> Health:
        """From what the system last showed (no request); a system not asked yet is not a fault."""
        system = self.system.status()
        if not system.ok and system.status != "unknown":
            return Health(False, system.status, system.detail)
        stale = len(self.outbox.stale_labels())
        detail = f"{system.detail}; {stale} labels not yet showing their price" if stale else system.detail
        return Health(True, "online", detail)

    def set_label(self, label: str, fields: LabelFields, version: int) -> bool:
        """Queue `version` for `label`; False when a same or newer one is queued. The image is
        rendered when it is uploaded, at the size the system reports for the label."""
        return self.outbox.enqueue(label, version, fields.to_json())

    def pump(self) -> PumpResult:
        """One pass: an upload step for each due queued row, a confirmation step for each sent
        row whose query is due, then the reports of labels waiting too long.

        Network first, writes after, in two commits: the baselines of this pass's uploads (they
        must be on disk before an upload leaves), then every outcome, so a pass costs two fsyncs
        however many labels it moves, and no transaction is held across a request.
        """
        steps = [self._prepare(item) for item in self.outbox.due_uploads(self.batch_size)]
        with self.outbox.transaction():
            for step in steps:
                if step.new_baseline is not None:
                    self.outbox.set_baseline(step.item.mac, step.item.version, step.new_baseline)
        for step in steps:
            if step.action == "push":
                self._push(step)
        observed = [(item, self._observe(item.mac)) for item in self.outbox.due_checks(self.batch_size)]
        counts = {"pushed": 0, "failed": 0, "delivered": 0, "": 0}
        with self.outbox.transaction():
            for step in steps:
                counts[self._settle_upload(step)] += 1
            for item, state in observed:
                counts["delivered"] += self._settle_check(item, state)
            for mac, version, reason, detail in self.outbox.overdue(self.confirm_timeout_s):
                message = f"{mac} version {version} not shown after {self.confirm_timeout_s:.0f} s: {reason}"
                if detail:
                    message += f" ({detail})"
                self.emit(ErrorEvent(self.name, "label_not_confirmed", message))
        waiting = self.outbox.pending_count()
        return PumpResult(counts["pushed"], counts["failed"], counts["delivered"], waiting)

    def _observe(self, mac: str) -> Observed:
        try:
            return self.system.observe(mac)
        except (EslRejectedError, EslTransientError) as exc:
            return exc

    def _prepare(self, item: OutboxItem) -> _UploadStep:
        """Observe the label, render it at its size and decide what the upload step does."""
        step = _UploadStep(item)
        state = self._observe(item.mac)
        if isinstance(state, EslRejectedError):
            return step.retry(state.reason, str(state), tell=True)
        if isinstance(state, EslTransientError):
            return step.retry("unreachable", str(state))
        step.state = state
        if state.size is None:
            return step.retry("unknown_tag_type",
                              f"{state.model}: neither the AP (/tagtypes) nor the built-in table"
                              " gives a black-and-white image size for it (the AP does not scale)",
                              tell=True)  # fmt: skip
        step.image = encode_jpeg(render_label(LabelFields.from_json(item.fields), state.size))
        step.image_md5 = hashlib.md5(step.image).hexdigest()
        if item.baseline is not None:
            # An earlier attempt may have got through though its answer was lost: ask first.
            check = self.system.check(LabelState.from_json(item.baseline), state)
            if check.verdict is Verdict.SHOWN:
                step.action = "deliver"
            elif check.verdict is Verdict.WAITING and check.reason != "unchanged":
                step.action = "hold"  # the system holds that upload: wait for it
            else:
                step.action = "push"
        elif self.outbox.shown(item.mac) == Shown(state.shown, step.image_md5) and state.pending == 0:
            step.action = "deliver"  # it already shows exactly this image (we and the system agree)
        else:
            step.action, step.new_baseline = "push", state.to_json()
        return step

    def _push(self, step: _UploadStep) -> None:
        item = step.item
        try:
            self.system.push(item.mac, step.image, LabelFields.from_json(item.fields), item.version)
        except EslTransientError as exc:
            step.retry("upload_failed", str(exc))

    def _settle_upload(self, step: _UploadStep) -> str:
        item = step.item
        if step.action == "retry":
            self.outbox.retry_upload(item.mac, item.version, step.reason, step.detail)
            if step.tell and item.attempts == 0:  # once per row; the stale report keeps saying it
                self.emit(ErrorEvent(self.name, f"label_{step.reason}", step.detail))
            return "failed"
        if step.action == "deliver":
            assert step.state is not None
            return "delivered" if self._delivered(item, step.state, step.image_md5) else ""
        self.outbox.mark_sent(item.mac, item.version, step.image_md5)
        return "pushed" if step.action == "push" else ""

    def _settle_check(self, item: OutboxItem, state: Observed) -> bool:
        if isinstance(state, EslRejectedError):
            self.outbox.retry_upload(item.mac, item.version, state.reason, str(state))
            return False
        if isinstance(state, EslTransientError):
            self.outbox.check_later(item.mac, item.version, "unreachable", str(state), answered=False)
            return False
        assert item.baseline is not None, "a sent row always has its baseline"
        check = self.system.check(LabelState.from_json(item.baseline), state)
        if check.verdict is Verdict.SHOWN:
            return self._delivered(item, state, item.image_md5 or "")
        overdue = self.outbox.clock() - item.enqueued_at >= self.confirm_timeout_s
        if check.verdict is Verdict.NOT_TAKEN or (check.reason == "unchanged" and overdue):
            self.outbox.retry_upload(item.mac, item.version, check.reason, check.detail)
        else:
            self.outbox.check_later(item.mac, item.version, check.reason, check.detail)
        return False

    def _delivered(self, item: OutboxItem, state: LabelState, image_md5: str) -> bool:
        return self.outbox.mark_delivered(item.mac, item.version, Shown(state.shown, image_md5))

    def run_until_idle(self, timeout_s: float, pause_s: float = 0.05) -> PumpResult:
        """Pump until nothing waits or `timeout_s` of wall time passed (the demo, the CLI)."""
        deadline = time.monotonic() + timeout_s
        result = self.pump()
        while result.waiting and time.monotonic() < deadline:
            time.sleep(pause_s)
            result = self.pump()
        return result

    def stale_labels(self) -> list[StaleLabel]:
        return self.outbox.stale_labels()


def require_keys(name: str, config: dict[str, object], *keys: str) -> None:
    missing = [k for k in keys if k not in config]
    if missing:
        raise DeviceError("bad_config", f"{name}: missing {', '.join(missing)}")
