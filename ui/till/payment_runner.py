"""Runs a payment's steps (edge/payments/steps.py) with the GUI thread free: a provider request
goes to a worker thread, a pause is a timer, and everything between them — every SQLite statement
on the till's connection — runs on the GUI thread, the only thread that ever touches it.

Rule: one operation at a time (`busy`); the worker gets the request's callable and nothing else,
and its answer comes back to the GUI thread as a queued signal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from edge.payments.steps import Pause, Steps

Done = Callable[[Any, Exception | None], None]   # (result, or the exception the steps raised)


class PaymentRunner(QObject):
    _answered = Signal(object, object)   # (answer, exception), emitted on the worker thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._answered.connect(self._resume)    # queued: the emitter is the worker thread
        self._steps: Steps[Any] | None = None
        self._done: Done | None = None

    @property
    def busy(self) -> bool:
        return self._steps is not None

    def run(self, steps: Steps[Any], done: Done) -> None:
        """Start `steps`; `done` is called on the GUI thread when they end."""
        if self._steps is not None:
            raise RuntimeError("a payment operation is already running")
        self._steps, self._done = steps, done
        self._resume(None, None)

    def _resume(self, answer: object, failure: object) -> None:
        steps = self._steps
        if steps is None:
            return
        try:
            if isinstance(failure, Exception):
                step = steps.throw(failure)
            else:
                step = steps.send(answer)
        except StopIteration as stop:
            self._end(stop.value, None)
            return
        except Exception as exc:  # the operation's own refusal (a TillError): for `done`
            self._end(None, exc)
            return
        if isinstance(step, Pause):
            QTimer.singleShot(max(0, int(step.seconds * 1000)), lambda: self._resume(None, None))
            return
        call = step.call
        self.pool.start(lambda: self._send(call))

    def _send(self, call: Callable[[], object]) -> None:
        """On the worker thread: the provider's HTTP request and nothing else."""
        try:
            answer = call()
        except Exception as exc:
            self._answered.emit(None, exc)
            return
        self._answered.emit(answer, None)

    def _end(self, result: object, failure: Exception | None) -> None:
        done = self._done
        self._steps = self._done = None
        assert done is not None
        done(result, failure)
