"""A learning record filled with a simulated history: cards shown, then answers replayed through FSRS.

`bench.learning` and `bench.plan_sim` time the record on this history; the bulk write goes around
the record's API (one transaction) because 10,000 one-by-one answers would take minutes.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from learning import ItemContext, LearningRecord
from learning.models import ATTEMPTS, CARDS
from learning.scheduler import FSRS, choose_rating


def replay_history(rec: LearningRecord, user: str, shown: Sequence[ItemContext], n_attempts: int,
                   now: datetime, p_correct: float,
                   seconds: Callable[[random.Random], float] | None = None) -> None:
    """Show `shown` 60 days before `now`, then replay `n_attempts` answers in time order (items
    reached in the order shown, a share `p_correct` right; `seconds` draws an answer's time, else 10 s)."""
    rng, start = random.Random(7), now - timedelta(days=60)
    rec.show(user, list(shown), at=start)
    fsrs = FSRS(fuzz=False)
    with rec._db.writer.begin() as conn:  # bench-only bulk write
        ids = {r.item_id: r.id for r in conn.execute(CARDS.select().where(CARDS.c.user_id == user))}
        states, reps = {i: FSRS.new_state(start) for i in ids}, dict.fromkeys(ids, 0)
        order, rows = list(ids), []
        for when in sorted(start + timedelta(seconds=rng.uniform(0, 60 * 86400 - 3600)) for _ in range(n_attempts)):
            item = rng.choice(order[: max(50, int(len(order) * (when - start) / (now - start)))])
            correct = rng.random() < p_correct
            r = choose_rating(correct, None)
            states[item] = fsrs.review(ids[item], states[item], r, when)
            reps[item] += 1
            rows.append({"user_id": user, "item_id": item, "at": when, "given": "답" if correct else "오답",
                         "correct": correct, "rating": int(r), "seconds": seconds(rng) if seconds else 10.0})
        conn.execute(ATTEMPTS.insert(), rows)
        for item, s in states.items():
            if reps[item]:
                conn.execute(CARDS.update().where(CARDS.c.id == ids[item]).values(
                    state=s.state, step=s.step, stability=s.stability, difficulty=s.difficulty, due=s.due,
                    last_review=s.last_review, reps=reps[item]))
