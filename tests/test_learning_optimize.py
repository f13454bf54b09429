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
from tests.learning_fixtures import at, make_items, record, record_url  # noqa: F401

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


@pytest.mark.slow  # py-fsrs's optimizer (torch): ~7 s
def test_fitted_parameters_beat_the_defaults_on_the_latest_fifth():
    h = simulated_history(80, 10)
    res = optimize("sim", h)
    assert res.counted >= MIN_REVIEWS and res.needed == 0 and res.held_out > 100
    assert res.fitted and res.logloss_fitted < res.logloss_default
    assert res.parameters != tuple(DEFAULT_PARAMETERS) and len(res.parameters) == 21
    Scheduler(parameters=res.parameters)  # within py-fsrs's bounds


@pytest.mark.slow  # a real fit per backend: ~10 s each
def test_optimize_stores_the_parameters_and_schedules_the_learner_with_them(record):
    h = simulated_history(80, 10, seed=4)
    record.show("ann", make_items(80), at=T0)
    out = record.record_batch("ann", [GradedAnswer(r.item_id, "답", r.rating != 1, rating="again" if r.rating == 1 else "good",
                                                   at=r.at) for r in h])
    assert all(o.result for o in out)
    res = record.optimize("ann", at=max(r.at for r in h) + timedelta(hours=1))
    assert res.fitted and res.reviews == len(h) and res.logloss_fitted < res.logloss_default
    mine = record.learner_settings("ann")
    assert mine.parameters == res.parameters and mine.to_dict()["personal_parameters"] is True
    # from now on: a new item answered by ann and by bob (defaults) is scheduled differently,
    # exactly as FSRS with ann's parameters schedules it
    new = make_items(81)[80:]
    when = datetime(2025, 6, 1, 9, 0, tzinfo=timezone.utc)
    due = {}
    for user in ("ann", "bob"):
        record.show(user, new, at=when)
        record.record_attempt(user, "short-0080", "정답80", True, at=when)
        due[user] = record.record_attempt(user, "short-0080", "정답80", True, at=when + timedelta(minutes=10)).due
    state = FSRS.new_state(when)
    fsrs = FSRS(0.9, fuzz=False, parameters=res.parameters)
    for t in (when, when + timedelta(minutes=10)):
        state = fsrs.review(1, state, Rating.Good, t)
    stability = {u: _stability(record, u, "short-0080") for u in ("ann", "bob")}
    assert due["ann"] == state.due and stability["ann"] == pytest.approx(state.stability)
    assert stability["bob"] != pytest.approx(stability["ann"])
    assert record.progress("ann", at=when + timedelta(days=30)).sections  # read with ann's curve


def _stability(rec, user: str, item_id: str) -> float:
    import sqlalchemy as sa

    from learning.models import CARDS

    with rec._db.engine.connect() as conn:
        return conn.execute(sa.select(CARDS.c.stability).where(CARDS.c.user_id == user,
                                                                CARDS.c.item_id == item_id)).scalar_one()
