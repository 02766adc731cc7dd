"""Live weighing at the kiosk: asks the scale again and again on a worker thread and hands every
reading to the GUI thread, so the shopper sees the weight move and settle.

Rules kept here: a moving load is normal, never an error, and there is no time limit while the
shopper handles the item (they can go back; the idle timer resets an abandoned lane). A weight
is taken only when the scale declared it stable twice in a row with the same grams, and only as
the weighing discipline allows (edge/sale/weighing.py: a load is sold once; the same load left on
the scale asks to be lifted and placed again). Trouble has
a cause and clears with it: `unreachable` (no answer to MISSES_UNREACHABLE requests in a row)
clears at the next answer; `unexpected` (over capacity, under zero) clears at the next weighable
reading (zero or stable).
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, Signal

from drivers.device import DeviceError, ErrorEvent
from drivers.scale.events import OverCapacityEvent, StableWeightEvent, UnderZeroEvent, ZeroEvent
from edge.sale.weighing import WeighingDiscipline

MISSES_UNREACHABLE = 2
PAUSE_SECONDS = 0.1
# Near zero: a few scale divisions. Clearly different: more than a hand resting on the platter.
ZERO_BAND_G = 10
CHANGE_BAND_G = 20

UNREACHABLE = "unreachable"
UNEXPECTED = "unexpected"


class LiveWeighing(QObject):
    """`reading(event)` for every answer (None: no answer); `settled(grams)` once (call
    `discipline.taken()` when it was sold); `lift(grams)` when the load sold last still lies there;
    `trouble(cause)` and `cleared(cause)` as the scale's condition comes and goes."""

    reading = Signal(object)
    settled = Signal(int)
    lift = Signal(int)
    trouble = Signal(str)
    cleared = Signal(str)
    _answer = Signal(object)

    def __init__(self, scale: Any, parent: QObject | None = None,
                 pause: float = PAUSE_SECONDS) -> None:
        super().__init__(parent)
        self.scale = scale
        self.pause = pause
        self.trouble_now: str | None = None
        # Kept for the lane's life: it is about the load on the platter, not about one weighing.
        self.discipline = WeighingDiscipline(ZERO_BAND_G, CHANGE_BAND_G)
        self.wanted = False          # False: only watching for trouble to clear
        self._misses = 0
        self._last_stable: int | None = None
        self._stop: threading.Event | None = None
        self._answer.connect(self._on_answer)

    @property
    def running(self) -> bool:
        return self._stop is not None

    def weigh(self) -> None:
        """Start (or restart) waiting for a settled weight."""
        self.wanted = True
        self._last_stable = None
        self._ensure_running()

    def stop_weighing(self) -> None:
        """The shopper went back: stop taking a weight, but keep watching an open trouble and a
        load sold that still lies on the scale."""
        self.wanted = False
        self._stop_when_idle()

    def _stop_when_idle(self) -> None:
        """Nothing to watch any more: no weight wanted, no trouble, and the platter cleared
        since the last sale (watching for that lift lets the next item of the same weight be
        taken at once instead of asked to be lifted)."""
        if not self.wanted and self.trouble_now is None and self.discipline.last_taken is None:
            self.stop()

    def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()
            self._stop = None

    def _ensure_running(self) -> None:
        if self._stop is not None:
            return
        stop = threading.Event()
        self._stop = stop
        threading.Thread(target=self._poll, args=(stop,), name="live-weighing",
                         daemon=True).start()

    def _poll(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                event: object = self.scale.read_weight()
            except DeviceError as exc:
                event = exc
            if stop.is_set():
                return
            try:
                self._answer.emit(event)
            except RuntimeError:  # the window went away under the thread
                return
            stop.wait(self.pause)

    def _on_answer(self, event: object) -> None:
        if self._stop is None:
            return
        if event is None or isinstance(event, DeviceError) or (
                isinstance(event, ErrorEvent) and event.code in ("garbage", "partial_read")):
            self._misses += 1
            self.reading.emit(None)
            if self._misses >= MISSES_UNREACHABLE:
                self._raise(UNREACHABLE)
            return
        self._misses = 0
        if self.trouble_now == UNREACHABLE:
            self._clear()
        self.reading.emit(event)
        verdict, grams = None, 0
        if isinstance(event, StableWeightEvent):
            grams = event.grams
            # stable for the discipline only when the scale said so twice with the same grams
            confirmed = self.wanted and event.grams > 0 and event.grams == self._last_stable
            verdict = self.discipline.reading(event.grams, stable=confirmed)
        elif isinstance(event, ZeroEvent):
            self.discipline.reading(0, stable=True)
        elif isinstance(event, UnderZeroEvent):
            self.discipline.reading(-1, stable=False)     # lifted: the last load is gone
        if isinstance(event, (OverCapacityEvent, UnderZeroEvent, ErrorEvent)):
            self._last_stable = None
            self._raise(UNEXPECTED)
            return
        if isinstance(event, (ZeroEvent, StableWeightEvent)) and self.trouble_now is not None:
            self._clear()
        if not self.wanted:
            self._stop_when_idle()
            return
        if verdict == "take":
            self.wanted = False
            self.settled.emit(grams)        # the kiosk calls discipline.taken() when it sold it
            self._stop_when_idle()          # ...else it keeps watching for the lift
        elif verdict == "lift_and_replace":
            self.lift.emit(grams)           # and keep watching for the lift
        elif grams > 0:
            self._last_stable = grams
        else:
            self._last_stable = None

    def _raise(self, cause: str) -> None:
        if self.trouble_now != cause:
            if self.trouble_now is not None:
                self.cleared.emit(self.trouble_now)
            self.trouble_now = cause
            self.trouble.emit(cause)

    def _clear(self) -> None:
        cause, self.trouble_now = self.trouble_now, None
        if cause is not None:
            self.cleared.emit(cause)
        self._stop_when_idle()
