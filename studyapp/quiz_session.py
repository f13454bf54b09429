"""One learner's quiz run: the items, where they are, and the grade of each answer.

A `QuizSession` is an immutable value held in the learner's browser state; every step
returns a new one, so two tabs of the same learner never share a half-updated run.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from retriever import Tokenizer
from tutor.grading import grade
from tutor.types import Grade, Quiz, QuizItem


@dataclass(frozen=True)
class QuizSession:
    quiz: Quiz | None = None
    pos: int = 0
    grades: tuple[Grade | None, ...] = ()
    responses: tuple[str, ...] = ()
    message: str = ""  # error or notice to show (plain text)

    @classmethod
    def start(cls, quiz: Quiz) -> "QuizSession":
        n = len(quiz.items)
        return cls(quiz=quiz, grades=(None,) * n, responses=("",) * n)

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

    def submit(self, response: str | None, tokenizer: Tokenizer | None) -> "QuizSession":
        """Grade the current item once (a second submit changes nothing)."""
        item = self.current
        if item is None or self.current_graded:
            return self
        response = (response or "").strip()
        g = grade(item, response, tokenizer=tokenizer)
        grades, responses = list(self.grades), list(self.responses)
        grades[self.pos], responses[self.pos] = g, response
        return replace(self, grades=tuple(grades), responses=tuple(responses), message="")

    def advance(self) -> "QuizSession":
        """The next item, once the current one is graded."""
        if self.current is None or not self.current_graded:
            return self
        return replace(self, pos=self.pos + 1)

