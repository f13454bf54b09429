"""What the planner reads and writes: plain frozen data, no database, no clock of its own."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Mapping

DEFAULT_PER_DAY = 20
DEFAULT_TARGET = 0.9
MAX_PER_DAY = 1000
INTRODUCE_BY = 7  # every item introduced at least this many days before the exam
FINAL_DAYS = 3  # the last days, where final reviews go


@dataclass(frozen=True)
class PlanCard:
    """One live card of the learner as the planner needs it."""

    item_id: str
    section: str
    state: int  # fsrs.State of the card
    step: int | None
    stability: float | None  # None: never answered (a new item)
    difficulty: float | None
    last_review: datetime | None
    due: datetime
    latest_right: bool | None  # the latest answer; None when never answered
    answered_today: bool = False

    @property
    def is_new(self) -> bool:
        return self.last_review is None or self.stability is None


@dataclass(frozen=True)
class PlanRequest:
    """Everything a plan depends on (`LearningRecord.plan` reads it from the record)."""

    at: datetime  # aware: "now"
    tz: tzinfo  # the learner's days are local days
    exam: date
    per_day: int
    target: float
    cards: tuple[PlanCard, ...]  # live cards only
    accuracy: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # section → (attempts, correct)
    unseen: Mapping[str, int] = field(default_factory=dict)  # items never shown, per section
    done_today: tuple[int, int] = (0, 0)  # items already answered today: (reviews, new)
    section_order: tuple[str, ...] = ()  # the notes' order, for ties


@dataclass(frozen=True)
class PlanDay:
    """One day of the plan. `review_ids` / `new_ids` name the record's items where known (a
    review of an item the plan itself introduces, or an unseen item, has no id yet)."""

    date: date
    review: int
    new: int
    review_ids: tuple[str, ...] = ()
    new_ids: tuple[str, ...] = ()
    new_sections: tuple[str, ...] = ()  # the section of each new item, in order
    repeat_ids: tuple[str, ...] = ()  # today only: cards answered today whose learning steps fall due

    @property
    def total(self) -> int:
        return self.review + self.new

    def to_dict(self) -> dict:
        return {"date": self.date.isoformat(), "review": self.review, "new": self.new, "total": self.total}


@dataclass(frozen=True)
class SectionForecast:
    section: str
    now: float  # recall on the exam day with no more study (mastery at the exam date)
    exam: float  # recall on the exam day if the plan is kept

    def to_dict(self) -> dict:
        return {"section": self.section, "now": round(self.now, 3), "exam": round(self.exam, 3)}


@dataclass(frozen=True)
class PlanOutcome:
    days: tuple[PlanDay, ...]
    feasible: bool
    needed_per_day: int | None
    sections: tuple[SectionForecast, ...]
    overall: float  # predicted recall on the exam day over every item, plan kept
    overall_now: float
    shortfall: int = 0  # requirements the budget could not meet (late intros, undone reviews …)


@dataclass(frozen=True)
class StudyPlan:
    """A learner's 학습 계획 (`LearningRecord.plan`): per day from today to the day before the
    exam, planned reviews and new items, and the predicted recall on the exam day."""

    user: str
    at: datetime
    exam: date
    per_day: int
    target: float
    feasible: bool
    needed_per_day: int | None  # the smallest daily budget that makes the plan feasible
    days: tuple[PlanDay, ...]
    overall: float
    sections: tuple[SectionForecast, ...]
    overall_now: float = 0.0

    @property
    def today(self) -> PlanDay | None:
        """The plan's first day when it is the day of `at`, else None."""
        return self.days[0] if self.days and self.days[0].date == self.at.date() else None

    def to_dict(self) -> dict:
        return {"user": self.user, "exam": self.exam.isoformat(), "per_day": self.per_day,
                "target": self.target, "feasible": self.feasible, "needed_per_day": self.needed_per_day,
                "days": [d.to_dict() for d in self.days],
                "predicted": {"overall": round(self.overall, 3),
                              "sections": [s.to_dict() for s in self.sections]}}
