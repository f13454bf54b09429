"""Records shared by the tutor, the CLI and the app (the contract between them)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from retriever import Hit

AnswerMode = Literal["template", "llm"]
QuizKind = Literal["mcq", "ox", "short", "cloze", "flashcard"]
QUIZ_KINDS: tuple[str, ...] = ("mcq", "ox", "short", "cloze", "flashcard")


@dataclass(frozen=True)
class Turn:
    """One finished turn of a conversation, as the next turn reads it."""

    question: str
    answer: str  # the answer's text (an LLM rewrite of a follow-up reads it)
    topic: str = ""  # the notes section the answer was about ("" when the notes had none)


@dataclass(frozen=True)
class Answer:
    question: str
    mode: AnswerMode
    answer: str  # Korean markdown with [n] citations pointing into `sources` (1-based)
    sources: tuple[Hit, ...]
    notice: str | None = None  # e.g. why the LLM was not used
    topic: str = field(default="", compare=False)  # short title of the section it answers from
    # "yes" | "no" | "unknown" for a yes/no question or one the notes do not cover; None otherwise
    verdict: str | None = None
    covered: bool = True  # False: the notes do not cover what the question asks

    @property
    def turn(self) -> Turn:
        return Turn(self.question, self.answer, self.topic)

    def to_dict(self) -> dict:
        d = {"question": self.question, "mode": self.mode, "answer": self.answer,
             "verdict": self.verdict, "covered": self.covered,
             "sources": [h.to_dict() for h in self.sources]}
        if self.notice:
            d["notice"] = self.notice
        return d


@dataclass(frozen=True)
class SourceRef:
    source: str
    heading: str
    lines: tuple[int, int]
    page: int | None = None  # 1-based page of a paged file (PDF)
    # its text was recognised from a scan or photo (OCR); not part of the record's item identity
    ocr: bool = field(default=False, compare=False)

    def to_dict(self) -> dict:
        d = {"source": self.source, "heading": self.heading, "lines": list(self.lines)}
        if self.page is not None:
            d["page"] = self.page
        if self.ocr:  # only then: JSON of text notes stays as it was
            d["ocr"] = True
        return d


@dataclass(frozen=True)
class QuizItem:
    id: str
    kind: QuizKind
    question: str
    options: tuple[str, ...]  # mcq: exactly 4, one correct; ox: ("O", "X"); else ()
    answer: str
    explanation: str
    source: SourceRef
    section: str = field(default="", compare=False)  # title of the notes section it was made from

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "question": self.question,
                "options": list(self.options), "answer": self.answer,
                "explanation": self.explanation, "source": self.source.to_dict()}


@dataclass(frozen=True)
class Quiz:
    items: tuple[QuizItem, ...]
    mode: AnswerMode
    notice: str | None = None

    def to_dict(self) -> dict:
        d = {"items": [i.to_dict() for i in self.items], "mode": self.mode}
        if self.notice:
            d["notice"] = self.notice
        return d


@dataclass(frozen=True)
class Grade:
    correct: bool
    expected: str
    feedback: str  # Korean: verdict, the right answer, the explanation and the source
    given: str = ""
    extra: dict = field(default_factory=dict, compare=False)
