"""Spreading one discount over several lines in whole fen.

Rule PRORATE_LARGEST_REMAINDER: each line gets floor(amount × weight / total); the fen left over go
one each to the lines with the largest remainders, ties to the lowest line_no. Shares add up to the
amount exactly and no share exceeds its weight (the amount never exceeds the total weight).
"""

from __future__ import annotations

from collections.abc import Sequence


def prorate(amount: int, weights: Sequence[tuple[int, int]]) -> dict[int, int]:
    """`amount` fen over (line_no, weight) pairs → line_no → share; zero shares are left out."""
    total = sum(weight for _, weight in weights)
    if amount < 0 or any(weight < 0 for _, weight in weights):
        raise ValueError("amounts and weights must not be negative")
    if amount > total:
        raise ValueError(f"cannot spread {amount} over a total weight of {total}")
    if amount == 0:
        return {}
    shares: dict[int, int] = {}
    remainders: list[tuple[int, int]] = []
    given = 0
    for line_no, weight in weights:
        share, remainder = divmod(amount * weight, total)
        if share:
            shares[line_no] = shares.get(line_no, 0) + share
        given += share
        remainders.append((-remainder, line_no))
    remainders.sort()
    for _, line_no in remainders[: amount - given]:
        shares[line_no] = shares.get(line_no, 0) + 1
    return shares
