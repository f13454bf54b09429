"""Real fits of py-fsrs's Optimizer (torch), one per backend (SQLite and PostgreSQL): the
fitted parameters beat the defaults on the latest fifth of a simulated learner's reviews, and
are stored and used to schedule them. The simulated learner is the unit lane's (test_record_optimize)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Rating, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS

from learning.batch import GradedAnswer  # noqa: F401
from learning.optimize import MIN_REVIEWS, Review, countable, log_loss, optimize, split  # noqa: F401
from learning.scheduler import FSRS  # noqa: F401
from tests.support.records import at, make_items, record  # noqa: F401
from tests.unit.test_record_optimize import T0, simulated_history  # noqa: F401


@pytest.mark.slow  # a real fit per backend: ~10 s each
def test_optimize_stores_the_parameters_and_schedules_the_learner_with_them(record):
    h = simulated_history(80, 10, seed=4)
    record.show("ann", make_items(80), at=T0)
    out = record.record_batch("ann", [GradedAnswer(r.item_id, "답", r.rating != 1, rating="again" if r.rating == 1 else "good",
                                                   at=r.at) for r in h])
    assert all(o.result for o in out)
    res = record.optimize("ann", at=max(r.at for r in h) + timedelta(hours=1))
    # the fit beats the defaults on the latest fifth, with parameters py-fsrs accepts
    assert res.fitted and res.reviews == len(h) and res.logloss_fitted < res.logloss_default
    assert res.counted >= MIN_REVIEWS and res.needed == 0 and res.held_out > 100
    assert res.parameters != tuple(DEFAULT_PARAMETERS) and len(res.parameters) == 21
    Scheduler(parameters=res.parameters)  # within py-fsrs's bounds
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
