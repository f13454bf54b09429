"""What a 모의고사 returns: the sheet to answer (answers hidden from its JSON) and the report."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tutor.common.types import QuizItem

HIDDEN = ("answer", "explanation")  # not in the sheet's JSON: the exam gives no feedback until the end


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat(timespec="seconds")


@dataclass(frozen=True)
class ExamSheet:
    """A started 모의고사: its items in order (recorded as shown) and its time limit."""

    exam_id: str
    user: str
    created_at: datetime
    minutes: float
    items: tuple[QuizItem, ...]
    sections: tuple[str, ...]  # the section of each item
    submitted_at: datetime | None = None

    @property
    def deadline(self) -> datetime:
        from datetime import timedelta

        return self.created_at + timedelta(minutes=self.minutes)

    def to_dict(self, detail: bool = False) -> dict:
        items = []
        for it in self.items:
            d = it.to_dict()
            for key in HIDDEN:
                d.pop(key, None)
            items.append(d)
        out = {"exam_id": self.exam_id, "minutes": self.minutes, "items": items}
        if detail:
            out.update(created_at=_iso(self.created_at), deadline=_iso(self.deadline),
                       submitted_at=_iso(self.submitted_at))
        return out


@dataclass(frozen=True)
class ExamSection:
    section: str
    correct: int
    total: int

    def to_dict(self) -> dict:
        return {"section": self.section, "correct": self.correct, "total": self.total}


@dataclass(frozen=True)
class MissedItem:
    item: QuizItem
    given: str | None  # None: not answered
    section: str

    def to_dict(self) -> dict:
        return {"id": self.item.id, "question": self.item.question, "answer": self.item.answer,
                "given": self.given, "source": self.item.source.to_dict()}


@dataclass(frozen=True)
class ExamResult:
    """A submitted 모의고사: score (percent), per section, the time used and the missed items."""

    exam_id: str
    user: str
    score: float
    correct: int
    total: int
    seconds: float  # time used, from the start to the submission
    late: bool  # submitted after the time limit (accepted)
    submitted_at: datetime
    sections: tuple[ExamSection, ...]
    missed: tuple[MissedItem, ...]
    attempt_ids: tuple[int, ...] = ()

    def to_dict(self, detail: bool = False) -> dict:
        d = {"exam_id": self.exam_id, "score": self.score, "correct": self.correct, "total": self.total,
             "seconds": round(self.seconds, 1), "sections": [s.to_dict() for s in self.sections],
             "missed": [m.to_dict() for m in self.missed]}
        if detail:
            d.update(late=self.late, submitted_at=_iso(self.submitted_at))
        return d
