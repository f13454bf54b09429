"""The FSRS wrapper: ratings, and the fast retrievability equals fsrs's own function."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Rating

from learning import InvalidInput
from learning.scheduler import FSRS, choose_rating

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)


def test_rating_defaults_and_explicit_ratings():
    assert choose_rating(False, None) == Rating.Again and choose_rating(True, None) == Rating.Good
    assert choose_rating(True, "") == Rating.Good
    assert [choose_rating(True, r) for r in ("again", "Hard", " good ", "EASY")] == list(Rating)
    with pytest.raises(InvalidInput):
        choose_rating(True, "perfect")


def test_fast_retrievability_matches_fsrs_for_real_review_histories():
    fsrs, rng = FSRS(fuzz=False), random.Random(5)
    checked = 0
    for card_id in range(60):
        state, when = FSRS.new_state(T0), T0
        assert fsrs.retrievability(state, when) == fsrs.retrievability_of(None, None, when) == 0.0
        for _ in range(rng.randint(1, 8)):
            when = when + timedelta(hours=rng.uniform(0.1, 24 * 40))
            state = fsrs.review(card_id, state, rng.choice(list(Rating)), when)
            for days in (0, 0.5, 1, 3, 17, 90, 400):
                at = when + timedelta(days=days)
                slow = fsrs.retrievability(state, at)
                fast = fsrs.retrievability_of(state.stability, state.last_review, at)
                assert fast == pytest.approx(slow, rel=1e-12, abs=1e-12) and 0 < fast <= 1
                checked += 1
    assert checked > 1000
