"""Events every scale protocol emits; a sale may take only a `StableWeightEvent`."""

from __future__ import annotations

from dataclasses import dataclass

from drivers.device import DeviceEvent


@dataclass(frozen=True)
class StableWeightEvent(DeviceEvent):
    """A weight the scale declares stable. Dialog 06 scales also price it (minor units, per the
    scale's own unit); `net` is True when the scale marks the weight as net (a tare is set).

    `unit` is the unit the scale weighed in. A scale weighing in pounds also gives its reading as
    `milli_lb` (thousandths of a pound); `grams` is then that reading converted with the rounding
    `lb_to_grams` (half up to the gram, drivers/scale/dialog06.py)."""

    grams: int
    unit_price: int | None = None
    amount: int | None = None
    net: bool = False
    unit: str = "kg"
    milli_lb: int | None = None


@dataclass(frozen=True)
class MotionEvent(DeviceEvent):
    """The load is still moving; ask again."""


@dataclass(frozen=True)
class ZeroEvent(DeviceEvent):
    """The scale is at its centre of zero (empty platter) or below its minimum weighing range."""


@dataclass(frozen=True)
class UnderZeroEvent(DeviceEvent):
    """Negative weight: the platter was lifted or the scale needs zeroing."""


@dataclass(frozen=True)
class OverCapacityEvent(DeviceEvent):
    """More than the scale may legally weigh."""


ScaleCondition = MotionEvent | ZeroEvent | UnderZeroEvent | OverCapacityEvent
