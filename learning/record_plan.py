"""`LearningRecord`'s plan and settings methods (a mixin; the record supplies its connection,
clock and schedulers): the learner's settings, the 학습 계획, and what it is computed from."""
from __future__ import annotations

from datetime import date, datetime
from statistics import median
from typing import TYPE_CHECKING, Mapping, Sequence

from sqlalchemy import Connection, func, select
from tutor.common.types import QuizItem

from . import learner
from .cards import load_cards
from .clock import day_start, local_day
from .errors import InvalidInput
from .fsrs_math import MemoryModel
from .items import ITEM_COLUMNS, check_user, row_to_item
from .mastery import latest_right
from .models import ATTEMPTS, CARDS, ITEMS
from .plan import make_plan
from .plan_types import PlanCard, PlanRequest, StudyPlan
from .progress import attempt_stats

if TYPE_CHECKING:
    from .record import LearningRecord

TIMED_ANSWERS = 200  # the learner's pace: the median over this many of their latest timed answers
MIN_TIMED_SECONDS, MAX_TIMED_SECONDS = 1.0, 3600.0  # quicker: a click, not a read; longer: a break


def _done_today(conn: Connection, user: str, start: datetime, at: datetime) -> tuple[int, int]:
    """Items answered today: (reviews, first answers)."""
    a = ATTEMPTS.c
    q = (select(func.min(a.at), func.max(a.at)).where(a.user_id == user, a.at <= at)
         .group_by(a.item_id).having(func.max(a.at) >= start))
    rows = conn.execute(q).all()
    new = sum(1 for first, _ in rows if first >= start)
    return len(rows) - new, new


def _check_unseen(unseen: Mapping[str, int]) -> dict[str, int]:
    out = {}
    for section, n in dict(unseen or {}).items():
        if not isinstance(section, str) or isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise InvalidInput(f"아직 안 본 문제 수가 올바르지 않습니다 (unseen): {str(section)[:40]!r}={n!r}")
        out[section] = n
    return out


def plan_request(conn: Connection, user: str, at: datetime, tz, exam: date, per_day: int, target: float,
                 unseen: Mapping[str, int], sections: Sequence[str]) -> PlanRequest:
    """The planner's input, read from the record."""
    start = day_start(local_day(at, tz), tz)
    latest = latest_right(conn, user, at)
    live = [c for c in load_cards(conn, user) if c.live]
    stats = attempt_stats(conn, user, at)
    accuracy: dict[str, tuple[int, int]] = {}
    for c in live:
        n, ok = stats.get(c.item_id, (0, 0))
        a = accuracy.get(c.section, (0, 0))
        accuracy[c.section] = (a[0] + n, a[1] + ok)
    cards = tuple(PlanCard(c.item_id, c.section, c.state, c.step,
                           c.stability if c.reps else None, c.difficulty, c.last_review if c.reps else None,
                           c.due, latest.get(c.item_id), c.last_review is not None and c.last_review >= start)
                  for c in live)
    return PlanRequest(at, tz, exam, per_day, target, cards, accuracy, unseen,
                       _done_today(conn, user, start, at), tuple(sections))


class PlanMethods:
    """Settings and the plan (mixed into `LearningRecord`)."""

    def learner_settings(self: "LearningRecord", user: str) -> learner.LearnerSettings:
        """The settings that apply to `user` (their own, else the defaults)."""
        user = check_user(user)
        with self._read() as conn:
            return learner.read(conn, user, self.default_exam_date, self._schedulers.default_retention)

    def set_study_settings(self: "LearningRecord", user: str, *, per_day: int | None = None,
                           target: float | None = None, desired_retention: float | None = None,
                           at: datetime | None = None) -> learner.LearnerSettings:
        """Store the given settings (others unchanged). The desired retention schedules this
        learner's next reviews; past ones keep their due times."""
        user, now = check_user(user), self._now(at)
        values = {}
        if per_day is not None:
            values["per_day"] = learner.check_per_day(per_day)
        if target is not None:
            values["target"] = learner.check_target(target)
        if desired_retention is not None:
            values["desired_retention"] = learner.check_retention(desired_retention)
        if values:
            with self._write() as conn:
                learner.save(conn, user, now, **values)
        return self.learner_settings(user)

    def plan(self: "LearningRecord", user: str, exam: date | str | None = None, per_day: int | None = None,
             target: float | None = None, at: datetime | None = None, *, unseen: Mapping[str, int] | None = None,
             sections: Sequence[str] = ()) -> StudyPlan:
        """The 학습 계획 from today to the exam (see `learning.plan`). `exam`, `per_day` and
        `target` default to the learner's settings (then `STUDY_EXAM_DATE`, 20 a day, 0.9);
        `unseen`: items of the notes never shown to the learner, per section; `sections`: the
        notes' order. `InvalidInput` for no exam date, one in the past or malformed, a budget
        under 1 and a target outside (0.5, 0.99)."""
        user, now = check_user(user), self._now(at)
        today = local_day(now, self.tz)
        with self._read() as conn:
            mine = learner.read(conn, user, self.default_exam_date, self._schedulers.default_retention)
            day = learner.check_exam(exam if exam is not None else mine.exam_date, today)
            budget = learner.check_per_day(per_day if per_day is not None else mine.per_day)
            goal = learner.check_target(target if target is not None else mine.target)
            req = plan_request(conn, user, now, self.tz, day, budget, goal, _check_unseen(unseen or {}), sections)
            fsrs = self._fsrs_of(conn, user)
        out = make_plan(req, MemoryModel(fsrs.scheduler))
        return StudyPlan(user, now.astimezone(self.tz), day, budget, goal, out.feasible, out.needed_per_day,
                         out.days, out.overall, out.sections, out.overall_now)

    def shown_items(self: "LearningRecord", user: str) -> tuple[QuizItem, ...]:
        """Every live (not stale) item shown to `user` (with its section), in the order first
        shown — what the notes' items never shown to the learner are counted against."""
        user = check_user(user)
        c = CARDS.c
        q = (select(*ITEM_COLUMNS, ITEMS.c.section).join_from(CARDS, ITEMS, c.item_id == ITEMS.c.id)
             .where(c.user_id == user, ITEMS.c.stale.is_(False), ITEMS.c.retired.is_(False))
             .order_by(c.shown_at, c.id))
        with self._read() as conn:
            return tuple(row_to_item(r._mapping) for r in conn.execute(q))

    def seconds_per_item(self: "LearningRecord", user: str) -> float | None:
        """The learner's measured pace: the median seconds of their latest timed answers (None
        before the first one). Answers under a second or over an hour are left out: a click
        without reading, or the learner was away."""
        user = check_user(user)
        a = ATTEMPTS.c
        q = (select(a.seconds).where(a.user_id == user, a.seconds.is_not(None), a.seconds >= MIN_TIMED_SECONDS,
                                     a.seconds <= MAX_TIMED_SECONDS)
             .order_by(a.at.desc(), a.id.desc()).limit(TIMED_ANSWERS))
        with self._read() as conn:
            times = [float(x) for (x,) in conn.execute(q)]
        return median(times) if times else None
