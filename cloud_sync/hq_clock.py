"""This terminal's clock against HQ's, measured from HQ's acks: a batch carries the terminal's time
when sent (`sent_at`), HQ's ack echoes it with HQ's own time (`hq_time`), so the offset is taken
at the middle of the round trip, as NTP does.

Rule: only a round trip we timed ourselves counts, and only a short one (a slow trip could hide
its own length inside the offset); the agent records the offset in `sync_status`, and the till's
status strip, `pos doctor` and HQ's fleet view warn beyond CLOCK_WARN_S.
"""

from __future__ import annotations

# Payment providers refuse requests more than 5 minutes off (WeChat Pay v3 SIGN_ERROR): warn well
# before that.
CLOCK_WARN_S = 60.0
MAX_ROUND_TRIP_S = 10.0


def offset_from_ack(sent_at: float | None, hq_time: float | None,
                    received_at: float) -> float | None:
    """This terminal's clock minus HQ's, in seconds (positive: the terminal is ahead), from one
    batch sent at `sent_at` and acked at HQ's `hq_time`, the ack arriving at `received_at` (all
    read from the terminal's clock except `hq_time`); None when the ack cannot tell."""
    if sent_at is None or hq_time is None:
        return None
    round_trip = received_at - sent_at
    if not 0 <= round_trip <= MAX_ROUND_TRIP_S:
        return None
    return (sent_at + received_at) / 2 - hq_time


def clock_is_off(offset_s: float | None) -> bool:
    return offset_s is not None and abs(offset_s) > CLOCK_WARN_S
