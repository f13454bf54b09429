"""Personal FSRS parameters: py-fsrs's Optimizer on the earlier 80 % of a learner's reviews, log
loss against the defaults on the latest 20 %, kept only if better, stored per learner and used
to schedule them (SQLite and PostgreSQL); below py-fsrs's minimum the defaults stay and the
result says how many more reviews are needed. The learner is simulated: their memory fades
faster than FSRS's default curve says (true stability = 0.35 × FSRS's), so a fit can improve."""
from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS

from learning.batch import GradedAnswer
from learning.optimize import MIN_REVIEWS, Review, countable, log_loss, optimize, split
from learning.scheduler import FSRS
from tests.support.records import at, make_items, record  # noqa: F401

T0 = datetime(2025, 1, 1, 9, 0, tzinfo=timezone.utc)


def simulated_history(n_items: int, reviews_each: int, seed: int = 1) -> list[Review]:
    """Reviews when FSRS (defaults) schedules them, right or wrong as a faster-forgetting learner."""
    rng, sched, out = random.Random(seed), Scheduler(enable_fuzzing=False), []
    for i in range(n_items):
        card, t, true_s, last = Card(card_id=i + 1, due=T0), T0 + timedelta(days=rng.randint(0, 20)), 1.0, None
        for _ in range(reviews_each):
            p = 0.75 if last is None else 0.9 ** (((t - last) / timedelta(days=1)) / true_s)
            rating = Rating.Good if rng.random() < p else Rating.Again
            out.append(Review(f"short-{i:04d}", t, int(rating)))
            card, _ = sched.review_card(card, rating, review_datetime=t)
            true_s, last = card.stability * 0.35, t
            t = (max(card.due, t + timedelta(days=1)) + timedelta(days=rng.randint(0, 2))).replace(hour=9, minute=i % 60)
    return out


def test_split_count_and_log_loss_follow_py_fsrs():
    h = simulated_history(30, 5)
    train, since = split(h)
    assert len(train) == len(h) - math.ceil(len(h) * 0.2) and all(r.at < since for r in train)
    assert countable(h) == 30 * 4  # every review after a card's first comes a day or more later
    loss, n = log_loss(DEFAULT_PARAMETERS, h, since)
    assert n > 0 and 0 < loss < 5
    # by hand for one card: the same replay through py-fsrs
    one = [r for r in h if r.item_id == "short-0000"]
    sched, card, total, m = Scheduler(enable_fuzzing=False), Card(card_id=1, due=one[0].at), 0.0, 0
    for r in one:
        if card.last_review is not None:
            p = sched.get_card_retrievability(card, r.at)
            total -= math.log(p) if r.rating != 1 else math.log(1 - p)
            m += 1
        card, _ = sched.review_card(card, Rating(r.rating), review_datetime=r.at)
    assert log_loss(DEFAULT_PARAMETERS, one, one[0].at) == (pytest.approx(total / m), m)
    assert log_loss(DEFAULT_PARAMETERS, h, None) == (None, 0)


def test_below_the_minimum_the_defaults_stay_and_it_says_how_many_more(record):
    record.show("ann", make_items(20), at=at())
    answers = [GradedAnswer(f"short-{k:04d}", "답", k % 3 != 0, at=at(days=d, minutes=k))
               for d in (0, 2, 6) for k in range(20)]
    assert all(o.result for o in record.record_batch("ann", answers))
    res = record.optimize("ann", at=at(days=10))
    d = res.to_dict()
    assert list(d) == ["user", "reviews", "fitted", "logloss_default", "logloss_fitted", "parameters"]
    assert (d["user"], d["reviews"], d["fitted"], d["logloss_fitted"]) == ("ann", 60, False, None)
    assert d["logloss_default"] is not None and len(d["parameters"]) == 21
    assert res.needed >= MIN_REVIEWS - res.counted > 0 and "더 복습" in res.message
    assert record.learner_settings("ann").parameters is None
