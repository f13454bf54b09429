"""Sharing a 모의고사's N items across sections: in proportion to each section's live items,
every section at least one when N allows (pure; the caller picks the items)."""
from __future__ import annotations

import math
from typing import Mapping

from .sections import natural_key


def share_by_section(counts: Mapping[str, int], n: int) -> dict[str, int]:
    """Section → how many of `n` items to take from it (never more than it has).

    With n ≥ the number of sections every section gets one and the rest follows the sections'
    shares (largest remainders); with fewer, the largest sections get one each. Sections with
    no items get none; the result sums to min(n, all items)."""
    have = {s: int(c) for s, c in counts.items() if int(c) > 0}
    order = sorted(have, key=natural_key)
    n = max(0, min(int(n), sum(have.values())))
    if n == 0:
        return {}
    if n < len(have):
        largest = sorted(order, key=lambda s: -have[s])[:n]  # stable: natural order among ties
        return {s: 1 for s in order if s in largest}
    total = sum(have.values())
    quota = {s: n * have[s] / total for s in order}
    got = {s: min(have[s], max(1, math.floor(quota[s]))) for s in order}
    while sum(got.values()) > n:  # the minimum of one pushed the sum over: take from the most over-served
        s = max((s for s in order if got[s] > 1), key=lambda s: got[s] - quota[s])
        got[s] -= 1
    while sum(got.values()) < n:  # largest remainders, where items are left
        s = max((s for s in order if got[s] < have[s]), key=lambda s: quota[s] - got[s])
        got[s] += 1
    return got
