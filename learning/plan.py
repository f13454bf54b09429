"""학습 계획: a day-by-day plan to the exam — pure (card states + FSRS + accuracy in, days out).

The plan walks the days from today to the day before the exam, keeping every card's memory
on FSRS's mean path (`fsrs_math`: each answer right with the learner's measured accuracy for
the section, the two outcomes' memories mixed):

1. **Reviews**: a card is booked on its FSRS due day; when that day is full it goes to the
   latest earlier day within FSRS's fuzz range that has room (load balancing, as Anki does) —
   never later than due, never over the budget. A day that still overflows does its most
   overdue cards and carries the rest to the next day.
2. **New items**, weakest and unseen sections first (`sections.weak_key`): each day the even
   share of what is left that reaches D-7 (`INTRODUCE_BY`) comes before the reviews (a review
   that must wait is carried to the next day: an item never studied counts 0 on the exam,
   a review only lifts a card already learned), and any room the reviews leave takes more.
3. **Final reviews**: a card whose predicted recall on the exam day would fall below the
   target gets one review in the last `FINAL_DAYS` days (the latest with room).

The plan is feasible when all of that fits the budget; otherwise the smallest budget that
makes it feasible is searched (`needed_per_day`).
"""
from __future__ import annotations

import math
from datetime import timedelta

from .clock import exam_moment, local_day
from .fsrs_math import Memory, MemoryModel, days_between
from .plan_forecast import forecast, new_units, section_odds
from .plan_types import FINAL_DAYS, INTRODUCE_BY, MAX_PER_DAY, PlanDay, PlanOutcome, PlanRequest

REVIEW_STATE = 2  # fsrs.State.Review


class _Setup:
    """What every walk of one request shares (the budget search walks it many times)."""

    def __init__(self, req: PlanRequest, model: MemoryModel) -> None:
        self.req, self.model = req, model
        self.today = local_day(req.at, req.tz)
        self.n = max(0, (req.exam - self.today).days)
        self.exam_t = days_between(req.at, exam_moment(req.exam, req.tz))
        self.intro_last = max(0, self.n - INTRODUCE_BY)
        self.cards = [c for c in req.cards if not c.is_new]
        self.units = new_units(req, model)  # (section, item id or None), weakest sections first
        p = section_odds(req.accuracy, model.retention)
        self.odds = {s: p(s) for s in {c.section for c in req.cards} | {s for s, _ in self.units}}
        self.start = [self._card(k) for k in sorted(range(len(self.cards)),
                                                     key=lambda k: (self.cards[k].due, self.cards[k].item_id))]

    def _card(self, k: int) -> tuple:
        """(k, memory, last review, due day, earliest day, still in steps, a repeat due today)."""
        c, at, tz = self.cards[k], self.req.at, self.req.tz
        last = days_between(at, c.last_review)
        due = max(0, math.ceil(days_between(at, c.due) - 1e-9))  # the first session at or after due
        pending = c.state != REVIEW_STATE
        repeat = c.answered_today and pending and local_day(c.due, tz) == self.today
        lo = due
        if not pending:
            lo = math.ceil(last + self.model.earliest(round(days_between(c.last_review, c.due))) - 1e-9)
        return k, Memory(float(c.stability), float(c.difficulty or 5.0)), last, due, lo, pending, repeat


