"""Events every scale protocol emits; a sale may take only a `StableWeightEvent`."""

from __future__ import annotations

from dataclasses import dataclass

from drivers.device import DeviceEvent


@dataclass(frozen=True)
class StableWeightEvent(DeviceEvent):
    """A weight the scale declares stable. Dialog 06 scales also price it (minor units); `net` is
    True when the scale marks the weight as net (a tare is set)."""

    grams: int
    unit_price: int | None = None
    amount: int | None = None
    net: bool = False


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
