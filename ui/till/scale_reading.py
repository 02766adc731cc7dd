"""A weight for a weighed item at the till, under the weighing discipline the kiosk shares
(edge/sale/weighing.py): it asks the scale until the discipline says "take"; a load left on the
scale from the last item makes it ask the cashier to lift and place again, and wait for that.
Runs on a worker thread (ui/hardware/device_bridge.py's CallResult); `lift` is called from there.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from drivers.device import DeviceError, ErrorEvent
from drivers.scale.events import MotionEvent, StableWeightEvent, UnderZeroEvent, ZeroEvent
from drivers.scale.scale import Scale
from edge.sale.weighing import WeighingDiscipline

FIRST_WEIGHT_S = 3.0     # a load must settle within this
LIFT_S = 20.0            # after "lift and place again", the cashier has this long
POLL_S = 0.05


def take_weight(scale: Scale, discipline: WeighingDiscipline, lift: Callable[[], object],
                first_weight_s: float = FIRST_WEIGHT_S, lift_s: float = LIFT_S) -> int:
    """Grams to sell, or DeviceError: the scale's own error, `motion`/`zero` when no weight
    settled in time, `lift_and_replace` when the old load was never lifted."""
    deadline = time.monotonic() + first_weight_s
    asked_to_lift = False
    last: str = "no_answer"
    while True:
        event = scale.read_weight()
        if isinstance(event, StableWeightEvent):
            answer = discipline.reading(event.grams, True)
        elif isinstance(event, (ZeroEvent, UnderZeroEvent)):
            answer, last = discipline.reading(0, True), "zero"
        elif isinstance(event, MotionEvent):
            answer, last = "wait", "motion"
        elif isinstance(event, ErrorEvent) and event.code not in ("garbage", "partial_read"):
            raise DeviceError(event.code, event.message)
        else:
            answer = "wait"
        if answer == "take":
            assert isinstance(event, StableWeightEvent)
            return event.grams
        if answer == "lift_and_replace":
            last = "lift_and_replace"
            if not asked_to_lift:
                asked_to_lift = True
                deadline = time.monotonic() + lift_s
                lift()
        if time.monotonic() + POLL_S >= deadline:
            raise DeviceError(last, "no new stable weight in time")
        time.sleep(POLL_S)