class _Run:
    """One walk over the days with one budget."""

    def __init__(self, setup: _Setup, budget: int, probe: bool = False) -> None:
        self.setup, self.req, self.model, self.budget = setup, setup.req, setup.model, budget
        self.probe = probe  # only whether it is feasible: stop at the first shortfall
        self.today, self.n, self.exam_t, self.intro_last = setup.today, setup.n, setup.exam_t, setup.intro_last
        self.cards, self.units = setup.cards, setup.units
        m = len(self.cards) + len(self.units)
        self.mem: list[Memory | None] = [None] * m
        self.last: list[float] = [0.0] * m
        self.due: list[int] = [0] * m
        self.pending: list[bool] = [False] * m  # still in (re)learning steps
        self.finals: list[bool] = [False] * m
        self.touched: list[bool] = [False] * m  # reviewed or introduced by the plan
        self.lo: list[int] = [0] * m  # the earliest day a booked review may move to
        self.floor = 0  # no booking before this day (the day being walked + 1)
        self.booked: list[list[int]] = [[] for _ in range(self.n)]
        self.carry: list[int] = []
        self.shortfall = 0
        done_r, done_n = self.req.done_today
        self.first_room = max(0, budget - done_r - done_n)

    # -- capacity --------------------------------------------------------------------------
    def _room(self, d: int) -> int:
        """Places on day d (reviews come first: new items take what reviews leave)."""
        return self.first_room if d == 0 else self.budget

    def _choose(self, lo: int, hi: int) -> int | None:
        for d in range(hi, lo - 1, -1):  # the latest day with room: reviews as late as allowed
            if len(self.booked[d]) < self._room(d):
                return d
        return None

    def _book(self, k: int, lo: int, due: int) -> None:
        lo = max(self.floor, min(lo, due))
        self.lo[k], self.due[k] = lo, due
        d = self._choose(lo, due)
        if d is None:
            d = self._displace(lo, due)
        if d is None:  # every day in range full: the least loaded, to be carried on overflow
            d = min(range(lo, due + 1), key=lambda x: (len(self.booked[x]), -x))
        self.booked[d].append(k)

    def _displace(self, lo: int, due: int) -> int | None:
        """Make room on a full day in [lo, due] by moving one review booked there to an earlier
        day its own fuzz range allows (reviews booked weeks ahead cannot see the short-interval
        reviews that fill a day later)."""
        if self._choose(self.floor, due - 1) is None:
            return None  # no earlier day has room for anything
        for f in range(due, lo - 1, -1):
            for j in self.booked[f]:
                if self.lo[j] < f:
                    g = self._choose(max(self.lo[j], self.floor), f - 1)
                    if g is not None:
                        self.booked[f].remove(j)
                        self.booked[g].append(j)
                        return f
        return None

    # -- one card ----------------------------------------------------------------------------
    def _next(self, k: int, d: int) -> None:
        """After card k's review on day d: book its next review, or its final one."""
        ivl = self.model.interval(self.mem[k].stability)
        if d + ivl <= self.n - 1:
            self._book(k, d + self.model.earliest(ivl), d + ivl)
        else:
            self._final(k, d)

    def _final(self, k: int, d: float) -> None:
        if self.finals[k] or self.model.recall(self.mem[k].stability, self.exam_t - d) >= self.req.target:
            return
        first = max(math.floor(d) + 1, 0)
        lo = max(first, self.n - FINAL_DAYS)
        if lo > self.n - 1:
            return  # reviewed on the last day already
        self.finals[k] = True
        self.lo[k] = self.due[k] = lo
        day = self._choose(lo, self.n - 1)
        if day is None:
            self.shortfall += 1  # no room in the last days: the latest earlier day, or overflow
            day = self._choose(first, lo - 1) if first < lo else None
            day = self.n - 1 if day is None else day
        self.due[k] = day
        self.booked[day].append(k)

    def _review(self, k: int, d: int) -> None:
        p = self.setup.odds[self._section(k)]
        if self.pending[k]:
            c = self.cards[k]
            self.mem[k] = self.model.first_step(self.mem[k], c.state, c.step, p)
            self.pending[k] = False
        else:
            self.mem[k] = self.model.expected(self.mem[k], max(1.0, d - self.last[k]), p)
        self.last[k] = d
        self.touched[k] = True
        self._next(k, d)

    def _section(self, k: int) -> str:
        return self.cards[k].section if k < len(self.cards) else self.units[k - len(self.cards)][0]

    # -- the walk ----------------------------------------------------------------------------
    def _start(self) -> list[int]:
        """Book every answered card on the first day its due time has come by the hour of `at`
        (day d is `at` + d days); returns today's free learning-step repeats."""
        repeats = []
        for k, mem, last, due, lo, pending, repeat in self.setup.start:
            self.mem[k], self.last[k], self.pending[k] = mem, last, pending
            if repeat:
                repeats.append(k)
            elif due > self.n - 1:
                self._final(k, last)
            else:
                self._book(k, lo, due)
        return repeats

    def _overflow(self, d: int, todays: list[int], room: int) -> list[int]:
        if len(todays) <= room:
            return todays
        todays.sort(key=lambda k: (self.due[k], k))  # the most overdue first
        keep, rest = todays[:room], todays[room:]
        if d + 1 < self.n:
            self.carry = rest
        else:
            self.shortfall += len(rest)  # reviews the budget leaves undone before the exam
        return keep

    def _pace(self, d: int, remaining: int, room: int) -> int:
        """New items that come before the day's reviews: the even share of what is left that
        reaches D-7, and from D-7 on all of it — an item never studied counts 0 on the exam,
        while a review (carried to the next day if it must wait) only lifts a card already learned."""
        if d >= self.intro_last:
            return min(remaining, room)
        return min(remaining, room, math.ceil(remaining / (self.intro_last - d + 1)))

    def _introduce(self, d: int, room: int, next_unit: int) -> int:
        """New items on day d: as many as the reviews leave room for (the fastest schedule that
        puts reviews first, so the one that reaches D-7 whenever any does)."""
        count = max(0, min(len(self.units) - next_unit, room))
        if d > self.intro_last:
            self.shortfall += count  # introduced, but later than D-7 (or than today, for a close exam)
        base = len(self.cards)
        for j in range(next_unit, next_unit + count):
            k = base + j
            self.mem[k] = self.model.introduce(self.setup.odds[self.units[j][0]])
            self.last[k] = d
            self.touched[k] = True
            self._next(k, d)
        return count

    def walk(self) -> list[PlanDay]:
        repeats, days, next_unit = self._start(), [], 0
        for k in repeats:
            self._review(k, 0)
        for d in range(self.n):
            left = len(self.units) - next_unit
            if self.probe and (self.shortfall or left > max(0, self.intro_last - d + 1) * self.budget):
                self.shortfall = max(self.shortfall, 1)  # bound to fall short: no need to walk on
                return days
            carried, self.carry = self.carry, []
            self.floor = d + 1
            room = self.first_room if d == 0 else self.budget
            first = self._pace(d, len(self.units) - next_unit, room)
            todays = self._overflow(d, self.booked[d] + carried, room - first)
            for k in todays:
                self._review(k, d)
            count = self._introduce(d, room - len(todays), next_unit)
            units = self.units[next_unit:next_unit + count]
            next_unit += count
            ids = tuple(self.cards[k].item_id for k in todays if k < len(self.cards))
            days.append(PlanDay(self.today + timedelta(days=d), len(todays), count, ids,
                                tuple(i for _, i in units if i is not None), tuple(s for s, _ in units),
                                tuple(self.cards[k].item_id for k in repeats) if d == 0 else ()))
        self.shortfall += len(self.units) - next_unit  # never introduced at all
        return days


