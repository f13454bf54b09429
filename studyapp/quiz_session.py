"""One learner's quiz run: the items, where they are, the grade of each answer and its
record in the learning record (attempt id, rating, next review).

A `QuizSession` is an immutable value held in the learner's browser state; every step
returns a new one, so two tabs of the same learner never share a half-updated run. The same
session drives the 퀴즈 tab, the 복습 queue and a retry from the 오답 노트 (`title`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

from learning import GradeResult
from tutor.common.types import Grade, Quiz, QuizItem

from .record import Graded


@dataclass(frozen=True)
class QuizSession:
    quiz: Quiz | None = None
    pos: int = 0
    grades: tuple[Grade | None, ...] = ()
    responses: tuple[str, ...] = ()
    message: str = ""  # error or notice to show (plain text)
    results: tuple[GradeResult | None, ...] = ()  # what the record kept for each answer
    title: str = "퀴즈"  # 퀴즈 / 복습 / 오답 다시 풀기
    shown_at: float = 0.0  # time.time() when the current item was put up (the learner's pace)

    @classmethod
    def start(cls, quiz: Quiz, title: str = "퀴즈") -> "QuizSession":
        n = len(quiz.items)
        return cls(quiz=quiz, grades=(None,) * n, responses=("",) * n, results=(None,) * n, title=title,
                   shown_at=time.time())

    def seconds(self) -> float | None:
        """Seconds since the current item was put up (None when unknown)."""
        return max(0.0, time.time() - self.shown_at) if self.shown_at else None

    @property
    def items(self) -> tuple[QuizItem, ...]:
        return self.quiz.items if self.quiz else ()

    @property
    def current(self) -> QuizItem | None:
        return self.items[self.pos] if 0 <= self.pos < len(self.items) else None

    @property
    def finished(self) -> bool:
        return bool(self.items) and self.pos >= len(self.items)

    @property
    def answered(self) -> int:
        return sum(g is not None for g in self.grades)

    @property
    def correct(self) -> int:
        return sum(bool(g and g.correct) for g in self.grades)

    @property
    def current_graded(self) -> bool:
        return self.current is not None and self.grades[self.pos] is not None

    def missed(self) -> list[tuple[QuizItem, Grade, str]]:
        return [(it, g, r) for it, g, r in zip(self.items, self.grades, self.responses)
                if g is not None and not g.correct]

    @property
    def current_result(self) -> GradeResult | None:
        return self.results[self.pos] if self.current is not None else None

    def _set(self, **fields: object) -> "QuizSession":
        changed = {}
        for name, value in fields.items():
            seq = list(getattr(self, name))
            seq[self.pos] = value
            changed[name] = tuple(seq)
        return replace(self, message="", **changed)

    def graded(self, g: Graded) -> "QuizSession":
        """The current item with its grade and what the record kept; once only."""
        if self.current is None or self.current_graded or g.record.item_id != self.current.id:
            return self
        return self._set(grades=g.grade, responses=g.grade.given, results=g.record)

    def rated(self, res: GradeResult) -> "QuizSession":
        """The current answer after the learner's own rating."""
        if self.current_result is None or res.attempt_id != self.current_result.attempt_id:
            return self
        return self._set(results=res)

    def with_message(self, message: str) -> "QuizSession":
        return replace(self, message=message)

    def advance(self) -> "QuizSession":
        """The next item, once the current one is graded."""
        if self.current is None or not self.current_graded:
            return self
        return replace(self, pos=self.pos + 1, shown_at=time.time())

