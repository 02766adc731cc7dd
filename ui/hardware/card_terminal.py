"""The card terminal seen by the till: an interface and a simulator. The till never sees a full
card number: a terminal answers with an approval code and a masked PAN (first 6, last 4).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CardResult:
    approved: bool
    approval_code: str = ""
    masked_pan: str = ""
    message: str = ""


class CardTerminal(Protocol):
    def charge(self, amount_minor: int) -> CardResult:
        """Ask the customer to present a card for this amount; blocks until the terminal answers."""
        ...


class SimulatedCardTerminal:
    """Approves every charge up to `limit` (fen) with a fresh approval code; declines above it."""

    def __init__(self, limit: int = 5_000_000, seed: int = 1) -> None:
        self.limit = limit
        self._rng = random.Random(seed)
        self._counter = itertools.count(1)
        self.charges: list[int] = []

    def charge(self, amount_minor: int) -> CardResult:
        self.charges.append(amount_minor)
        if amount_minor > self.limit:
            return CardResult(False, message="declined by issuer")
        code = f"A{next(self._counter):05d}"
        last4 = f"{self._rng.randint(0, 9999):04d}"
        return CardResult(True, code, f"622202******{last4}")
