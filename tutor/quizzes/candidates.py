"""A quiz item before it is chosen: what it asks, its answer, and the fact of the notes it tests."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from retriever.structure import Section, Unit
from ..common.types import QuizItem, SourceRef

BLANK = "____"


@dataclass(frozen=True)
class Candidate:
    kind: str
    question: str
    options: tuple[str, ...]
    answer: str
    explanation: str
    section: Section
    unit: Unit | None
    fact: str  # what the item tests (source line); one item per fact in a quiz
    priority: int = 1  # 0: preferred within its kind (a heading's key sentence)
    form: str = ""  # the generator's form within its kind (scenario, point, table …): a quiz mixes them

    def to_item(self) -> QuizItem:
        digest = hashlib.sha1(f"{self.kind}\n{self.question}\n{self.answer}".encode("utf-8")).hexdigest()[:10]
        u = self.unit
        lines = (u.line, u.line_end) if u is not None else self.section.lines
        ref = SourceRef(self.section.source, self.section.ref_heading(u), lines, self.section.page_at(lines[0]))
        return QuizItem(id=f"{self.kind}-{digest}", kind=self.kind, question=self.question,  # type: ignore[arg-type]
                        options=self.options, answer=self.answer, explanation=self.explanation,
                        source=ref, section=self.section.title)

def fact_of(sec: Section, u: Unit | None) -> str:
    return f"{sec.source}:{u.line if u else sec.lines[0]}"


def service_name(sec: Section) -> str:
    return sec.short_title.split(" - ")[0].strip()
