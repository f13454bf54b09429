"""Item analysis, pure (numpy): how hard each quiz item is for the class and whether it tells
strong learners from weak ones.

One response per learner and item: the learner's **first** answer to it. A later answer
follows the feedback and the scheduled reviews, so it measures the learning, not the item.

- **facility**: the share of first answers that were right;
- **discrimination**: the corrected point-biserial — Pearson's r between the item's 0/1 score
  and the learner's accuracy on the *other* items they answered (the item itself left out, so
  it does not correlate with itself); learners with no other answer are left out of it, and it
  is undefined (None) when either side does not vary;
- **flags** (Moodle's rule of thumb for dubious items): facility > 0.95 (too easy), < 0.20 (too
  hard), discrimination < 0.15 (does not discriminate; a negative one suggests a wrong key).

Only items with at least `MIN_ANSWERS` (10) first answers are analysed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

MIN_ANSWERS = 10
TOO_EASY, TOO_HARD, LOW_DISCRIMINATION = 0.95, 0.20, 0.15
FLAG_WORDS = {"too_easy": "너무 쉬움", "too_hard": "너무 어려움", "low_discrimination": "변별도 낮음"}


@dataclass(frozen=True)
class ItemStat:
    item_id: str
    answers: int  # learners whose first answer is counted
    correct: int
    facility: float
    discrimination: float | None
    flags: tuple[str, ...]  # keys of FLAG_WORDS


def flags_for(facility: float, discrimination: float | None) -> tuple[str, ...]:
    out = []
    if facility > TOO_EASY:
        out.append("too_easy")
    if facility < TOO_HARD:
        out.append("too_hard")
    if discrimination is not None and discrimination < LOW_DISCRIMINATION:
        out.append("low_discrimination")
    return tuple(out)


def item_statistics(users: Sequence[str], items: Sequence[str], correct: Sequence[bool],
                    min_answers: int = MIN_ANSWERS) -> list[ItemStat]:
    """The analysis of every item with at least `min_answers` responses. The three sequences
    are parallel: one (learner, item, right?) per first answer, each pair at most once."""
    if not len(users):
        return []
    u_names, u = np.unique(np.asarray(users, dtype=object), return_inverse=True)
    i_names, i = np.unique(np.asarray(items, dtype=object), return_inverse=True)
    x = np.asarray(correct, dtype=np.float64)
    n_items = len(i_names)
    answered = np.bincount(u, minlength=len(u_names)).astype(np.float64)
    right = np.bincount(u, weights=x, minlength=len(u_names))
    others = answered[u] - 1.0
    valid = others > 0
    rest = np.divide(right[u] - x, others, out=np.zeros_like(x), where=valid)  # accuracy on the other items
    n = np.bincount(i, minlength=n_items).astype(np.float64)
    ok = np.bincount(i, weights=x, minlength=n_items)
    # Pearson's r per item over its valid responses, from grouped sums
    iv, xv, yv = i[valid], x[valid], rest[valid]
    m = np.bincount(iv, minlength=n_items).astype(np.float64)
    sx = np.bincount(iv, weights=xv, minlength=n_items)
    sy = np.bincount(iv, weights=yv, minlength=n_items)
    sxy = np.bincount(iv, weights=xv * yv, minlength=n_items)
    syy = np.bincount(iv, weights=yv * yv, minlength=n_items)
    vx = m * sx - sx * sx  # x is 0/1: Σx² = Σx
    vy = m * syy - sy * sy
    denom = np.sqrt(np.clip(vx, 0, None) * np.clip(vy, 0, None))
    defined = (m >= 2) & (denom > 1e-12)
    r = np.divide(m * sxy - sx * sy, denom, out=np.zeros(n_items), where=defined)
    out = []
    for k in np.flatnonzero(n >= min_answers):
        facility = float(ok[k] / n[k])
        disc = float(np.clip(r[k], -1.0, 1.0)) if defined[k] else None
        out.append(ItemStat(str(i_names[k]), int(n[k]), int(ok[k]), facility, disc, flags_for(facility, disc)))
    return out
