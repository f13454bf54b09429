"""A quiz item before it is chosen: what it asks, its answer, and the fact of the notes it tests.

A multiple-choice or O/X candidate in the quiz pool is a draft: its distractor tiers (`pools`)
or the places a false value may come from (`wrong`) are kept, and the options — or whether
the statement is shown true or false — are chosen when a quiz is made (`pool.finish`), seeded
by the quiz. A tier is a tuple of the note's own words or a `Far` reference to the other
sections of the notes, so that a note's drafts depend on that note alone.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Union

from retriever.structure import Section, Unit
from ..common.types import QuizItem, SourceRef

BLANK = "____"
SHOWN = "\u27e6shown\u27e7"  # where an O/X draft shows its value, true or false
COPULA = "\u27e6copula\u27e7"  # 이다/다 after the shown value


@dataclass(frozen=True)
class Far:
    """Distractors from the other sections of the notes, looked up when a quiz is made:
    `key` names what they are ("point.value", "answer", "mark:-1", "amount:#초" …); `near`
    keeps sections sharing a service word of the title (True), the others (False), or all."""

    key: str
    near: bool | None = None


Tier = Union[tuple[str, ...], Far]


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
    pools: tuple[Tier, ...] = ()  # a multiple-choice draft: distractor tiers, nearest first
    max_tier: int | None = None  # the farthest tier it may use
    wrong: tuple[Tier, ...] = ()  # an O/X draft: where a clearly false value may come from
    shown: str = ""  # an O/X item: the value it shows (a draft: the true one)
    truth: str = ""  # an O/X item: the true value of what it is said of
    label: str = ""  # an O/X item: what the value is said of
    explain_false: str = ""  # an O/X draft: the explanation when the statement is false

    @property
    def key(self) -> str:
        """What makes a candidate one item of a quiz (a draft's question may still change)."""
        return f"{self.kind}\n{self.question}"

    @property
    def is_draft(self) -> bool:
        return (self.kind == "mcq" and not self.options) or SHOWN in self.question

    def to_item(self) -> QuizItem:
        digest = hashlib.sha1(f"{self.kind}\n{self.question}\n{self.answer}".encode("utf-8")).hexdigest()[:10]
        u = self.unit
        lines = (u.line, u.line_end) if u is not None else self.section.lines
        ref = SourceRef(self.section.source, self.section.ref_heading(u), lines, self.section.page_at(lines[0]),
                        ocr=self.section.scanned_at(lines[0]))
        return QuizItem(id=f"{self.kind}-{digest}", kind=self.kind, question=self.question,  # type: ignore[arg-type]
                        options=self.options, answer=self.answer, explanation=self.explanation,
                        source=ref, section=self.section.title)

def fact_of(sec: Section, u: Unit | None) -> str:
    return f"{sec.source}:{u.line if u else sec.lines[0]}"


def service_name(sec: Section) -> str:
    return sec.short_title.split(" - ")[0].strip()
