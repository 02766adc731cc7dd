"""When a scale's weight may go into a sale: the one rule the till and the kiosk share.

Rule: a weighed item is taken only from a stable weight that is new: the scale came back near
zero (at most `zero_band_g`) since the last weight taken, or the stable weight differs from it by
more than `change_band_g`. The same load left on the scale answers "lift_and_replace" (lift it
off and place it again) and is never charged twice. Pure: it is fed readings and answers; the
callers own the scale and the screen.
"""

from __future__ import annotations

from typing import Literal

Answer = Literal["wait", "take", "lift_and_replace"]

# Defaults for a retail scale with a 2 g division (0-6 kg): near zero is within two divisions;
# a weight within 10 g of the last one taken is the same load.
ZERO_BAND_G = 4
CHANGE_BAND_G = 10


class WeighingDiscipline:
    def __init__(self, zero_band_g: int = ZERO_BAND_G, change_band_g: int = CHANGE_BAND_G) -> None:
        if zero_band_g < 0 or change_band_g < 0:
            raise ValueError("bands are grams >= 0")
        self.zero_band_g = zero_band_g
        self.change_band_g = change_band_g
        self._last_taken: int | None = None   # None: the scale was at zero since (or never used)
        self._offered: int | None = None      # the weight the last "take" answer was about

    def reading(self, grams: int, stable: bool) -> Answer:
        """One reading from the scale. A reading near zero (or below: the platter lifted) arms
        the next take, whether or not the scale calls it stable."""
        self._offered = None
        if grams <= self.zero_band_g:
            self._last_taken = None
            return "wait"
        if not stable:
            return "wait"
        if self._last_taken is None or abs(grams - self._last_taken) > self.change_band_g:
            self._offered = grams
            return "take"
        return "lift_and_replace"

    def taken(self) -> None:
        """The weight of the last "take" answer went into the sale: the same load is not taken
        again until the scale returns near zero or the weight clearly changes."""
        if self._offered is None:
            raise RuntimeError("taken() without a weight to take")
        self._last_taken, self._offered = self._offered, None
