"""What the record returns: frozen dataclasses whose `to_dict()` is the CLI's `--json` shape.

Datetimes are aware, in the record's time zone; `to_dict()` writes them as ISO 8601 with offset.
`to_dict(detail=True)` adds fields beyond the issue's JSON shapes (per-day counts, explanation …).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tutor.common.types import QuizItem

from .sections import weak_key


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat(timespec="seconds")


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


@dataclass(frozen=True)
class GradeResult:
    """One recorded answer (`grade`)."""

    user: str
    item_id: str
    correct: bool
    expected: str
    rating: str  # again | hard | good | easy
    due: datetime | None  # next review; None when the item is stale (never scheduled again)
    at: datetime
    attempt_id: int
    stale: bool = False

    def to_dict(self) -> dict:
        return {"user": self.user, "item_id": self.item_id, "correct": self.correct,
                "expected": self.expected, "rating": self.rating, "due": _iso(self.due)}


@dataclass(frozen=True)
class ReviewEntry:
    item: QuizItem
    reason: str  # "due" | "weak" | "new"
    due: datetime | None  # None for an item never answered
    section: str

    def to_dict(self) -> dict:
        return {**self.item.to_dict(), "reason": self.reason, "due": _iso(self.due)}


@dataclass(frozen=True)
class ReviewQueue:
    """What to study next (`review`)."""

    user: str
    at: datetime
    items: tuple[ReviewEntry, ...]

    def to_dict(self) -> dict:
        return {"user": self.user, "items": [e.to_dict() for e in self.items]}


@dataclass(frozen=True)
class WrongEntry:
    item: QuizItem
    section: str
    last_answer: str
    wrong_count: int
    attempts: int
    last_wrong_at: datetime

    def to_dict(self, detail: bool = False) -> dict:
        d = {"id": self.item.id, "question": self.item.question, "answer": self.item.answer,
             "last_answer": self.last_answer, "wrong_count": self.wrong_count,
             "source": self.item.source.to_dict()}
        if detail:
            d.update(kind=self.item.kind, options=list(self.item.options),
                     explanation=self.item.explanation, section=self.section,
                     attempts=self.attempts, last_wrong_at=_iso(self.last_wrong_at))
        return d


@dataclass(frozen=True)
class WrongNotes:
    """오답 노트: items whose latest answer was wrong, most recent first (`wrong`)."""

    user: str
    items: tuple[WrongEntry, ...]

    def to_dict(self, detail: bool = False) -> dict:
        return {"user": self.user, "items": [e.to_dict(detail) for e in self.items]}


@dataclass(frozen=True)
class SectionProgress:
    section: str
    seen: int  # items answered at least once
    attempts: int
    correct: int
    accuracy: float | None  # None before the first attempt
    # honest mastery at the horizon (`mastery`): the share of the section's live items the learner
    # can be expected to recall then — latest answer right: FSRS recall; wrong or unanswered: 0
    mastery: float
    due: int  # cards due now
    cards: int  # live (not stale) items shown
    stale: int  # items whose notes changed: history kept, never scheduled
    exam_retention: float | None = None  # mastery on the exam date (same counting)

    def to_dict(self, detail: bool = False) -> dict:
        d = {"section": self.section, "seen": self.seen, "attempts": self.attempts,
             "accuracy": _r(self.accuracy), "mastery": _r(self.mastery), "due": self.due}
        if detail:
            d.update(correct=self.correct, cards=self.cards, stale=self.stale)
        return d


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int

    def to_dict(self) -> dict:
        return {"date": self.day.isoformat(), "count": self.count}


@dataclass(frozen=True)
class ExamForecast:
    """Mastery on the exam date (latest answer wrong or none → 0), per section and overall."""

    date: date
    predicted_retention: tuple[tuple[str, float], ...]  # (section, retention) in section order
    overall: float  # mean over all live cards

    def to_dict(self) -> dict:
        return {"date": self.date.isoformat(),
                "predicted_retention": {s: _r(v) for s, v in self.predicted_retention}}


@dataclass(frozen=True)
class Progress:
    """Progress per top-level section, totals, streak and calendar (`progress`)."""

    user: str
    at: datetime
    attempts: int
    correct: int
    streak_days: int
    due_now: int
    sections: tuple[SectionProgress, ...]
    attempts_per_day: tuple[DayCount, ...]  # the last 14 local days, oldest first, today last
    due_per_day: tuple[DayCount, ...]  # the next 14 local days from today (overdue counts today)
    exam: ExamForecast | None
    horizon: date | None = None  # the day mastery looks at: the exam date, else 7 days on

    def weakest(self, k: int = 3) -> list[str]:
        """The `k` weakest sections, in the order `sections.weak_key` defines."""
        rank = {s.section: n for n, s in enumerate(self.sections)}
        ranked = sorted(self.sections, key=lambda s: weak_key(s.section, s.mastery, s.attempts, s.accuracy,
                                                              rank[s.section]))
        return [s.section for s in ranked[:k]]

    def to_dict(self, detail: bool = False) -> dict:
        d = {"user": self.user, "attempts": self.attempts, "correct": self.correct,
             "streak_days": self.streak_days, "due_now": self.due_now,
             "sections": [s.to_dict(detail) for s in self.sections],
             "exam": None if self.exam is None else self.exam.to_dict(),
             "horizon": None if self.horizon is None else self.horizon.isoformat()}
        if detail:
            d.update(at=_iso(self.at), attempts_per_day=[c.to_dict() for c in self.attempts_per_day],
                     due_per_day=[c.to_dict() for c in self.due_per_day])
            if self.exam is not None:
                d["exam"]["overall"] = _r(self.exam.overall)
        return d


@dataclass(frozen=True)
class StaleReport:
    """What a notes check found (`mark_stale`)."""

    checked: int
    newly_stale: tuple[str, ...]  # item ids
    stale_total: int

    def to_dict(self) -> dict:
        return {"checked": self.checked, "newly_stale": list(self.newly_stale),
                "stale_total": self.stale_total}
