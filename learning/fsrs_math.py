"""FSRS-6 arithmetic for the planner: a card's memory as plain floats, thousands of steps fast.

py-fsrs's `Scheduler.review_card` builds and copies a `Card` per call (~15 µs); the planner
steps every card through weeks of planned reviews, twice per review (right and wrong), and
again for each budget it tries. The formulas below are fsrs 6.3's own for a card in the
Review state answered at least a day after its last review (the only case a planned review
is), checked against `review_card` in tests/test_learning_plan.py. The first answers of a new
item and the learning steps of a card still in them are taken from `review_card` itself
(`MemoryModel.settle`).

A wrong answer is followed, the same day, by the relearning step answered right (the learner
has just been shown the answer): that is the card FSRS holds when the day's work is done.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import FUZZ_RANGES, STABILITY_MIN

_T = datetime(2000, 1, 3, 9, 0, tzinfo=timezone.utc)  # any moment: only differences matter here


class Memory(NamedTuple):
    stability: float
    difficulty: float


class MemoryModel:
    """The forgetting curve, intervals, fuzz range and review outcomes of one FSRS scheduler."""

    def __init__(self, scheduler: Scheduler) -> None:
        self._s = scheduler
        w = self.w = tuple(float(x) for x in scheduler.parameters)
        self.decay = -w[20]
        self.factor = 0.9 ** (1 / self.decay) - 1
        self.retention = float(scheduler.desired_retention)
        self.max_interval = int(scheduler.maximum_interval)
        self._easy_d0 = w[4] - math.exp(w[5] * 3) + 1  # initial difficulty of Easy, unclamped
        self._e8, self._e1718 = math.exp(w[8]), math.exp(w[17] * w[18])
        self._settled: dict[tuple, tuple[Memory, Memory]] = {}  # same-day steps of (re)learning cards
        self._paths: dict[tuple, Memory] = {}
        self._earliest: dict[int, int] = {}
        self._relearn_ok = len(scheduler.relearning_steps) == 1
        self.first_right = self.settle(None, Rating.Good)
        self.first_wrong = self.settle(None, Rating.Again)

    # -- curve and intervals ----------------------------------------------------------------
    def recall(self, stability: float, days: float) -> float:
        """FSRS's predicted recall `days` after the last review (whole days, as fsrs counts)."""
        return (1 + self.factor * max(0, math.floor(days)) / stability) ** self.decay

    def interval(self, stability: float) -> int:
        """FSRS's next interval in days (before fuzz)."""
        ivl = round(stability / self.factor * (self.retention ** (1 / self.decay) - 1))
        return min(max(ivl, 1), self.max_interval)

    def earliest(self, interval: int) -> int:
        """The shortest interval FSRS's fuzz could have given for `interval` (fsrs 6.3's range)."""
        found = self._earliest.get(interval)
        if found is not None:
            return found
        low = interval
        if interval >= 2.5:
            delta = 1.0
            for r in FUZZ_RANGES:
                delta += r["factor"] * max(min(float(interval), r["end"]) - r["start"], 0.0)
            low = min(max(2, round(interval - delta)), interval)
        self._earliest[interval] = low
        return low

    # -- one review --------------------------------------------------------------------------
    def _difficulty(self, d: float, rating: int) -> float:
        w = self.w
        delta = -(w[6] * (rating - 3))
        nxt = w[7] * self._easy_d0 + (1 - w[7]) * (d + (10.0 - d) * delta / 9.0)
        return min(max(nxt, 1.0), 10.0)

    def _after(self, s: float, d: float, days: float) -> tuple[float, float, float, float]:
        """(stability, difficulty) after a right answer and after a wrong one + relearning."""
        w = self.w
        r = (1 + self.factor * max(0, math.floor(days)) / s) ** self.decay
        grow = self._e8 * (11 - d) * s ** -w[9] * (math.exp((1 - r) * w[10]) - 1)
        s_ok, d_ok = max(s * (1 + grow), STABILITY_MIN), self._difficulty(d, 3)
        forget = min(w[11] * d ** -w[12] * ((s + 1) ** w[13] - 1) * math.exp((1 - r) * w[14]), s / self._e1718)
        s1, d1 = max(forget, STABILITY_MIN), self._difficulty(d, 1)
        if not self._relearn_ok:  # other relearning steps: let py-fsrs walk them
            m = self.settle(Memory(s1, d1), Rating.Good, relearning=True)
            return s_ok, d_ok, m.stability, m.difficulty
        s_bad = max(s1 * max(self._e1718 * s1 ** -w[19], 1.0), STABILITY_MIN)
        return s_ok, d_ok, s_bad, self._difficulty(d1, 3)

    def right(self, m: Memory, days: float) -> Memory:
        """After a right answer (Good) `days` ≥ 1 after the last review."""
        s_ok, d_ok, _, _ = self._after(m.stability, m.difficulty, days)
        return Memory(s_ok, d_ok)

    def wrong(self, m: Memory, days: float) -> Memory:
        """After a wrong answer (Again) `days` ≥ 1 after the last review and the same day's
        relearning step answered right."""
        _, _, s_bad, d_bad = self._after(m.stability, m.difficulty, days)
        return Memory(s_bad, d_bad)

    def expected(self, m: Memory, days: float, p_right: float) -> Memory:
        """The mean path: right with probability `p_right`, the two outcomes' memories mixed.
        (Items of a section introduced on the same day share their path: computed once.)"""
        key = (m, max(0, math.floor(days)), p_right)
        found = self._paths.get(key)
        if found is None:
            s_ok, d_ok, s_bad, d_bad = self._after(m.stability, m.difficulty, days)
            q = 1 - p_right
            found = Memory(p_right * s_ok + q * s_bad, p_right * d_ok + q * d_bad)
            if len(self._paths) < 200_000:
                self._paths[key] = found
        return found

    def introduce(self, p_right: float) -> Memory:
        """A new item's first day: answered right with probability `p_right`, then its learning
        steps answered right until FSRS graduates it."""
        a, b, q = self.first_right, self.first_wrong, 1 - p_right
        return Memory(p_right * a.stability + q * b.stability, p_right * a.difficulty + q * b.difficulty)

    def settle(self, m: Memory | None, first: Rating, *, state: int | None = None, step: int | None = None,
               relearning: bool = False) -> Memory:
        """py-fsrs itself: answer `first` now, then Good at each learning/relearning step until
        the card is in the Review state (a new card when `m` is None)."""
        if m is None:
            card = Card(card_id=1, due=_T)
        else:
            st = State(state) if state is not None else (State.Relearning if relearning else State.Review)
            card = Card(card_id=1, state=st, step=step if st != State.Review else None,
                        stability=m.stability, difficulty=m.difficulty, due=_T, last_review=_T)
        when, rating = _T, first
        for _ in range(8):  # learning steps are few; a bound keeps a strange configuration finite
            card, _ = self._s.review_card(card, rating, review_datetime=when)
            if card.state == State.Review:
                break
            when, rating = card.due, Rating.Good
        return Memory(float(card.stability), float(card.difficulty))

    def first_step(self, m: Memory, state: int, step: int | None, p_right: float) -> Memory:
        """The mean path of a card still in its (re)learning steps, answered again today."""
        key = (m, state, step)
        pair = self._settled.get(key)
        if pair is None:
            pair = self._settled[key] = (self.settle(m, Rating.Good, state=state, step=step),
                                         self.settle(m, Rating.Again, state=state, step=step))
        a, b = pair
        q = 1 - p_right
        return Memory(p_right * a.stability + q * b.stability, p_right * a.difficulty + q * b.difficulty)


def days_between(earlier: datetime, later: datetime) -> float:
    return (later - earlier) / timedelta(days=1)
