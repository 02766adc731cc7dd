"""When a scale's weight may be sold: a tiny pure state machine, fed every reading, shared by the
kiosk's produce and the till's weighed PLUs.

Rule ONE_LOAD_ONE_SALE: a stable weight is taken once. The next weight is taken only after the
scale came back near zero (|grams| <= zero_band_g, an empty or lifted platter) or settled at a
clearly different weight (more than change_band_g away: the load was swapped between readings).
The same load still lying there is `lift_and_replace`: the shopper is asked to lift it and place
it again, never charged a second time. A moving load is `wait`, never an error. Nothing has been
taken when the machine starts, so a load placed before the item was chosen is taken.
"""

from __future__ import annotations

from typing import Literal

Verdict = Literal["wait", "take", "lift_and_replace"]

# Defaults for a retail scale with a 2 g division (0-6 kg): near zero is within two divisions;
# a weight within 10 g of the last one taken is the same load. (The kiosk sets its own.)
ZERO_BAND_G = 4
CHANGE_BAND_G = 10


class WeighingDiscipline:
    def __init__(self, zero_band_g: int = ZERO_BAND_G, change_band_g: int = CHANGE_BAND_G) -> None:
        if zero_band_g < 0 or change_band_g < 0:
            raise ValueError("bands are grams >= 0")
        self.zero_band_g = zero_band_g
        self.change_band_g = change_band_g
        self._last_taken: int | None = None   # None: the platter was cleared since (or never used)
        self._offered: int | None = None      # the stable grams the last "take" offered

    def reading(self, grams: int, stable: bool) -> Verdict:
        """What to do with this reading of the scale (`stable` as the scale declares it)."""
        self._offered = None
        if grams <= self.zero_band_g:
            self._last_taken = None           # back near zero (or below: lifted): armed again
            return "wait"
        if not stable:
            return "wait"
        if self._last_taken is not None and abs(grams - self._last_taken) <= self.change_band_g:
            return "lift_and_replace"
        self._offered = grams
        return "take"

    def taken(self) -> None:
        """The weight the last reading offered was sold: the same load is not sold again."""
        if self._offered is None:
            raise RuntimeError("taken() without a reading that said take")
        self._last_taken, self._offered = self._offered, None

    @property
    def last_taken(self) -> int | None:
        """The grams sold last, while that load may still lie on the scale."""
        return self._last_taken
