"""Honest mastery: the share of a section's live items the learner can be expected to recall
at a horizon — the exam (when set and still ahead), otherwise 7 days from now.

An item whose latest answer was right counts with FSRS's predicted recall at the horizon; one
whose latest answer was wrong, or never answered, counts 0. FSRS alone would not do: a card
answered a minute ago reads ≈ 1 whether the answer was right or wrong, and a week after an
"Again" FSRS still predicts ≈ 0.6 (its curve is fitted to learners who read the answer after a
miss), so a section just failed would read high.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, tzinfo
from typing import Iterable

from sqlalchemy import Connection, func, select

from .cards import CardRow
from .clock import exam_moment
from .models import ATTEMPTS
from .scheduler import FSRS

HORIZON_DAYS = 7


def horizon(at: datetime, exam_day: date | None, tz: tzinfo) -> datetime:
    """The moment mastery looks at: the exam (09:00 local) if set and after `at`, else `at` + 7 days."""
    if exam_day is not None:
        when = exam_moment(exam_day, tz)
        if when > at:
            return when
    return at + timedelta(days=HORIZON_DAYS)


def latest_right(conn: Connection, user: str, at: datetime) -> dict[str, bool]:
    """Item id → whether the user's latest answer up to `at` was right."""
    a = ATTEMPTS.c
    ranked = select(a.item_id, a.correct, func.row_number().over(
        partition_by=a.item_id, order_by=(a.at.desc(), a.id.desc())).label("rn")
    ).where(a.user_id == user, a.at <= at).subquery()
    q = select(ranked.c.item_id, ranked.c.correct).where(ranked.c.rn == 1)
    return {item_id: bool(ok) for item_id, ok in conn.execute(q)}


def item_mastery(card: CardRow, right: bool | None, fsrs: FSRS, when: datetime) -> float:
    return card.retrievability(fsrs, when) if right else 0.0


def section_mastery(cards: Iterable[CardRow], latest: dict[str, bool], fsrs: FSRS,
                    when: datetime) -> dict[str, float]:
    """Section → mastery at `when` over its live cards."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for card in cards:
        if card.live:
            acc = sums[card.section]
            acc[0] += item_mastery(card, latest.get(card.item_id), fsrs, when)
            acc[1] += 1
    return {s: total / n for s, (total, n) in sums.items() if n}
