"""Is a promotion open at a moment: date range, weekdays and hours, in store-local time.

Rule: a moment is split once per repricing (`Moment`), so each window check is a few comparisons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from edge.promotions.rules import Validity


@dataclass(frozen=True)
class Moment:
    day: date
    weekday: int      # ISO 1..7
    minute: int       # minutes after midnight

    @classmethod
    def of(cls, now: datetime) -> Moment:
        return cls(now.date(), now.isoweekday(), now.hour * 60 + now.minute)


def is_open(validity: Validity, moment: Moment) -> bool:
    if validity.start is not None and moment.day < validity.start:
        return False
    if validity.end is not None and moment.day > validity.end:
        return False
    if validity.weekdays and moment.weekday not in validity.weekdays:
        return False
    if not validity.hours:
        return True
    for start, end in validity.hours:
        # a window whose end is before its start runs past midnight (22:00-02:00)
        inside = start <= moment.minute < end if start < end else (
            moment.minute >= start or moment.minute < end)
        if inside:
            return True
    return False
