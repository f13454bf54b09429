"""The 학습 계획 bound to the notes: what a learner has never been shown (per section, in facts of
the notes), a daily budget given in minutes turned into items with the learner's own pace, and
today's session following the plan — its new items from sections never studied made from the
notes and recorded as shown, as a quiz records what it shows.

Pure of the interfaces; the record (`learning.LearningRecord`) and the notes' items
(`tutor.quizzes.exam_items`) are passed in.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from learning import InvalidInput, PlanDay, StudyPlan
from learning.plan_types import MAX_PER_DAY
from retriever import NotesLibrary
from tutor.common.types import QuizItem
from tutor.quizzes import section_titles
from tutor.quizzes.exam_items import notes_items

if TYPE_CHECKING:  # the record itself: imported when it is opened, not with the app
    from learning import LearningRecord

DEFAULT_SECONDS_PER_ITEM = 45.0  # a learner's pace before any answer of theirs was timed
MAX_MINUTES_PER_DAY = 16 * 60


@dataclass(frozen=True)
class Budget:
    """A daily budget in items, and how minutes were turned into it (when they were)."""

    per_day: int
    seconds_per_item: float  # the learner's median seconds per answer, or the default
    measured: bool  # False: no timed answer yet, the default pace was used
    minutes: float | None = None

    def to_dict(self) -> dict:
        return {"per_day": self.per_day, "minutes": self.minutes,
                "seconds_per_item": round(self.seconds_per_item, 1), "measured": self.measured}


def pace(record: LearningRecord, user: str) -> tuple[float, bool]:
    """(seconds per item, measured?) for `user`."""
    seconds = record.seconds_per_item(user)
    return (seconds, True) if seconds else (DEFAULT_SECONDS_PER_ITEM, False)


def budget(record: LearningRecord, user: str, minutes: object) -> Budget:
    """Minutes a day as items a day at the learner's pace; `InvalidInput` for 0 or less, or for
    too few minutes to answer one item."""
    try:
        value = float(minutes)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(minutes, bool) or not math.isfinite(value) or not 0 < value <= MAX_MINUTES_PER_DAY:
        raise InvalidInput(f"하루 공부 시간은 0분보다 길고 {MAX_MINUTES_PER_DAY}분 이하여야 합니다 "
                           f"(minutes a day): {str(minutes)[:20]!r}")
    seconds, measured = pace(record, user)
    per_day = min(MAX_PER_DAY, math.floor(value * 60 / seconds))
    if per_day < 1:
        raise InvalidInput(f"하루 {value:g}분으로는 한 문제도 풀 수 없습니다: 문제당 약 {seconds:.0f}초 "
                           f"(budget under one item)")
    return Budget(per_day, seconds, measured, value)


def unseen(record: LearningRecord, library: NotesLibrary, user: str) -> dict[str, int]:
    """Section → the notes' facts no item shown to `user` has tested yet."""
    return notes_items(library).unseen(record.shown_items(user))


def make_plan(record: LearningRecord, library: NotesLibrary, user: str, exam: date | str | None = None,
              per_day: int | None = None, target: float | None = None, at: datetime | None = None) -> StudyPlan:
    """`user`'s plan to the exam over their cards and the notes' facts they never met."""
    return record.plan(user, exam, per_day, target, at, unseen=unseen(record, library, user),
                       sections=section_titles(library))


def todays_plan(record: LearningRecord, library: NotesLibrary, user: str,
                at: datetime | None = None) -> StudyPlan | None:
    """The plan when `user` has an exam date after today (else None: no planned day)."""
    exam = record.exam_date(user)
    now = (at or datetime.now(record.tz))
    today = (now if now.tzinfo else now.replace(tzinfo=record.tz)).astimezone(record.tz).date()
    if exam is None or exam <= today:
        return None
    try:
        return make_plan(record, library, user, at=at)
    except InvalidInput:  # a stored setting that no longer holds: the plain queue then
        return None


def fresh_for_today(record: LearningRecord, library: NotesLibrary, user: str, day: PlanDay) -> list[QuizItem]:
    """Today's planned new items that are not cards yet (facts never shown), made from the
    notes for the sections the plan introduces today (never an item a teacher retired)."""
    shown = record.shown_items(user)
    section_of = {it.id: it.section for it in shown}
    missing = Counter(day.new_sections)
    missing.subtract(section_of.get(i, "") for i in day.new_ids)
    items = notes_items(library)
    out: list[QuizItem] = []
    for section in dict.fromkeys(day.new_sections):
        if missing[section] > 0:
            out += items.fresh(section, missing[section], shown, seed=day.date.toordinal())
    retired = record.retired_ids() if out else frozenset()
    return [it for it in out if it.id not in retired]


def planned_size(day: PlanDay) -> int:
    """How many items today's session holds: the day's reviews and new items, and the learning
    steps of items answered today that fall due again today."""
    return max(1, day.total + len(day.repeat_ids))