def make_plan(req: PlanRequest, model: MemoryModel) -> PlanOutcome:
    """The plan for `req` (see the module docstring); pure: the same request, the same plan."""
    setup = _Setup(req, model)
    run = _Run(setup, req.per_day)
    days = run.walk()
    feasible = run.shortfall == 0
    needed = None if feasible else _needed(setup, run.shortfall)
    sections, overall, overall_now = forecast(req, model, run)
    return PlanOutcome(tuple(days), feasible, needed, sections, overall, overall_now, run.shortfall)


def needed_per_day(req: PlanRequest, model: MemoryModel) -> int | None:
    """The smallest daily budget whose plan is feasible (see `_needed`)."""
    run = _Run(_Setup(req, model), req.per_day)
    run.walk()
    return None if run.shortfall == 0 else _needed(run.setup, run.shortfall)


def _needed(setup: _Setup, shortfall: int) -> int | None:
    """The smallest feasible daily budget above `req.per_day` — exact up to 20 a day, within 5 %
    above (each try is a whole plan) — or None when no budget is (an exam today, items still new)."""
    req = setup.req

    def ok(budget: int) -> bool:
        run = _Run(setup, budget, probe=True)
        run.walk()
        return run.shortfall == 0

    days = max(1, setup.n)
    limit = max(MAX_PER_DAY, 2 * (len(req.cards) + sum(req.unseen.values())) + sum(req.done_today) + 1)
    lo = req.per_day  # not feasible
    # what was left, spread over the days, with its reviews to come (≈ 1.5 per item introduced)
    hi = min(limit, max(lo + 1, lo + math.ceil(2.5 * shortfall / days)))
    while not ok(hi):
        if hi >= limit:
            return None
        lo, hi = hi, min(limit, max(hi + 1, math.ceil(hi * 1.5)))
    step = max(1, hi // 20)
    while hi - step > lo and ok(hi - step):  # the estimate is usually close above: walk down to it
        hi, step = hi - step, step * 2
    lo = max(lo, hi - step)
    while hi - lo > max(1, hi // 20 if hi > 20 else 1):  # ok(hi), not ok(lo)
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi
