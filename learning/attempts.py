"""One graded answer inside an open write transaction: the "as of" checks, FSRS, the row.

Shared by `record_attempt`, batch grading and 모의고사 submission, so that every answer is
checked and scheduled the same way.
"""
from __future__ import annotations

from datetime import datetime, tzinfo

from fsrs import Rating
from sqlalchemy import Connection, func, select

from .clock import iso
from .errors import InvalidInput, NotShown, UnknownItem
from .models import ATTEMPTS, CARDS, ITEMS
from .results import GradeResult
from .scheduler import FSRS, RATING_NAMES, CardState
from .writes import save_card


class TooEarly(InvalidInput):
    """An answer timed before the item was shown to the user, or before their previous answer."""


def record_one(conn: Connection, fsrs: FSRS, tz: tzinfo, user: str, item_id: str, given: str,
               correct: bool, rating: Rating, seconds: float | None, when: datetime,
               explicit: bool) -> GradeResult:
    """Insert the answer and reschedule the card (a stale or retired item's card is left alone).

    `when` given by the caller (`explicit`) must not be earlier than the item was first shown to
    the user nor than their previous answer to it (`TooEarly`, nothing written). "Now" is moved
    up to those times instead: another process or machine may stamp a little behind.
    """
    c, i, a = CARDS.c, ITEMS.c, ATTEMPTS.c
    row = conn.execute(
        select(c.id, c.state, c.step, c.stability, c.difficulty, c.due, c.last_review, c.shown_at,
               (i.stale | i.retired).label("stale"), i.answer).join_from(CARDS, ITEMS, c.item_id == i.id)
        .where(c.user_id == user, c.item_id == item_id).with_for_update(of=CARDS)).first()
    if row is None:
        known = conn.execute(select(i.id).where(i.id == item_id)).first()
        raise NotShown(user, item_id) if known else UnknownItem(item_id)
    previous = conn.execute(select(func.max(a.at)).where(a.user_id == user, a.item_id == item_id)).scalar()
    if explicit and when < row.shown_at:
        raise TooEarly(f"답한 시각이 문제를 처음 본 시각보다 앞섭니다 (at before the item was shown): "
                       f"{iso(when, tz)} < {iso(row.shown_at, tz)} ({item_id})")
    if explicit and previous is not None and when < previous:
        raise TooEarly(f"답한 시각이 이 문제의 이전 답보다 앞섭니다 (at before the previous answer): "
                       f"{iso(when, tz)} < {iso(previous, tz)} ({item_id})")
    when = max(when, row.shown_at, previous or when)
    due = None
    if not row.stale:
        before = CardState(row.state, row.step, row.stability, row.difficulty, row.due, row.last_review)
        after = fsrs.review(row.id, before, rating, when)
        save_card(conn, row.id, before, after, rating)
        due = after.due.astimezone(tz)
    res = conn.execute(ATTEMPTS.insert().values(user_id=user, item_id=item_id, at=when, given=given,
                                                correct=bool(correct), rating=int(rating), seconds=seconds))
    return GradeResult(user, item_id, bool(correct), row.answer, RATING_NAMES[int(rating)], due,
                       when.astimezone(tz), int(res.inserted_primary_key[0]), bool(row.stale))
