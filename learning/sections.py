"""Sections of the notes: their natural order, and the order "weakest first" used everywhere.

Weakest first means lowest mastery first (mastery as defined in `mastery`). At equal mastery —
above all at 0, where a section the learner failed and one never practised meet — a section
already practised comes first, then lower accuracy, then the notes' order. Why practised first:
its misses are measured, and a section a learner gets wrong needs more reviews to reach the
target, so its new items are worth introducing earlier; a never-practised section follows at
once (it is still ahead of every section with any mastery), and the plan introduces every item
by D-7 anyway, so the order decides *when*, never *whether*.
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence


def natural_key(text: str) -> tuple:
    """"2. x" before "10. y": digits compare as numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text) if p)


def section_order(known: Iterable[str], preferred: Sequence[str] = ()) -> list[str]:
    """The caller's order for its sections, then the rest in natural order."""
    known_set = set(known)
    ordered = [s for s in dict.fromkeys(preferred)]
    rest = sorted(known_set - set(ordered), key=natural_key)
    return ordered + rest


def weak_key(section: str, mastery: float, attempts: int, accuracy: float | None, rank: int = 0) -> tuple:
    """Sort key, weakest first: mastery, practised before never practised, accuracy, `rank`
    (the notes' order when the caller has one), then the natural order of the title."""
    return (round(mastery, 9), 0 if attempts else 1, accuracy if accuracy is not None else 0.0, rank,
            natural_key(section))
