"""Re-rating an answer: the learner changes the FSRS rating of their latest answer to an item.

The card's state is not stored per answer, so it is rebuilt by replaying the item's answers
(in time order, with their ratings, the changed one included) through FSRS from the moment it
was first shown. FSRS uses only the review times and ratings (never the previous due time), so
the replay gives exactly the state a first rating would have given; only the final due time is
fuzzed anew.
"""
from __future__ import annotations

from datetime import datetime

from fsrs import Rating, State
from sqlalchemy import Connection, and_, func, or_, select, update

from .errors import InvalidInput, RecordError
from .models import ATTEMPTS, CARDS, ITEMS
from .scheduler import FSRS, CardState


class UnknownAttempt(RecordError):
    """No answer with this id was recorded for this user (another user's answer looks the same)."""

    def __init__(self, attempt_id: object) -> None:
        super().__init__(f"이 사용자의 답 기록에 없는 번호입니다 (unknown attempt): {str(attempt_id)[:40]}")
        self.attempt_id = attempt_id


def check_attempt_id(attempt_id: object) -> int:
    if isinstance(attempt_id, bool) or not isinstance(attempt_id, int) or attempt_id < 1:
        raise UnknownAttempt(attempt_id)
    return attempt_id


def rerate(conn: Connection, fsrs: FSRS, user: str, attempt_id: int, rating: Rating):
    """Set the rating of `user`'s answer `attempt_id` (their latest to that item) and reschedule
    the card. Returns (attempt row, item answer, stale, the card's new due or None)."""
    a, c, i = ATTEMPTS.c, CARDS.c, ITEMS.c
    att = conn.execute(select(a.id, a.item_id, a.at, a.correct)
                       .where(a.id == attempt_id, a.user_id == user)).first()
    if att is None:
        raise UnknownAttempt(attempt_id)
    card = conn.execute(select(c.id, c.shown_at, (i.stale | i.retired).label("stale"), i.answer).join_from(CARDS, ITEMS, c.item_id == i.id)
                        .where(c.user_id == user, c.item_id == att.item_id).with_for_update(of=CARDS)).first()
    later = conn.execute(select(a.id).where(
        a.user_id == user, a.item_id == att.item_id,
        or_(a.at > att.at, and_(a.at == att.at, a.id > att.id))).limit(1)).first()
    if later is not None:
        raise InvalidInput("가장 최근의 답만 다시 평가할 수 있습니다 (only the latest answer can be re-rated)")
    conn.execute(update(ATTEMPTS).where(a.id == att.id).values(rating=int(rating)))
    if card is None or card.stale:
        return att, card.answer if card else "", True, None
    history = conn.execute(select(a.at, a.rating).where(a.user_id == user, a.item_id == att.item_id)
                           .order_by(a.at, a.id)).all()
    state = replay(fsrs, card.id, card.shown_at, [(h.at, Rating(h.rating)) for h in history])
    reps, lapses = state[1], state[2]
    s: CardState = state[0]
    conn.execute(update(CARDS).where(c.id == card.id).values(
        state=s.state, step=s.step, stability=s.stability, difficulty=s.difficulty, due=s.due,
        last_review=s.last_review, reps=reps, lapses=lapses))
    return att, card.answer, False, s.due


def replay(fsrs: FSRS, card_id: int, shown_at: datetime,
           history: list[tuple[datetime, Rating]]) -> tuple[CardState, int, int]:
    """The card's state after `history` (times ascending), with its reps and lapses."""
    state, lapses = FSRS.new_state(shown_at), 0
    for when, rating in history:
        lapses += int(rating == Rating.Again and state.state == int(State.Review))
        state = fsrs.review(card_id, state, rating, when)
    return state, len(history), lapses


def next_due(conn: Connection, user: str, at: datetime) -> datetime | None:
    """When the user's next answered, live card falls due after `at` (None if none will)."""
    c, i = CARDS.c, ITEMS.c
    return conn.execute(select(func.min(c.due)).join_from(CARDS, ITEMS, c.item_id == i.id)
                        .where(c.user_id == user, i.stale.is_(False), i.retired.is_(False), c.reps > 0,
                               c.due > at)).scalar()
