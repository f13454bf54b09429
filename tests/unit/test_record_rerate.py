"""Re-rating an answer after the grade is shown (the app's 다시/어려움/좋음/쉬움 buttons) and the
time the next card falls due, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from learning import InvalidInput, LearningRecord, UnknownAttempt
from tests.support.records import at, make_items, record  # noqa: F401


def _card(record, user, item_id):
    from sqlalchemy import select

    from learning.models import CARDS

    with record._db.engine.connect() as conn:
        return conn.execute(select(CARDS).where(CARDS.c.user_id == user, CARDS.c.item_id == item_id)).one()


def test_rerating_equals_rating_at_first(record_url):
    """Answer recorded with the default rating, then re-rated: the card is exactly the card an
    answer rated so in the first place gives (same stability, difficulty, state, due)."""
    a = LearningRecord.open(record_url, fuzz=False)
    try:
        a.show("ann", make_items(2), at=at(days=-1))
        a.show("bob", make_items(2), at=at(days=-1))
        for user in ("ann", "bob"):  # history: one good answer a day ago
            a.record_attempt(user, "short-0000", "정답0", True, at=at(days=-1, minutes=1))
        first = a.record_attempt("ann", "short-0000", "정답0", True, at=at(days=2))
        assert first.rating == "good"
        rerated = a.rate("ann", first.attempt_id, "hard")
        direct = a.record_attempt("bob", "short-0000", "정답0", True, rating="hard", at=at(days=2))
        assert rerated.rating == "hard" and rerated.attempt_id == first.attempt_id
        assert rerated.due == direct.due and rerated.due != first.due
        ca, cb = _card(a, "ann", "short-0000"), _card(a, "bob", "short-0000")
        for col in ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses"):
            assert getattr(ca, col) == getattr(cb, col), col
        assert a.progress("ann", at=at(days=2)).attempts == 2  # re-rating adds no answer
    finally:
        a.close()


def test_rerating_a_wrong_answer_keeps_it_in_the_wrong_notes(record):
    record.show("ann", make_items(1), at=at())
    res = record.record_attempt("ann", "short-0000", "몰라", False, at=at())
    assert res.rating == "again"
    out = record.rate("ann", res.attempt_id, "good")
    assert out.rating == "good" and out.correct is False and out.expected == "정답0"
    assert [e.item.id for e in record.wrong("ann", at=at(minutes=1)).items] == ["short-0000"]
    assert _card(record, "ann", "short-0000").lapses == 0


def test_only_the_users_own_latest_answer_can_be_rerated(record):
    record.show("ann", make_items(1), at=at())
    record.show("bob", make_items(1), at=at())
    old = record.record_attempt("ann", "short-0000", "몰라", False, at=at())
    new = record.record_attempt("ann", "short-0000", "정답0", True, at=at(minutes=5))
    with pytest.raises(InvalidInput, match="가장 최근"):
        record.rate("ann", old.attempt_id, "easy")
    with pytest.raises(UnknownAttempt):  # bob cannot touch ann's answer, nor learn it exists
        record.rate("bob", new.attempt_id, "easy")
    with pytest.raises(UnknownAttempt):
        record.rate("ann", 999_999, "easy")
    for bad in ("", "great", None):
        with pytest.raises(InvalidInput):
            record.rate("ann", new.attempt_id, bad)
    with pytest.raises(UnknownAttempt):
        record.rate("ann", "1", "easy")  # type: ignore[arg-type]
    assert _card(record, "ann", "short-0000").reps == 2
    assert record.rate("ann", new.attempt_id, "easy").rating == "easy"


def test_next_due_is_the_earliest_future_due_of_answered_live_cards(record):
    assert record.next_due("ann", at=at()) is None
    record.show("ann", make_items(3), at=at())
    assert record.next_due("ann", at=at()) is None  # shown, never answered: new, not scheduled
    r0 = record.record_attempt("ann", "short-0000", "정답0", True, rating="easy", at=at())
    r1 = record.record_attempt("ann", "short-0001", "정답1", True, at=at())
    assert record.next_due("ann", at=at()) == min(r0.due, r1.due) == r1.due
    assert record.next_due("ann", at=r1.due) == r0.due  # r1 is due by then: not "next"
    assert record.next_due("bob", at=at()) is None
